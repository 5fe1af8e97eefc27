"""Long work in the background (后台任务): imports, reports, recomputes.

An app registers a kind of job once::

    @jobs.register("cases.ledger_import", label=_("导入台账"), template="cases/_import_result.html")
    def ledger_import_job(job: Job, progress: Progress) -> dict: ...

``job_submit`` stores the job (and its uploaded file) and, once the transaction commits, queues
it for a Huey worker; the worker calls ``job_run``, which runs the handler and stores what it
returns in ``job.result`` (an ApplicationError becomes the job's message, so the person sees the
same clear sentence a page would show). The person who started a job follows it on its page
(``/jobs/<id>/``), which polls while it runs, and gets an inbox notice when it ends.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import notify
from .errors import ApplicationError
from .models import Job, JobStatus, Notice

logger = logging.getLogger(__name__)

PROGRESS_SECONDS = 0.5  # the cache is written at most this often while a job runs
PROGRESS_TTL = 24 * 3600


@dataclass(frozen=True)
class JobKind:
    code: str
    label: str
    run: Callable[[Job, "Progress"], dict]
    template: str = ""  # the outcome's details below the message and the file, if any
    # extra context for the result template, read for the person viewing it
    context: Callable[[Job, object], dict] | None = None


KINDS: dict[str, JobKind] = {}


def register(code: str, *, label, template: str = "", context=None):
    """Register the decorated function as the handler of jobs of kind ``code``."""

    def decorate(run):
        KINDS[code] = JobKind(code, label, run, template, context)
        return run

    return decorate


class Progress:
    """Reports how far a running job is; cheap to call for every row."""

    def __init__(self, job: Job) -> None:
        self.key = progress_key(job.pk)
        self._written = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - self._written >= PROGRESS_SECONDS:
            cache.set(self.key, (done, total), PROGRESS_TTL)
            self._written = now


def progress_key(job_id: int) -> str:
    return f"job-progress:{job_id}"


def job_progress(job: Job) -> tuple[int, int] | None:
    """(done, total) of a running job, or None before its first report."""
    return cache.get(progress_key(job.pk))


def job_submit(*, kind: str, owner, params: dict | None = None, upload=None, now=None) -> Job:
    """Store a job and queue it to run once the current transaction commits."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job(kind=kind, owner=owner, params=params or {})
    if upload is not None:
        job.input_name = upload.name[:200]
        job.input.save(upload.name, upload, save=False)
    job.save()
    from .tasks import job_run_task

    transaction.on_commit(lambda: job_run_task(job.pk))
    return job


def job_run(job_id: int) -> Job | None:
    """Run a queued job (the worker's side). A job that is not queued any more is left alone,
    so a task delivered twice does the work once."""
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    job = Job.objects.select_related("owner").get(pk=job_id)
    kind = KINDS[job.kind]
    try:
        job.result = kind.run(job, Progress(job)) or {}
        job.status = job.result.pop("status", JobStatus.SUCCEEDED)
        job.message = str(job.result.pop("message", ""))[:300]
    except ApplicationError as exc:
        job.status, job.message = JobStatus.FAILED, str(exc.message)[:300]
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        job.status = JobStatus.FAILED
        job.message = _("任务因系统错误中断，未保存任何结果。请稍后重试，或联系系统管理员。")
    job.finished_at = timezone.now()
    if job.input:
        job.input.delete(save=False)  # the upload was needed only to run the job
    job.save()
    cache.delete(progress_key(job.pk))
    notify.send(
        [
            Notice(
                recipient=job.owner,
                kind="job",
                title=_("{label}：{status}").format(
                    label=kind.label, status=job.get_status_display()
                )[:120],
                body=job.message,
                url=reverse("jobs:detail", args=[job.pk]),
            )
        ]
    )
    return job


def job_save_output(job: Job, *, content: bytes, name: str) -> None:
    """Attach a file the person can download from the job's page (e.g. an error report)."""
    job.output_name = name[:200]
    job.output.save(name, ContentFile(content), save=False)
