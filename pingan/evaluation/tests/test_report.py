"""The quarterly report: figures, the PDF's first page drawn in Chinese, the workbook."""

import ctypes
import io
import subprocess

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from PIL import Image, ImageDraw, ImageFont

from pingan.evaluation import services
from pingan.evaluation.models import QuarterReport
from pingan.evaluation.report import report_generate
from pingan.orgs.models import Division

from .conftest import NOW

SCALE = 4
TITLE = "质效分析报告"


@pytest.fixture
def report(staff, make_case, street_scheme):
    make_case()
    make_case("jingshan", concluded_level="grid")
    services.scores_compute(scheme=street_scheme, actor=None, now=NOW)
    return report_generate(
        actor=staff("evaluator"),
        year=2026,
        quarter=3,
        division=Division.objects.get(parent__isnull=True),
        now=NOW,
    )


def _ink(image: Image.Image) -> Image.Image:
    """The glyph's ink, cropped to its bounding box and scaled to 32 × 32 (black on white)."""
    mask = image.convert("L").point(lambda v: 255 if v < 128 else 0)
    box = mask.getbbox()
    assert box is not None, "no ink where the character should be"
    return mask.crop(box).resize((32, 32))


def _similarity(a: Image.Image, b: Image.Image) -> float:
    pa, pb = a.tobytes(), b.tobytes()
    return sum((x > 127) == (y > 127) for x, y in zip(pa, pb, strict=True)) / len(pa)


def _reference_font() -> ImageFont.FreeTypeFont:
    path = subprocess.check_output(["fc-match", "-f", "%{file}", "Noto Sans CJK SC:bold"]).decode()
    for index in range(10):
        font = ImageFont.truetype(path, 96, index=index)
        if "SC" in font.getname()[0]:
            return font
    pytest.fail("Noto Sans CJK SC is not installed (Debian: fonts-noto-cjk)")


def _reference(char: str, font) -> Image.Image:
    image = Image.new("L", (140, 140), 255)
    ImageDraw.Draw(image).text((10, 0), char, font=font, fill=0)
    return _ink(image)


def test_pdf_first_page_draws_the_chinese_title_not_boxes(report):
    # given the PDF's first page, rendered to an image
    pdf = pdfium.PdfDocument(report.pdf.read())
    page = pdf[0]
    text = page.get_textpage()
    image = page.render(scale=SCALE).to_pil()
    image.save(report.pdf.path + ".page1.png")  # kept beside the PDF, for a person to look at
    height = page.get_size()[1]
    start = text.get_text_range().index(TITLE)
    font = _reference_font()
    for offset, char in enumerate(TITLE):
        left, bottom, right, top = text.get_charbox(start + offset)
        drawn = _ink(
            image.crop(
                (
                    int(left * SCALE) - 2,
                    int((height - top) * SCALE) - 2,
                    int(right * SCALE) + 2,
                    int((height - bottom) * SCALE) + 2,
                )
            )
        )
        # then each character looks like that character in Noto Sans CJK, not like a box
        assert _similarity(drawn, _reference(char, font)) > 0.85, char
        assert _similarity(drawn, _reference("口", font)) < 0.7, char
        # and the PDF says a CJK font drew it
        name = ctypes.create_string_buffer(256)
        flags = ctypes.c_int()
        pdfium_raw.FPDFText_GetFontInfo(text, start + offset, name, 256, ctypes.byref(flags))
        assert b"CJK" in name.value


def test_report_figures_and_workbook(report):
    data = report.data
    assert data["title"] == "东城区2026年第3季度矛盾纠纷化解质效分析报告"
    handled = next(row for row in data["headline"] if row["code"] == "cases_handled")
    assert handled["value"] == 2
    assert [row["name"] for row in data["streets"]["ranking"][:2]] == ["东华门街道", "景山街道"]
    book = load_workbook(io.BytesIO(report.xlsx.read()))
    assert book.sheetnames[:3] == ["概览", "街道排名", "街道指标"]
    ranking = list(book["街道排名"].iter_rows(values_only=True))
    assert ranking[0][:3] == ("名次", "考评对象", "总分")
    assert ranking[1][1] == "东华门街道"


def test_one_command_produces_the_report(street_scheme):
    services.scores_compute(scheme=street_scheme, actor=None, now=NOW)
    call_command("evaluation_report", "--year", "2026", "--quarter", "3", "--at", NOW.isoformat())
    made = QuarterReport.objects.get()
    assert made.pdf and made.xlsx and made.division.code == "110101"


def test_a_ranking_of_one_street_is_not_drawn_as_a_chart(report):
    from pingan.evaluation.report import report_context

    # the report as it stands ranks its streets in a chart
    streets = len(report.data["streets"]["ranking"])
    assert ("street_chart_svg" in report_context(report)) == (streets > 1)
    # a street's own report (one row) keeps the table and draws no one-bar chart
    report.data["streets"]["ranking"] = report.data["streets"]["ranking"][:1]
    assert "street_chart_svg" not in report_context(report)
