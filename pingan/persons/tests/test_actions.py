"""The declared actions of the register (``persons/actions.py``): the page and the API run the
same declaration, with the same refusals, and every hand-off tells whom it hands work to."""

from datetime import timedelta

import pytest
from django.urls import reverse

from pingan.core.models import Notice
from pingan.persons import actions, services
from pingan.persons.models import KeyPerson, Measure, PersonType, Scorecard

from .conftest import id_number

pytestmark = pytest.mark.django_db

OTHER_STREET_OFFICER = "officer@110101002"


def _post(client, name: str, args, data: dict):
    return client.post(reverse(name, args=args), data, content_type="application/json")


def _notices(username: str):
    return Notice.objects.filter(recipient__username=username, kind=actions.KIND)


@pytest.fixture
def measure(register_person, staff, today):
    """An open measure the officer set on their person, owned by the grid worker."""
    person = register_person()
    return services.measure_add(
        person=person,
        actor=staff("officer"),
        kind="support",
        category="jobs",
        description="推荐就业",
        owner=staff("grid_worker"),
        due_on=today + timedelta(days=30),
    )


# --- the register ------------------------------------------------------------------------------


def test_a_registration_tells_the_responsible_officer_it_names(client_as, grid):
    # when the officer registers a person through the API with the grid worker responsible
    response = _post(
        client_as("officer"),
        "person-list",
        [],
        {
            "name": "王某",
            "id_number": id_number(41),
            "person_type": "corrections",
            "grid": grid.code,
            "responsible": "grid_worker",
            "legal_basis": "《社区矫正法》",
        },
    )
    # then the grid worker is told, with a link to the persons they are responsible for
    assert response.status_code == 201 and response.json()["responsible"] == "grid_worker"
    notice = _notices("grid_worker").get()
    assert "王某" in notice.title and notice.url == reverse("persons:list") + "?mine=true"


def test_registering_as_ones_own_responsible_tells_nobody(client_as, staff, grid):
    response = client_as("officer").post(
        reverse("persons:person-new"),
        {
            "name": "王某",
            "id_number": id_number(42),
            "person_type": PersonType.objects.get(code="corrections").pk,
            "grid": grid.pk,
            "responsible": staff("officer").pk,
            "legal_basis": "《社区矫正法》",
            "employment": "employed",
            "housing": "stable",
            "violations": 0,
        },
    )
    assert response.status_code == 302
    assert not Notice.objects.filter(kind=actions.KIND).exists()


def test_registration_refusals_through_the_api(client_as, grid):
    body = {
        "name": "王某",
        "id_number": id_number(43),
        "person_type": "corrections",
        "grid": grid.code,
        "responsible": "officer",
        "legal_basis": "《社区矫正法》",
        "ends_on": "2000-01-01",
    }
    past = _post(client_as("officer"), "person-list", [], body)
    assert past.status_code == 400 and past.json()["detail"] == "在册截止日期应晚于今天。"
    # a grid worker works with the register but does not register: 403
    assert _post(client_as("grid_worker"), "person-list", [], body).status_code == 403
    assert not KeyPerson.objects.filter(name="王某").exists()


# --- measures ----------------------------------------------------------------------------------


def test_a_new_measure_tells_its_owner(client_as, register_person, today):
    # given the officer's person
    person = register_person()
    # when the officer gives the grid worker a measure through the API
    response = _post(
        client_as("officer"),
        "person-measures",
        [person.pk],
        {
            "kind": "support",
            "category": "jobs",
            "description": "推荐到愿意接收的企业面试",
            "owner": "grid_worker",
            "due_on": (today + timedelta(days=14)).isoformat(),
        },
    )
    # then it is on the plan, and the grid worker has it in their inbox
    assert response.status_code == 201
    notice = _notices("grid_worker").get()
    assert "测试人" in notice.title and "就业" in notice.body
    assert notice.url == reverse("persons:person-detail", args=[person.pk]) + "#plan"


def test_a_measure_the_actor_owns_tells_nobody(client_as, register_person, staff, today):
    person = register_person()
    response = client_as("officer").post(
        reverse("persons:person-act", args=[person.pk, "measure"]),
        {
            "kind": "management",
            "category": "visit",
            "description": "每周走访",
            "owner": staff("officer").pk,
            "due_on": (today + timedelta(days=7)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert not Notice.objects.filter(kind=actions.KIND).exists()


def test_the_owner_completes_a_measure_and_whoever_set_it_is_told(client_as, measure):
    # when the grid worker records the result through the API
    response = _post(
        client_as("grid_worker"),
        "person-measure-complete",
        [measure.pk],
        {"result": "已推荐两家企业", "version": measure.version},
    )
    # then the measure is done and the officer who set it is told
    assert response.status_code == 200 and response.json()["state"] == "done"
    assert "已推荐两家企业" in _notices("officer").get().body
    assert not _notices("grid_worker").exists()


def test_a_cancelled_measure_tells_its_owner(client_as, measure):
    response = client_as("officer").post(
        reverse("persons:person-act", args=[measure.plan.person_id, "measure_cancel"]),
        {
            "measure": measure.pk,
            f"m{measure.pk}-version": measure.version,
            f"m{measure.pk}-result": "已就业",
        },
    )
    assert response.status_code == 302
    assert Measure.objects.get(pk=measure.pk).state == "cancelled"
    assert "已就业" in _notices("grid_worker").get().body


def test_measure_refusals_through_the_api(client_as, measure, staff, today):
    url = "person-measure-cancel"
    # a blank reason is a 400 with the message, and nothing changes
    blank = _post(client_as("officer"), url, [measure.pk], {"result": " "})
    assert blank.status_code == 400 and "请填写取消理由" in blank.json()["detail"]
    # a grid worker who neither owns a measure nor is responsible for the person: 403
    officers = services.measure_add(
        person=measure.plan.person,
        actor=staff("officer"),
        kind="management",
        category="visit",
        description="每周走访",
        owner=staff("officer"),
        due_on=today + timedelta(days=7),
    )
    other = _post(client_as("grid_worker"), url, [officers.pk], {"result": "不需要"})
    assert other.status_code == 403 and "措施负责人" in other.json()["detail"]
    # a role outside the register: 403; an officer of another street: 404
    assert _post(client_as("street_clerk"), url, [measure.pk], {"result": "x"}).status_code == 403
    assert (
        _post(client_as(OTHER_STREET_OFFICER), url, [measure.pk], {"result": "x"}).status_code
        == 404
    )
    # a stale version: 409
    stale = _post(client_as("officer"), url, [measure.pk], {"result": "x", "version": 99})
    assert stale.status_code == 409
    assert Measure.objects.get(pk=measure.pk).state == "open"
    assert not Notice.objects.filter(kind=actions.KIND).exists()


# --- ratings -----------------------------------------------------------------------------------


def test_a_changed_situation_tells_the_responsible_officer_of_the_new_proposal(
    client_as, register_person
):
    # given a person whose first proposal the officer confirmed
    person = register_person()
    services.rating_confirm(proposal=person.proposals.get(), actor=person.responsible)
    person.refresh_from_db()
    # when the grid worker records that they lost their job and home (API)
    response = _post(
        client_as("grid_worker"),
        "person-situation",
        [person.pk],
        {
            "employment": "unemployed",
            "housing": "unstable",
            "violations": 2,
            "version": person.version,
        },
    )
    # then the scorecard proposes another level, which the officer is asked to decide
    assert response.status_code == 200
    assert response.json()["pending_proposal"]["level"] == "high"
    notice = _notices("officer").get()
    assert "评级待确认" in notice.title and "高" in notice.body


def test_a_situation_that_changes_no_level_tells_nobody(client_as, register_person):
    person = register_person()
    services.rating_confirm(proposal=person.proposals.get(), actor=person.responsible)
    person.refresh_from_db()
    response = _post(
        client_as("grid_worker"),
        "person-situation",
        [person.pk],
        {"address": "东城区多福巷14号", "version": person.version},
    )
    assert response.status_code == 200
    assert not Notice.objects.filter(kind=actions.KIND).exists()


def test_situation_refusals_through_the_api(client_as, register_person):
    person = register_person()
    url = "person-situation"
    bad = _post(
        client_as("grid_worker"), url, [person.pk], {"phone": "123", "version": person.version}
    )
    assert bad.status_code == 400 and "手机号" in bad.json()["detail"]
    assert _post(client_as("evaluator"), url, [person.pk], {"version": 1}).status_code == 403
    assert (
        _post(client_as(OTHER_STREET_OFFICER), url, [person.pk], {"version": 1}).status_code == 404
    )


def test_a_leaders_decision_tells_the_responsible_officer(client_as, register_person):
    # given a proposal waiting for the officer's person
    person = register_person(employment="unemployed", housing="unstable")
    proposal = person.proposals.get(state="pending")
    # when the street's leader overrides it from the page
    response = client_as("street_leader").post(
        reverse("persons:person-act", args=[person.pk, "override"]),
        {
            "proposal": proposal.pk,
            "version": person.version,
            "level": "high",
            "reason": "近期多次争吵",
            "disputed_factors": ["housing"],
        },
    )
    # then the level is theirs, and the responsible officer is told why
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == "overridden" and proposal.disputed_factors == ["housing"]
    assert "近期多次争吵" in _notices("officer").get().body


def test_the_responsible_officers_own_decision_tells_nobody(client_as, register_person):
    person = register_person()
    proposal = person.proposals.get(state="pending")
    response = _post(client_as("officer"), "person-confirm", [person.pk], {"proposal": proposal.pk})
    assert response.status_code == 200
    assert not Notice.objects.filter(kind=actions.KIND).exists()


def test_decision_refusals_through_the_api(client_as, register_person):
    person = register_person()
    proposal = person.proposals.get(state="pending")
    body = {"proposal": proposal.pk, "level": "high", "reason": ""}
    # no reason: 400 with the message
    blank = _post(client_as("officer"), "person-override", [person.pk], body)
    assert blank.status_code == 400 and "改定理由" in blank.json()["detail"]
    # a grid worker sees the person but does not decide ratings: 403
    refused = _post(
        client_as("grid_worker"), "person-confirm", [person.pk], {"proposal": proposal.pk}
    )
    assert refused.status_code == 403
    # another street's officer, or a proposal of someone else: 404
    other = _post(client_as(OTHER_STREET_OFFICER), "person-confirm", [person.pk], body)
    assert other.status_code == 404
    unknown = _post(client_as("officer"), "person-confirm", [person.pk], {"proposal": 0})
    assert unknown.status_code == 404
    proposal.refresh_from_db()
    assert proposal.state == "pending"


def test_a_review_through_the_api_and_its_refusals(client_as, register_person):
    person = register_person()
    client = client_as("grid_worker")
    blank = _post(client, "person-reviews", [person.pk], {"contact": "met", "note": ""})
    assert blank.status_code == 400 and "请填写复核情况" in blank.json()["detail"]
    done = _post(
        client, "person-reviews", [person.pk], {"contact": "met", "note": "在家，情绪稳定"}
    )
    assert done.status_code == 201 and done.json()["reviewer"] == "grid_worker"
    assert _post(client_as("street_mediator"), "person-reviews", [person.pk], {}).status_code == 403


# --- scorecards --------------------------------------------------------------------------------


@pytest.fixture
def pending_scorecard(staff):
    return services.scorecard_copy(
        scorecard=Scorecard.objects.get(state="active"), actor=staff("admin")
    )


def test_a_review_decision_tells_the_scorecards_author(client_as, pending_scorecard):
    response = _post(
        client_as("district_leader"),
        "scorecard-review",
        [pending_scorecard.pk],
        {"approve": False, "note": "分档需再核"},
    )
    assert response.status_code == 200 and response.json()["state"] == "rejected"
    assert "分档需再核" in _notices("admin").get().body


def test_scorecard_review_refusals_through_the_api(client_as, pending_scorecard):
    url = "scorecard-review"
    blank = _post(client_as("district_leader"), url, [pending_scorecard.pk], {"approve": False})
    assert blank.status_code == 400 and "退回理由" in blank.json()["detail"]
    own = _post(client_as("admin"), url, [pending_scorecard.pk], {"approve": True})
    assert own.status_code == 403
    assert (
        _post(
            client_as("street_leader"), url, [pending_scorecard.pk], {"approve": True}
        ).status_code
        == 403
    )
    assert _post(client_as("district_leader"), url, [0], {"approve": True}).status_code == 404
    pending_scorecard.refresh_from_db()
    assert pending_scorecard.state == "pending"


def test_a_fitted_version_tells_its_reviewers(client_as, run_jobs):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from pingan.persons.history import to_bytes

    client = client_as("admin")
    with run_jobs():
        response = client.post(
            reverse("scorecard-fit"),
            {
                "csv": SimpleUploadedFile("h.csv", to_bytes(1200, seed=4)),
                "outcome": "escalated_12m",
                "exclude": "民族",
            },
        )
    assert response.status_code == 202
    scorecard = Scorecard.objects.get(source="fitted")
    notice = _notices("district_leader").get()
    assert notice.url == reverse("persons:scorecard-detail", args=[scorecard.pk])
    # the author is not asked to review their own version, and street leaders do not review
    assert not _notices("admin").exists() and not _notices("street_leader").exists()
