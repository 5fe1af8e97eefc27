"""Pages of background jobs: follow one while it runs, read its outcome, fetch its file."""

from django.urls import path

from . import job_views

app_name = "jobs"
urlpatterns = [
    path("<int:pk>/", job_views.job_detail, name="detail"),
    path("<int:pk>/status/", job_views.job_status, name="status"),
    path("<int:pk>/output/", job_views.job_output, name="output"),
]
