from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import (
    DepartmentFiguresView,
    DutyShiftViewSet,
    FourListFiguresView,
    OfficerViewSet,
    ProblemViewSet,
    StreetWhistleFiguresView,
    TalkViewSet,
    TaskViewSet,
    WhistleViewSet,
)

router = SimpleRouter(trailing_slash=True)
router.register("collaboration/roster", DutyShiftViewSet, basename="duty-shift")
router.register("collaboration/officers", OfficerViewSet, basename="named-officer")
router.register("collaboration/whistles", WhistleViewSet, basename="whistle")
router.register("collaboration/talks", TalkViewSet, basename="safety-talk")
router.register("collaboration/problems", ProblemViewSet, basename="problem")
router.register("collaboration/tasks", TaskViewSet, basename="task")
urlpatterns = [
    *router.urls,
    path(
        "collaboration/figures/departments/",
        DepartmentFiguresView.as_view(),
        name="collaboration-figures-departments",
    ),
    path(
        "collaboration/figures/streets/",
        StreetWhistleFiguresView.as_view(),
        name="collaboration-figures-streets",
    ),
    path(
        "collaboration/figures/four-lists/",
        FourListFiguresView.as_view(),
        name="collaboration-figures-four-lists",
    ),
]
