from django.urls import path

from . import views

app_name = "collaboration"
urlpatterns = [
    path("roster/", views.roster, name="roster"),
    path("roster/plan/", views.roster_plan, name="roster-plan"),
    path("roster/shift/", views.roster_shift, name="roster-shift"),
    path("officers/", views.officer_list, name="officers"),
    path("cases/<str:number>/whistle/", views.whistle_blow, name="whistle-blow"),
    path("whistles/", views.whistle_list, name="whistles"),
    path("whistles/<str:pk>/", views.whistle_detail, name="whistle-detail"),
    path("whistles/<str:pk>/close/", views.whistle_close, name="whistle-close"),
    path(
        "whistles/<str:pk>/summons/<str:summons_pk>/<str:action>/",
        views.summons_act,
        name="summons-act",
    ),
    path("departments/", views.department_list, name="departments"),
    path("departments/<str:pk>/", views.department_detail, name="department-detail"),
    path("talks/", views.talk_list, name="talks"),
    path("talks/new/", views.talk_new, name="talk-new"),
    path("talks/<str:pk>/", views.talk_detail, name="talk-detail"),
    path("talks/<str:pk>/problems/", views.problem_add, name="problem-add"),
    path("problems/<str:pk>/tasks/", views.task_add, name="task-add"),
    path("problems/<str:pk>/case/", views.problem_case, name="problem-case"),
    path("tasks/<str:pk>/progress/", views.task_progress, name="task-progress"),
    path("tasks/<str:pk>/result/", views.task_result, name="task-result"),
    path("board/", views.board, name="board"),
    path("board.xlsx", views.board_export, name="board-export"),
]
