"""Pages and API of the corrections app: who may see and do what, and what they see."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse

from pingan.core.models import AuditEvent
from pingan.core.testing import PermissionMatrix
from pingan.corrections import selectors, services
from pingan.corrections.models import EvidenceFile, Release

from .conftest import NOW, OTHER_STREET_GRID, id_number

pytestmark = pytest.mark.django_db


class TestReleaseList(PermissionMatrix):
    url_name = "corrections:release-list"
    in_scope = "street_dispatcher"
    wrong_role = "evaluator"


class TestReleaseNew(PermissionMatrix):
    url_name = "corrections:release-new"
    in_scope = "prison_officer"
    wrong_role = "street_dispatcher"


class TestFileList(PermissionMatrix):
    url_name = "corrections:file-list"
    in_scope = "auditor"
    wrong_role = "street_dispatcher"


class TestAnalysis(PermissionMatrix):
    url_name = "corrections:analysis"
    in_scope = "auditor"
    wrong_role = "grid_worker"


class TestEmployers(PermissionMatrix):
    url_name = "corrections:employer-list"
    in_scope = "street_dispatcher"
    wrong_role = "prison_officer"


class TestReleaseApi(PermissionMatrix):
    url_name = "release-list"
    api = True
    in_scope = "street_dispatcher"


def test_a_release_page_is_seen_by_its_prison_and_receiving_area_only(register, client_as):
    url = reverse("corrections:release-detail", args=[register().pk])
    for persona, expected in [
        ("street_dispatcher", 200),
        ("grid_worker", 200),
        ("prison_officer", 200),
        ("dispatcher@110101002", 404),
        ("prison_officer2", 404),
        ("auditor", 404),
    ]:
        assert client_as(persona).get(url).status_code == expected, persona


def test_the_list_shows_only_the_scope_with_a_constant_number_of_queries(
    register, client_as, django_assert_max_num_queries
):
    for _ in range(3):
        register()
    register(grid_code=OTHER_STREET_GRID, name="景山某")
    client = client_as("street_dispatcher")
    # session and user (2), roles and scope (3), the board (2), filter choices (4), the page
    # (2), the top bar (2) …: 20 measured, whatever the number of rows
    with django_assert_max_num_queries(20):
        page = client.get(reverse("corrections:release-list"))
    assert page.context["table"].paginator.count == 3
    for _ in range(20):
        register()
    with django_assert_max_num_queries(20):
        page = client.get(reverse("corrections:release-list"))
    assert page.context["table"].paginator.count == 23
    assert [row.street.name for row in page.context["board"]] == ["东华门街道"]


def test_the_street_confirms_an_arrival_on_the_page_and_a_stale_page_is_refused(
    register, client_as, staff, now
):
    release = register(release_date=(now - timedelta(days=3)).date(), now=now)
    client = client_as("street_dispatcher")
    url = reverse("corrections:release-arrive", args=[release.pk])
    helper = staff("grid_worker").pk
    stale = client.post(url, {"responsible": helper, "version": release.version + 1})
    assert stale.status_code == 409 and "刚被其他人更新" in stale.content.decode()
    assert Release.objects.get(pk=release.pk).state == "registered"
    done = client.post(url, {"responsible": helper, "version": release.version, "note": "本人报到"})
    assert done.status_code == 302
    release.refresh_from_db()
    assert release.state == "arrived" and release.responsible_id == helper
    page = client.get(reverse("corrections:release-detail", args=[release.pk])).content.decode()
    assert "本人报到" in page and "确认已报到" not in page


def test_a_registration_through_the_page_refuses_a_bad_id_and_keeps_what_was_typed(
    client_as, prison, today
):
    client = client_as("prison_officer")
    data = {
        "prison": prison.pk,
        "name": "周某某",
        "id_number": "110101198001010011",
        "offence": "fraud",
        "sentence_months": 18,
        "release_date": str(today + timedelta(days=14)),
        "address": "多福巷 3 号",
        "grid": "110101001001001",
    }
    refused = client.post(reverse("corrections:release-new"), data)
    assert refused.status_code == 400 and "校验位不正确" in refused.content.decode()
    assert 'value="多福巷 3 号"' in refused.content.decode()
    assert not Release.objects.exists()
    data["id_number"] = id_number(42)
    saved = client.post(reverse("corrections:release-new"), data)
    assert saved.status_code == 302
    assert Release.objects.get().grid.code == "110101001001001"


@pytest.fixture
def file(prison, staff) -> EvidenceFile:
    return services.evidence_file_open(
        prison=prison,
        actor=staff("prison_officer"),
        subject="孙某",
        kind="parole",
        items=[("计分考核材料", "狱政科", True), ("奖惩审批表", "狱政科", True)],
        now=NOW,
    )


def test_an_evidence_file_is_seen_by_its_prison_and_auditors_only(file, client_as):
    url = reverse("corrections:file-detail", args=[file.number])
    for persona, expected in [
        ("prison_officer", 200),
        ("prison_reviewer", 200),
        ("auditor", 200),
        ("prison_officer2", 404),
        ("street_dispatcher", 404),
    ]:
        assert client_as(persona).get(url).status_code == expected, persona
    # the auditor reads but has nothing to act with
    page = client_as("auditor").get(url).content.decode()
    assert "提交初审" not in page and "哈希链校验通过" in page


def test_concluding_with_unreviewed_items_is_refused_on_the_page(file, client_as):
    response = client_as("prison_officer").post(
        reverse("corrections:file-conclude", args=[file.number]),
        {"conclusion": "同意", "version": file.version},
    )
    assert response.status_code == 400
    assert "还有 2 项必审证据未完成审核和复核" in response.content.decode()
    assert EvidenceFile.objects.get(pk=file.pk).state == "open"


def test_reviews_through_the_page_use_one_form_per_item(file, client_as):
    item = file.items.first()
    url = reverse("corrections:item-review", args=[file.number, item.pk])
    prefix = f"item{item.pk}"
    refused = client_as("prison_officer").post(url, {f"{prefix}-authenticity": "pass"})
    assert refused.status_code == 400
    done = client_as("prison_officer").post(
        url,
        {
            f"{prefix}-authenticity": "pass",
            f"{prefix}-completeness": "pass",
            f"{prefix}-relevance": "pass",
        },
    )
    assert done.status_code == 302
    item.refresh_from_db()
    assert item.reviewer.username == "prison_officer"


def test_the_bundle_download_verifies_offline(file, client_as):
    response = client_as("auditor").get(reverse("corrections:file-bundle", args=[file.number]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert selectors.verify_bundle(json.loads(response.content)) == (True, "")


def test_file_list_pins_its_queries_and_flags_a_broken_chain(
    file, prison, staff, client_as, django_assert_max_num_queries
):
    for number in range(5):
        services.evidence_file_open(
            prison=prison,
            actor=staff("prison_officer"),
            subject=f"某{number}",
            kind="commutation",
            items=[("材料", "", True)],
            now=NOW,
        )
    client = client_as("auditor")
    # a fixed 15 (the chains of the page's files are checked in two), however many files
    with django_assert_max_num_queries(15):
        page = client.get(reverse("corrections:file-list"))
    assert page.context["table"].paginator.count == 6 and not page.context["broken"]
    record = file.records.get()
    type(record).objects.filter(pk=record.pk).update(kind="tampered")
    page = client.get(reverse("corrections:file-list"))
    assert [r.file_number for r in page.context["broken"]] == [file.number]
    assert "被篡改" in page.content.decode()


def test_the_analysis_page_draws_each_measure(register, client_as, now):
    last_month = now.replace(day=1) - timedelta(days=1)
    register(release_date=last_month.date(), now=last_month)
    page = client_as("auditor").get(reverse("corrections:analysis"))
    sections = page.context["data"]["sections"]
    assert [s["title"] for s in sections] == [
        "释放人数",
        "未按时报到",
        "重新犯罪",
        "减假暂审结",
        "排除非法证据",
    ]
    first = {line.label: line.values for line in sections[0]["series"]}
    assert first["市第一监狱"][-2] == 1  # last month, of the twelve months to this one
    assert page.content.decode().count("data-echarts=") == 5


# --- API ---------------------------------------------------------------------------------------


def test_the_api_registers_lists_and_confirms_like_the_pages(client_as, staff, today):
    prison_client = client_as("prison_officer")
    body = {
        "prison": "P01",
        "name": "郑某某",
        "id_number": id_number(77),
        "offence": "violent",
        "sentence_months": 36,
        "release_date": str(today - timedelta(days=37)),
        "address": "多福巷 5 号",
        "grid_code": "110101001001001",
    }
    created = prison_client.post(reverse("release-list"), body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["id_number"].startswith("1101") and "*" in created.json()["id_number"]
    again = prison_client.post(reverse("release-list"), body, content_type="application/json")
    assert again.status_code == 400 and "不能重复登记" in again.json()["detail"]
    pk = created.json()["id"]
    street = client_as("street_dispatcher")
    assert [r["id"] for r in street.get(reverse("release-list")).json()["results"]] == [pk]
    assert client_as("dispatcher@110101002").get(reverse("release-list")).json()["count"] == 0
    arrive = reverse("release-arrive", args=[pk])
    outsider = client_as("dispatcher@110101002").post(
        arrive, {"responsible": "grid_worker"}, content_type="application/json"
    )
    assert outsider.status_code == 404
    street = client_as("street_dispatcher")  # one test client: log back in
    done = street.post(arrive, {"responsible": "grid_worker"}, content_type="application/json")
    assert done.status_code == 200, done.content
    assert done.json()["state"] == "arrived", done.content
    # the machine's field is `state` in the JSON and in the list's filter, as in every app
    listed = street.get(reverse("release-list"), {"state": "arrived"}).json()["results"]
    assert [r["id"] for r in listed] == [pk] and "status" not in listed[0]
    assert street.get(reverse("release-list"), {"state": "registered"}).json()["count"] == 0


def test_evidence_files_filter_by_state_on_the_page_and_the_api(file, client_as):
    auditor = client_as("auditor")
    listed = auditor.get(reverse("evidence-file-list"), {"state": "open"}).json()["results"]
    assert [f["number"] for f in listed] == [file.number] and listed[0]["state"] == "open"
    assert auditor.get(reverse("evidence-file-list"), {"state": "concluded"}).json()["count"] == 0
    page = auditor.get(reverse("corrections:file-list"), {"state": "concluded"})
    assert page.status_code == 200 and file.number not in page.content.decode()
    assert file.number in auditor.get(reverse("corrections:file-list")).content.decode()
    assert selectors.bundle(file)["file"]["state"] == "open"


def test_records_cannot_be_changed_through_the_api_and_the_attempt_is_logged(file, client_as):
    url = reverse("evidence-file-change-record", args=[file.number, 1])
    for method in ("put", "patch", "delete"):
        response = getattr(client_as("auditor"), method)(
            url, {"kind": "x"}, content_type="application/json"
        )
        assert response.status_code == 403
        assert "只能追加" in response.json()["detail"]
    assert AuditEvent.objects.filter(action="corrections.record_tamper_attempt").count() == 3
    verify = client_as("auditor").get(reverse("evidence-file-verify", args=[file.number]))
    assert verify.json()["ok"] is True


def test_the_api_runs_the_two_person_review(file, client_as):
    item = file.items.first()
    review = reverse("evidence-file-review", args=[file.number, item.pk])
    verdicts = {"authenticity": "pass", "completeness": "pass", "relevance": "pass"}
    assert (
        client_as("prison_officer")
        .post(review, verdicts, content_type="application/json")
        .status_code
        == 200
    )
    confirm = reverse("evidence-file-confirm", args=[file.number, item.pk])
    self_check = client_as("prison_officer").post(confirm, content_type="application/json")
    assert self_check.status_code == 403
    ok = client_as("prison_reviewer").post(confirm, content_type="application/json")
    assert ok.status_code == 200
    assert ok.json()["items"][0]["second_reviewer"] == "蒋慧敏"
    auditor = client_as("auditor").post(review, verdicts, content_type="application/json")
    assert auditor.status_code == 403


def test_an_employer_is_added_once_and_audited(client_as):
    from pingan.corrections.models import Employer

    data = {"name": "北京多福物业服务有限公司", "grid": "110101001001001", "jobs": "保安、保洁"}
    url = reverse("corrections:employer-list")
    assert client_as("street_dispatcher").post(url, data).status_code == 302
    assert AuditEvent.objects.get(action="corrections.employer_add").actor.username == (
        "street_dispatcher"
    )
    again = client_as("street_dispatcher").post(url, data)
    assert again.status_code == 400 and "该企业已在名单中" in again.content.decode()
    assert Employer.objects.filter(name=data["name"]).count() == 1


def test_an_employer_is_placed_with_the_pickers_within_the_users_scope(client_as):
    """The form offers street → community → grid pickers over the user's scope (not a list of
    all 1,971 grids), and a grid outside the scope is refused with a message."""
    from pingan.corrections.models import Employer

    url = reverse("corrections:employer-list")
    dispatcher = client_as("street_dispatcher")  # 东华门街道
    page = dispatcher.get(url)
    assert page.context["places"]["streets"] == [{"code": "110101001", "name": "东华门街道"}]
    assert 'id="id_community"' in page.content.decode()
    picked = dispatcher.get(reverse("corrections:places"), {"community": "110101001001"})
    assert [grid["code"] for grid in picked.context["places"]["grids"]][:1] == ["110101001001001"]
    found = dispatcher.get(reverse("corrections:places"), {"q": "多福巷"})
    assert found.context["matches"][0].code == "110101001001001"
    elsewhere = dispatcher.get(reverse("corrections:places"), {"q": "景山"})  # 景山街道's grids
    assert elsewhere.context["matches"] == []

    data = {"name": "景山某餐饮有限公司", "grid": OTHER_STREET_GRID, "jobs": "厨师"}
    refused = dispatcher.post(url, data)
    assert refused.status_code == 400
    assert "所选网格不在您的辖区内" in refused.content.decode()
    assert not Employer.objects.filter(name=data["name"]).exists()
    assert client_as("grid_worker").get(reverse("corrections:places")).status_code == 403


def test_the_api_keeps_the_employer_list_with_the_pages_rules(
    client_as, django_assert_max_num_queries
):
    from pingan.corrections.models import Employer

    url = reverse("employer-list")
    data = {"name": "北京多福物业服务有限公司", "grid": "110101001001001", "jobs": "保安、保洁"}
    dispatcher = client_as("street_dispatcher")
    # when the receiving side adds an employer through the API
    response = dispatcher.post(url, data, content_type="application/json")
    # then it is on the list, audited, and the list reads it in a fixed number of queries
    assert response.status_code == 201, response.content
    assert response.json()["street"] == "东华门街道" and response.json()["employed"] == 0
    assert AuditEvent.objects.filter(action="corrections.employer_add").count() == 1
    with django_assert_max_num_queries(8):
        listed = dispatcher.get(url, {"q": "保洁"}).json()
    assert [row["name"] for row in listed["results"]] == [data["name"]]
    # a second time, a grid outside the user's area, or a prison officer: refused, nothing saved
    again = dispatcher.post(url, data, content_type="application/json")
    assert again.status_code == 400 and "该企业已在名单中" in again.json()["detail"]
    elsewhere = {**data, "name": "景山某公司", "grid": OTHER_STREET_GRID}
    outside = dispatcher.post(url, elsewhere, content_type="application/json")
    assert outside.status_code == 400 and "不在您的辖区内" in str(outside.json()["grid"])
    prison = client_as("prison_officer").post(url, elsewhere, content_type="application/json")
    assert prison.status_code == 403
    assert Employer.objects.count() == 1


class TestEmployerApi(PermissionMatrix):
    url_name = "employer-list"
    api = True
    in_scope = "street_dispatcher"
    wrong_role = "prison_officer"


def test_the_record_chain_names_its_entries_in_chinese(file, client_as):
    # given a file just opened: its chain holds one entry, recorded as "opened"
    page = client_as("auditor").get(reverse("corrections:file-detail", args=[file.number]))
    # then the page calls it 立卷, not by its code
    content = page.content.decode()
    assert "</strong> 立卷" in content and "</strong> opened" not in content
