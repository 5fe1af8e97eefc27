"""A job's page: its progress while it runs (htmx polls the status part), then its outcome.

Only the person who started a job sees it; anyone else gets 404, as for objects out of scope.
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from .jobs import KINDS, job_progress
from .models import Job


def _own_job(request: HttpRequest, pk: int) -> Job:
    return get_object_or_404(Job, pk=pk, owner=request.user)


def _context(request: HttpRequest, job: Job) -> dict:
    kind = KINDS.get(job.kind)
    context = {"job": job, "kind": kind, "progress": None, "percent": None}
    if not job.finished:
        progress = job_progress(job)
        if progress:
            done, total = progress
            context.update(progress=progress, percent=int(100 * done / total) if total else 0)
    elif kind and kind.context:
        context.update(kind.context(job, request.user))
    return context


@login_required
@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    return render(request, "core/job.html", _context(request, job))


@login_required
@require_GET
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The status part of the page, polled every second until the job ends."""
    job = _own_job(request, pk)
    return render(request, "core/_job_status.html", _context(request, job))


@login_required
@require_GET
def job_output(request: HttpRequest, pk: int) -> FileResponse:
    job = _own_job(request, pk)
    if not job.output:
        raise Http404
    return FileResponse(job.output.open("rb"), as_attachment=True, filename=job.output_name)
