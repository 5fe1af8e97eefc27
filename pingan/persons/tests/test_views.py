"""Register pages: who may open them, access logging, query counts, the confirmation form."""

import pytest
from django.urls import reverse

from pingan.core.models import AuditEvent
from pingan.core.testing import PermissionMatrix
from pingan.persons import services
from pingan.persons.history import to_bytes
from pingan.persons.models import KeyPerson, PersonType, Scorecard

pytestmark = pytest.mark.django_db


class TestRegisterList(PermissionMatrix):
    url_name = "persons:list"
    in_scope = "officer"
    wrong_role = "evaluator"


class TestRegisterListForClerks(PermissionMatrix):
    url_name = "persons:list"
    in_scope = "grid_worker"
    wrong_role = "street_clerk"


class TestQueue(PermissionMatrix):
    url_name = "persons:queue"
    in_scope = "grid_worker"
    wrong_role = "street_mediator"


class TestScorecards(PermissionMatrix):
    url_name = "persons:scorecards"
    in_scope = "district_leader"
    wrong_role = "street_leader"


class TestFitPage(PermissionMatrix):
    url_name = "persons:scorecard-fit"
    in_scope = "admin"
    wrong_role = "district_leader"


class TestPersonPage(PermissionMatrix):
    url_name = "persons:person-detail"
    in_scope = "officer"
    wrong_role = "evaluator"
    out_of_scope = "officer@110101002"

    @pytest.fixture(autouse=True)
    def _person(self, register_person):
        self.url_args = (register_person().pk,)


class TestPersonPageGridWorker(PermissionMatrix):
    """A grid worker sees people in their own grids and no others of the street."""

    url_name = "persons:person-detail"
    in_scope = "grid_worker"
    out_of_scope = "gw110101001002001"

    @pytest.fixture(autouse=True)
    def _person(self, register_person):
        self.url_args = (register_person().pk,)


def test_each_view_of_a_person_page_is_logged(client_as, register_person, staff):
    person = register_person()
    client = client_as("street_leader")
    client.get(reverse("persons:person-detail", args=[person.pk]))
    client.get(reverse("persons:person-detail", args=[person.pk]))
    events = AuditEvent.objects.filter(action="persons.view", target_id=str(person.pk))
    assert events.count() == 2
    assert {e.actor.username for e in events} == {"street_leader"}
    # and a refused view is not logged as a read
    client_as("officer@110101002").get(reverse("persons:person-detail", args=[person.pk]))
    assert events.count() == 2


def test_the_page_masks_personal_data_and_shows_each_points_fact(client_as, register_person):
    person = register_person(employment="unemployed", housing="unstable")
    response = client_as("officer").get(reverse("persons:person-detail", args=[person.pk]))
    html = response.content.decode()
    assert person.id_number not in html and "13812345678" not in html
    assert "138****5678" in html and person.id_number[:6] + "********" in html
    assert "就业状况：无业" in html and "+2 分" in html
    assert "确认此等级" in html


def test_officer_confirms_a_proposal_from_the_page(client_as, register_person):
    person = register_person(employment="unemployed", housing="unstable")
    proposal = person.proposals.get(state="pending")
    response = client_as("officer").post(
        reverse("persons:person-act", args=[person.pk, "confirm"]),
        {"proposal": proposal.pk, "version": person.version},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.level == "medium"


def test_a_stale_form_is_refused_with_a_conflict(client_as, register_person):
    person = register_person()
    proposal = person.proposals.get(state="pending")
    response = client_as("officer").post(
        reverse("persons:person-act", args=[person.pk, "confirm"]),
        {"proposal": proposal.pk, "version": person.version - 1 if person.version > 1 else 99},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    assert "刚被其他人更新" in response.content.decode()


def test_a_measure_without_owner_shows_the_message_and_saves_nothing(client_as, register_person):
    person = register_person()
    response = client_as("officer").post(
        reverse("persons:person-act", args=[person.pk, "measure"]),
        {"kind": "support", "category": "jobs", "description": "推荐就业", "due_on": "2030-01-01"},
    )
    assert response.status_code == 400
    assert "请指定措施负责人" in response.content.decode()
    assert not person.plan.measures.exists()


def test_a_street_officer_adds_a_support_measure(client_as, register_person, staff):
    person = register_person()
    response = client_as("officer").post(
        reverse("persons:person-act", args=[person.pk, "measure"]),
        {
            "kind": "support",
            "category": "jobs",
            "description": "推荐到愿意接收的企业面试",
            "owner": staff("officer").pk,
            "due_on": "2030-01-01",
        },
    )
    assert response.status_code == 302
    assert person.plan.measures.get().category == "jobs"


def test_list_and_queue_query_counts_do_not_grow_with_rows(
    client_as, register_person, django_assert_max_num_queries
):
    for _ in range(12):
        register_person()
    client = client_as("officer")
    with django_assert_max_num_queries(15):
        response = client.get(reverse("persons:list"))
    assert response.status_code == 200
    assert len(response.context["table"].page.object_list) == 12
    with django_assert_max_num_queries(13):
        assert client.get(reverse("persons:queue")).status_code == 200


def test_person_page_query_count_is_bounded(
    client_as, register_person, django_assert_max_num_queries
):
    person = register_person()
    client = client_as("officer")
    with django_assert_max_num_queries(32):
        client.get(reverse("persons:person-detail", args=[person.pk]))


@pytest.fixture
def fit(client_as, run_jobs):
    """Upload a history table on the fitting page and let the worker fit it; returns the
    job's page (or the fitting page's answer when the upload itself is refused)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    def post(client, data: bytes, **fields):
        with run_jobs():
            response = client.post(
                reverse("persons:scorecard-fit"),
                {"csv": SimpleUploadedFile("h.csv", data), **fields},
            )
        if response.status_code != 302:
            return response
        assert response["Location"].startswith("/jobs/")
        return client.get(response["Location"])

    return post


def test_fit_refusal_is_shown_on_the_jobs_page_and_nothing_written(client_as, fit):
    admin = client_as("admin")
    data = "y,民族,n\n" + "\n".join(f"{i % 2},汉族{i % 2},{i % 3}" for i in range(300))
    page = fit(admin, data.encode(), outcome="y")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-status="failed"' in html
    assert "数据有问题，未拟合、未生成评分卡。" in html and "受保护的列不能作为因子" in html
    assert not Scorecard.objects.filter(source="fitted").exists()
    # the fitting page lists it among the person's latest fits
    assert "h.csv" in admin.get(reverse("persons:scorecard-fit")).content.decode()


def test_fit_form_errors_stay_on_the_page_and_queue_nothing(client_as, fit):
    from pingan.core.models import Job

    response = fit(client_as("admin"), b"y\n1\n", outcome="")
    assert response.status_code == 400 and "请按提示修改后再提交。" in response.content.decode()
    assert not Job.objects.exists()


def test_fit_in_the_worker_then_review_and_pdf(client_as, fit):
    admin = client_as("admin")
    page = fit(admin, to_bytes(1200, seed=4), outcome="escalated_12m", group="性别", exclude="民族")
    scorecard = Scorecard.objects.get(source="fitted")
    html = page.content.decode()
    assert 'data-status="succeeded"' in html and "评分卡已生成，等待审核。" in html
    assert reverse("persons:scorecard-detail", args=[scorecard.pk]) in html
    assert scorecard.created_by.username == "admin" and scorecard.state == "pending"
    page = admin.get(reverse("persons:scorecard-detail", args=[scorecard.pk]))
    assert "须由另一位审核人审核" in page.content.decode()
    leader = client_as("district_leader")
    html = leader.get(reverse("persons:scorecard-detail", args=[scorecard.pk])).content.decode()
    assert "DeLong" in html and "公平性审计" in html
    pdf = leader.get(reverse("persons:scorecard-pdf", args=[scorecard.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content[:4] == b"%PDF"
    leader.post(reverse("persons:scorecard-review", args=[scorecard.pk]), {"approve": "true"})
    scorecard.refresh_from_db()
    assert scorecard.state == "active" and scorecard.reviewed_by.username == "district_leader"


def test_the_report_lists_groups_too_small_to_compare_and_leaves_them_out_of_the_gaps(
    client_as,
):
    # given a scorecard fitted with a minimum no audit group of the held-out rows reaches
    scorecard = services.scorecard_fit(
        actor=None,
        data=to_bytes(1200, seed=4),
        filename="h.csv",
        outcome="escalated_12m",
        group="性别",
        exclude=("民族",),
        min_group_rows=1000,
    )

    # when a leader reads its report
    page = client_as("district_leader").get(
        reverse("persons:scorecard-detail", args=[scorecard.pk])
    )

    # then each group is marked too small, named below the table, and no gap is shown
    html = page.content.decode()
    assert html.count("样本过少，不计入差距") == 2
    assert "女、男：留出集不足 1000 行，比率只作参考（见区间），不计入组间差距。" in html
    assert "组间最大差距（仅比较留出集不少于 1000 行的分组）" in html
    assert scorecard.report["groups"]["gaps"] == {"auc": None, "fpr": None, "fnr": None}


def test_new_person_form_registers_in_scope(client_as, staff, grid):
    response = client_as("officer").post(
        reverse("persons:person-new"),
        {
            "name": "王某",
            "id_number": "110101198001010037",
            "person_type": PersonType.objects.get(code="corrections").pk,
            "grid": grid.pk,
            "responsible": staff("officer").pk,
            "legal_basis": "《社区矫正法》",
            "employment": "employed",
            "housing": "stable",
            "violations": 0,
        },
    )
    if response.status_code != 302:
        pytest.fail(response.context["error"] + str(response.context["form"].errors))
    assert KeyPerson.objects.get(name="王某").responsible.username == "officer"


def test_an_updated_situation_leads_to_a_new_proposal(client_as, register_person):
    person = register_person()
    first = person.proposals.get(state="pending")
    response = client_as("grid_worker").post(
        reverse("persons:person-act", args=[person.pk, "situation"]),
        {
            "version": person.version,
            "employment": "unemployed",
            "housing": "unstable",
            "violations": 2,
        },
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.state == "superseded"
    assert person.proposals.get(state="pending").level == "high"
    assert person.events.filter(kind="edit").exists()


def test_admin_copies_the_active_scorecard_as_a_pending_version(client_as):
    active = Scorecard.objects.get(state="active")
    client = client_as("admin")
    response = client.post(
        reverse("admin:persons_scorecard_changelist"),
        {"action": "copy_as_new_version", "_selected_action": [active.pk]},
    )
    assert response.status_code == 302
    copy = Scorecard.objects.get(state="pending")
    assert copy.factors.count() == active.factors.count()
    assert copy.created_by.username == "admin"
    # the active version itself cannot be edited in the admin
    page = client.get(reverse("admin:persons_scorecard_change", args=[active.pk]))
    assert b'name="medium_from"' not in page.content


class TestNewPersonPage(PermissionMatrix):
    url_name = "persons:person-new"
    in_scope = "officer"
    wrong_role = "grid_worker"


class TestPersonAction(PermissionMatrix):
    """A declared action from the person's page (here a review): done, then back to the page."""

    url_name = "persons:person-act"
    method = "post"
    in_scope = "officer"
    wrong_role = "evaluator"
    out_of_scope = "officer@110101002"
    ok_status = 302

    @pytest.fixture(autouse=True)
    def _person(self, register_person):
        person = register_person()
        self.url_args = (person.pk, "review")
        self.data = {"version": person.version, "contact": "met", "note": "在家，情绪稳定"}


class _ScorecardPage(PermissionMatrix):
    in_scope = "district_leader"
    wrong_role = "officer"

    @pytest.fixture(autouse=True)
    def _scorecard(self, staff):
        active = Scorecard.objects.get(state="active")
        self.url_args = (services.scorecard_copy(scorecard=active, actor=staff("admin")).pk,)


class TestScorecardPage(_ScorecardPage):
    url_name = "persons:scorecard-detail"


class TestScorecardHtml(_ScorecardPage):
    url_name = "persons:scorecard-html"


class TestScorecardPdf(_ScorecardPage):
    url_name = "persons:scorecard-pdf"


class TestScorecardReview(_ScorecardPage):
    url_name = "persons:scorecard-review"
    method = "post"
    data = {"approve": "false", "note": "分档需再核"}
    ok_status = 302
