"""Background jobs of risk monitoring: measuring the early warning after its settings change."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core import jobs
from pingan.core.models import Job

from .services import warning_measurement_store

WARNING_MEASURE = "risk.warning_measure"


@jobs.register(WARNING_MEASURE, label=gettext_lazy("测算预警效果"))
def warning_measure_job(job: Job, progress: jobs.Progress) -> dict:
    measured = warning_measurement_store(at=timezone.now())
    return {
        "message": _("按当前参数测得：标准突增 %(share)s%% 能发现，误报每千个网格周 %(false)s 次。")
        % {
            "share": round(100 * measured["detected_share"]["value"]),
            "false": f"{measured['false_per_1000']['value']:.2f}",
        }
    }
