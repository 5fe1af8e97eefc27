"""Ledger import pages (X4): upload a center's .xlsx ledger, get the cases or the errors."""

import re
import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from pingan.core.errors import ApplicationError
from pingan.orgs.access import has_role

from . import imports, rules
from .forms import StyledForm
from .models import Case

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERROR_REPORT_SECONDS = 30 * 60
_SESSION_CREATED = "ledger-import-created"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class LedgerUploadForm(StyledForm):
    file = forms.FileField(
        label="台账文件",
        help_text=f"仅限 .xlsx 格式，不超过 5 MB，最多 {imports.MAX_ROWS:,} 行。",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX_TYPE}),
        error_messages={"required": "请选择要导入的台账文件。"},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(imports.NOT_XLSX_MESSAGE)
        if upload.size > imports.MAX_UPLOAD_BYTES:
            raise ValidationError("文件超过 5 MB，请拆分为多个文件分批导入。")
        return upload


def _require_register_role(user) -> None:
    if not has_role(user, *rules.REGISTER_ROLES):
        raise PermissionDenied


def _report_key(user, token: str) -> str:
    # the user's id in the key: only the person who uploaded can fetch the report
    return f"ledger-errors:{user.pk}:{token}"


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def ledger_import(request: HttpRequest) -> HttpResponse:
    """Upload a ledger; all rows become cases, or none and the clerk sees every problem."""
    _require_register_role(request.user)
    form = LedgerUploadForm(request.POST or None, request.FILES or None)
    context = {"form": form, "help": imports.LEDGER_HELP, "max_rows": imports.MAX_ROWS}
    if request.method == "POST":
        if not form.is_valid():
            context["error"] = form.errors["file"][0]
            return render(request, "cases/import.html", context, status=400)
        upload = form.cleaned_data["file"]
        try:
            result = imports.import_ledger(file=upload, actor=request.user)
        except ApplicationError as exc:
            context["error"] = exc.message
            return render(request, "cases/import.html", context, status=exc.status_code)
        if result.errors:
            upload.seek(0)
            token = secrets.token_urlsafe(24)
            cache.set(
                _report_key(request.user, token),
                imports.error_report(upload.read(), result.errors),
                ERROR_REPORT_SECONDS,
            )
            context.update(
                error=f"台账中有 {len(result.errors)} 处问题，整份台账未导入。"
                "请按下表或下载的错误说明修改后重新上传。",
                row_errors=result.errors,
                report_token=token,
            )
            return render(request, "cases/import.html", context, status=400)
        # redirect after the post, so that reloading the page cannot import the ledger twice
        request.session[_SESSION_CREATED] = result.created
        messages.success(request, f"已导入 {len(result.created)} 件事项")
        return redirect("cases:import")
    numbers = request.session.pop(_SESSION_CREATED, [])
    if numbers:
        context["created"] = (
            Case.objects.visible_to(request.user)
            .filter(number__in=numbers)
            .select_related("category", "grid")
            .order_by("number")
        )
    return render(request, "cases/import.html", context)


@login_required
@require_GET
def ledger_template(request: HttpRequest) -> HttpResponse:
    """The empty ledger to fill in, with an example row from the user's own area."""
    _require_register_role(request.user)
    return _xlsx(imports.ledger_template(actor=request.user), "事项台账导入模板.xlsx")


@login_required
@require_GET
def ledger_errors(request: HttpRequest, token: str) -> HttpResponse:
    """The uploaded ledger annotated with its problems; only for the user who uploaded it."""
    _require_register_role(request.user)
    content = cache.get(_report_key(request.user, token)) if _TOKEN.match(token) else None
    if content is None:
        raise Http404
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _xlsx(content, f"台账错误说明-{stamp}.xlsx")
