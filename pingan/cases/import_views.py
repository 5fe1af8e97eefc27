"""Ledger import pages (X4): upload a center's .xlsx ledger; a background job imports it."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from pingan.core.jobs import job_submit
from pingan.core.models import Job
from pingan.orgs.access import has_role

from . import imports, rules
from .forms import StyledForm
from .jobs import LEDGER_IMPORT

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECENT_JOBS = 5


class LedgerUploadForm(StyledForm):
    file = forms.FileField(
        label=gettext_lazy("台账文件"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX_TYPE}),
        error_messages={"required": gettext_lazy("请选择要导入的台账文件。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("仅限 .xlsx 格式，不超过 5 MB，最多 %(rows)s 行。") % {
            "rows": f"{imports.MAX_ROWS:,}"
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(imports.NOT_XLSX_MESSAGE)
        if upload.size > imports.MAX_UPLOAD_BYTES:
            raise ValidationError(_("文件超过 5 MB，请拆分为多个文件分批导入。"))
        return upload


def _require_register_role(user) -> None:
    if not has_role(user, *rules.REGISTER_ROLES):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def ledger_import(request: HttpRequest) -> HttpResponse:
    """Upload a ledger; a worker imports it (all rows or none) and the clerk follows its page."""
    _require_register_role(request.user)
    form = LedgerUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            job = job_submit(kind=LEDGER_IMPORT, owner=request.user, upload=upload)
            return redirect("jobs:detail", job.pk)
        status = 400
    else:
        status = 200
    context = {
        "form": form,
        "error": form.errors["file"][0] if form.errors else None,
        "help": imports.LEDGER_HELP,
        "max_rows": imports.MAX_ROWS,
        "recent": Job.objects.filter(owner=request.user, kind=LEDGER_IMPORT)[:RECENT_JOBS],
    }
    return render(request, "cases/import.html", context, status=status)


@login_required
@require_GET
def ledger_template(request: HttpRequest) -> HttpResponse:
    """The empty ledger to fill in, with an example row from the user's own area."""
    _require_register_role(request.user)
    response = HttpResponse(imports.ledger_template(actor=request.user), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, _("事项台账导入模板.xlsx"))
    return response
