from django.urls import path
from rest_framework.routers import DefaultRouter

from .views import DivisionViewSet, MeView, UnitViewSet

router = DefaultRouter(trailing_slash=True)
router.register("divisions", DivisionViewSet, basename="division")
router.register("units", UnitViewSet, basename="unit")

urlpatterns = [path("me/", MeView.as_view(), name="api-me"), *router.urls]
