"""The user guide (操作手册, X5): one Markdown file per role in ``docs/guide/``, served inside the
site (帮助 on every page opens the section about that page) and as one PDF.

A guide file starts with its title (``# …``) and a line ``<!-- roles: receptionist … -->``
naming the roles it is written for; each section (``## …``) that explains pages names them by
their URL names in ``<!-- pages: cases:case-new cases:queue -->``. Its pictures are the
screenshots the browser tests take (``make guide`` copies them into
``static/pingan/guide/``), so the guide shows the site as it is.
"""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from markdown_it import MarkdownIt
from PIL import Image

GUIDE_DIR = Path(settings.BASE_DIR) / "docs" / "guide"
IMAGE_DIR = Path(settings.BASE_DIR) / "static" / "pingan" / "guide"
MARKER = re.compile(r"<!--\s*(roles|pages):\s*(.*?)\s*-->")


def image_url(name: str) -> str:
    """A picture's address: its plain static name, served by WhiteNoise beside the hashed one
    (the guide is read once per process, before a missing picture could be noticed)."""
    return f"{settings.STATIC_URL}pingan/guide/{name}"


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str
    pages: tuple[str, ...]


@dataclass(frozen=True)
class Guide:
    slug: str
    title: str
    roles: tuple[str, ...]
    sections: tuple[Section, ...]
    html: str
    images: tuple[str, ...]


def _render(slug: str, text: str) -> Guide:
    markdown = MarkdownIt("commonmark", {"html": True}).enable("table")
    tokens = markdown.parse(text)
    title, roles, sections, images = "", (), [], []
    heading = None
    for token in tokens:
        if token.type == "heading_open":
            heading = token
        elif token.type == "inline" and heading is not None:
            if heading.tag == "h1":
                title = token.content
            elif heading.tag == "h2":
                anchor = f"{slug}-{len(sections) + 1}"
                heading.attrSet("id", anchor)
                sections.append(Section(anchor, token.content, ()))
            heading = None
        elif token.type == "html_block":
            for kind, value in MARKER.findall(token.content):
                if kind == "roles":
                    roles = tuple(value.split())
                elif sections:
                    last = sections[-1]
                    sections[-1] = Section(last.anchor, last.title, tuple(value.split()))
        for child in token.children or []:
            if child.type == "image":
                name = child.attrGet("src")
                images.append(name)
                child.attrSet("src", image_url(name))
                if (IMAGE_DIR / name).exists():  # its size reserves its place: no jump
                    with Image.open(IMAGE_DIR / name) as image:
                        child.attrSet("width", str(image.width))
                        child.attrSet("height", str(image.height))
    html = markdown.renderer.render(tokens, markdown.options, {})
    return Guide(slug, title, roles, tuple(sections), html, tuple(images))


@cache
def guides() -> tuple[Guide, ...]:
    """Every guide, in file order (the files are numbered)."""
    return tuple(
        _render(path.stem.split("-", 1)[-1], path.read_text(encoding="utf-8"))
        for path in sorted(GUIDE_DIR.glob("*.md"))
    )


def guide(slug: str) -> Guide | None:
    return next((g for g in guides() if g.slug == slug), None)


def for_roles(roles) -> list[Guide]:
    """The guides written for any of ``roles``, then the others."""
    mine = [g for g in guides() if set(g.roles) & set(roles)]
    return mine + [g for g in guides() if g not in mine]


def section_for(page: str, roles) -> tuple[Guide, Section] | None:
    """The section explaining ``page`` (a URL name), in a guide for the reader's roles if one
    explains it."""
    for candidate in for_roles(roles):
        for section in candidate.sections:
            if page in section.pages:
                return candidate, section
    return None
