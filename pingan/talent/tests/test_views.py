"""Pages and API of talent development: scope refusals, the mentor's flow, query counts."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from pingan.core.testing import PermissionMatrix
from pingan.talent.models import PointEntry, Profile, StudyRecord

pytestmark = pytest.mark.usefixtures("demo")
OTHER_ASSISTANT = "pc-2025-02"  # another cohort member: another mentor, another department
OTHER_MENTOR = "pc-mentor-2"


def profile_of(username: str) -> Profile:
    return Profile.objects.get(staff__username=username)


class _ProfileMatrix(PermissionMatrix):
    url_name = "talent:profile"
    owner = "assistant"

    @pytest.fixture(autouse=True)
    def _profile(self, demo):
        self.profile = profile_of(self.owner)

    def url(self) -> str:
        return reverse(self.url_name, args=[self.profile.pk])


class TestOverview(PermissionMatrix):
    url_name = "talent:overview"
    in_scope = "talent_committee"
    wrong_role = "street_clerk"


class TestExport(PermissionMatrix):
    url_name = "talent:export"
    in_scope = "dept_head"
    wrong_role = "assistant"


class TestOwnRecord(_ProfileMatrix):
    in_scope = "assistant"
    out_of_scope = OTHER_ASSISTANT  # an assistant cannot read another's record


class TestMentorSeesMentee(_ProfileMatrix):
    in_scope = "mentor"
    out_of_scope = OTHER_MENTOR


class TestDepartmentHeadSeesDepartment(_ProfileMatrix):
    in_scope = "dept_head"
    out_of_scope = "street_leader"


class TestHeadCannotOpenAnotherDepartment(_ProfileMatrix):
    owner = OTHER_ASSISTANT
    in_scope = "talent_committee"
    out_of_scope = "dept_head"


class TestStudyAction(_ProfileMatrix):
    url_name = "talent:profile-act"
    method = "post"
    in_scope = "assistant"
    out_of_scope = OTHER_ASSISTANT
    ok_status = 302
    data = {"study-item": "Y13", "study-completed_on": "2026-11-01", "study-evidence": "笔记"}

    def url(self) -> str:
        return reverse(self.url_name, args=[self.profile.pk, "study"])


class TestApiList(PermissionMatrix):
    url_name = "talent-profile-list"
    api = True
    in_scope = "assistant"


class TestApiDetail(_ProfileMatrix):
    url_name = "talent-profile-detail"
    api = True
    in_scope = "mentor"
    out_of_scope = OTHER_ASSISTANT


def test_api_lists_exactly_the_scope(client_as, staff):
    def names(persona):
        response = client_as(persona).get(reverse("talent-profile-list"), {"page_size": 100})
        assert response.status_code == 200
        return {row["username"] for row in response.json()["results"]}, response.json()["count"]

    assert names("assistant")[0] == {"assistant"}
    mentor = staff("mentor")
    assert names("mentor")[0] == set(
        Profile.objects.filter(mentor=mentor).values_list("staff__username", flat=True)
    )
    head = staff("dept_head")
    assert names("dept_head")[0] == set(
        Profile.objects.filter(department__head=head).values_list("staff__username", flat=True)
    )
    assert names("talent_committee")[1] == Profile.objects.count() == 60
    assert names("street_clerk")[1] == 0


def test_overview_lists_only_the_scope(client_as, staff):
    response = client_as("mentor").get(reverse("talent:overview"))
    body = response.content.decode()
    mentees = Profile.objects.filter(mentor=staff("mentor")).select_related("staff")
    assert all(p.staff.name in body for p in mentees)
    other = profile_of(OTHER_ASSISTANT)
    assert f"/talent/{other.pk}/" not in body


def test_an_assistant_is_sent_to_their_own_record(client_as):
    response = client_as("assistant").get(reverse("talent:overview"))
    assert response.status_code == 302
    assert client_as("assistant").get(response["Location"])["Location"] == reverse(
        "talent:profile", args=[profile_of("assistant").pk]
    )


def test_mentor_confirms_and_approves_and_readiness_turns(client_as):
    # given the demo assistant, short of 14 study items and 40 points by one confirmation each
    profile = profile_of("assistant")
    client = client_as("mentor")
    page = client.get(reverse("talent:profile", args=[profile.pk])).content.decode()
    assert 'data-testid="readiness-state">未达到' in page
    pending_study = StudyRecord.objects.get(profile=profile, state="submitted")
    pending_points = PointEntry.objects.get(profile=profile, state="pending")
    # when the mentor approves the points and confirms the study item (htmx)
    act = reverse("talent:profile-act", args=[profile.pk, "points_decide"])
    response = client.post(
        act, {"entry": pending_points.pk, "approve": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    act = reverse("talent:profile-act", args=[profile.pk, "study_confirm"])
    response = client.post(act, {"item": pending_study.item.code}, HTTP_HX_REQUEST="true")
    # then the returned body shows the readiness met
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="readiness-state">已达到' in body
    # and when the mentor adds points with evidence, they wait for someone else's approval
    act = reverse("talent:profile-act", args=[profile.pk, "points"])
    response = client.post(
        act,
        {
            "points-rule": "hearing",
            "points-quantity": "1",
            "points-occurred_on": "2026-11-10",
            "points-evidence": "听证会签到表",
        },
    )
    assert response.status_code == 302
    entry = PointEntry.objects.filter(profile=profile).latest("pk")
    assert (entry.state, entry.submitted_by.username) == ("pending", "mentor")


def test_refusals_on_the_page_say_why_and_change_nothing(client_as):
    profile = profile_of("assistant")
    client = client_as("assistant")
    own = PointEntry.objects.get(profile=profile, state="pending")
    act = reverse("talent:profile-act", args=[profile.pk, "points_decide"])
    response = client.post(act, {"entry": own.pk, "approve": "1"})
    assert response.status_code == 403
    assert "不能审批本人" in response.content.decode()
    assert PointEntry.objects.get(pk=own.pk).state == "pending"
    act = reverse("talent:profile-act", args=[profile.pk, "points"])
    response = client.post(
        act,
        {
            "points-rule": "",
            "points-quantity": "1",
            "points-occurred_on": "2026-11-10",
            "points-evidence": "x",
        },
    )
    assert response.status_code == 400
    assert "积分规则" in response.content.decode()


def test_api_refuses_bad_input_with_a_chinese_message(client_as):
    profile = profile_of("assistant")
    client = client_as("assistant")
    url = reverse("talent-profile-study", args=[profile.pk])
    response = client.post(
        url,
        {"item": "X99", "completed_on": "2026-11-01", "evidence": "笔记"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "不在必研必学目录中" in response.json()["detail"]
    response = client.post(
        reverse("talent-profile-stage", args=[profile.pk]),
        {"to_stage": "intermediate", "reason": "自荐"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_api_detail_has_readiness_matrix_and_study(client_as):
    profile = profile_of("assistant")
    data = client_as("assistant").get(reverse("talent-profile-detail", args=[profile.pk])).json()
    assert data["readiness"]["ready"] is False
    assert len(data["matrix"]) == 9 and len(data["study"]) == 21
    ledger = client_as("assistant").get(reverse("talent-profile-ledger", args=[profile.pk])).json()
    approved = [row for row in ledger if row["state"] == "approved"]
    assert ledger[-1]["running_total"] == data["points_total"]
    assert approved


def test_export_is_the_filtered_overview(client_as):
    response = client_as("talent_committee").get(reverse("talent:export"), {"stage": "senior"})
    sheet = load_workbook(io.BytesIO(response.content))["检察官助理培养"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == Profile.objects.filter(stage__code="senior").count() > 0
    assert {row[3] for row in rows} == {"高阶"}


def test_query_counts_do_not_grow_with_the_cohort(client_as, django_assert_max_num_queries):
    client = client_as("talent_committee")
    with django_assert_max_num_queries(30):
        assert client.get(reverse("talent:overview")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("talent-profile-list")).status_code == 200
    profile = profile_of("assistant")
    with django_assert_max_num_queries(40):
        assert client.get(reverse("talent:profile", args=[profile.pk])).status_code == 200
    with django_assert_max_num_queries(27):  # with the milestones and rotations the API acts on
        url = reverse("talent-profile-detail", args=[profile.pk])
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("talent:export")).status_code == 200


class TestPeersPage(PermissionMatrix):
    url_name = "talent:peers"
    in_scope = "assistant"
    wrong_role = "mentor"


def test_peer_scores_count_as_the_peer_dimension(client_as):
    me = profile_of("assistant")
    peer = Profile.objects.filter(cohort=me.cohort).exclude(pk=me.pk).first()
    outsider = Profile.objects.exclude(cohort=me.cohort).first()
    client = client_as("assistant")
    page = client.get(reverse("talent:peers")).content.decode()
    assert peer.staff.name in page and outsider.staff.name not in page
    response = client.post(
        reverse("talent:peers"), {"profile": peer.pk, "period": "2026年度", "score": "86.5"}
    )
    assert response.status_code == 302
    evaluation = peer.evaluations.get(evaluator__username="assistant", period="2026年度")
    assert (evaluation.dimension, str(evaluation.score)) == ("peer", "86.5")
    # a profile outside the cohort is not there to score
    response = client.post(
        reverse("talent:peers"), {"profile": outsider.pk, "period": "2026年度", "score": "90"}
    )
    assert response.status_code == 404


def test_htmx_refusal_re_renders_the_form_with_the_message(client_as):
    profile = profile_of("assistant")
    response = client_as("assistant").post(
        reverse("talent:profile-act", args=[profile.pk, "study"]),
        {"study-item": "Y13", "study-completed_on": "2099-01-01", "study-evidence": "笔记"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="form-error"' in body and "不能晚于今天" in body
    assert "<html" not in body  # the partial, for the htmx swap
    assert not profile.study_records.filter(item__code="Y13").exists()


def test_api_points_decide_refuses_self_approval(client_as):
    profile = profile_of("assistant")
    entry = PointEntry.objects.get(profile=profile, state="pending")
    response = client_as("assistant").post(
        reverse("talent-profile-points-decide", args=[profile.pk]),
        {"entry": entry.pk, "approve": True},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "不能审批本人" in response.json()["detail"]
    response = client_as("mentor").post(
        reverse("talent-profile-points-decide", args=[profile.pk]),
        {"entry": entry.pk, "approve": True},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["points_total"] == "41.0"
