"""The user guide (帮助): a guide for every role, a section for every page of the menu, 帮助
on a page opening that section in the reader's own guide, pictures the browser tests took,
and the whole guide as one PDF."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from pingan.core import guide
from pingan.core.context_processors import NAVIGATION
from pingan.core.testing import PermissionMatrix
from pingan.orgs.choices import RoleCode


class TestHelpIndex(PermissionMatrix):
    url_name = "help:index"
    in_scope = "street_clerk"
    ok_status = 302


class TestHelpGuide(PermissionMatrix):
    url_name = "help:guide"
    url_args = ("dispatcher",)
    in_scope = "grid_worker"  # every signed-in person may read every guide


class TestHelpPage(PermissionMatrix):
    url_name = "help:page"
    in_scope = "street_clerk"
    ok_status = 302


class TestHelpPdf(PermissionMatrix):
    url_name = "help:pdf"
    in_scope = "evaluator"


def test_every_role_has_a_guide_and_every_menu_page_a_section():
    covered_roles = {role for g in guide.guides() for role in g.roles}
    assert covered_roles == set(RoleCode.values)
    explained = {page for g in guide.guides() for s in g.sections for page in s.pages}
    menu = {name for name, _label, _icon, _roles in NAVIGATION if name}
    assert sorted(menu - explained) == []
    # and no section names a page that does not exist
    for page in explained:
        reverse(page)


def test_every_picture_is_a_screenshot_a_browser_test_takes_and_is_in_static():
    browser_tests = " ".join(
        path.read_text() for path in (Path(settings.BASE_DIR) / "tests" / "browser").glob("*.py")
    )
    taken = set(re.findall(r'screenshot\("([^"]+)"\)', browser_tests))
    taken |= {f"home-{persona}" for persona in re.findall(r'^    "(\w+)": "', browser_tests, re.M)}
    taken |= set(re.findall(r'ARTIFACTS / "([\w-]+)\.png"', browser_tests))
    for g in guide.guides():
        for name in g.images:
            assert name.removesuffix(".png") in taken, (g.slug, name)
            assert (guide.IMAGE_DIR / name).exists(), f"{name}: run make guide"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "page", "expected"),
    [
        ("street_clerk", "cases:queue", "receptionist"),
        ("street_dispatcher", "cases:queue", "dispatcher"),
        ("street_mediator", "cases:supervisions", "mediator"),
        ("street_leader", "cases:supervisions", "leader"),
        ("grid_worker", "home", "grid_worker"),
    ],
)
def test_help_on_a_page_opens_its_section_in_the_readers_own_guide(
    client_as, persona, page, expected
):
    response = client_as(persona).get(reverse("help:page"), {"page": page})
    shown, section = guide.section_for(page, [_role(persona)])
    assert shown.slug == expected and page in section.pages
    assert response["Location"] == f"{reverse('help:guide', args=[expected])}#{section.anchor}"


@pytest.mark.django_db
def test_help_on_a_page_without_a_section_opens_the_readers_guide(client_as):
    response = client_as("evaluator").get(reverse("help:page"), {"page": "inbox:list"})
    assert response["Location"] == reverse("help:index")
    assert client_as("evaluator").get(reverse("help:index"))["Location"] == reverse(
        "help:guide", args=["evaluator"]
    )


@pytest.mark.django_db
def test_every_page_carries_the_help_link_for_itself(client_as):
    page = client_as("street_dispatcher").get(reverse("cases:queue")).content.decode()
    assert f'href="{reverse("help:page")}?page=cases%3Aqueue"' in page


@pytest.mark.django_db
def test_a_guide_reads_with_its_sections_anchored_and_its_pictures_served(client_as):
    page = client_as("street_clerk").get(reverse("help:guide", args=["receptionist"]))
    html = page.content.decode()
    assert "窗口受理员操作手册" in html and 'id="receptionist-2"' in html
    assert '<a href="#receptionist-2">登记一件事项</a>' in html
    assert "/static/pingan/guide/intake-form.png" in html
    assert client_as("street_clerk").get(reverse("help:guide", args=["nope"])).status_code == 404


@pytest.mark.django_db
def test_the_whole_guide_is_one_pdf_with_every_guide(client_as):
    import pypdfium2

    response = client_as("street_clerk").get(reverse("help:pdf"))
    assert response["Content-Type"] == "application/pdf"
    pdf = pypdfium2.PdfDocument(response.content)
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    for g in guide.guides():
        assert g.title in text
    assert len(pdf) > len(guide.guides())


def _role(persona: str) -> str:
    from pingan.orgs.models import Staff

    return Staff.objects.get(username=persona).roles.values_list("code", flat=True)[0]
