"""Case pages: the permission matrix, the intake form, actions, conflicts, queue, export."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from pingan.cases import services
from pingan.cases.choices import State
from pingan.cases.models import Case, Category
from pingan.core.models import AuditEvent
from pingan.core.testing import PermissionMatrix

from .conftest import VALID_ID

OTHER_STREET_DISPATCHER = "dispatcher@110101002"


@pytest.fixture
def case(register):
    return register()[0]


class TestQueue(PermissionMatrix):
    url_name = "cases:queue"
    in_scope = "street_dispatcher"


class TestIntakePage(PermissionMatrix):
    url_name = "cases:case-new"
    in_scope = "street_clerk"
    wrong_role = "street_mediator"


class TestFunnel(PermissionMatrix):
    url_name = "cases:funnel"
    in_scope = "street_leader"


class _CaseMatrix(PermissionMatrix):
    in_scope = "street_dispatcher"
    out_of_scope = OTHER_STREET_DISPATCHER

    @pytest.fixture(autouse=True)
    def _case(self, case):
        self.case = case

    def url(self) -> str:
        return reverse(self.url_name, args=[self.case.number])


class TestCasePage(_CaseMatrix):
    url_name = "cases:case-detail"


class TestReceipt(_CaseMatrix):
    url_name = "cases:case-receipt"


class TestAcceptAction(_CaseMatrix):
    url_name = "cases:case-act"
    method = "post"
    ok_status = 302

    def url(self) -> str:
        return reverse(self.url_name, args=[self.case.number, "accept"])

    def request(self, client):
        return client.post(self.url(), {"accept-version": 1})


class TestReceiptReissue(_CaseMatrix):
    url_name = "cases:case-receipt-reissue"
    method = "post"
    in_scope = "street_clerk"
    wrong_role = "street_mediator"  # the front desk reissues a citizen's code, no one else
    ok_status = 302


class TestReceiptReissueApi(TestReceiptReissue):
    url_name = "case-receipt-reissue"
    api = True
    ok_status = 200


class TestMergeVisitApi(_CaseMatrix):
    url_name = "case-merge-visit"
    method = "post"
    api = True
    data = {"channel": "phone", "narrative": "当事人来电催问进展"}
    wrong_role = "street_mediator"


class TestAttachmentDownload(_CaseMatrix):
    url_name = "cases:attachment-download"

    @pytest.fixture(autouse=True)
    def _attachment(self, case, staff):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from pingan.cases.models import Attachment

        self.attachment = Attachment.objects.create(
            case=case,
            file=SimpleUploadedFile("协议.pdf", b"%PDF-1.4 agreement"),
            original_name="协议.pdf",
            size=18,
            content_type="application/pdf",
            uploaded_by=staff("street_clerk"),
        )

    def url(self) -> str:
        return reverse(self.url_name, args=[self.case.number, self.attachment.pk])


class TestExport(PermissionMatrix):
    url_name = "cases:export"
    in_scope = "street_dispatcher"  # scoped rather than refused: each sees their own cases


class TestPlaces(PermissionMatrix):
    url_name = "cases:places"
    in_scope = "street_clerk"  # the place pickers list only the grids in the user's scope


class TestSuggest(PermissionMatrix):
    url_name = "cases:suggest"
    method = "post"
    data = {"narrative": "楼上漏水渗到楼下厨房"}
    in_scope = "street_clerk"
    wrong_role = "street_mediator"


def test_wrong_role_action_is_refused_in_chinese(client_as, case):
    response = client_as("street_mediator").post(
        reverse("cases:case-act", args=[case.number, "accept"]), {"accept-version": 1}
    )
    assert response.status_code == 403
    assert "您的角色不能执行此操作" in response.content.decode()
    assert Case.objects.get(pk=case.pk).state == "registered"


@pytest.mark.django_db
def test_intake_form_registers_and_shows_the_receipt(client_as, grid):
    client = client_as("street_clerk")
    stale_session = dict(client.session.items())
    response = client.post(
        reverse("cases:case-new"),
        {
            "channel": "walk_in",
            "category": "2",
            "complexity": "general",
            "urgency": "normal",
            "title": "物业停车纠纷",
            "narrative": "小区物业擅自提高停车费，业主多次反映无果，请求协调。",
            "grid": grid.code,
            "address": "多福巷12号",
            "party-TOTAL_FORMS": "1",
            "party-INITIAL_FORMS": "0",
            "party-MIN_NUM_FORMS": "1",
            "party-MAX_NUM_FORMS": "20",
            "party-0-role": "applicant",
            "party-0-name": "张某",
            "party-0-id_number": VALID_ID.lower(),
            "party-0-phone": "138 1234 5678",
        },
    )
    case = Case.objects.get(title="物业停车纠纷")
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case-receipt", args=[case.number])
    # an htmx request that was in flight during the POST saves the session as it was before
    session = client.session
    session.clear()
    session.update(stale_session)
    session.save()
    receipt = client.get(response["Location"]).content.decode()
    assert case.number in receipt and "<svg" in receipt
    code = next(part for part in receipt.split('data-testid="receipt-code">')[1:2])[:6]
    assert code.isdigit()
    # the code is shown once
    again = client.get(response["Location"]).content.decode()
    assert "查询码仅在登记后首次打印时显示" in again
    # the code is shown once; a reload does not show it again
    assert (
        'data-testid="receipt-code">' + code
        not in client.get(response["Location"]).content.decode()
    )


@pytest.mark.django_db
def test_intake_errors_are_listed_and_nothing_is_saved(client_as, grid):
    before = Case.objects.count()
    response = client_as("street_clerk").post(
        reverse("cases:case-new"),
        {
            "channel": "walk_in",
            "category": "2",
            "complexity": "general",
            "urgency": "normal",
            "title": "x",
            "narrative": "太短",
            "grid": grid.code,
            "party-TOTAL_FORMS": "1",
            "party-INITIAL_FORMS": "0",
            "party-MIN_NUM_FORMS": "1",
            "party-MAX_NUM_FORMS": "20",
            "party-0-role": "applicant",
            "party-0-name": "张某",
            "party-0-id_number": "110105194912310021",
        },
    )
    content = response.content.decode()
    assert response.status_code == 400
    assert 'id="error-summary"' in content
    assert "身份证号校验位不正确" in content
    assert Case.objects.count() == before


@pytest.mark.django_db
def test_intake_refuses_a_grid_outside_scope(client_as):
    response = client_as("street_clerk").post(
        reverse("cases:case-new"), {"grid": "110101002001001", "title": "x"}
    )
    assert response.status_code == 400
    assert "请选择您工作范围内的网格" in response.content.decode()


@pytest.mark.django_db
def test_oversize_and_wrong_type_attachments_are_refused(client_as, grid):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("virus.exe", b"MZ...", content_type="application/octet-stream")
    response = client_as("street_clerk").post(
        reverse("cases:case-new"),
        {
            "grid": grid.code,
            "attachments": [bad],
            "party-TOTAL_FORMS": "0",
            "party-INITIAL_FORMS": "0",
        },
    )
    assert "类型不支持" in response.content.decode()


@pytest.mark.django_db
def test_htmx_action_rerenders_the_case_body(client_as, case):
    response = client_as("street_dispatcher").post(
        reverse("cases:case-act", args=[case.number, "accept"]),
        {"accept-version": 1},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "已受理" in content and 'data-testid="timeline"' in content
    assert "剩余 7 个工作日" in content or "剩余" in content


@pytest.mark.django_db
def test_stale_page_gets_a_conflict_and_changes_nothing(client_as, case, staff):
    from pingan.cases import services

    # someone else accepted it after our page was loaded at version 1
    services.case_accept(case=case, actor=staff("street_leader"))
    response = client_as("street_clerk").post(
        reverse("cases:case-act", args=[case.number, "reject"]),
        {"reject-version": 1, "reject-reason": "重复登记"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    assert "刚被其他人更新" in response.content.decode()
    assert Case.objects.get(pk=case.pk).state == "accepted"


@pytest.mark.django_db
def test_queue_filters_and_pins_queries(client_as, register, django_assert_num_queries):
    cases = [register()[0] for _ in range(3)]
    client = client_as("street_dispatcher")
    with django_assert_num_queries(11):
        client.get(reverse("cases:queue"), {"tab": "area", "q": cases[0].number})
    with django_assert_num_queries(11):
        response = client.get(reverse("cases:queue"), {"tab": "area"})
    assert response.context["table"].page.paginator.count == 3
    response = client.get(reverse("cases:queue"), {"tab": "area", "state": "accepted"})
    assert response.context["table"].page.paginator.count == 0


@pytest.mark.django_db
def test_the_area_tab_opens_on_open_cases_and_keeps_the_history_one_choice_away(
    client_as, register
):
    # given two open cases in the street and one already rejected
    open_cases = [register()[0] for _ in range(2)]
    closed = register()[0]
    Case.objects.filter(pk=closed.pk).update(state=State.REJECTED)
    client = client_as("street_dispatcher")
    # when the dispatcher opens the area tab, it shows what is open, and says so in the form
    response = client.get(reverse("cases:queue"), {"tab": "area"})
    shown = {row.record.number for row in response.context["table"].page.object_list}
    assert shown == {case.number for case in open_cases}
    assert response.context["filter"].form["state"].value() == "open"
    assert "state=open" in response.context["query"]
    # and choosing 全部 (an empty state) shows the history too
    response = client.get(reverse("cases:queue"), {"tab": "area", "state": ""})
    shown = {row.record.number for row in response.context["table"].page.object_list}
    assert closed.number in shown and len(shown) == 3
    assert '<option value="">全部</option>' in response.content.decode()
    # and so does a link that filters, and the other tabs
    response = client.get(reverse("cases:queue"), {"tab": "area", "category": "neighbourhood"})
    assert len(response.context["table"].page.object_list) == 3
    response = client.get(reverse("cases:queue"), {"tab": "mine"})
    assert response.context["filter"].form["state"].value() is None


@pytest.mark.django_db
def test_queue_is_scoped(client_as, register):
    register()
    response = client_as(OTHER_STREET_DISPATCHER).get(reverse("cases:queue"), {"tab": "area"})
    assert response.context["table"].page.paginator.count == 0


@pytest.mark.django_db
def test_export_masks_and_is_logged(client_as, case):
    response = client_as("street_dispatcher").get(reverse("cases:export"), {"tab": "area"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "事项编号" and rows[1][0] == case.number
    assert rows[1][13] == "110105********002X" and rows[1][14] == "138****5678"
    event = AuditEvent.objects.get(action="cases.export")
    assert event.data["rows"] == 1 and event.data["unmasked"] is False


@pytest.mark.django_db
def test_an_export_over_the_limit_returns_to_the_queue_and_says_why(client_as, case, monkeypatch):
    # given an export limit below the street's cases
    monkeypatch.setattr("pingan.cases.export.MAX_ROWS", 0)
    # when the dispatcher exports the filtered queue
    query = {"tab": "area", "q": ""}
    response = client_as("street_dispatcher").get(reverse("cases:export"), query, follow=True)
    # then they are back on the same queue, told why, and nothing was exported
    assert response.redirect_chain[0][0] == f"{reverse('cases:queue')}?tab=area&q="
    assert "超过单次导出上限 0 条" in response.content.decode()
    assert not AuditEvent.objects.filter(action="cases.export").exists()


def test_leader_export_is_unmasked(client_as, case):
    response = client_as("street_leader").get(reverse("cases:export"), {"tab": "area"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[1][13] == VALID_ID


@pytest.mark.django_db
def test_the_export_writes_a_hostile_title_and_name_as_text(client_as, register):
    # given a case whose title and applicant's name would be formulas in a spreadsheet
    from pingan.cases.services import PartyInput

    title = '=HYPERLINK("http://example.invalid","点我")'
    register(title=title, parties=[PartyInput("applicant", "@SUM(1)", VALID_ID, "13812345678")])
    # when a leader exports the queue (unmasked)
    response = client_as("street_leader").get(reverse("cases:export"), {"tab": "area"})
    row = next(load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2))
    # then both are text, exactly as typed
    assert (row[1].value, row[1].data_type) == (title, "s")
    assert (row[12].value, row[12].data_type) == ("@SUM(1)", "s")


@pytest.mark.django_db
def test_funnel_counts_where_cases_concluded(client_as, register, staff):
    from pingan.cases import services

    case, _ = register()
    dispatcher = staff("street_dispatcher")
    services.case_accept(case=case, actor=dispatcher)
    services.case_assign_down(case=case, actor=dispatcher, level="community", reason="就地化解")
    services.case_assign(case=case, actor=dispatcher)
    services.case_start_mediation(case=case, actor=dispatcher)
    services.case_conclude(case=case, actor=dispatcher, outcome="agreement", summary="调解成功")
    stats = client_as("street_leader").get(reverse("cases:funnel")).context["stats"]
    assert stats["total"] == 1 and stats["community_share"] == 1.0


@pytest.mark.django_db
def test_suggest_panel_offers_units_with_reasons(client_as, grid):
    response = client_as("street_clerk").post(
        reverse("cases:suggest"),
        {"narrative": "楼上邻居家漏水，渗到我家厨房，协商不成", "grid": grid.code},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="suggestions"' in content
    assert "漏水" in content  # the reason names the words that weighed


@pytest.mark.django_db
def test_a_pre_selected_category_does_not_weigh_on_the_next_suggestion(client_as, grid):
    # given a wage-arrears narrative, and the neighbour-dispute category in the form
    neighbourhood = Category.objects.get(code="neighbourhood")
    form = {"narrative": "某餐馆拖欠三名服务员两个月工资，请求协调", "grid": grid.code}
    client = client_as("street_clerk")
    # when the clerk chose it, it is the clerk's category and the panel says so
    chosen = client.post(reverse("cases:suggest"), {**form, "category": neighbourhood.pk})
    assert "登记类别" in chosen.content.decode()
    # when the page pre-selected it from an earlier suggestion, it is not taken as a choice
    auto = client.post(
        reverse("cases:suggest"), {**form, "category": neighbourhood.pk, "category_auto": "1"}
    ).content.decode()
    assert "登记类别" not in auto
    assert 'data-suggested-category="' in auto


@pytest.mark.django_db
def test_suggest_panel_warns_of_repeats_and_merge_adds_a_visit(client_as, register, grid):
    earlier, _ = register()
    client = client_as("street_clerk")
    response = client.post(
        reverse("cases:suggest"),
        {"narrative": "再次反映", "grid": grid.code, "party-0-id_number": VALID_ID},
    )
    assert earlier.number in response.content.decode()
    before = Case.objects.count()
    response = client.post(
        reverse("cases:case-new"),
        {
            "merge_into": earlier.number,
            "channel": "phone",
            "narrative": "当事人来电催问漏水处理进展",
        },
    )
    assert response.status_code == 302
    assert Case.objects.count() == before
    assert earlier.events.last().kind == "merge"


@pytest.mark.django_db
def test_a_closed_case_is_linked_but_never_offered_for_merging(
    client_as, register, grid, staff, now
):
    # given an earlier case of the same party, registered today and declined (a closed state)
    earlier, _ = register(now=now)
    services.case_reject(case=earlier, actor=staff("street_clerk"), reason="不属于受理范围")
    client = client_as("street_clerk")
    # when the clerk types the party's ID number again
    panel = client.post(
        reverse("cases:suggest"),
        {"narrative": "再次反映", "grid": grid.code, "party-0-id_number": VALID_ID},
    ).content.decode()
    # then the warning links to it but offers no merge
    assert earlier.number in panel and "已结束，不能合并" in panel
    assert f'name="merge_into" value="{earlier.number}"' not in panel
    # and a merge forced by hand is refused, and changes nothing
    version = Case.objects.get(pk=earlier.pk).version
    response = client.post(
        reverse("cases:case-new"),
        {"merge_into": earlier.number, "channel": "phone", "narrative": "当事人来电催问进展"},
    )
    assert response.status_code == 400
    assert "不能合并" in response.content.decode()
    assert Case.objects.get(pk=earlier.pk).version == version


@pytest.mark.django_db
def test_suggest_is_for_registering_roles_only(client_as, grid):
    response = client_as("street_mediator").post(reverse("cases:suggest"), {"grid": grid.code})
    assert response.status_code == 403


@pytest.mark.django_db
def test_administrator_is_told_to_enter_next_years_calendar(client_as, register, staff, settings):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from pingan.cases import services

    # given a case accepted late in December, whose deadline runs into 2027 (not entered)
    case, _ = register(now=datetime(2026, 12, 28, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
    services.case_accept(
        case=case,
        actor=staff("street_dispatcher"),
        now=datetime(2026, 12, 28, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")),
    )
    assert Case.objects.get(pk=case.pk).due_provisional
    # then the administrator's home page says which year is missing and how many deadlines wait
    content = client_as("admin").get("/").content.decode()
    assert 'data-testid="calendar-warning"' in content and "1 件在办事项" in content
    # and the case page marks the deadline as provisional
    page = client_as("street_dispatcher").get(reverse("cases:case-detail", args=[case.number]))
    assert "期限待核定" in page.content.decode()
    # other roles are not bothered with it
    assert (
        'data-testid="calendar-warning"'
        not in client_as("street_dispatcher").get("/").content.decode()
    )


@pytest.mark.django_db
def test_funnel_per_area_and_out_of_scope_area(
    client_as, register, staff, django_assert_max_num_queries
):
    from pingan.cases import services

    case, _ = register()
    dispatcher = staff("street_dispatcher")
    services.case_accept(case=case, actor=dispatcher)
    services.case_assign(case=case, actor=dispatcher)
    services.case_start_mediation(case=case, actor=dispatcher)
    services.case_conclude(case=case, actor=dispatcher, outcome="agreement", summary="调解成功")
    client = client_as("district_leader")
    # one aggregate for all 17 streets, not a query per street (and one per function area)
    with django_assert_max_num_queries(17):
        response = client.get(reverse("cases:funnel"))
    rows = {row["name"]: row for row in response.context["by_area"]}
    assert len(rows) == 17
    assert rows["东华门街道"]["total"] == 1 and rows["东华门街道"]["street_share"] == 1.0
    assert rows["景山街道"]["total"] == 0
    # a street sees its communities; another street's area is not found
    assert (
        client_as("street_leader").get(reverse("cases:funnel"), {"area": "110101002"}).status_code
        == 404
    )


@pytest.mark.django_db
def test_attachment_is_uploaded_and_downloaded_within_scope(client_as, grid):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_as("street_clerk")
    scan = SimpleUploadedFile("协议.pdf", b"%PDF-1.4 agreement", content_type="application/pdf")
    client.post(
        reverse("cases:case-new"),
        {
            "channel": "walk_in",
            "category": "2",
            "complexity": "general",
            "urgency": "normal",
            "title": "物业纠纷附件",
            "narrative": "物业公司未按合同维修电梯，业主提交维修协议扫描件。",
            "grid": grid.code,
            "attachments": [scan],
            "party-TOTAL_FORMS": "1",
            "party-INITIAL_FORMS": "0",
            "party-MIN_NUM_FORMS": "1",
            "party-MAX_NUM_FORMS": "20",
            "party-0-role": "applicant",
            "party-0-name": "张某",
        },
    )
    case = Case.objects.get(title="物业纠纷附件")
    attachment = case.attachments.get()
    # the upload is part of the registration, and its timeline event names it
    assert case.events.get(kind="register").data["attachments"] == ["协议.pdf"]
    url = reverse("cases:attachment-download", args=[case.number, attachment.pk])
    response = client_as("street_dispatcher").get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 agreement"
    assert client_as(OTHER_STREET_DISPATCHER).get(url).status_code == 404
    assert (
        client_as("street_dispatcher")
        .get(reverse("cases:attachment-download", args=[case.number, "x"]))
        .status_code
        == 404
    )


def test_attachments_are_typed_by_their_content():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from pingan.cases.forms import MultipleFileField

    field = MultipleFileField()
    # an HTML page renamed .jpg is refused, whatever the browser says it is
    page = SimpleUploadedFile("照片.jpg", b"<html><script>x</script></html>", "image/jpeg")
    with pytest.raises(ValidationError, match="内容与文件类型不符"):
        field.clean([page])
    # a real PDF is kept with the type its content shows, not the browser's word
    scan = SimpleUploadedFile("协议.pdf", b"%PDF-1.4 agreement", content_type="text/html")
    (kept,) = field.clean([scan])
    assert kept.content_type == "application/pdf"


# --- function areas (功能区, M3.1) ----------------------------------------------------------


def _intake(grid, **fields):
    return {
        "channel": "walk_in",
        "category": str(Category.objects.get(code="marriage_family").pk),
        "complexity": "general",
        "urgency": "normal",
        "title": "夫妻争吵",
        "narrative": "夫妻长期争吵，妻子情绪低落、失眠，请求调解并心理疏导。",
        "grid": grid.code,
        "party-TOTAL_FORMS": "1",
        "party-INITIAL_FORMS": "0",
        "party-MIN_NUM_FORMS": "1",
        "party-MAX_NUM_FORMS": "20",
        "party-0-role": "applicant",
        "party-0-name": "张某",
        **fields,
    }


@pytest.mark.django_db
def test_the_panel_suggests_an_area_and_the_case_keeps_the_suggested_and_the_chosen_one(
    client_as, grid
):
    client = client_as("street_clerk")
    # given the panel suggests 心理服务 for a narrative in distress
    panel = client.post(
        reverse("cases:suggest"), {"narrative": _intake(grid)["narrative"], "grid": grid.code}
    ).content.decode()
    assert 'data-testid="suggested-area"' in panel and "心理服务" in panel
    assert 'name="suggested_area" value="psychological"' in panel
    # when the clerk leaves the area to the suggestion, the case is served there
    client.post(reverse("cases:case-new"), _intake(grid, suggested_area="psychological"))
    followed = Case.objects.get(title="夫妻争吵")
    assert (followed.suggested_area, followed.function_area) == ("psychological", "psychological")
    # when the clerk picks another area, both are kept, and the page shows both
    client.post(
        reverse("cases:case-new"),
        _intake(
            grid, title="夫妻争吵二", suggested_area="psychological", function_area="mediation"
        ),
    )
    chosen = Case.objects.get(title="夫妻争吵二")
    assert (chosen.suggested_area, chosen.function_area) == ("psychological", "mediation")
    page = client.get(reverse("cases:case-detail", args=[chosen.number])).content.decode()
    assert "调解工作" in page and "推荐：心理服务" in page
    # without any suggestion, the category's area is taken
    client.post(reverse("cases:case-new"), _intake(grid, title="夫妻争吵三"))
    assert Case.objects.get(title="夫妻争吵三").function_area == "mediation"


@pytest.mark.django_db
def test_an_unknown_area_is_refused_in_words_and_nothing_is_written(client_as, grid):
    before = Case.objects.count()
    client = client_as("street_clerk")
    # a forged suggestion reaches the service, which refuses it
    forged = client.post(reverse("cases:case-new"), _intake(grid, suggested_area="spa"))
    assert forged.status_code == 400 and "功能区无法识别" in forged.content.decode()
    # a choice outside the list is the form's error
    chosen = client.post(reverse("cases:case-new"), _intake(grid, function_area="spa"))
    assert chosen.status_code == 400 and "function_area" in chosen.context["form"].errors
    assert Case.objects.count() == before


@pytest.mark.django_db
def test_the_queue_and_the_funnel_filter_by_function_area(client_as, register, staff):
    # given a concluded matter served in 心理服务 and one in 调解工作
    dispatcher = staff("street_dispatcher")
    for area in ("psychological", "mediation"):
        case, _ = register(function_area=area)
        services.case_accept(case=case, actor=dispatcher)
        services.case_assign(case=case, actor=dispatcher)
        services.case_start_mediation(case=case, actor=dispatcher)
        services.case_conclude(case=case, actor=dispatcher, outcome="agreement", summary="调解成功")
    client = client_as("street_leader")
    # then the queue lists one per area
    queue = client.get(reverse("cases:queue"), {"tab": "area", "function_area": "psychological"})
    assert queue.context["table"].page.paginator.count == 1
    # and the funnel counts per area, and counts only the chosen area when asked
    stats = client.get(reverse("cases:funnel")).context["stats"]
    assert stats["total"] == 2
    assert {kind: n for kind, _label, n in stats["per_function_area"]} == {
        "mediation": 1,
        "psychological": 1,
    }
    only = client.get(reverse("cases:funnel"), {"function_area": "psychological"})
    assert only.context["stats"]["total"] == 1
    assert 'value="psychological" selected' in only.content.decode()
    # an unknown area is ignored, not an error
    assert (
        client.get(reverse("cases:funnel"), {"function_area": "x"}).context["stats"]["total"] == 2
    )


@pytest.mark.django_db
def test_the_funnel_keeps_its_figures_five_minutes_per_scope_and_says_as_of_when(
    client_as, register, staff, django_assert_max_num_queries
):
    import time_machine
    from django.utils import timezone

    def conclude(title):
        case, _ = register(title=title)
        dispatcher = staff("street_dispatcher")
        services.case_accept(case=case, actor=dispatcher)
        services.case_assign(case=case, actor=dispatcher)
        services.case_start_mediation(case=case, actor=dispatcher)
        services.case_conclude(case=case, actor=dispatcher, outcome="agreement", summary="调解成功")

    conclude("第一件")
    leader = client_as("street_leader")
    first = leader.get(reverse("cases:funnel"))
    assert first.context["stats"]["total"] == 1
    assert "数据截至" in first.content.decode()
    # when another case concludes, the figures a minute later are the kept ones, read without
    # touching the cases (fewer queries than the first time)
    conclude("第二件")
    with django_assert_max_num_queries(12):
        again = leader.get(reverse("cases:funnel"))
    assert again.context["stats"]["total"] == 1
    # five minutes on, the street's figures include the new case
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert leader.get(reverse("cases:funnel")).context["stats"]["total"] == 2
    # and another scope asking the same question gets its own figures (client_as logs the one
    # test client in as that person)
    other = client_as("leader@110101002").get(reverse("cases:funnel"))
    assert other.context["stats"]["total"] == 0


@pytest.mark.django_db
def test_the_home_tiles_are_kept_a_minute_per_scope_and_say_as_of_when(client_as, register):
    import time_machine
    from django.utils import timezone

    register()
    client = client_as("street_dispatcher")
    first = client.get(reverse("home"))
    assert first.context["cases"]["registered"] == 1
    assert 'data-testid="tiles-as-of"' in first.content.decode()
    # a case registered meanwhile shows a minute later, not at once
    register(title="又一件")
    assert client.get(reverse("home")).context["cases"]["registered"] == 1
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        assert client.get(reverse("home")).context["cases"]["registered"] == 2


@pytest.mark.django_db
def test_the_approvals_queue_and_escalations_are_scoped(client_as, register, staff):
    # an extension pending on a 东华门 case is on the street's leaders' list, not on another
    # street's (the queue filters on the case's scope through a join now)
    case, _ = register()
    dispatcher = staff("street_dispatcher")
    services.case_accept(case=case, actor=dispatcher)
    services.case_assign(case=case, actor=dispatcher)
    services.extension_request(case=case, actor=dispatcher, days=5, reason="等待鉴定")
    own = client_as("street_leader").get(reverse("cases:approvals"))
    assert case.number in own.content.decode()
    other = client_as("leader@110101002").get(reverse("cases:approvals"))
    assert case.number not in other.content.decode()


def test_an_action_is_confirmed_once_and_not_again_on_the_next_page(client_as, case):
    # given the dispatcher accepts a case from its page (no htmx: a redirect to the page)
    client = client_as("street_dispatcher")
    response = client.post(
        reverse("cases:case-act", args=[case.number, "accept"]),
        {"accept-version": 1},
        follow=True,
    )
    # then the confirmation shows once, not in the page and again in the case body
    assert response.content.decode().count(f"已受理：{case.number}") == 1
    # and the next page does not repeat it
    again = client.get(reverse("cases:case-detail", args=[case.number])).content.decode()
    assert f"已受理：{case.number}" not in again


def test_a_conclusion_without_a_legal_route_marks_that_field(client_as, register, staff):
    # given a case in mediation
    case, _ = register()
    dispatcher = staff("street_dispatcher")
    services.case_accept(case=case, actor=dispatcher)
    services.case_assign(case=case, actor=dispatcher)
    services.case_start_mediation(case=case, actor=dispatcher)
    case.refresh_from_db()
    # when it is concluded without agreement and without a legal route
    response = client_as("street_dispatcher").post(
        reverse("cases:case-act", args=[case.number, "conclude"]),
        {
            "conclude-version": case.version,
            "conclude-outcome": "no_agreement",
            "conclude-reason": "双方分歧较大",
        },
        HTTP_HX_REQUEST="true",
    )
    # then nothing changes, and the legal-route select itself is marked with the reason
    assert response.status_code == 400
    action = next(a for a in response.context["actions"] if a["name"] == "conclude")
    assert "法律途径" in action["form"].errors["legal_route"][0]
    assert 'aria-invalid="true"' in response.content.decode()
    case.refresh_from_db()
    assert case.state == "mediating"


def test_the_handler_list_names_each_persons_role(client_as, case, staff):
    # given an accepted case of the street centre
    services.case_accept(case=case, actor=staff("street_dispatcher"))
    page = client_as("street_dispatcher").get(reverse("cases:case-detail", args=[case.number]))
    # then the assign form offers the mediator with her role, not a bare name
    assert "刘桂英（调解员）" in page.content.decode()


@pytest.mark.django_db
def test_a_long_export_runs_as_a_job_whose_page_offers_the_file(
    client_as, register, monkeypatch, run_jobs
):
    # given more cases than are written while the clerk waits
    monkeypatch.setattr("pingan.cases.export.IMMEDIATE_ROWS", 1)
    first, _ = register()
    register()
    client = client_as("street_dispatcher")
    # then the queue's export button says how many rows it will write
    queue = client.get(reverse("cases:queue"), {"tab": "area"}).content.decode()
    assert "导出 Excel（2 条）" in queue
    # when the dispatcher exports, the file is written by a worker
    with run_jobs():
        response = client.get(reverse("cases:export"), {"tab": "area"})
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    # and the job's page offers it, with both cases, masked, and the export on the trail
    page = client.get(response["Location"]).content.decode()
    assert "事项清单已生成" in page and 'data-testid="job-output"' in page
    job_id = int(response["Location"].rstrip("/").split("/")[-1])
    download = client.get(reverse("jobs:output", args=[job_id]))
    rows = list(load_workbook(io.BytesIO(b"".join(download.streaming_content))).active.values)
    assert len(rows) == 3 and first.number in {row[0] for row in rows}
    assert AuditEvent.objects.get(action="cases.export").data["rows"] == 2
    # nobody else may download it
    other = client_as("street_leader").get(reverse("jobs:output", args=[job_id]))
    assert other.status_code == 404


@pytest.mark.django_db
def test_a_registration_whose_attachment_does_not_fit_on_disk_writes_nothing(
    client_as, grid, full_disk
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    # given a clerk registering two documents, the second larger than the disk has left
    small = SimpleUploadedFile("协议.pdf", b"%PDF-1.4 small", content_type="application/pdf")
    big = SimpleUploadedFile(
        "照片.pdf", b"%PDF-1.4 " + b"x" * 200_000, content_type="application/pdf"
    )
    cases = Case.objects.count()
    response = client_as("street_clerk").post(
        reverse("cases:case-new"), _intake(grid, title="磁盘已满时登记", attachments=[small, big])
    )
    # then the clerk reads why, and neither the case nor the first document was kept
    assert response.status_code == 400
    assert "服务器存储空间已满" in response.content.decode()
    assert Case.objects.count() == cases
    assert [path for path in full_disk.rglob("*") if path.is_file()] == []
