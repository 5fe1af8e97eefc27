"""The cases' home-page panels count what their lists show: the clerk's day, the mediator's
own cases by deadline, the dispatcher's desk and the leader's results."""

from django.urls import reverse

from pingan.cases.services import case_assign


def _panel(response, key: str):
    return next(panel for panel in response.context["panels"] if panel.key == key)


def _listed(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200
    return response.context["table"].paginator.count


def test_the_clerk_counts_todays_intake_and_what_waits_for_acceptance(client_as, register, now):
    # given two matters the clerk registered today, still waiting to be accepted
    register(now=now)
    register(now=now)
    client = client_as("street_clerk")
    panel = _panel(client.get(reverse("home")), "intake")
    tiles = {tile.key: tile for tile in panel.tiles if tile.key}
    # then each count is the number of rows its link lists
    assert tiles["today"].count == 2 == _listed(client, tiles["today"].url)
    assert tiles["waiting"].count >= 2
    assert tiles["waiting"].count == _listed(client, tiles["waiting"].url)
    # and the register button is the panel's first act
    assert panel.buttons[0][1] == reverse("cases:case-new")


def test_the_mediator_sees_her_own_cases_most_urgent_first(
    client_as, overdue_case, staff, django_assert_max_num_queries
):
    # given two overdue cases assigned to the mediator and one to nobody
    mediator = staff("street_mediator")
    for _ in range(2):
        case = overdue_case()
        case_assign(case=case, actor=staff("street_dispatcher"), handler=mediator)
    overdue_case()
    client = client_as("street_mediator")
    with django_assert_max_num_queries(40):
        response = client.get(reverse("home"))
    panel = _panel(response, "my-cases")
    tiles = {tile.key: tile for tile in panel.tiles if tile.key}
    # then only hers are counted and listed, in red, with their deadline words
    assert tiles["red"].count == 2 == _listed(client, tiles["red"].url)
    assert len(panel.rows) == 2
    assert all(row.colour == "red" and "已超期" in row.badge for row in panel.rows)
    assert "已超期" in response.content.decode()


def test_the_mediator_with_nothing_in_hand_is_told_so(client_as):
    response = client_as("street_mediator").get(reverse("home"))
    assert "您手上没有在办事项。" in response.content.decode()


def test_the_dispatcher_desk_counts_match_the_queue(client_as, overdue_case, register):
    # given one overdue accepted case and one registered only
    overdue_case()
    register()
    client = client_as("street_dispatcher")
    tiles = {t.key: t for t in _panel(client.get(reverse("home")), "dispatch").tiles if t.key}
    assert tiles["registered"].count == 1 == _listed(client, tiles["registered"].url)
    assert tiles["red"].count == 1 == _listed(client, tiles["red"].url)


def test_the_leader_sees_the_years_results(client_as):
    panel = _panel(client_as("street_leader").get(reverse("home")), "results")
    concluded = next(t for t in panel.tiles if t.key == "concluded")
    assert concluded.url == reverse("cases:funnel") and concluded.count == 0
    # no concluded case: the shares are a dash, not 0 %
    assert [t.count for t in panel.tiles[1:]] == ["—", "—"]
