from django.urls import path

from . import export, import_views, supervision_views, views

app_name = "cases"
urlpatterns = [
    path("", views.case_queue, name="queue"),
    path("new/", views.case_new, name="case-new"),
    path("places/", views.places, name="places"),
    path("suggest/", views.intake_suggest, name="suggest"),
    path("funnel/", views.funnel_page, name="funnel"),
    path("approvals/", views.approvals, name="approvals"),
    path("supervisions/", supervision_views.supervision_list, name="supervisions"),
    path(
        "supervisions/<str:pk>/",
        supervision_views.supervision_detail,
        name="supervision-detail",
    ),
    path(
        "supervisions/<str:pk>/act/<str:action>/",
        supervision_views.supervision_act,
        name="supervision-act",
    ),
    path("export.xlsx", export.case_export, name="export"),
    # before "<str:number>/", which would otherwise take "import/" for a case number
    path("import/", import_views.ledger_import, name="import"),
    path("import/template.xlsx", import_views.ledger_template, name="import-template"),
    path("<str:number>/", views.case_detail, name="case-detail"),
    path("<str:number>/act/<str:action>/", views.case_act, name="case-act"),
    path("<str:number>/receipt/", views.case_receipt, name="case-receipt"),
    path(
        "<str:number>/attachments/<str:pk>/",
        views.attachment_download,
        name="attachment-download",
    ),
    path("<str:number>/parties/<str:pk>/reveal/", views.party_reveal, name="party-reveal"),
    path("<str:number>/receipt/reissue/", views.case_receipt_reissue, name="case-receipt-reissue"),
]
