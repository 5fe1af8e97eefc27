"""减假暂 evidence review and the tamper-evident record chain."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from pingan.core.errors import ApplicationError, ForbiddenError
from pingan.core.models import AuditEvent
from pingan.corrections import chain, selectors, services
from pingan.corrections.models import EnforcementRecord, EvidenceFile

from .conftest import NOW

pytestmark = pytest.mark.django_db

ITEMS = [
    ("计分考核材料", "狱政科", True),
    ("奖惩审批表", "狱政科", True),
    ("悔罪书", "监区", False),
]


def test_sm3_matches_the_standards_test_vector():
    # GB/T 32905-2016, appendix A, example 1
    assert chain.digest("sm3", b"abc") == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )
    assert chain.digest("sha256", b"abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


@pytest.fixture
def file(prison, staff) -> EvidenceFile:
    return services.evidence_file_open(
        prison=prison,
        actor=staff("prison_officer"),
        subject="孙某",
        kind="parole",
        items=ITEMS,
        now=NOW,
    )


def review(item, actor, **overrides):
    values = dict(authenticity="pass", completeness="pass", relevance="pass", findings="")
    values.update(overrides)
    return services.evidence_item_review(item=item, actor=actor, now=NOW, **values)


def reviewed_file(file, staff) -> EvidenceFile:
    first, second = staff("prison_officer"), staff("prison_reviewer")
    for item in file.items.all():
        review(item, first)
        services.evidence_item_confirm(item=item, actor=second, now=NOW)
    return EvidenceFile.objects.get(pk=file.pk)


def test_a_file_cannot_be_concluded_while_a_required_item_is_unreviewed(file, staff):
    first, second = staff("prison_officer"), staff("prison_reviewer")
    required = file.items.filter(required=True)
    review(required[0], first)
    services.evidence_item_confirm(item=required[0], actor=second, now=NOW)
    review(required[1], first)  # reviewed but not confirmed by a second person
    with pytest.raises(ApplicationError, match="1 项必审证据未完成审核和复核：奖惩审批表"):
        services.evidence_file_conclude(file=file, actor=first, conclusion="同意", now=NOW)
    services.evidence_item_confirm(item=required[1], actor=second, now=NOW)
    # the optional item may stay unreviewed
    file = EvidenceFile.objects.get(pk=file.pk)
    services.evidence_file_conclude(file=file, actor=first, conclusion="同意提请假释", now=NOW)
    assert EvidenceFile.objects.get(pk=file.pk).state == "concluded"
    with pytest.raises(ApplicationError, match="已审结"):
        review(file.items.get(required=False), first)


def test_the_second_reviewer_is_another_person(file, staff):
    item = file.items.first()
    with pytest.raises(ApplicationError, match="尚未初审"):
        services.evidence_item_confirm(item=item, actor=staff("prison_reviewer"), now=NOW)
    review(item, staff("prison_officer"))
    with pytest.raises(ForbiddenError, match="不能是初审人本人"):
        services.evidence_item_confirm(item=item, actor=staff("prison_officer"), now=NOW)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"relevance": ""}, "三项都要给出审核结论"),
        ({"authenticity": "fail"}, "请写明审核意见"),
        ({"exclude": True, "findings": "诱供"}, "排除证据必须写明理由"),
    ],
)
def test_incomplete_reviews_are_refused(file, staff, overrides, message):
    item = file.items.first()
    with pytest.raises(ApplicationError, match=message):
        review(item, staff("prison_officer"), **overrides)
    item.refresh_from_db()
    assert item.reviewed_at is None and file.records.count() == 1


def test_an_illegally_obtained_item_is_excluded_with_its_reason(file, staff):
    item = file.items.first()
    review(
        item,
        staff("prison_officer"),
        authenticity="fail",
        findings="笔录系诱导取得",
        exclude=True,
        exclusion_reason="以诱导方式取得，依法排除",
    )
    item.refresh_from_db()
    assert item.excluded and item.exclusion_reason == "以诱导方式取得，依法排除"
    assert file.records.order_by("-sequence").first().kind == "excluded"


def test_officers_of_another_prison_cannot_review(file, staff):
    with pytest.raises(ForbiddenError):
        review(file.items.first(), staff("prison_officer2"))


# --- the chain ----------------------------------------------------------------------------------


def test_an_untouched_chain_verifies_and_every_step_is_recorded(file, staff):
    file = reviewed_file(file, staff)
    report = chain.verify_chain(file)
    assert report.ok and report.length == 1 + 2 * 3
    kinds = list(file.records.values_list("kind", flat=True))
    assert kinds == ["opened"] + ["reviewed", "confirmed"] * 3
    assert file.chain_length == 7 and file.chain_head == file.records.last().entry_hash


def test_sha256_chains_verify_too(prison, staff, settings):
    settings.PINGAN_EVIDENCE_HASH = "sha256"
    file = services.evidence_file_open(
        prison=prison,
        actor=staff("prison_officer"),
        subject="周某",
        kind="commutation",
        items=ITEMS,
        now=NOW,
    )
    file = reviewed_file(file, staff)
    assert set(file.records.values_list("algorithm", flat=True)) == {"sha256"}
    assert chain.verify_chain(file).ok


def test_a_changed_byte_is_found_at_its_entry(file, staff):
    file = reviewed_file(file, staff)
    target = file.records.get(sequence=4)
    content = dict(target.content, findings="x")  # one field changed behind the app's back
    EnforcementRecord.objects.filter(pk=target.pk).update(content=content)
    report = chain.verify_chain(file)
    assert (report.ok, report.broken_sequence) == (False, 4)
    assert "内容" in report.problem


def test_a_removed_entry_is_found(file, staff):
    file = reviewed_file(file, staff)
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM corrections_enforcementrecord WHERE file_id = %s AND sequence = 3",
            [file.pk],
        )
    report = chain.verify_chain(file)
    assert (report.ok, report.broken_sequence) == (False, 4)


def test_a_reordering_is_found(file, staff):
    file = reviewed_file(file, staff)
    two, three = file.records.get(sequence=2), file.records.get(sequence=3)
    EnforcementRecord.objects.filter(pk=two.pk).update(sequence=99)
    EnforcementRecord.objects.filter(pk=three.pk).update(sequence=2)
    EnforcementRecord.objects.filter(pk=two.pk).update(sequence=3)
    report = chain.verify_chain(file)
    assert (report.ok, report.broken_sequence) == (False, 2)


def test_a_removed_last_entry_is_found_by_the_head(file, staff):
    file = reviewed_file(file, staff)
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM corrections_enforcementrecord WHERE file_id = %s AND sequence = 7",
            [file.pk],
        )
    report = chain.verify_chain(file)
    assert not report.ok and report.broken_sequence is None and "记录数为 7" in report.problem


def test_the_command_names_the_first_broken_entry(file, staff):
    file = reviewed_file(file, staff)
    out = StringIO()
    call_command("verify_evidence", stdout=out)
    assert "All 1 chains intact (7 entries checked)" in out.getvalue()
    target = file.records.get(sequence=5)
    EnforcementRecord.objects.filter(pk=target.pk).update(kind="reviewedX")
    err = StringIO()
    with pytest.raises(CommandError, match="1 of 1 files have a broken chain"):
        call_command("verify_evidence", stderr=err)
    assert f"BROKEN {file.number} at entry #5" in err.getvalue()
    with pytest.raises(CommandError, match="unknown file number"):
        call_command("verify_evidence", "JX0000", stderr=StringIO())


def test_records_cannot_be_changed_or_deleted_through_the_application(file, staff):
    record = file.records.get()
    record.kind = "edited"
    with pytest.raises(PermissionError):
        record.save()
    with pytest.raises(PermissionError):
        record.delete()
    with pytest.raises(ForbiddenError, match="只能追加"):
        services.record_refuse_change(record=record, actor=staff("auditor"), action="修改")
    attempt = AuditEvent.objects.get(action="corrections.record_tamper_attempt")
    assert attempt.actor.username == "auditor" and attempt.data["record"] == record.pk
    assert chain.verify_chain(file).ok


def test_an_exported_bundle_verifies_on_its_own_and_catches_an_edit(file, staff):
    file = reviewed_file(file, staff)
    data = selectors.bundle(file)
    assert selectors.verify_bundle(data) == (True, "")
    data["records"][2]["content"]["title"] = "伪造"
    ok, problem = selectors.verify_bundle(data)
    assert not ok and problem.startswith("#3")


def test_a_first_review_tells_the_prisons_other_officers_to_confirm(file, staff, client_as):
    from pingan.core.models import Notice

    item = file.items.first()
    body = {"authenticity": "pass", "completeness": "pass", "relevance": "pass"}
    reviewed = client_as("prison_officer").post(
        f"/api/evidence-files/{file.number}/items/{item.pk}/review/",
        body,
        content_type="application/json",
    )
    assert reviewed.status_code == 200, reviewed.content
    told = set(
        Notice.objects.filter(title__startswith="待复核").values_list(
            "recipient__username", flat=True
        )
    )
    # the second reviewer of the same prison is told; the first reviewer and other prisons not
    assert "prison_reviewer" in told
    assert "prison_officer" not in told and "prison_officer2" not in told


def test_a_refused_evidence_file_move_changes_nothing(prison, staff):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from pingan.core.actions import perform
    from pingan.core.models import Notice
    from pingan.core.testing import check_refusals_change_nothing
    from pingan.corrections import actions
    from pingan.corrections.rules import EVIDENCE_FILE

    officer = staff("prison_officer")

    def make(state: str) -> EvidenceFile:
        """A file opened by the prison's officer; concluded as the prison concludes one."""
        file = services.evidence_file_open(
            prison=prison, actor=officer, subject="孙某", kind="parole", items=ITEMS, now=NOW
        )
        if state == "concluded":
            file = reviewed_file(file, staff)
            services.evidence_file_conclude(file=file, actor=officer, conclusion="同意", now=NOW)
        file.refresh_from_db()
        assert file.state == state
        return file

    def act(action: str, file: EvidenceFile) -> None:
        if action == "review_item":
            item = file.items.get(required=False)
            values = dict(authenticity="fail", completeness="pass", relevance="pass")
            perform(actions.REVIEW_ITEM, item, officer, dict(values, findings="签名不符"))
        else:
            perform(actions.CONCLUDE_FILE, file, officer, {"conclusion": "不同意"})

    def events(file: EvidenceFile) -> tuple:
        """Its record chain, its items' reviews and the notices a review would send."""
        fresh = EvidenceFile.objects.get(pk=file.pk)
        reviews = tuple(
            file.items.order_by("pk").values_list(
                "authenticity", "findings", "reviewer", "reviewed_at", "second_reviewed_at"
            )
        )
        notices = Notice.objects.filter(kind="evidence").count()
        return file.records.count(), fresh.chain_head, fresh.conclusion, reviews, notices

    @settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
    @given(data=st.data())
    def run(data):
        check_refusals_change_nothing(EVIDENCE_FILE, make=make, act=act, events=events, data=data)

    run()


def test_a_confirmed_item_is_not_reviewed_again(file, staff, client):
    # given an item reviewed and confirmed by a second officer
    first, second = staff("prison_officer"), staff("prison_reviewer")
    item = file.items.get(title="计分考核材料")
    review(item, first)
    services.evidence_item_confirm(item=item, actor=second, now=NOW)
    records = EnforcementRecord.objects.filter(file=file).count()
    # then a new first review is refused and writes nothing to the chain
    with pytest.raises(ApplicationError, match="已复核确认，不能重新初审"):
        review(item, first)
    assert EnforcementRecord.objects.filter(file=file).count() == records
    # and the page offers no 重新初审 for it, and keeps 审结 disabled while 奖惩审批表 waits
    client.force_login(first)
    page = client.get(f"/corrections/files/{file.number}/").content.decode()
    assert "已复核确认" in page
    assert page.count("重新初审") == 0
    assert 'disabled aria-describedby="conclude-waiting"' in page
