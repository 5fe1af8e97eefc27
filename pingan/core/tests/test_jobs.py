"""Background jobs: queued once, run once, progress while running, outcome and notice after."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pingan.core import jobs
from pingan.core.errors import ApplicationError
from pingan.core.models import Job, Notice
from pingan.core.testing import PermissionMatrix

pytestmark = pytest.mark.django_db

KIND = "test.echo"


@pytest.fixture
def calls(monkeypatch):
    """A job kind whose handler records its calls and does what the test tells it."""
    seen: list[int] = []
    behaviour = {"raise": None}

    def run(job, progress):
        seen.append(job.pk)
        progress(1, 2)
        if behaviour["raise"]:
            raise behaviour["raise"]
        return {"message": "完成了", "answer": 42}

    monkeypatch.setitem(
        jobs.KINDS, KIND, jobs.JobKind(KIND, "测试任务", run, "cases/_import_result.html")
    )
    return seen, behaviour


def submit(staff, run_jobs, **kwargs) -> Job:
    with run_jobs():
        job = jobs.job_submit(kind=KIND, owner=staff("street_clerk"), **kwargs)
    job.refresh_from_db()
    return job


class _JobMatrix(PermissionMatrix):
    """A finished job with a file: only the person who started it sees it (404 for anyone
    else, however senior)."""

    in_scope = "street_clerk"
    out_of_scope = "district_leader"

    @pytest.fixture(autouse=True)
    def _job(self, staff):
        job = Job.objects.create(
            kind=KIND,
            owner=staff("street_clerk"),
            status="succeeded",
            message="已导入 3 件事项",
            output=SimpleUploadedFile("result.xlsx", b"rows"),
            output_name="导入结果.xlsx",
        )
        self.url_args = (job.pk,)


class TestJobPage(_JobMatrix):
    url_name = "jobs:detail"


class TestJobStatus(_JobMatrix):
    url_name = "jobs:status"


class TestJobOutput(_JobMatrix):
    url_name = "jobs:output"


class TestJobApi(_JobMatrix):
    url_name = "job-detail"
    api = True


def test_a_job_runs_once_and_stores_its_outcome_and_tells_its_owner(staff, run_jobs, calls):
    seen, _ = calls
    job = submit(staff, run_jobs)
    assert seen == [job.pk]
    assert (job.status, job.message, job.result) == ("succeeded", "完成了", {"answer": 42})
    assert job.started_at <= job.finished_at
    notice = Notice.objects.get(recipient=job.owner, kind="job")
    assert notice.title == "测试任务：已完成" and notice.url == f"/jobs/{job.pk}/"
    # a task delivered twice does nothing the second time
    assert jobs.job_run(job.pk) is None
    assert seen == [job.pk]


def test_a_refusal_becomes_the_jobs_message_and_a_crash_a_plain_one(staff, run_jobs, calls):
    _, behaviour = calls
    behaviour["raise"] = ApplicationError("文件无法打开")
    job = submit(staff, run_jobs)
    assert (job.status, job.message) == ("failed", "文件无法打开")
    behaviour["raise"] = RuntimeError("disk on fire")
    job = submit(staff, run_jobs)
    assert job.status == "failed"
    assert job.message.startswith("任务因系统错误中断") and "disk" not in job.message


def test_the_upload_is_kept_only_until_the_job_has_run(staff, run_jobs, calls):
    with run_jobs():
        job = jobs.job_submit(
            kind=KIND,
            owner=staff("street_clerk"),
            upload=SimpleUploadedFile("台账.xlsx", b"rows"),
        )
        stored = job.input.path
        assert job.input_name == "台账.xlsx" and job.input.storage.exists(stored)
    job.refresh_from_db()
    assert not job.input and not job.input.storage.exists(stored)


def test_the_page_polls_with_progress_while_running_and_stops_when_done(client_as, staff):
    owner = staff("street_clerk")
    job = Job.objects.create(kind=KIND, owner=owner, status="running")
    jobs.Progress(job)(30, 120)
    client = client_as("street_clerk")
    status = client.get(reverse("jobs:status", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in status
    assert "30 / 120" in status and "width: 25%" in status
    Job.objects.filter(pk=job.pk).update(status="succeeded", message="已导入 3 件事项")
    status = client.get(reverse("jobs:status", args=[job.pk])).content.decode()
    assert "hx-trigger" not in status and "已导入 3 件事项" in status


def test_only_the_owner_sees_a_job(client_as, staff):
    job = Job.objects.create(kind=KIND, owner=staff("street_clerk"), status="queued")
    assert client_as("street_clerk").get(reverse("jobs:detail", args=[job.pk])).status_code == 200
    for other in ("street_dispatcher", "district_leader", "admin"):
        assert client_as(other).get(reverse("jobs:detail", args=[job.pk])).status_code == 404


def test_an_unknown_kind_is_refused(staff):
    with pytest.raises(ValueError, match="unknown job kind"):
        jobs.job_submit(kind="nope", owner=staff("street_clerk"))
    assert not Job.objects.exists()
