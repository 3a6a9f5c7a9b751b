"""PDF certificates and archives, drawn with reportlab in an embedded CJK TrueType font.

The font file is settings.PDF_FONT_FILE (Debian's fonts-wqy-zenhei by default, installed by
scripts/install-fonts.sh): reportlab embeds the subset of glyphs used, so every viewer shows the same
shapes. Chinese line breaking is learning.pdf_text.CJKParagraph.
"""

from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from core.formats import format_hours
from learning.pdf_text import CJKParagraph as Paragraph

FONT = "MingjianSans"
MONO = "MingjianMono"
RED = colors.HexColor("#a8071a")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def font_file() -> Path:
    """The configured font file; ImproperlyConfigured (with the fix) when it is missing."""
    path = Path(settings.PDF_FONT_FILE)
    if not path.is_file():
        raise ImproperlyConfigured(
            f"PDF font {path} not found: run scripts/install-fonts.sh (Debian's fonts-wqy-zenhei) "
            "or set PDF_FONT_FILE to a TrueType CJK font."
        )
    return path


def _fonts() -> tuple[str, str]:
    """Registers the body face and the monospaced face (codes, addresses) once per process."""
    registered = pdfmetrics.getRegisteredFontNames()
    if FONT not in registered:
        path = font_file()
        pdfmetrics.registerFont(TTFont(FONT, path, subfontIndex=settings.PDF_FONT_INDEX))
        # <b> in a paragraph keeps the same face: the font has no bold, and faked bold smears Chinese.
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT, italic=FONT, boldItalic=FONT)
        try:
            pdfmetrics.registerFont(TTFont(MONO, path, subfontIndex=settings.PDF_FONT_MONO_INDEX))
        except (TTFError, IndexError):  # a single font, not a collection: codes use the body face
            pdfmetrics.registerFont(TTFont(MONO, path, subfontIndex=settings.PDF_FONT_INDEX))
    return FONT, MONO


def _escape(text) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _date(value) -> str:
    """2026年3月5日: the form of dates in Chinese documents (no leading zeros)."""
    return f"{value.year}年{value.month}月{value.day}日"


def public_base_url(request=None) -> str:
    """The site's public address, as printed on certificates: WAGTAILADMIN_BASE_URL.

    Production refuses a loopback address there (config/settings/production.py). Elsewhere the default
    is http://127.0.0.1:8000, which no one else can open: there the address the request came through
    (a demo on the local network, a test server on another port) is the better guess.
    """
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    if request is not None and any(f"//{host}" in base for host in LOOPBACK_HOSTS):
        return request.build_absolute_uri("/").rstrip("/")
    return base


def verification_url(code: str, *, base_url: str | None = None) -> str:
    return f"{(base_url or public_base_url()).rstrip('/')}/verify/{code}/"


def _draw_qr(canvas, text: str, *, x: float, y: float, size: float) -> None:
    """A QR code drawn as filled squares (reportlab's renderPDF would name Helvetica, a font not embedded)."""
    widget = QrCodeWidget(text)
    widget.qr.make()
    modules = widget.qr.modules
    quiet = 2
    cell = size / (len(modules) + 2 * quiet)
    canvas.saveState()
    canvas.setFillColor(colors.black)
    for r, row in enumerate(modules):
        for c, dark in enumerate(row):
            if dark:
                canvas.rect(x + (c + quiet) * cell, y + size - (r + quiet + 1) * cell, cell, cell, stroke=0, fill=1)
    canvas.restoreState()


def certificate_pdf(certificate, *, base_url: str | None = None) -> bytes:
    """A one-page A4 landscape certificate with the verification code and a QR code of its URL."""
    font, mono = _fonts()
    buffer = BytesIO()
    width, height = landscape(A4)
    canvas = Canvas(buffer, pagesize=(width, height), initialFontName=font)
    canvas.setTitle(_("结业证书") + " " + certificate.code)
    canvas.setAuthor(_("明鉴干部教育平台"))
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(6)
    canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    canvas.setLineWidth(1.5)
    canvas.rect(17 * mm, 17 * mm, width - 34 * mm, height - 34 * mm)

    canvas.setFillColor(RED)
    canvas.setFont(font, 40)
    title = _("结业证书")
    spacing = 12  # letter-spaced like a printed certificate; drawCentredString does not count the last gap
    canvas.drawCentredString(width / 2 + spacing / 2, height - 52 * mm, title, charSpace=spacing)
    canvas.setFillColor(colors.black)

    user = certificate.user
    profile = getattr(user, "cadre_profile", None)
    issued = timezone.localtime(certificate.issued_at)
    style = ParagraphStyle("body", fontName=font, fontSize=18, leading=34, firstLineIndent=36)
    text = _(
        "%(name)s同志%(unit)s于%(date)s完成《%(course)s》课程的全部学习，经平台学习记录核验，"
        "成绩合格，特发此证。本课程计%(hours)s学时。"
    ) % {
        "name": _escape(user.get_full_name()),
        "unit": _escape(f"（{profile.org_unit.full_path.replace('/', '')}）") if profile else "",
        "date": _date(issued),
        "course": _escape(certificate.course.title),
        "hours": format_hours(certificate.hours),
    }
    paragraph = Paragraph(text, style)
    _w, h = paragraph.wrap(width - 90 * mm, height)
    paragraph.drawOn(canvas, 45 * mm, height - 72 * mm - h)

    canvas.setFont(font, 16)
    canvas.drawRightString(width - 45 * mm, 52 * mm, _("明鉴干部教育平台"))
    canvas.drawRightString(width - 45 * mm, 42 * mm, _date(issued))

    url = verification_url(certificate.code, base_url=base_url)
    _draw_qr(canvas, url, x=43 * mm, y=48 * mm, size=30 * mm)
    label = ParagraphStyle("label", fontName=font, fontSize=12, leading=17)
    code_text = _("证书编号（验证码）：%(code)s") % {"code": f'<font name="{mono}">{_escape(certificate.code)}</font>'}
    url_text = _("核验网址：%(url)s") % {"url": f'<font name="{mono}">{_escape(url)}</font>'}
    for line, y in ((code_text, 36 * mm), (url_text, 29 * mm)):
        block = Paragraph(line, label)
        _w, h = block.wrap(width - 150 * mm, 20 * mm)
        block.drawOn(canvas, 45 * mm, y + 16 - h)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def archive_pdf(archive) -> bytes:
    """学习档案 as a flowing A4 document."""
    font, mono = _fonts()
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=_("学习档案"),
        author=_("明鉴干部教育平台"),
        initialFontName=font,  # else every page names Helvetica, a font that is not embedded
    )
    title = ParagraphStyle("t", fontName=font, fontSize=20, leading=28, alignment=TA_CENTER, textColor=RED)
    h2 = ParagraphStyle("h2", fontName=font, fontSize=14, leading=22, spaceBefore=10, spaceAfter=4, textColor=RED)
    body = ParagraphStyle("b", fontName=font, fontSize=10.5, leading=18)
    cell = ParagraphStyle("c", fontName=font, fontSize=9.5, leading=14)

    def table(header, rows, widths, mono_column=None):
        def value(i, v):
            text = _escape(v)
            return Paragraph(f'<font name="{mono}">{text}</font>' if i == mono_column else text, cell)

        data = [[Paragraph(_escape(h), cell) for h in header]]
        data += [[value(i, v) for i, v in enumerate(row)] for row in rows]
        t = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
        t.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), font),  # the cell default is Helvetica, not embedded
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f5f5f5")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return t

    user = archive.user
    story = [Paragraph(_("学习档案"), title), Spacer(1, 6)]
    who = _escape(user.get_full_name())
    if archive.profile:
        who += "　" + _escape(archive.profile.org_unit.full_path) + "　" + _escape(archive.profile.get_rank_display())
    story += [
        Paragraph(who, body),
        Paragraph(_("生成时间：%(t)s") % {"t": timezone.localtime().strftime("%Y-%m-%d %H:%M")}, body),
    ]
    footer = _("%(name)s 学习档案") % {"name": user.get_full_name()}

    def page_footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(font, 8.5)
        canvas.setFillColor(colors.grey)
        canvas.drawString(18 * mm, 10 * mm, footer)
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, _("第 %(n)s 页") % {"n": doc.page})
        canvas.restoreState()

    story.append(Paragraph(_("学时（按年度）"), h2))
    if archive.hours_by_year:
        story.append(
            table(
                [_("年度"), _("课程数"), _("学时")],
                [[row["year"], row["courses"], format_hours(row["hours"])] for row in archive.hours_by_year],
                [40 * mm, 40 * mm, 40 * mm],
            )
        )
    else:
        story.append(Paragraph(_("暂无学时记录。"), body))

    story.append(Paragraph(_("已完成课程"), h2))
    if archive.completed:
        story.append(
            table(
                [_("课程"), _("完成日期"), _("学时"), _("证书编号")],
                [
                    [
                        c.course.title,
                        timezone.localtime(c.issued_at).strftime("%Y-%m-%d"),
                        format_hours(c.hours),
                        c.code,
                    ]
                    for c in archive.completed
                ],
                [70 * mm, 28 * mm, 18 * mm, 58 * mm],
                mono_column=3,
            )
        )
    else:
        story.append(Paragraph(_("暂无已完成课程。"), body))

    if archive.cases_read:
        story.append(Paragraph(_("已学习案例"), h2))
        story.append(
            table(
                [_("案例"), _("学习日期")], [[c["title"], c["date"]] for c in archive.cases_read], [130 * mm, 44 * mm]
            )
        )
    if archive.quiz_results:
        story.append(Paragraph(_("测验成绩"), h2))
        story.append(
            table(
                [_("测验"), _("成绩"), _("结果"), _("日期")],
                [[q["title"], q["score"], q["result"], q["date"]] for q in archive.quiz_results],
                [80 * mm, 30 * mm, 24 * mm, 40 * mm],
            )
        )

    story.append(Paragraph(_("心得体会（已审阅通过）"), h2))
    if archive.reflections:
        for reflection in archive.reflections:
            story.append(
                Paragraph(
                    "<b>"
                    + _escape(reflection.page.title)
                    + "</b>　"
                    + timezone.localtime(reflection.submitted_at).strftime("%Y-%m-%d"),
                    body,
                )
            )
            for para in reflection.body.splitlines():
                if para.strip():
                    story.append(Paragraph(_escape(para.strip()), body))
            story.append(Spacer(1, 6))
    else:
        story.append(Paragraph(_("暂无已通过的心得体会。"), body))
    doc.build(story, onFirstPage=page_footer, onLaterPages=page_footer)
    return buffer.getvalue()
