"""Safety talks (M5.1) and the four lists (M5.2): traceability both ways, bad input, the
board with its Excel export, completion figures, and scope."""

import io
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from pingan.cases.models import Category
from pingan.collaboration import selectors
from pingan.collaboration.models import Problem, SafetyTalk, Task, TaskProgress, TaskResult
from pingan.collaboration.services import (
    ProblemCaseInput,
    problem_add,
    problem_to_case,
    talk_record,
    task_add,
    task_progress_add,
    task_result_record,
)
from pingan.core.errors import ApplicationError, ForbiddenError
from pingan.core.testing import PermissionMatrix
from pingan.orgs.models import Division, Unit

from .conftest import SHANGHAI

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def walked(talk, staff):
    """One problem walked through all four lists to a result."""
    dispatcher = staff("street_dispatcher")
    problem = problem_add(
        talk=talk, actor=dispatcher, description="楼道内私拉电线充电", raised_by="楼门长"
    )
    task = task_add(
        problem=problem,
        actor=dispatcher,
        description="逐户排查，拆除私拉电线",
        owner=Unit.objects.get(name="东华门派出所"),
        deadline=date(2026, 11, 1),
    )
    progress = task_progress_add(
        task=task,
        actor=staff("officer"),
        note="已排查 3 栋楼",
        now=datetime(2026, 10, 20, tzinfo=SHANGHAI),
    )
    result = task_result_record(
        task=task,
        actor=dispatcher,
        rating="solved",
        summary="私拉电线全部拆除，新建充电棚",
        evidence="整改前后照片 12 张",
        now=datetime(2026, 10, 30, 15, tzinfo=SHANGHAI),
    )
    return problem, task, progress, result


def test_a_talk_records_its_mode_participants_and_problems(talk, named_officer):
    assert talk.get_mode_display() == "集中座谈"
    assert list(talk.officers.all()) == [named_officer]
    assert (talk.resident_count, talk.area_path) == (18, talk.street.path)


def test_every_item_links_back_to_its_talk_and_forward_to_its_results(walked, talk):
    problem, task, progress, result = walked
    # back: result -> task -> problem -> talk
    assert result.task.problem.talk == talk
    assert progress.task.problem == problem
    # forward: talk -> problems -> tasks -> progress and result
    forward = (
        SafetyTalk.objects.filter(pk=talk.pk)
        .values_list("problems__tasks__progress__note", "problems__tasks__result__summary")
        .get()
    )
    assert forward == ("已排查 3 栋楼", "私拉电线全部拆除，新建充电棚")
    task.refresh_from_db()
    assert task.done_at == datetime(2026, 10, 30, 15, tzinfo=SHANGHAI)


def test_a_task_needs_an_owner_and_a_deadline(talk, staff):
    problem = problem_add(talk=talk, actor=staff("street_dispatcher"), description="噪声扰民")
    owner = Unit.objects.get(name="东华门派出所")
    with pytest.raises(ApplicationError, match="请选择责任单位"):
        task_add(
            problem=problem,
            actor=staff("street_dispatcher"),
            description="整治",
            owner=None,
            deadline=date(2026, 12, 1),
        )
    with pytest.raises(ApplicationError, match="请填写完成时限"):
        task_add(
            problem=problem,
            actor=staff("street_dispatcher"),
            description="整治",
            owner=owner,
            deadline=None,
        )
    assert not Task.objects.exists()


def test_a_result_needs_evidence_and_nothing_is_written_without_it(talk, staff):
    dispatcher = staff("street_dispatcher")
    problem = problem_add(talk=talk, actor=dispatcher, description="噪声扰民")
    task = task_add(
        problem=problem,
        actor=dispatcher,
        description="整治",
        owner=Unit.objects.get(name="东华门派出所"),
        deadline=date(2026, 12, 1),
    )
    with pytest.raises(ApplicationError, match="请填写佐证材料"):
        task_result_record(
            task=task, actor=dispatcher, rating="solved", summary="已整治", evidence=" "
        )
    task.refresh_from_db()
    assert task.done_at is None and task.version == 1
    assert not TaskResult.objects.exists()


def test_only_the_owner_unit_or_the_organisers_record_progress(walked, talk, staff):
    dispatcher = staff("street_dispatcher")
    problem = problem_add(talk=talk, actor=dispatcher, description="停车难")
    task = task_add(
        problem=problem,
        actor=dispatcher,
        description="规划停车位",
        owner=Unit.objects.get(name="东城区城市管理委员会"),
        deadline=date(2026, 12, 1),
    )
    with pytest.raises(ForbiddenError):
        task_progress_add(task=task, actor=staff("officer"), note="已处理")
    with pytest.raises(ForbiddenError):
        problem_add(talk=talk, actor=staff("dispatcher@110101002"), description="越权")
    # a finished task takes no more progress
    with pytest.raises(ApplicationError, match="已复盘办结"):
        task_progress_add(task=walked[1], actor=dispatcher, note="补充")
    assert TaskProgress.objects.count() == 1


def test_a_problem_becomes_a_case_in_one_step_and_the_link_stays(talk, staff, client_as):
    problem = problem_add(talk=talk, actor=staff("street_dispatcher"), description="加装电梯分歧")
    case = problem_to_case(
        problem=problem,
        actor=staff("street_dispatcher"),
        data=ProblemCaseInput(
            category=Category.objects.get(code="neighbourhood"),
            grid=Division.objects.get(code="110101001001001"),
            complexity="general",
            applicant="居民代表",
        ),
    )
    problem.refresh_from_db()
    assert problem.case == case and case.source_problem == problem
    assert case.narrative.startswith("平安恳谈（集中座谈")
    # the case page links back to the problem
    body = (
        client_as("street_dispatcher")
        .get(reverse("cases:case-detail", args=[case.number]))
        .content.decode()
    )
    assert f"#problem-{problem.pk}" in body
    with pytest.raises(ApplicationError, match="已转为事项"):
        problem_to_case(problem=problem, actor=staff("street_dispatcher"), data=None)


def test_a_talk_in_another_street_is_refused(staff, named_officer):
    with pytest.raises(ForbiddenError):
        talk_record(
            actor=staff("dispatcher@110101002"),
            mode="forum",
            held_on=date(2026, 10, 1),
            place="x",
            street=named_officer.street,
            topic="x",
        )
    with pytest.raises(ApplicationError, match="请选择集中座谈"):
        talk_record(
            actor=staff("street_dispatcher"),
            mode="chat",
            held_on=date(2026, 10, 1),
            place="x",
            street=named_officer.street,
            topic="x",
        )


def test_completion_per_street(walked, talk, staff):
    dispatcher = staff("street_dispatcher")
    owner = Unit.objects.get(name="东华门派出所")
    overdue = task_add(
        problem=walked[0],
        actor=dispatcher,
        description="回访",
        owner=owner,
        deadline=date(2026, 11, 10),
    )
    late = task_add(
        problem=walked[0],
        actor=dispatcher,
        description="复查",
        owner=owner,
        deadline=date(2026, 10, 20),
    )
    task_result_record(
        task=late,
        actor=dispatcher,
        rating="partly",
        summary="部分整改",
        evidence="复查记录",
        now=datetime(2026, 10, 25, 9, tzinfo=SHANGHAI),
    )
    rows = selectors.four_list_completion_by_street(
        start=datetime(2026, 10, 1, tzinfo=SHANGHAI),
        end=datetime(2026, 11, 1, tzinfo=SHANGHAI),
        now=NOW,
    )
    figures = rows[talk.street_id]
    assert (figures.talks, figures.problems, figures.tasks) == (1, 1, 3)
    assert (figures.done, figures.done_on_time, figures.overdue) == (2, 1, 1)
    assert figures.completion_rate == pytest.approx(2 / 3)
    assert overdue.done_at is None
    # a period without talks has no rows
    assert (
        selectors.four_list_completion_by_street(
            start=datetime(2026, 1, 1, tzinfo=SHANGHAI),
            end=datetime(2026, 2, 1, tzinfo=SHANGHAI),
            now=NOW,
        )
        == {}
    )


# --- pages -----------------------------------------------------------------------------------


class TestBoard(PermissionMatrix):
    url_name = "collaboration:board"
    in_scope = "street_leader"
    wrong_role = "street_mediator"


class TestBoardOtherStreet(PermissionMatrix):
    url_name = "collaboration:board"
    data = {"street": "110101002"}
    in_scope = "district_leader"
    out_of_scope = "street_leader"


class TestTalkPage(PermissionMatrix):
    url_name = "collaboration:talk-detail"
    in_scope = "street_dispatcher"
    out_of_scope = "dispatcher@110101002"

    @pytest.fixture(autouse=True)
    def _talk(self, talk):
        self.talk = talk

    def url(self):
        return reverse(self.url_name, args=[self.talk.pk])


class TestTalkNew(PermissionMatrix):
    url_name = "collaboration:talk-new"
    in_scope = "street_dispatcher"
    wrong_role = "street_mediator"


def test_the_board_shows_the_four_lists_with_overdue_in_red_in_few_queries(
    walked, talk, staff, client_as, django_assert_max_num_queries
):
    dispatcher = staff("street_dispatcher")
    for n in range(5):
        problem = problem_add(talk=talk, actor=dispatcher, description=f"问题{n}")
        task_add(
            problem=problem,
            actor=dispatcher,
            description=f"任务{n}",
            owner=Unit.objects.get(name="东华门派出所"),
            deadline=date(2026, 10, 20),
        )
    client = client_as("street_leader")
    url = reverse("collaboration:board") + "?start=2026-10-01&end=2026-10-31"
    with django_assert_max_num_queries(23):
        response = client.get(url)
    body = response.content.decode()
    assert 'data-testid="count-problems">6<' in body
    assert 'data-testid="count-tasks">6<' in body
    assert body.count("list-group-item-danger") == 5  # overdue tasks in red
    assert "超期 5" in body
    assert 'data-testid="board-truncated"' not in body


def test_the_board_page_shows_the_latest_rows_of_each_list_and_counts_them_all(
    walked, talk, staff, client_as, monkeypatch
):
    from pingan.collaboration import views

    dispatcher = staff("street_dispatcher")
    for n in range(5):
        problem_add(talk=talk, actor=dispatcher, description=f"新问题{n}")
    # given a page that shows three rows of each list
    monkeypatch.setattr(views, "BOARD_SHOWN", 3)
    url = reverse("collaboration:board") + "?start=2026-10-01&end=2026-10-31"
    body = client_as("street_leader").get(url).content.decode()
    # then the counts are of every row, the list has the latest three, and the page says so
    assert 'data-testid="count-problems">6<' in body
    assert "新问题4" in body and "新问题2" in body and "新问题1" not in body
    assert 'data-testid="board-truncated"' in body
    # and the workbook has them all
    response = client_as("street_leader").get(
        reverse("collaboration:board-export") + "?start=2026-10-01&end=2026-10-31"
    )
    sheet = load_workbook(io.BytesIO(response.content))["问题清单"]
    assert sum(1 for row in sheet.iter_rows(values_only=True) if row[0]) >= 6


def test_the_board_exports_the_four_lists_to_excel(walked, client_as):
    response = client_as("street_leader").get(
        reverse("collaboration:board-export") + "?start=2026-10-01&end=2026-10-31"
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["问题清单", "任务清单", "落实清单", "成效清单", "完成情况"]
    problem, task, _progress, _result = walked
    assert (
        book["任务清单"]["A2"].value == f"T{task.pk}"
        and book["任务清单"]["B2"].value == f"P{problem.pk}"
    )
    assert book["成效清单"]["E2"].value == "整改前后照片 12 张"
    assert book["完成情况"]["A2"].value == "东华门街道"


def test_walking_a_problem_through_the_lists_on_the_talk_page(talk, client_as):
    client = client_as("street_dispatcher")
    client.post(
        reverse("collaboration:problem-add", args=[talk.pk]),
        {"description": "胡同停车乱", "raised_by": "居民"},
    )
    problem = Problem.objects.get(talk=talk)
    # a task without an owner is refused with the message, nothing written
    refused = client.post(
        reverse("collaboration:task-add", args=[problem.pk]),
        {"description": "规划车位", "deadline": "2026-12-01"},
    )
    assert refused.status_code == 400 and "请选择责任单位" in refused.content.decode()
    owner = Unit.objects.get(name="东华门派出所")
    client.post(
        reverse("collaboration:task-add", args=[problem.pk]),
        {"description": "规划车位", "owner": owner.pk, "deadline": "2026-12-01"},
    )
    task = Task.objects.get(problem=problem)
    client.post(reverse("collaboration:task-progress", args=[task.pk]), {"note": "已现场勘查"})
    response = client.post(
        reverse("collaboration:task-result", args=[task.pk]),
        {
            "version": task.version,
            "rating": "solved",
            "summary": "新增车位 20 个",
            "evidence": "验收照片",
        },
    )
    assert response.status_code == 302
    body = client.get(reverse("collaboration:talk-detail", args=[talk.pk])).content.decode()
    assert "新增车位 20 个" in body and "已现场勘查" in body and 'data-testid="task-result"' in body


def test_recording_a_talk_on_the_page(client_as, named_officer):
    client = client_as("street_dispatcher")
    response = client.post(
        reverse("collaboration:talk-new"),
        {
            "mode": "random",
            "held_on": "2026-11-18",
            "street": named_officer.street_id,
            "place": "胡同口",
            "topic": "防诈骗",
            "officers": [named_officer.pk],
            "resident_count": 6,
        },
    )
    talk = SafetyTalk.objects.get(topic="防诈骗")
    assert response.status_code == 302 and list(talk.officers.all()) == [named_officer]
    assert client.get(reverse("collaboration:talks")).status_code == 200


def test_nothing_overdue_before_the_deadline(talk, staff):
    problem = problem_add(talk=talk, actor=staff("street_dispatcher"), description="x")
    task = task_add(
        problem=problem,
        actor=staff("street_dispatcher"),
        description="y",
        owner=Unit.objects.get(name="东华门派出所"),
        deadline=date(2026, 11, 20),
    )
    assert not Task.objects.overdue(today=date(2026, 11, 20)).filter(pk=task.pk).exists()
    assert (
        Task.objects.overdue(today=date(2026, 11, 20) + timedelta(days=1))
        .filter(pk=task.pk)
        .exists()
    )


def test_overdue_tasks_are_supervised_once_on_the_implementation_list(talk, staff):
    from pingan.collaboration.escalation import task_overdue_sweep
    from pingan.core.models import Notice

    dispatcher = staff("street_dispatcher")
    problem = problem_add(talk=talk, actor=dispatcher, description="群租房")
    owner = Unit.objects.get(name="东华门派出所")
    task = task_add(
        problem=problem,
        actor=dispatcher,
        description="排查群租房",
        owner=owner,
        deadline=date(2026, 11, 10),
    )
    # before the deadline has passed nothing happens
    assert task_overdue_sweep(now=datetime(2026, 11, 10, 20, tzinfo=SHANGHAI)) == 0
    # the day after, one supervision entry and a notice to the owner unit's leaders
    assert task_overdue_sweep(now=NOW) == 1
    entry = TaskProgress.objects.get(task=task, kind="supervision")
    assert entry.note == "任务已超期 10 天，督促东华门派出所加快落实。"
    notices = Notice.objects.filter(kind="task_overdue")
    assert set(notices.values_list("recipient__unit", flat=True)) == {owner.pk}
    assert notices.filter(recipient__username="officer").exists()
    # running it again writes nothing new
    assert task_overdue_sweep(now=NOW + timedelta(hours=1)) == 0
    assert TaskProgress.objects.filter(task=task, kind="supervision").count() == 1
