from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("schemes/new/", views.scheme_new, name="scheme-new"),
    path("schemes/<int:pk>/", views.scheme_detail, name="scheme-detail"),
    path("schemes/<int:pk>/indicators/", views.indicator_add, name="indicator-add"),
    path(
        "schemes/<int:pk>/indicators/<int:indicator_pk>/delete/",
        views.indicator_delete,
        name="indicator-delete",
    ),
    path("schemes/<int:pk>/weights/", views.scheme_weights, name="scheme-weights"),
    path("schemes/<int:pk>/publish/", views.scheme_publish, name="scheme-publish"),
    path("schemes/<int:pk>/revise/", views.scheme_revise, name="scheme-revise"),
    path("schemes/<int:pk>/compute/", views.scheme_compute, name="scheme-compute"),
    path("schemes/<int:pk>/scores/", views.scheme_scores, name="scheme-scores"),
    path("scores/<int:pk>/", views.subject_score, name="subject-score"),
    path("scores/<int:pk>/trace/<int:item_pk>/", views.trace, name="trace"),
    path("entries/", views.entries, name="entries"),
    path("entries/<str:kind>/<int:pk>/decide/", views.entry_decide, name="entry-decide"),
    path("entries/<str:kind>/<int:pk>/evidence/", views.entry_evidence, name="entry-evidence"),
    path("reviews/", views.reviews, name="reviews"),
    path("reviews/<int:pk>/", views.review, name="review"),
    path("quality/", views.quality, name="quality"),
    path("quality/scan/", views.quality_scan, name="quality-scan"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:pk>/", views.report_page, name="report"),
    path("reports/<int:pk>/file.<str:fmt>", views.report_file, name="report-file"),
]
