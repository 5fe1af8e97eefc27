from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("divisions/", views.division_root, name="division-root"),
    path("divisions/map.geojson", views.division_map, name="scope-map"),
    path("divisions/<str:code>/", views.division_detail, name="division-detail"),
    path("divisions/<str:code>/map.geojson", views.division_map, name="division-map"),
    path("units/", views.unit_list, name="unit-list"),
    path("units/<str:pk>/", views.unit_detail, name="unit-detail"),
    path("staff/", views.staff_list, name="staff-list"),
    path("staff/<str:pk>/phone/", views.staff_phone_reveal, name="staff-phone-reveal"),
]
