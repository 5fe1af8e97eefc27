from rest_framework.routers import DefaultRouter

from . import views as v

router = DefaultRouter(trailing_slash=True)
router.register("evaluation/schemes", v.SchemeViewSet, basename="evaluation-scheme")
router.register("evaluation/scores", v.ScoreViewSet, basename="evaluation-score")
router.register("evaluation/manual-entries", v.ManualEntryViewSet, basename="evaluation-manual")
router.register("evaluation/list-entries", v.ListEntryViewSet, basename="evaluation-list")
router.register("evaluation/review-plans", v.ReviewPlanViewSet, basename="evaluation-plan")
router.register("evaluation/reviews", v.ReviewViewSet, basename="evaluation-review")
router.register("evaluation/quality", v.QualityViewSet, basename="evaluation-quality")
router.register("evaluation/reports", v.ReportViewSet, basename="evaluation-report")
urlpatterns = router.urls
