from rest_framework.routers import DefaultRouter

from .views import MeasureViewSet, PersonViewSet, ScorecardViewSet

router = DefaultRouter(trailing_slash=True)
router.register("persons", PersonViewSet, basename="person")
router.register("person-measures", MeasureViewSet, basename="person-measure")
router.register("scorecards", ScorecardViewSet, basename="scorecard")
urlpatterns = router.urls
