"""Background work of the core app (Huey): the runner of every registered job kind."""

from huey.contrib.djhuey import db_task

from .jobs import job_run


@db_task()
def job_run_task(job_id: int) -> None:
    """Run one queued job (see ``pingan.core.jobs``)."""
    job_run(job_id)
