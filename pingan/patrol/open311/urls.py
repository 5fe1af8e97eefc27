"""Open311 GeoReport v2 routes: ``/open311/v2/services.json`` and so on."""

from django.urls import re_path

from . import views

app_name = "open311"
FMT = r"\.(?P<fmt>[a-z]+)"
urlpatterns = [
    re_path(rf"^services{FMT}$", views.service_list, name="services"),
    re_path(rf"^services/(?P<code>[^/]+?){FMT}$", views.service_definition, name="service"),
    re_path(rf"^requests{FMT}$", views.requests, name="requests"),
    re_path(rf"^requests/(?P<pk>[^/]+?){FMT}$", views.request_detail, name="request"),
    # any other address under /open311/ answers in the error format, not the site's page
    re_path(r"", views.unknown),
]
