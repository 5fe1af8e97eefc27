from django.urls import path

from . import views

app_name = "patrol"
urlpatterns = [
    path("", views.patrol_home, name="home"),
    path("start/", views.patrol_start, name="patrol-start"),
    path("<int:pk>/end/", views.patrol_end, name="patrol-end"),
    path("coverage/", views.coverage, name="coverage"),
    path("reports/", views.report_list, name="report-list"),
    path("reports/new/", views.report_new, name="report-new"),
    path("reports/<int:pk>/", views.report_detail, name="report-detail"),
    path("reports/<int:pk>/photo/", views.report_photo, name="report-photo"),
    path("reports/<int:pk>/to-case/", views.report_to_case, name="report-to-case"),
]
