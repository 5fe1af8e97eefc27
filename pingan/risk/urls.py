from django.urls import path

from . import views

app_name = "risk"
urlpatterns = [
    path("", views.risk_map, name="map"),
    path("map.geojson", views.risk_map_data, name="map-data"),
    path("areas/<str:code>/", views.area_detail, name="area"),
    path("warnings/", views.warning_list, name="warnings"),
    path("instructions/", views.instruction_list, name="instructions"),
    path("instructions/new/", views.instruction_new, name="instruction-new"),
    path("instructions/<str:number>/", views.instruction_detail, name="instruction-detail"),
    path("instructions/<str:number>/accept/", views.instruction_accept, name="instruction-accept"),
    path("instructions/<str:number>/close/", views.instruction_close, name="instruction-close"),
]
