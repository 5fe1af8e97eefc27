"""Release hand-over: registration, the notice schedule, arrival, no-show escalation, funds."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection

from pingan.core.errors import ApplicationError, ConflictError, ForbiddenError
from pingan.core.models import Notice
from pingan.corrections import services
from pingan.corrections.models import FundEntry, Release, ReleaseEvent

from .conftest import NOW, OTHER_STREET_GRID, id_number

pytestmark = pytest.mark.django_db


def test_a_release_is_registered_to_the_grid_of_its_address_with_the_id_encrypted(register):
    release = register(id_number=id_number(7))
    assert release.state == "registered" and release.grid.code == "110101001001001"
    assert release.area_path == release.grid.path
    assert [e.kind for e in release.events.all()] == ["registered"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM corrections_release WHERE id = %s", [release.pk])
        assert id_number(7) not in cursor.fetchone()[0]


def test_the_same_person_cannot_be_registered_twice_while_a_hand_over_is_open(register):
    register(id_number=id_number(8))
    with pytest.raises(ApplicationError, match="不能重复登记"):
        register(id_number=id_number(8))
    assert Release.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"grid_code": "999"}, "不在本区任何网格内"),
        ({"grid_code": "110101001001"}, "不在本区任何网格内"),  # a community, not a grid
        ({"id_number": "110101198001000011"}, "身份证号"),
    ],
)
def test_bad_registrations_are_refused_and_save_nothing(register, fields, message):
    with pytest.raises(ApplicationError, match=message):
        register(**fields)
    assert not Release.objects.exists() and not ReleaseEvent.objects.exists()


def test_only_the_prisons_own_officers_register_its_releases(prison, staff):
    data = services.ReleaseInput(
        name="钱某",
        id_number=id_number(9),
        offence="fraud",
        sentence_months=12,
        release_date=date(2026, 12, 1),
        address="多福巷 1 号",
        grid_code="110101001001001",
    )
    for outsider in ("prison_officer2", "street_dispatcher"):
        with pytest.raises(ForbiddenError):
            services.release_register(prison=prison, actor=staff(outsider), data=data, now=NOW)
    assert not Release.objects.exists()


def test_communities_are_told_once_within_the_notice_period(register, staff):
    soon = register(release_date=date(2026, 11, 20))  # 18 days ahead
    later = register(release_date=date(2027, 1, 30))  # 89 days ahead
    assert services.release_notify_due(now=NOW) == 1
    soon.refresh_from_db()
    later.refresh_from_db()
    assert (soon.state, later.state) == ("notified", "registered")
    told = set(Notice.objects.filter(kind="release").values_list("recipient__username", flat=True))
    # the grid's worker and the street center's leader and dispatcher are among them
    assert {"grid_worker", "street_dispatcher", "street_leader"} <= told
    assert "dispatcher@110101002" not in told
    # running again tells nobody again
    before = Notice.objects.count()
    assert services.release_notify_due(now=NOW + timedelta(hours=1)) == 0
    assert Notice.objects.count() == before
    # the later one is told 30 days ahead
    assert services.release_notify_due(now=datetime(2026, 12, 31, 9, tzinfo=NOW.tzinfo)) == 1


def test_a_page_opened_before_the_sweep_is_stale_after_it(register, staff):
    # given a street officer's page showing a release due soon
    release = register(release_date=date(2026, 11, 1))
    seen = release.version
    # when the sweep notifies the community in the meantime
    services.release_notify_due(now=NOW)
    # then confirming from the old page is refused as a conflict, and nothing is written
    with pytest.raises(ConflictError):
        services.release_confirm_arrival(
            release=release,
            actor=staff("street_dispatcher"),
            responsible=staff("grid_worker"),
            expected_version=seen,
            now=NOW,
        )
    release.refresh_from_db()
    assert (release.state, release.version) == ("notified", seen + 1)


def test_a_person_who_has_not_reported_is_escalated_once(register, staff):
    release = register(release_date=date(2026, 11, 20))
    services.release_notify_due(now=NOW)
    day_three = datetime(2026, 11, 23, 9, tzinfo=NOW.tzinfo)
    assert services.release_escalate_no_shows(now=day_three) == 0  # 3 days' grace
    day_four = day_three + timedelta(days=1)
    assert services.release_escalate_no_shows(now=day_four) == 1
    release.refresh_from_db()
    assert release.state == "no_show" and release.escalated_at == day_four
    escalated = set(
        Notice.objects.filter(kind="release_no_show").values_list("recipient__username", flat=True)
    )
    assert {"street_dispatcher", "district_dispatcher"} <= escalated
    assert services.release_escalate_no_shows(now=day_four + timedelta(days=1)) == 0
    assert Notice.objects.filter(kind="release_no_show").count() == len(escalated)


def test_the_receiving_street_confirms_arrival_and_names_the_helper(register, staff):
    release = register(release_date=date(2026, 11, 20))
    arrival = datetime(2026, 11, 21, 15, tzinfo=NOW.tzinfo)
    # not before the release date
    with pytest.raises(ApplicationError, match="尚未到释放日期"):
        services.release_confirm_arrival(
            release=release,
            actor=staff("street_dispatcher"),
            responsible=staff("grid_worker"),
            now=NOW,
        )
    # not by another street
    with pytest.raises(ForbiddenError):
        services.release_confirm_arrival(
            release=release,
            actor=staff("dispatcher@110101002"),
            responsible=staff("grid_worker"),
            now=arrival,
        )
    # not with a stale page
    with pytest.raises(ConflictError):
        services.release_confirm_arrival(
            release=release,
            actor=staff("street_dispatcher"),
            responsible=staff("grid_worker"),
            expected_version=release.version + 5,
            now=arrival,
        )
    services.release_confirm_arrival(
        release=release,
        actor=staff("street_dispatcher"),
        responsible=staff("grid_worker"),
        note="本人持释放证明报到",
        now=arrival,
    )
    release.refresh_from_db()
    assert (release.state, release.responsible.username) == ("arrived", "grid_worker")
    assert release.events.last().kind == "arrived"
    # and the person joins the key-person register with a first support measure
    person = release.key_person
    assert (person.person_type.code, person.grid_id, person.responsible.username) == (
        "released",
        release.grid_id,
        "grid_worker",
    )
    assert person.id_number == release.id_number and person.released_on == release.release_date
    measure = person.plan.measures.get()
    assert (measure.kind, measure.category, measure.owner.username) == (
        "support",
        "jobs",
        "grid_worker",
    )
    assert Notice.objects.filter(recipient__username="grid_worker", title__contains="帮教责任人")
    with pytest.raises(ApplicationError, match="无需重复确认"):
        services.release_confirm_arrival(
            release=release,
            actor=staff("street_dispatcher"),
            responsible=staff("grid_worker"),
            now=arrival,
        )


def test_a_helper_outside_the_grid_is_refused(register, staff):
    release = register(release_date=date(2026, 10, 30))
    with pytest.raises(ApplicationError, match="帮教责任人"):
        services.release_confirm_arrival(
            release=release,
            actor=staff("street_dispatcher"),
            responsible=staff("dispatcher@110101002"),
            now=NOW,
        )


def test_the_reserve_fund_never_goes_below_zero(arrived, staff):
    clerk, leader = staff("street_dispatcher"), staff("street_leader")
    paid_in = services.fund_record(
        release=arrived,
        actor=staff("prison_officer"),
        kind="contribution",
        amount=Decimal("1000"),
        purpose="狱内劳动报酬",
        now=NOW,
    )
    # unapproved money cannot be spent
    with pytest.raises(ApplicationError, match="超过可用余额"):
        services.fund_record(
            release=arrived,
            actor=clerk,
            kind="disbursement",
            amount=Decimal("10"),
            purpose="租房押金",
            now=NOW,
        )
    services.fund_approve(entry=paid_in, actor=leader, now=NOW)
    first = services.fund_record(
        release=arrived,
        actor=clerk,
        kind="disbursement",
        amount=Decimal("600"),
        purpose="租房押金",
        now=NOW,
    )
    # the pending 600 is reserved: 500 more would overdraw
    with pytest.raises(ApplicationError, match=r"可用余额 400\.00 元"):
        services.fund_record(
            release=arrived,
            actor=clerk,
            kind="disbursement",
            amount=Decimal("500"),
            purpose="购置工具",
            now=NOW,
        )
    # the recorder cannot approve their own entry
    with pytest.raises(ForbiddenError):
        services.fund_approve(entry=first, actor=clerk, now=NOW)
    services.fund_approve(entry=first, actor=leader, now=NOW)
    assert services.fund_balance(arrived) == (Decimal("400.00"), Decimal("0.00"))
    assert FundEntry.objects.filter(release=arrived).count() == 2


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5")])
def test_a_fund_entry_needs_a_positive_amount(arrived, staff, amount):
    with pytest.raises(ApplicationError, match="大于 0"):
        services.fund_record(
            release=arrived,
            actor=staff("street_dispatcher"),
            kind="contribution",
            amount=amount,
            purpose="补助",
            now=NOW,
        )


def test_another_street_cannot_touch_the_fund(arrived, staff):
    with pytest.raises(ForbiddenError):
        services.fund_record(
            release=arrived,
            actor=staff("dispatcher@110101002"),
            kind="contribution",
            amount=Decimal("5"),
            purpose="补助",
            now=NOW,
        )


def test_releases_outside_the_district_side_scope_are_invisible(register, staff):
    mine = register()
    theirs = register(grid_code=OTHER_STREET_GRID)
    visible = set(Release.objects.visible_to(staff("street_dispatcher")))
    assert mine in visible and theirs not in visible
    assert set(Release.objects.visible_to(staff("prison_officer"))) == {mine, theirs}
    assert not Release.objects.visible_to(staff("prison_officer2")).exists()
    assert not Release.objects.visible_to(staff("auditor")).exists()
    assert not Release.objects.visible_to(staff("evaluator")).exists()


def test_a_refused_release_move_changes_nothing(register, staff):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from pingan.core.testing import check_refusals_change_nothing
    from pingan.corrections.models import Release
    from pingan.corrections.rules import RELEASE

    dispatcher, helper = staff("street_dispatcher"), staff("grid_worker")

    def make(state: str) -> Release:
        release = register(release_date=date(2026, 11, 1))
        Release.objects.filter(pk=release.pk).update(state=state)
        release.refresh_from_db()
        return release

    def act(action: str, release: Release) -> None:
        if action == "confirm_arrival":
            services.release_confirm_arrival(
                release=release, actor=dispatcher, responsible=helper, now=NOW
            )
        else:
            services.release_record_followup(
                release=release,
                actor=dispatcher,
                insurance_enrolled_on=None,
                insurance_kind="",
                reoffended_on=None,
                now=NOW,
            )

    @settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
    @given(data=st.data())
    def run(data):
        check_refusals_change_nothing(
            RELEASE,
            make=make,
            act=act,
            events=lambda release: release.events.count(),
            data=data,
            only=["confirm_arrival", "record_followup"],
        )

    run()


# --- the release's declared actions through the API ---------------------------------------------


def test_the_api_records_follow_ups_and_placements_like_the_page(arrived, staff, client_as):
    from pingan.corrections.models import Placement

    client = client_as("street_dispatcher")
    followup = client.post(
        f"/api/releases/{arrived.pk}/followup/",
        {"insurance_enrolled_on": "2026-11-10", "insurance_kind": "城乡居民医保"},
        content_type="application/json",
    )
    assert followup.status_code == 200, followup.content
    arrived.refresh_from_db()
    assert arrived.insurance_kind == "城乡居民医保"
    employer = services.employer_add(
        actor=staff("street_dispatcher"),
        name="东华门物业服务公司",
        grid=arrived.grid,
        jobs="保洁、绿化",
    )
    body = {"employer": employer.pk, "job": "保洁", "outcome": "offered"}
    placed = client.post(
        f"/api/releases/{arrived.pk}/placement/", body, content_type="application/json"
    )
    assert placed.status_code == 200 and Placement.objects.filter(release=arrived).count() == 1
    # another street's dispatcher finds no such release
    outsider = client_as("dispatcher@110101002").post(
        f"/api/releases/{arrived.pk}/placement/", body, content_type="application/json"
    )
    assert outsider.status_code == 404
    assert Placement.objects.filter(release=arrived).count() == 1


def test_a_fund_entry_tells_the_street_leaders_and_the_approval_tells_the_recorder(
    arrived, staff, client_as
):
    # when the street dispatcher records a contribution through the API
    recorded = client_as("street_dispatcher").post(
        f"/api/releases/{arrived.pk}/fund/",
        {"kind": "contribution", "amount": "500.00", "purpose": "社会捐助"},
        content_type="application/json",
    )
    assert recorded.status_code == 201
    entry = recorded.json()["entry"]
    # then the street's leader is told to approve it
    assert Notice.objects.filter(
        recipient__username="street_leader", title__startswith="储备金待审批"
    ).exists()
    # a dispatcher may not approve; the leader may, and the dispatcher is told
    approve = f"/api/releases/{arrived.pk}/fund/{entry}/approve/"
    assert client_as("street_dispatcher").post(approve).status_code == 403
    assert client_as("street_leader").post(approve).status_code == 200
    assert Notice.objects.filter(
        recipient__username="street_dispatcher", title__startswith="储备金已批准"
    ).exists()
    assert client_as("street_leader").post(approve).status_code == 400  # already approved
