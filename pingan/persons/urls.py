from django.urls import path

from . import views

app_name = "persons"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("new/", views.person_new, name="person-new"),
    path("queue/", views.work_queue, name="queue"),
    path("scorecards/", views.scorecard_list, name="scorecards"),
    path("scorecards/fit/", views.scorecard_fit, name="scorecard-fit"),
    path("scorecards/<int:pk>/", views.scorecard_detail, name="scorecard-detail"),
    path("scorecards/<int:pk>/review/", views.scorecard_review, name="scorecard-review"),
    path("scorecards/<int:pk>/report.pdf", views.scorecard_pdf, name="scorecard-pdf"),
    path("scorecards/<int:pk>/report.html", views.scorecard_html, name="scorecard-html"),
    path("<int:pk>/", views.person_detail, name="person-detail"),
    path("<int:pk>/act/<str:action>/", views.person_act, name="person-act"),
]
