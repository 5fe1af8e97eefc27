"""Pages of the org tree, units and staff: the permission matrix, scoping, query counts."""

import pytest
from django.urls import reverse

from pingan.core.models import AuditEvent
from pingan.core.testing import PermissionMatrix
from pingan.orgs.models import Staff, Unit

DONGHUAMEN = "110101001"
JINGSHAN = "110101002"
OTHER_STREET_DISPATCHER = f"dispatcher@{JINGSHAN}"


class TestHome(PermissionMatrix):
    url_name = "home"
    in_scope = "street_dispatcher"


class TestDivisionRoot(PermissionMatrix):
    url_name = "orgs:division-root"
    in_scope = "street_dispatcher"
    ok_status = 302


class TestStreetPage(PermissionMatrix):
    url_name = "orgs:division-detail"
    url_args = (DONGHUAMEN,)
    in_scope = "street_dispatcher"
    out_of_scope = OTHER_STREET_DISPATCHER


class TestStreetPageRefusesGridWorker(PermissionMatrix):
    """A grid worker of the street sees their grids, not the whole street."""

    url_name = "orgs:division-detail"
    url_args = (DONGHUAMEN,)
    in_scope = "district_dispatcher"
    out_of_scope = "grid_worker"


class TestStreetMap(PermissionMatrix):
    url_name = "orgs:division-map"
    url_args = (DONGHUAMEN,)
    in_scope = "street_dispatcher"
    out_of_scope = OTHER_STREET_DISPATCHER


class TestScopeMap(PermissionMatrix):
    """The map of the caller's own area (home page): scoped, never refused."""

    url_name = "orgs:scope-map"
    in_scope = "grid_worker"


class TestUnitList(PermissionMatrix):
    url_name = "orgs:unit-list"
    in_scope = "street_dispatcher"


class TestUnitPage(PermissionMatrix):
    url_name = "orgs:unit-detail"
    in_scope = "street_dispatcher"
    out_of_scope = OTHER_STREET_DISPATCHER

    def url(self) -> str:
        unit = Unit.objects.get(name="东华门街道综治中心")
        return reverse(self.url_name, args=[unit.pk])


class TestStaffList(PermissionMatrix):
    url_name = "orgs:staff-list"
    in_scope = "street_dispatcher"
    wrong_role = "street_clerk"


class TestPhoneReveal(PermissionMatrix):
    url_name = "orgs:staff-phone-reveal"
    method = "post"
    data = {"reason": "联系调解事宜"}
    in_scope = "street_dispatcher"
    wrong_role = "street_clerk"
    out_of_scope = OTHER_STREET_DISPATCHER

    def url(self) -> str:
        return reverse(self.url_name, args=[Staff.objects.get(username="street_mediator").pk])


# --- what each persona sees -------------------------------------------------------------


@pytest.mark.django_db
def test_tampered_or_unknown_ids_are_not_found(client_as):
    # given a signed-in street dispatcher
    client = client_as("street_dispatcher")
    # when they try ids that are malformed, unknown, or outside their street
    # then every answer is the same 404
    for url in [
        "/orgs/divisions/nonexistent/",
        "/orgs/divisions/110101002/",
        "/orgs/units/abc/",
        "/orgs/units/999999999/",
        "/orgs/divisions/110101002/map.geojson",
    ]:
        assert client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_home_shows_the_facts_of_the_street(client_as):
    # given the street dispatcher of 东华门
    response = client_as("street_dispatcher").get("/")
    # then the home page names the street and counts its communities and grids
    content = response.content.decode()
    assert "东华门街道" in content
    summary = response.context["summary"]
    assert summary["streets"] == 1
    assert summary["communities"] == 10
    assert summary["grids"] == 115  # generated: 1,971 grids shared among 169 communities
    assert "景山街道" not in content


@pytest.mark.django_db
def test_grid_worker_home_shows_only_their_grids(client_as):
    # their scope line names their two grids; the area overview (街道 0, 社区 0 …) is not
    # theirs: their home page is their patrol (pingan/patrol/home.py)
    response = client_as("grid_worker").get("/")
    assert [root.level for root in response.context["roots"]] == ["grid", "grid"]
    assert not response.context["overview"] and "summary" not in response.context


@pytest.mark.django_db
def test_district_home_counts_the_whole_district(client_as):
    summary = client_as("district_leader").get("/").context["summary"]
    assert (summary["streets"], summary["communities"], summary["grids"]) == (17, 169, 1971)


@pytest.mark.django_db
def test_unit_list_is_scoped_and_counts_queries(client_as, django_assert_num_queries):
    client = client_as("street_dispatcher")
    # session, user, roles, scope (2), the page (count + rows), the street filter's choices,
    # the top bar's unit, the filter form's bound street and the inbox badge: the same for 1 row
    # or 50
    with django_assert_num_queries(11):
        client.get("/orgs/units/", {"q": "东华门街道综治中心"})
    with django_assert_num_queries(11):
        response = client.get("/orgs/units/")
    names = {row.record.name for row in response.context["table"].page.object_list}
    # the street's own units and the district agencies serving it, not another street's
    assert "东华门街道综治中心" in names
    assert "东华门派出所" in names
    assert "景山街道综治中心" not in names
    assert "景山派出所" not in names


@pytest.mark.django_db
def test_unit_list_filters_by_kind(client_as):
    response = client_as("district_dispatcher").get("/orgs/units/", {"kind": "street_center"})
    assert response.context["table"].page.paginator.count == 17


@pytest.mark.django_db
def test_staff_list_masks_phones_and_pins_queries(client_as, django_assert_num_queries):
    client = client_as("street_dispatcher")
    # as for units, plus the prefetch of roles: the same for 1 row or 50
    with django_assert_num_queries(12):
        client.get("/orgs/staff/", {"q": "street_mediator"})
    with django_assert_num_queries(12):
        response = client.get("/orgs/staff/")
    content = response.content.decode()
    mediator = Staff.objects.get(username="street_mediator")
    assert mediator.phone not in content
    assert f"{mediator.phone[:3]}****{mediator.phone[-4:]}" in content
    # 50 rows cost the same queries as one: roles are prefetched
    assert len(response.context["table"].page.object_list) == 50


@pytest.mark.django_db
def test_phone_reveal_needs_a_reason_and_is_audited(client_as):
    # given a street dispatcher and a mediator of their street
    client = client_as("street_dispatcher")
    mediator = Staff.objects.get(username="street_mediator")
    url = reverse("orgs:staff-phone-reveal", args=[mediator.pk])
    # when they ask without a reason, they are told to give one and nothing is logged
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 400
    assert "请填写查看理由" in response.content.decode()
    assert not AuditEvent.objects.filter(action="pii.read").exists()
    # when they give a reason, the number is shown and the read is on the audit trail
    response = client.post(url, {"reason": "联系调解事宜"})
    assert mediator.phone in response.content.decode()
    event = AuditEvent.objects.get(action="pii.read")
    assert (event.actor.username, event.target_id, event.reason) == (
        "street_dispatcher",
        str(mediator.pk),
        "联系调解事宜",
    )


@pytest.mark.django_db
def test_map_geojson_holds_the_street_communities(client_as):
    data = client_as("street_dispatcher").get(f"/orgs/divisions/{DONGHUAMEN}/map.geojson").json()
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 10
    assert all(f["geometry"]["type"] == "Polygon" for f in data["features"])


@pytest.mark.django_db
def test_grid_worker_reaches_own_grid_but_not_the_neighbour(client_as, staff):
    worker = staff("grid_worker")
    own = worker.grids.order_by("code").first()
    neighbour = own.parent.children.exclude(grid_workers=worker).first()
    client = client_as("grid_worker")
    assert client.get(f"/orgs/divisions/{own.code}/").status_code == 200
    assert client.get(f"/orgs/divisions/{neighbour.code}/").status_code == 404


@pytest.mark.django_db
def test_navigation_follows_roles(client_as):
    def nav(persona):
        items = client_as(persona).get("/").context["nav_items"]
        return [item.get("label") or f"# {item['heading']}" for item in items]

    clerk_nav = nav("street_clerk")
    assert "人员" not in clerk_nav
    # a section heading shows only above items the user may open
    assert "# 刑罚执行" not in clerk_nav and "# 矛盾纠纷" in clerk_nav
    leader_nav = nav("street_leader")
    assert "人员" in leader_nav and "# 刑罚执行" in leader_nav
    assert leader_nav.index("# 刑罚执行") < leader_nav.index("执法分析")


@pytest.mark.django_db
def test_prison_staff_see_only_their_own_pages_in_the_menu(client):
    """Prison officers and the auditor sign in for releases and evidence files; the center's
    shared pages (queue, whistles, roster, divisions …) are not in their menu."""
    from pingan.corrections.demo_data import ensure_prisons
    from pingan.orgs.models import Staff

    ensure_prisons()
    for username, own in [
        ("prison_officer", ["刑释衔接", "减假暂审核", "执法分析"]),
        ("auditor", ["减假暂审核", "执法分析"]),
    ]:
        client.force_login(Staff.objects.get(username=username))
        items = client.get("/").context["nav_items"]
        labels = [item["label"] for item in items if "label" in item]
        headings = [item["heading"] for item in items if "heading" in item]
        assert labels == ["首页", *own], username
        assert headings == ["常用", "刑罚执行"], username
