"""The declared profile actions over the API: who may (the permission matrix of every
operation), bad input answered with a Chinese message, and the notices of the hand-offs."""

from datetime import timedelta

import pytest
from django.urls import reverse

from pingan.core.models import Notice
from pingan.core.testing import PermissionMatrix
from pingan.orgs.choices import RoleCode
from pingan.orgs.models import Unit
from pingan.talent import services
from pingan.talent.models import Milestone, PointEntry, Profile, Rotation

from .conftest import NOW, make_staff

ASSISTANT = "t_assistant"


def told(person) -> list[str]:
    notices = Notice.objects.filter(recipient=person, kind="talent")
    return list(notices.values_list("title", flat=True))


def post(client, name: str, profile: Profile, body: dict):
    return client.post(
        reverse(f"talent-profile-{name}", args=[profile.pk]), body, content_type="application/json"
    )


@pytest.fixture
def world(org, enroll, client_as):
    """A junior assistant of the first department with the first mentor; the clients by name."""
    org.profile = enroll(ASSISTANT, mentor=org.mentor)
    org.assistant = org.profile.staff
    org.client = client_as
    return org


def a_junior_milestone() -> Milestone:
    return Milestone.objects.filter(transformation__stage__code="junior").order_by("pk").first()


# --- the permission matrix of every operation ----------------------------------------------


class _ApiMatrix:
    """A profile operation on the test procuratorate's assistant; ``body`` is what an
    in-scope caller posts (built after ``prepare`` has made what it refers to). A mixin, so
    that PermissionMatrix sees each operation's own ``wrong_role``."""

    api = True
    method = "post"
    in_scope = ASSISTANT
    out_of_scope = "t_mentor2"  # another mentor's mentee is not theirs to see

    @pytest.fixture(autouse=True)
    def _world(self, org, enroll, register_case, today):
        self.org, self.today = org, today
        self.profile = enroll(ASSISTANT, mentor=org.mentor)
        self.prepare(register_case)

    def prepare(self, register_case) -> None:
        """Make what the body refers to."""

    def body(self) -> dict:
        return {}

    @property
    def data(self) -> dict:
        return self.body()

    def url(self) -> str:
        return reverse(self.url_name, args=[self.profile.pk])


class TestMine(PermissionMatrix):
    url_name = "talent:mine"
    in_scope = "assistant"
    ok_status = 302
    out_of_scope = "mentor"  # no record of their own

    @pytest.fixture(autouse=True)
    def _demo(self, demo):
        pass


class TestApiLedger(_ApiMatrix, PermissionMatrix):
    url_name = "talent-profile-ledger"
    method = "get"
    in_scope = "t_head"


class TestApiStudy(_ApiMatrix, PermissionMatrix):
    url_name = "talent-profile-study"
    wrong_role = "t_committee"  # sees the record, does not keep the assistant's study

    def body(self):
        return {"item": "Z01", "completed_on": str(self.today), "evidence": "学习笔记"}


class TestApiStudyConfirm(_ApiMatrix, PermissionMatrix):
    url_name = "talent-profile-study-confirm"
    in_scope = "t_mentor"
    wrong_role = "t_head"

    def prepare(self, register_case):
        services.study_record(
            profile=self.profile,
            actor=self.profile.staff,
            item_code="Z01",
            completed_on=self.today,
            evidence="学习笔记",
        )

    def body(self):
        return {"item": "Z01"}


class TestApiMilestone(_ApiMatrix, PermissionMatrix):
    url_name = "talent-profile-milestone"
    wrong_role = "t_committee"

    def body(self):
        milestone = a_junior_milestone().pk
        return {"milestone": milestone, "completed_on": str(self.today), "evidence": "评语"}


class TestApiMilestoneConfirm(_ApiMatrix, PermissionMatrix):
    url_name = "talent-profile-milestone-confirm"
    in_scope = "t_mentor"
    wrong_role = "t_head"

    def prepare(self, register_case):
        services.milestone_record(
            profile=self.profile,
            actor=self.profile.staff,
            milestone=a_junior_milestone(),
            completed_on=self.today,
            evidence="评语",
        )

    def body(self):
        return {"milestone": a_junior_milestone().pk}


class TestApiPoints(_ApiMatrix, PermissionMatrix):
    url_name = "talent-profile-points"
    out_of_scope = "t_head2"

    def body(self):
        return {"rule": "hearing", "evidence": "签到表", "occurred_on": str(self.today)}


class TestApiPointsDecide(_ApiMatrix, PermissionMatrix):
    url_name = "talent-profile-points-decide"
    in_scope = "t_head"
    wrong_role = ASSISTANT  # never one's own points

    def prepare(self, register_case):
        self.entry = services.points_submit(
            profile=self.profile,
            actor=self.profile.staff,
            rule_code="hearing",
            evidence="签到表",
            occurred_on=self.today,
        )

    def body(self):
        return {"entry": self.entry.pk, "approve": True}


class TestApiActivity(_ApiMatrix, PermissionMatrix):
    url_name = "talent-profile-activity"
    wrong_role = "t_committee"

    def body(self):
        return {
            "kind": "competition",
            "title": "公诉人团队对垒",
            "occurred_on": str(self.today),
            "level": "municipal",
            "evidence": "获奖证书",
        }


class TestApiRotation(_ApiMatrix, PermissionMatrix):
    url_name = "talent-profile-rotation"
    in_scope = "t_head"
    wrong_role = ASSISTANT

    def body(self):
        return {
            "department": self.org.other_dept.pk,
            "starts_on": str(self.today),
            "ends_on": str(self.today + timedelta(days=90)),
            "required_cases": 10,
        }


class _OnRotation(_ApiMatrix):
    def prepare(self, register_case):
        self.case = register_case()
        self.rotation = services.rotation_add(
            profile=self.profile,
            actor=self.org.head,
            department=self.org.other_dept,
            starts_on=self.today,
            ends_on=self.today + timedelta(days=90),
            required_cases=10,
        )


class TestApiRotationCase(_OnRotation, PermissionMatrix):
    url_name = "talent-profile-rotation-case"
    in_scope = "t_mentor"
    wrong_role = "t_committee"

    def body(self):
        return {"rotation": self.rotation.pk, "case_number": self.case.number}


class TestApiRotationEntered(_OnRotation, PermissionMatrix):
    url_name = "talent-profile-rotation-entered"
    in_scope = "t_head"
    wrong_role = ASSISTANT

    def body(self):
        return {"rotation": self.rotation.pk, "count": 3, "reason": "线下办理"}


class TestApiEvaluation(_ApiMatrix, PermissionMatrix):
    url_name = "talent-profile-evaluation"
    in_scope = "t_mentor"
    wrong_role = "t_committee"

    def body(self):
        return {"period": "2026年度", "score": "88.5"}


class TestApiStage(_ApiMatrix, PermissionMatrix):
    url_name = "talent-profile-stage"
    in_scope = "t_committee"
    wrong_role = "t_mentor"

    def body(self):
        return {"to_stage": "intermediate", "reason": "评议通过", "override_reason": "表现突出"}


class TestApiMentor(_ApiMatrix, PermissionMatrix):
    url_name = "talent-profile-mentor"
    in_scope = "t_head"
    wrong_role = "t_mentor"
    out_of_scope = "t_head2"

    def body(self):
        return {"mentor": self.org.other_mentor.pk, "reason": "工作调整"}


class TestApiTransfer(_ApiMatrix, PermissionMatrix):
    url_name = "talent-profile-transfer"
    in_scope = "t_committee"
    wrong_role = "t_head"

    def body(self):
        return {
            "track": "prosecutor",
            "state": "applied",
            "decided_on": str(self.today),
            "note": "本人申请",
        }


class TestApiOutcome(_ApiMatrix, PermissionMatrix):
    url_name = "talent-profile-outcome"
    in_scope = "t_head"
    wrong_role = "t_mentor"

    def body(self):
        return {
            "kind": "model_expert",
            "level": "provincial",
            "title": "检察业务标兵能手",
            "awarded_on": str(self.today),
            "evidence": "表彰文件",
        }


# --- behaviour and notices -----------------------------------------------------------------


def test_an_assistants_entries_wait_for_the_mentor_who_is_told(world, today):
    # given the assistant, and the milestones of their stage as the API lists them
    client = world.client(ASSISTANT)
    detail = client.get(reverse("talent-profile-detail", args=[world.profile.pk])).json()
    assert {row["state"] for row in detail["milestones"]} == {"missing"}
    milestone = Milestone.objects.get(pk=detail["milestones"][0]["id"])
    assert milestone.transformation.stage.code == "junior"
    # when they record a study item and a milestone over the API
    study = {"item": "Z01", "completed_on": str(today), "evidence": "笔记"}
    response = post(client, "study", world.profile, study)
    assert response.status_code == 200
    body = {"milestone": milestone.pk, "completed_on": str(today), "evidence": "评语"}
    assert post(client, "milestone", world.profile, body).status_code == 200
    # then both wait for the mentor, who is told of each
    record = world.profile.milestone_records.get(milestone=milestone)
    assert record.state == "submitted"
    assert len(told(world.mentor)) == 2 and not told(world.assistant)
    # when the mentor confirms them
    client = world.client("t_mentor")
    assert post(client, "study-confirm", world.profile, {"item": "Z01"}).status_code == 200
    response = post(client, "milestone-confirm", world.profile, {"milestone": milestone.pk})
    # then they count, and the assistant who entered them is told
    assert response.status_code == 200
    assert response.json()["milestones"][0]["state"] == "confirmed"
    record.refresh_from_db()
    assert record.state == "confirmed" and record.confirmed_by == world.mentor
    assert len(told(world.assistant)) == 2


def test_a_mentors_own_entry_is_confirmed_and_tells_no_one(world, today):
    body = {"milestone": a_junior_milestone().pk, "completed_on": str(today), "evidence": "评语"}
    response = post(world.client("t_mentor"), "milestone", world.profile, body)
    assert response.status_code == 200
    assert world.profile.milestone_records.get().state == "confirmed"
    assert not Notice.objects.filter(kind="talent").exists()


def test_milestone_refusals_say_why(world, today):
    client = world.client(ASSISTANT)
    # a milestone of a stage not yet reached
    later = Milestone.objects.filter(transformation__stage__code="senior").first()
    body = {"milestone": later.pk, "completed_on": str(today), "evidence": "评语"}
    response = post(client, "milestone", world.profile, body)
    assert response.status_code == 400
    assert "尚未进入的培养阶段" in response.json()["detail"]
    # a date in the future
    body = {"milestone": a_junior_milestone().pk, "completed_on": str(today + timedelta(1))}
    response = post(client, "milestone", world.profile, {**body, "evidence": "评语"})
    assert response.status_code == 400 and "不能晚于今天" in response.json()["detail"]
    # confirming a milestone the assistant has not entered
    response = post(
        world.client("t_mentor"), "milestone-confirm", world.profile, {"milestone": later.pk}
    )
    assert response.status_code == 404
    assert not world.profile.milestone_records.exists()


def test_points_claims_tell_the_approvers_and_decisions_tell_the_claimant(world, today):
    # given the assistant claims points
    body = {"rule": "hearing", "evidence": "签到表", "occurred_on": str(today)}
    assert post(world.client(ASSISTANT), "points", world.profile, body).status_code == 200
    entry = PointEntry.objects.get(profile=world.profile)
    # then the mentor and the department head are told
    assert told(world.mentor) and told(world.head)
    # when the head rejects it without a note, the refusal says why and nothing changes
    client = world.client("t_head")
    response = post(client, "points-decide", world.profile, {"entry": entry.pk, "approve": False})
    assert response.status_code == 400 and "审批意见" in response.json()["detail"]
    assert not told(world.assistant)
    # when the head approves it
    response = post(client, "points-decide", world.profile, {"entry": entry.pk, "approve": True})
    # then it counts and the assistant who claimed it is told
    assert response.status_code == 200 and response.json()["points_total"] == str(entry.points)
    assert told(world.assistant) == ["积分审批通过：t_assistant"]


def test_activity_and_outcome_are_recorded_and_checked(world, today):
    body = {
        "kind": "competition",
        "title": "公诉人团队对垒",
        "occurred_on": str(today),
        "level": "municipal",
        "evidence": "获奖证书",
    }
    assert post(world.client(ASSISTANT), "activity", world.profile, body).status_code == 200
    assert world.profile.activities.get().title == "公诉人团队对垒"
    response = post(world.client(ASSISTANT), "activity", world.profile, {**body, "kind": "nap"})
    assert response.status_code == 400 and "kind" in response.json()
    outcome = {
        "kind": "model_expert",
        "level": "provincial",
        "title": "检察业务标兵能手",
        "awarded_on": str(today + timedelta(days=1)),
        "evidence": "表彰文件",
    }
    response = post(world.client("t_head"), "outcome", world.profile, outcome)
    assert response.status_code == 400 and "不能晚于今天" in response.json()["detail"]
    outcome["awarded_on"] = str(today)
    assert post(world.client("t_head"), "outcome", world.profile, outcome).status_code == 200
    assert world.profile.outcomes.count() == 1
    assert not Notice.objects.filter(kind="talent").exists()


def test_a_rotation_tells_the_assistant_and_the_receiving_head(world, today, register_case):
    client = world.client("t_head")
    body = {
        "department": world.other_dept.pk,
        "starts_on": str(today),
        "ends_on": str(today - timedelta(days=1)),
        "required_cases": 10,
    }
    response = post(client, "rotation", world.profile, body)
    assert response.status_code == 400 and "不能早于开始日期" in response.json()["detail"]
    body["ends_on"] = str(today + timedelta(days=90))
    response = post(client, "rotation", world.profile, body)
    assert response.status_code == 200
    rotation = Rotation.objects.get(pk=response.json()["rotations"][0]["id"])
    assert rotation.profile == world.profile
    assert told(world.assistant) and told(world.other_head)
    # a case is linked and a count entered on the rotation
    case = register_case()
    link = {"rotation": rotation.pk, "case_number": "DC1999-000001"}
    response = post(world.client("t_mentor"), "rotation-case", world.profile, link)
    assert response.status_code == 400 and "没有找到" in response.json()["detail"]
    link["case_number"] = case.number
    assert post(world.client("t_mentor"), "rotation-case", world.profile, link).status_code == 200
    entered = {"rotation": rotation.pk, "count": 4, "reason": ""}
    response = post(client, "rotation-entered", world.profile, entered)
    assert response.status_code == 400 and "reason" in response.json()
    entered["reason"] = "线下办理"
    response = post(client, "rotation-entered", world.profile, entered)
    assert response.status_code == 200
    shown = response.json()["rotations"][0]
    assert (shown["cases"], shown["entered_cases"]) == ([case.number], 4)


def test_a_rotation_of_another_profile_is_not_found(world, enroll):
    other = enroll("t_other", mentor=world.mentor)
    rotation = services.rotation_add(
        profile=other,
        actor=world.head,
        department=world.dept,
        starts_on=NOW.date(),
        ends_on=NOW.date(),
        required_cases=1,
    )
    body = {"rotation": rotation.pk, "count": 4, "reason": "线下办理"}
    response = post(world.client("t_head"), "rotation-entered", world.profile, body)
    assert response.status_code == 404


def test_a_new_mentor_and_the_assistant_are_told_and_a_stale_version_conflicts(world):
    client = world.client("t_head")
    # a mentor of another procuratorate is refused
    elsewhere = Unit.objects.exclude(pk=world.unit.pk).first()
    outsider = make_staff("t_far_mentor", RoleCode.MENTOR, elsewhere)
    response = post(client, "mentor", world.profile, {"mentor": outsider.pk, "reason": "调整"})
    assert response.status_code == 400 and "本院" in response.json()["detail"]
    version = Profile.objects.get(pk=world.profile.pk).version
    body = {"mentor": world.other_mentor.pk, "reason": "工作调整", "version": version}
    assert post(client, "mentor", world.profile, body).status_code == 200
    assert told(world.other_mentor) and told(world.assistant)
    response = post(client, "mentor", world.profile, {**body, "mentor": world.mentor.pk})
    assert response.status_code == 409
    assert Profile.objects.get(pk=world.profile.pk).mentor == world.other_mentor


def test_a_stage_change_and_a_transfer_step_tell_the_people_around_the_assistant(world, today):
    client = world.client("t_committee")
    response = post(client, "stage", world.profile, {"to_stage": "nowhere", "reason": "评议"})
    assert response.status_code == 400 and "没有这个培养阶段" in str(response.json())
    body = {"to_stage": "intermediate", "reason": "评议通过", "override_reason": "表现突出"}
    assert post(client, "stage", world.profile, body).status_code == 200
    assert told(world.assistant) and told(world.mentor) and told(world.head)
    transfer = {"track": "prosecutor", "state": "bogus", "decided_on": str(today), "note": "申请"}
    response = post(client, "transfer", world.profile, transfer)
    assert response.status_code == 400 and "state" in response.json()
    transfer["state"] = "applied"
    assert post(client, "transfer", world.profile, transfer).status_code == 200
    assert world.profile.transfers.get().state == "applied"
    assert len(told(world.assistant)) == 2 and len(told(world.head)) == 2
