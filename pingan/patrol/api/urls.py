from django.urls import path
from rest_framework.routers import DefaultRouter

from .views import CoverageView, ReportViewSet

router = DefaultRouter(trailing_slash=True)
router.register("patrol/reports", ReportViewSet, basename="patrol-report")
urlpatterns = [
    path("patrol/coverage/", CoverageView.as_view(), name="patrol-coverage"),
    *router.urls,
]
