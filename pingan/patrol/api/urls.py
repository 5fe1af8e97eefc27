from django.urls import path
from rest_framework.routers import DefaultRouter

from .views import CoverageView, PatrolViewSet, ReportViewSet

router = DefaultRouter(trailing_slash=True)
router.register("patrol/reports", ReportViewSet, basename="patrol-report")
router.register("patrol/patrols", PatrolViewSet, basename="patrol-patrol")
urlpatterns = [
    path("patrol/coverage/", CoverageView.as_view(), name="patrol-coverage"),
    *router.urls,
]
