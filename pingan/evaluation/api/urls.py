from rest_framework.routers import DefaultRouter

from .views import ReportViewSet, SchemeViewSet, ScoreViewSet

router = DefaultRouter(trailing_slash=True)
router.register("evaluation/schemes", SchemeViewSet, basename="evaluation-scheme")
router.register("evaluation/scores", ScoreViewSet, basename="evaluation-score")
router.register("evaluation/reports", ReportViewSet, basename="evaluation-report")
urlpatterns = router.urls
