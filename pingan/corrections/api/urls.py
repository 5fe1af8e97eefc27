from rest_framework.routers import DefaultRouter

from .views import EvidenceFileViewSet, ReleaseViewSet

router = DefaultRouter(trailing_slash=True)
router.register("releases", ReleaseViewSet, basename="release")
router.register("evidence-files", EvidenceFileViewSet, basename="evidence-file")
urlpatterns = router.urls
