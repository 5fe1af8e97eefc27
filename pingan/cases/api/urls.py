from rest_framework.routers import DefaultRouter

from .views import CaseViewSet, CategoryViewSet, DeadlineRuleViewSet, SupervisionViewSet

router = DefaultRouter(trailing_slash=True)
# Before the cases: /api/cases/{number}/ would otherwise take "categories" for a number.
router.register("cases/categories", CategoryViewSet, basename="category")
router.register("cases/deadline-rules", DeadlineRuleViewSet, basename="deadline-rule")
router.register("cases/supervisions", SupervisionViewSet, basename="supervision")
router.register("cases", CaseViewSet, basename="case")
urlpatterns = router.urls
