from rest_framework.routers import DefaultRouter

from .views import ProfileViewSet

router = DefaultRouter(trailing_slash=True)
router.register("talent/profiles", ProfileViewSet, basename="talent-profile")
urlpatterns = router.urls
