from django.urls import path

from . import views

app_name = "corrections"
urlpatterns = [
    path("releases/", views.release_list, name="release-list"),
    path("releases/new/", views.release_new, name="release-new"),
    path("releases/places/", views.places, name="places"),
    path("releases/<int:pk>/", views.release_detail, name="release-detail"),
    path("releases/<int:pk>/arrive/", views.release_arrive, name="release-arrive"),
    path("releases/<int:pk>/followup/", views.release_followup, name="release-followup"),
    path("releases/<int:pk>/placement/", views.release_placement, name="release-placement"),
    path("releases/<int:pk>/fund/", views.release_fund, name="release-fund"),
    path("releases/<int:pk>/fund/<int:entry>/approve/", views.fund_approve, name="fund-approve"),
    path("employers/", views.employer_list, name="employer-list"),
    path("files/", views.file_list, name="file-list"),
    path("files/new/", views.file_new, name="file-new"),
    path("files/<str:number>/", views.file_detail, name="file-detail"),
    path("files/<str:number>/items/<int:item>/review/", views.item_review, name="item-review"),
    path("files/<str:number>/items/<int:item>/confirm/", views.item_confirm, name="item-confirm"),
    path("files/<str:number>/conclude/", views.file_conclude, name="file-conclude"),
    path("files/<str:number>/bundle.json", views.file_bundle, name="file-bundle"),
    path("analysis/", views.analysis, name="analysis"),
]
