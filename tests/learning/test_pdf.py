"""Certificates and archives on paper: an embedded CJK font, Chinese line breaking, the public address."""

import io
import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from reportlab.lib.styles import ParagraphStyle

from accounts.factories import cadre, trainer
from learning import factories, pdf, services
from learning.models import LessonProgress, Reflection, ReflectionStatus
from learning.pdf_text import FREE, NEVER, WORD, CJKParagraph, break_levels

pytestmark = pytest.mark.django_db

PUBLIC = "https://mingjian.example.org"
LONG_TITLE = "新时代领导干部正确行使权力与廉洁用权专题研讨班（第二期）"


def finish(user, course):
    factories.enrol(user=user, course=course)  # completion needs an enrolment
    for lesson in course.lessons():
        LessonProgress.objects.update_or_create(
            user=user, lesson=lesson, defaults={"course_id": course.pk, "completed_at": timezone.now()}
        )
    return services.course_completion_evaluate(user=user, course=course, now=timezone.now())


def fonts_of(reader: PdfReader) -> list[dict]:
    """Every font a page uses, with its descendant (Type0) resolved: name, subtype, embedded file."""
    found = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            described = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = described.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            found.append({"name": str(font["/BaseFont"]), "subtype": str(font["/Subtype"]), "embedded": embedded})
    return found


def text_of(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def assert_font_embedded(content: bytes):
    fonts = fonts_of(PdfReader(io.BytesIO(content)))
    assert fonts, "no fonts"
    assert all(f["embedded"] for f in fonts), fonts
    assert all("WenQuanYi" in f["name"] for f in fonts), fonts
    assert b"STSong" not in content


# --- line breaking ------------------------------------------------------------------------------


def test_break_levels_follow_chinese_rules():
    text = "完成《权力观》课程，编号MJ-2026-AB12，于2026年3月5日。"
    levels = break_levels(text)
    at = text.index
    assert levels[at("《")] == FREE  # a line may break before 《 …
    assert levels[at("《") + 1] == NEVER  # … never after it
    assert levels[at("，")] == NEVER and levels[at("》")] == NEVER and levels[at("。")] == NEVER
    code = at("MJ")
    assert all(level == WORD for level in levels[code + 1 : code + len("MJ-2026-AB12")])
    year = at("2026年")
    assert all(level == WORD for level in levels[year + 1 : year + 4])
    assert FREE < levels[year + 4] < WORD and FREE < levels[at("3月")] < WORD  # 2026|年, 年|3: when nothing else fits


def _lines(text: str, width: float, size: float = 18) -> list[str]:
    pdf._fonts()
    paragraph = CJKParagraph(text, ParagraphStyle("t", fontName=pdf.FONT, fontSize=size, leading=size * 1.5))
    paragraph.wrap(width, 10_000)
    return ["".join(word.text for word in line.words) for line in paragraph.blPara.lines]


@pytest.mark.parametrize("width", range(200, 520, 9))
def test_paragraph_never_leaves_an_opening_mark_or_splits_a_code(width):
    text = "王建国同志于 2026年12月5日 完成《正确行使权力》课程，证书编号 MJ-7K2Q-9XPA-4HDT，核验网址 https://m.example.cn/v/。"
    lines = _lines(text, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for line in lines:
        assert not line.endswith(("《", "（", "“")), lines
        assert not line.startswith(("，", "。", "》", "）", "、")), lines
    joined = "\n".join(lines)
    for whole in ("MJ-7K2Q-9XPA-4HDT", "2026", "《正确行使权力》"):
        assert whole in joined, (whole, lines)


def test_a_title_longer_than_a_line_still_breaks():
    lines = _lines(f"完成《{LONG_TITLE * 2}》课程", 200)
    assert len(lines) > 3 and all(not line.endswith("《") for line in lines)


# --- certificate ----------------------------------------------------------------------------------


@override_settings(WAGTAILADMIN_BASE_URL=PUBLIC)
def test_certificate_embeds_the_font_and_prints_the_public_address(client):
    user = cadre(unit="某省/甲市/东山县/交通运输局", user__name="王建国")
    code = finish(user, factories.course(title=LONG_TITLE, lessons=1, hours="1.5")).certificate.code
    client.force_login(user)
    response = client.get(reverse("learning:certificate_pdf", args=[code]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert_font_embedded(response.content)
    text = text_of(response.content)
    flat = re.sub(r"\s+", "", text)
    assert "结业证书" in flat and "王建国同志" in flat and "计1.5学时" in flat
    assert f"《{LONG_TITLE}》" in flat and "某省甲市东山县交通运输局" in flat
    assert f"{PUBLIC}/verify/{code}/" in text and code in text
    assert "127.0.0.1" not in text
    assert not any(line.rstrip().endswith("《") for line in text.splitlines()), text


def test_certificate_on_a_local_default_address_prints_the_address_it_was_opened_at(client, settings):
    settings.WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8000"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "192.168.1.20"]
    user = cadre(unit="某省/甲市/东山县/交通运输局")
    code = finish(user, factories.course(lessons=1)).certificate.code
    client.force_login(user)
    text = text_of(client.get(reverse("learning:certificate_pdf", args=[code]), HTTP_HOST="192.168.1.20:8000").content)
    assert f"http://192.168.1.20:8000/verify/{code}/" in text and "127.0.0.1" not in text


# --- archive --------------------------------------------------------------------------------------


@override_settings(WAGTAILADMIN_BASE_URL=PUBLIC)
def test_archive_embeds_the_font_and_keeps_codes_whole(client):
    owner = cadre(unit="某省/甲市/东山县/交通运输局", user__name="李志强")
    course = factories.course(title="政绩观专题", lessons=1, hours="2")
    code = finish(owner, course).certificate.code
    Reflection.objects.create(
        user=owner,
        page=course.lessons().first(),
        body="学习《关于新形势下党内政治生活的若干准则》后，我对照检查了三个方面的问题。" * 4,
        status=ReflectionStatus.ACCEPTED,
        submitted_at=timezone.now(),
    )
    client.force_login(trainer("某省/甲市/东山县"))
    response = client.get(reverse("learning:cadre_archive_pdf", args=[owner.pk]))
    assert response.status_code == 200
    assert_font_embedded(response.content)
    text = text_of(response.content)
    flat = re.sub(r"\s+", "", text)
    assert "学习档案" in flat and "李志强" in flat and "政绩观专题" in flat and "心得体会（已审阅通过）" in flat
    assert code in text and "第 1 页" in text
    assert not any(line.rstrip().endswith("《") for line in text.splitlines()), text


# --- the font is configured -----------------------------------------------------------------------


def test_a_missing_font_says_how_to_install_it(settings, tmp_path):
    settings.PDF_FONT_FILE = str(tmp_path / "none.ttc")
    with pytest.raises(ImproperlyConfigured, match="install-fonts.sh"):
        pdf.font_file()
    with pytest.raises(SystemCheckError, match="learning.E001"):
        call_command("check", "--deploy", "--fail-level", "ERROR")
