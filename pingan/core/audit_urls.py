"""Pages of the audit trail that people other than the administrator read."""

from django.urls import path

from . import audit_views

app_name = "audit"
urlpatterns = [
    path("personal-data/", audit_views.personal_data_read_list, name="personal-data"),
]
