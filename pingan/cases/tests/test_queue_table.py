"""The work-queue table's cells, rendered by methods rather than per-cell templates."""

import pytest
from django.urls import reverse
from django.utils import timezone


@pytest.mark.django_db
def test_queue_rows_link_the_case_and_show_state_and_local_time(client_as, register):
    case, _ = register()
    response = client_as("street_dispatcher").get(reverse("cases:queue"), {"tab": "area"})
    html = response.content.decode()
    link = reverse("cases:case-detail", args=[case.number])
    assert f'<a href="{link}" class="font-monospace">{case.number}</a>' in html
    assert '<span class="badge rounded-pill pa-state pa-state-registered">已登记</span>' in html
    assert f"{timezone.localtime(case.registered_at):%Y-%m-%d %H:%M}" in html
    # no template is rendered per number or state cell any more
    names = [template.name for template in response.templates]
    assert not {"cases/_number_link.html", "cases/_state_badge.html"} & set(names)
