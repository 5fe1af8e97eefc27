"""The inbox (站内通知, X5): who may open it, reading notices, the unread badge."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from pingan.core import notify
from pingan.core.models import Notice
from pingan.core.testing import PermissionMatrix
from pingan.orgs.models import Staff

pytestmark = pytest.mark.django_db


def notices_for(username: str, count: int = 1, **fields) -> list[Notice]:
    recipient = Staff.objects.get(username=username)
    start = timezone.now() - timedelta(hours=count)
    return notify.send(
        [
            Notice(
                recipient=recipient,
                kind=fields.get("kind", "supervision"),
                title=fields.get("title", f"督办：DC2026-{number:06d} 已超期 1 天"),
                body=fields.get("body", "事项“楼上漏水纠纷”由东华门街道综治中心承办。"),
                url=fields.get("url", f"/cases/DC2026-{number:06d}/"),
                created_at=start + timedelta(hours=number),
            )
            for number in range(1, count + 1)
        ]
    )


def badge(content: str) -> str | None:
    found = re.search(r'data-testid="unread-count">(\d+\+?)<', content)
    return found.group(1) if found else None


class TestInbox(PermissionMatrix):
    """Everyone signed in has an inbox; it only ever shows their own notices."""

    url_name = "inbox:list"
    in_scope = "grid_worker"


class TestMarkRead(PermissionMatrix):
    url_name = "inbox:read"
    method = "post"
    in_scope = "street_leader"
    out_of_scope = "district_leader"  # someone else's notice
    ok_status = 302

    def url(self) -> str:
        notice = Notice.objects.filter(recipient__username="street_leader").first()
        notice = notice or notices_for("street_leader")[0]
        return reverse(self.url_name, args=[notice.pk])


class TestMarkAllRead(PermissionMatrix):
    url_name = "inbox:read-all"
    method = "post"
    in_scope = "evaluator"
    ok_status = 302


# The inbox API: one's own notices; another person's notice is a 404.


class TestNoticeListApi(PermissionMatrix):
    url_name = "notice-list"
    api = True
    in_scope = "grid_worker"  # everyone signed in, their own notices only


class TestNoticeReadAllApi(PermissionMatrix):
    url_name = "notice-read-all"
    api = True
    method = "post"
    in_scope = "evaluator"


class TestNoticeDetailApi(PermissionMatrix):
    url_name = "notice-detail"
    api = True
    in_scope = "street_leader"
    out_of_scope = "district_leader"  # someone else's notice

    @pytest.fixture(autouse=True)
    def _notice(self):
        self.url_args = (notices_for("street_leader")[0].pk,)


class TestNoticeReadApi(TestNoticeDetailApi):
    url_name = "notice-read"
    method = "post"


def test_the_inbox_lists_only_my_notices_newest_first_unread_bold(client_as):
    # given two notices for the street leader, one already read, and one for someone else
    older, newer = notices_for("street_leader", 2)
    notify.notice_mark_read(notice=older, now=timezone.now())
    notices_for("district_leader", title="别人的通知")
    # when the street leader opens the inbox
    response = client_as("street_leader").get(reverse("inbox:list"))
    # then they see their own, newest first, the unread one marked
    page = response.context["page"]
    assert [n.pk for n in page.object_list] == [newer.pk, older.pk]
    content = response.content.decode()
    assert "别人的通知" not in content
    assert content.count("data-unread") == 1
    assert content.count("fw-bold") == 1


def test_the_inbox_pages_by_30(client_as):
    notices_for("street_leader", 31)
    client = client_as("street_leader")
    first = client.get(reverse("inbox:list")).context["page"]
    second = client.get(reverse("inbox:list"), {"page": 2}).context["page"]
    assert (len(first.object_list), len(second.object_list), first.paginator.count) == (30, 1, 31)
    assert first.object_list[0].title.endswith("DC2026-000031 已超期 1 天")


def test_an_empty_inbox_says_what_will_appear(client_as):
    content = client_as("grid_worker").get(reverse("inbox:list")).content.decode()
    assert "暂无通知。督办、交办等消息会显示在这里。" in content
    assert badge(content) is None


def test_reading_a_notice_marks_it_read_and_opens_its_page(client_as):
    (notice,) = notices_for("street_leader")
    response = client_as("street_leader").post(reverse("inbox:read", args=[notice.pk]))
    assert response.status_code == 302 and response["Location"] == notice.url
    notice.refresh_from_db()
    assert notice.read_at is not None
    # reading again keeps the first reading time
    first_read = notice.read_at
    client_as("street_leader").post(reverse("inbox:read", args=[notice.pk]))
    notice.refresh_from_db()
    assert notice.read_at == first_read


def test_someone_elses_notice_is_not_found_and_stays_unread(client_as):
    (notice,) = notices_for("street_leader")
    response = client_as("street_dispatcher").post(reverse("inbox:read", args=[notice.pk]))
    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_reading_needs_a_post(client_as):
    (notice,) = notices_for("street_leader")
    response = client_as("street_leader").get(reverse("inbox:read", args=[notice.pk]))
    assert response.status_code == 405


def test_a_notice_never_redirects_off_site(client_as):
    (notice,) = notices_for("street_leader", url="https://evil.example/phish")
    response = client_as("street_leader").post(reverse("inbox:read", args=[notice.pk]))
    assert response["Location"] == reverse("inbox:list")


def test_the_top_bar_shows_the_unread_count(client_as):
    # given three unread notices
    notices = notices_for("street_leader", 3)
    client = client_as("street_leader")
    assert badge(client.get("/").content.decode()) == "3"
    # when one is read, the badge counts two
    client.post(reverse("inbox:read", args=[notices[0].pk]))
    assert badge(client.get("/").content.decode()) == "2"
    # and someone else's notices never count
    assert badge(client_as("district_leader").get("/").content.decode()) is None


def test_read_all_clears_the_badge(client_as):
    notices_for("street_leader", 3)
    notices_for("district_leader", 2)
    client = client_as("street_leader")
    response = client.post(reverse("inbox:read-all"), follow=True)
    content = response.content.decode()
    assert "已将 3 条通知标为已读" in content
    assert badge(content) is None
    assert "data-unread" not in content
    # only the street leader's own notices were marked
    assert Notice.objects.filter(read_at__isnull=True).count() == 2


def test_the_inbox_page_costs_the_same_queries_for_1_or_30_notices(
    client_as, django_assert_num_queries
):
    client = client_as("street_leader")
    notices_for("street_leader", 1)
    # session, user, the page (count and rows), the nav's roles and unread count, the top bar's
    # unit
    with django_assert_num_queries(7):
        client.get(reverse("inbox:list"))
    notices_for("street_leader", 29)
    with django_assert_num_queries(7):
        response = client.get(reverse("inbox:list"))
    assert len(response.context["page"].object_list) == 30


# --- the inbox through the API ----------------------------------------------------------------


def test_the_api_lists_my_notices_newest_first_and_filters_unread(
    client_as, django_assert_max_num_queries
):
    mine = notices_for("street_mediator", count=30)
    notices_for("street_clerk", count=2, title="别人的通知")
    notify.notice_mark_read(notice=mine[0], now=timezone.now())
    client = client_as("street_mediator")
    # session, user, count, page and the session's idle-timeout save: however many notices
    with django_assert_max_num_queries(7):
        listed = client.get("/api/notices/").json()
    assert listed["count"] == 30
    assert listed["results"][0]["id"] == mine[-1].pk  # newest first
    assert "别人的通知" not in str(listed)
    unread = client.get("/api/notices/", {"unread": "true"}).json()
    assert unread["count"] == 29 and all(not n["read"] for n in unread["results"])


def test_the_api_marks_one_or_all_read_and_never_anothers(client_as, staff):
    (mine,) = notices_for("street_mediator")
    (theirs,) = notices_for("street_clerk")
    client = client_as("street_mediator")
    read = client.post(f"/api/notices/{mine.pk}/read/")
    assert read.status_code == 200 and read.json()["read"] is True
    # someone else's notice is not found, and stays unread
    assert client.post(f"/api/notices/{theirs.pk}/read/").status_code == 404
    assert client.get(f"/api/notices/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    notices_for("street_mediator", count=3)
    assert client.post("/api/notices/read-all/").json() == {"marked": 3}
    assert notify.unread_count(staff("street_mediator")) == 0
    assert notify.unread_count(staff("street_clerk")) == 1


def test_the_inbox_api_needs_a_login(client):
    assert client.get("/api/notices/").status_code == 401
    assert client.post("/api/notices/read-all/").status_code == 401
