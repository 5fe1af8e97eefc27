from django.urls import path

from . import export, views

app_name = "talent"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("export.xlsx", export.overview_export, name="export"),
    path("me/", views.mine, name="mine"),
    path("peers/", views.peers, name="peers"),
    path("<int:pk>/", views.profile_detail, name="profile"),
    path("<int:pk>/act/<str:action>/", views.profile_act, name="profile-act"),
]
