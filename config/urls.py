"""Top-level URL map: pages, the admin, the API and its schema."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from pingan.cases.public import public_query
from pingan.core import health
from pingan.core import views as core_views

admin.site.site_header = "平安综治 · 系统管理"
admin.site.site_title = "平安综治"
admin.site.index_title = "系统管理"

api_patterns = [
    path("", include("pingan.core.account_api")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("", include("pingan.core.job_api")),
    path("", include("pingan.core.inbox_api")),
    path("", include("pingan.orgs.api.urls")),
    path("", include("pingan.cases.api.urls")),
    path("", include("pingan.corrections.api.urls")),
    path("", include("pingan.talent.api.urls")),
    path("", include("pingan.persons.api.urls")),
    path("", include("pingan.collaboration.api.urls")),
    path("", include("pingan.evaluation.api.urls")),
    path("", include("pingan.patrol.api.urls")),
    path("", include("pingan.risk.api.urls")),
]

urlpatterns = [
    path("", core_views.home, name="home"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("health/live/", health.live, name="health-live"),
    path("health/ready/", health.ready, name="health-ready"),
    path("metrics", health.metrics, name="metrics"),
    path("accounts/", include("pingan.core.auth_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("orgs/", include("pingan.orgs.urls")),
    path("inbox/", include("pingan.core.inbox_urls")),
    path("jobs/", include("pingan.core.job_urls")),
    path("help/", include("pingan.core.help_urls")),
    path("audit/", include("pingan.core.audit_urls")),
    path("cases/", include("pingan.cases.urls")),
    path("corrections/", include("pingan.corrections.urls")),
    path("talent/", include("pingan.talent.urls")),
    path("persons/", include("pingan.persons.urls")),
    path("collaboration/", include("pingan.collaboration.urls")),
    path("evaluation/", include("pingan.evaluation.urls")),
    path("patrol/", include("pingan.patrol.urls")),
    path("open311/v2/", include("pingan.patrol.open311.urls")),
    path("risk/", include("pingan.risk.urls")),
    path("q/", public_query, name="public-query"),
    path("api/", include(api_patterns)),
    path("admin/", admin.site.urls),
]

handler403 = "pingan.core.views.permission_denied"
handler404 = "pingan.core.views.page_not_found"
handler500 = "pingan.core.views.server_error"
