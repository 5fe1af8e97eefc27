from rest_framework.routers import SimpleRouter

from .views import InstructionViewSet, SnapshotViewSet, WarningViewSet

router = SimpleRouter(trailing_slash=True)
router.register("risk/snapshots", SnapshotViewSet, basename="risk-snapshot")
router.register("risk/warnings", WarningViewSet, basename="risk-warning")
router.register("risk/instructions", InstructionViewSet, basename="risk-instruction")
urlpatterns = router.urls
