"""Pages of the audit trail that people other than the administrator read."""

from django.urls import path

from . import audit_views

app_name = "audit"
urlpatterns = [
    path("personal-data/", audit_views.personal_data_read_list, name="personal-data"),
    path("log/", audit_views.audit_log, name="log"),
    path("log.xlsx", audit_views.audit_log_export, name="log-export"),
]
