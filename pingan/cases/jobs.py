"""Background jobs of the case app, run by a worker with progress: the ledger import (X4) and
a long export of the queue."""

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core import jobs
from pingan.core.models import Job, JobStatus

from .models import Case

LEDGER_IMPORT = "cases.ledger_import"
EXPORT_JOB = "cases.export"


def _import_context(job: Job, user) -> dict:
    numbers = job.result.get("created", [])
    created = (
        Case.objects.visible_to(user)
        .filter(number__in=numbers)
        .select_related("category", "grid")
        .order_by("number")
        if numbers
        else Case.objects.none()
    )
    return {"created": created, "row_errors": job.result.get("errors", [])}


@jobs.register(
    LEDGER_IMPORT,
    label=gettext_lazy("导入台账"),
    template="cases/_import_result.html",
    context=_import_context,
)
def ledger_import_job(job: Job, progress: jobs.Progress) -> dict:
    """All rows become cases, or none, and the clerk gets every problem and an annotated copy."""
    from . import imports  # openpyxl: loaded by the worker that imports, not by every process

    with job.input.open("rb") as stored:
        data = stored.read()
    result = imports.import_ledger(
        file=ContentFile(data, name=job.input_name), actor=job.owner, progress=progress
    )
    if result.errors:
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        jobs.job_save_output(
            job,
            content=imports.error_report(data, result.errors),
            name=_("台账错误说明-{stamp}.xlsx").format(stamp=stamp),
        )
        return {
            "status": JobStatus.FAILED,
            "message": _(
                "台账中有 {count} 处问题，整份台账未导入。请按下表或下载的错误说明修改后重新上传。"
            ).format(count=len(result.errors)),
            "errors": [error._asdict() for error in result.errors],
        }
    return {
        "message": _("已导入 {count} 件事项").format(count=len(result.created)),
        "created": result.created,
    }


@jobs.register(EXPORT_JOB, label=gettext_lazy("导出事项清单"))
def export_job(job: Job, progress: jobs.Progress) -> dict:
    """A long export, written as the person who asked (their scope when it runs), offered on
    the job's page."""
    from django.http import QueryDict

    from .export import export_name, write_export  # openpyxl: loaded by the worker that writes

    query = QueryDict(job.params.get("query", ""))
    jobs.job_save_output(job, content=write_export(job.owner, query, progress), name=export_name())
    return {"message": _("事项清单已生成，请下载。")}
