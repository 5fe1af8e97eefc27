"""Background jobs of the persons app: fitting a scorecard (M6.3) runs in a worker.

Fitting loads scikit-learn and SciPy (about 150 MB) and takes seconds to minutes with a large
history table; in a worker, no web process carries either."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core import jobs
from pingan.core.errors import ApplicationError
from pingan.core.models import Job, JobStatus

from . import services
from .models import Scorecard

SCORECARD_FIT = "persons.scorecard_fit"


def _fit_context(job: Job, user) -> dict:
    pk = job.result.get("scorecard")
    return {
        "scorecard": Scorecard.objects.filter(pk=pk).first() if pk else None,
        "problems": job.result.get("problems", []),
    }


@jobs.register(
    SCORECARD_FIT,
    label=gettext_lazy("拟合评分卡"),
    template="persons/_fit_result.html",
    context=_fit_context,
)
def scorecard_fit_job(job: Job, progress: jobs.Progress) -> dict:
    """Fit from the uploaded history table; the version waits for review, as from the page."""
    with job.input.open("rb") as stored:
        data = stored.read()
    try:
        scorecard = services.scorecard_fit(
            actor=job.owner,
            data=data,
            filename=job.input_name,
            outcome=job.params["outcome"],
            group=job.params.get("group") or None,
            exclude=tuple(job.params.get("exclude", [])),
        )
    except ApplicationError as exc:
        problems = exc.extra.get("problems", [])
        return {
            "status": JobStatus.FAILED,
            "message": _("数据有问题，未拟合、未生成评分卡。") if problems else exc.message,
            "problems": problems,
        }
    from pingan.core.actions import tell

    from .actions import REVIEW_WANTED  # the declarations import this module's job kind

    tell(REVIEW_WANTED, scorecard, job.owner, {})
    return {"message": _("评分卡已生成，等待审核。"), "scorecard": scorecard.pk}
