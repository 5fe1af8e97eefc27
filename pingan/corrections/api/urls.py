from rest_framework.routers import DefaultRouter

from .views import EmployerViewSet, EvidenceFileViewSet, ReleaseViewSet

router = DefaultRouter(trailing_slash=True)
router.register("releases", ReleaseViewSet, basename="release")
router.register("evidence-files", EvidenceFileViewSet, basename="evidence-file")
router.register("corrections/employers", EmployerViewSet, basename="employer")
urlpatterns = router.urls
