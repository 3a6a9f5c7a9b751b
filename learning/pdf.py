"""PDF certificates and archives, drawn with reportlab's built-in CID font STSong-Light (no font file needed)."""

from io import BytesIO

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core.formats import format_hours

FONT = "STSong-Light"
RED = colors.HexColor("#a8071a")


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _escape(text) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def verification_url(code: str) -> str:
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}/verify/{code}/"


def certificate_pdf(certificate) -> bytes:
    """A one-page A4 landscape certificate with the verification code and a QR code of its URL."""
    font = _font()
    buffer = BytesIO()
    width, height = landscape(A4)
    canvas = Canvas(buffer, pagesize=(width, height))
    canvas.setTitle(_("结业证书") + " " + certificate.code)
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(6)
    canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    canvas.setLineWidth(1.5)
    canvas.rect(17 * mm, 17 * mm, width - 34 * mm, height - 34 * mm)

    canvas.setFillColor(RED)
    canvas.setFont(font, 40)
    canvas.drawCentredString(width / 2, height - 52 * mm, _("结业证书"))
    canvas.setFillColor(colors.black)

    user = certificate.user
    profile = getattr(user, "cadre_profile", None)
    issued = timezone.localtime(certificate.issued_at)
    style = ParagraphStyle("body", fontName=font, fontSize=18, leading=32, wordWrap="CJK", firstLineIndent=36)
    text = _(
        "%(name)s同志%(unit)s于 %(date)s 完成《%(course)s》课程的全部学习，经平台学习记录核验，"
        "成绩合格，特发此证。本课程计 %(hours)s 学时。"
    ) % {
        "name": _escape(user.get_full_name()),
        "unit": _escape(f"（{profile.org_unit.full_path}）") if profile else "",
        "date": issued.strftime("%Y年%m月%d日"),
        "course": _escape(certificate.course.title),
        "hours": format_hours(certificate.hours),
    }
    paragraph = Paragraph(text, style)
    _w, h = paragraph.wrap(width - 90 * mm, height)
    paragraph.drawOn(canvas, 45 * mm, height - 75 * mm - h)

    canvas.setFont(font, 16)
    canvas.drawRightString(width - 45 * mm, 52 * mm, _("明鉴干部教育平台"))
    canvas.drawRightString(width - 45 * mm, 42 * mm, issued.strftime("%Y年%m月%d日"))

    url = verification_url(certificate.code)
    canvas.setFont(font, 11)
    canvas.drawString(45 * mm, 40 * mm, _("证书编号（验证码）：%(code)s") % {"code": certificate.code})
    canvas.drawString(45 * mm, 33 * mm, _("核验网址：%(url)s") % {"url": url})
    qr = QrCodeWidget(url)
    x0, y0, x1, y1 = qr.getBounds()
    size = 30 * mm
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(qr)
    renderPDF.draw(drawing, canvas, 45 * mm, 48 * mm)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def archive_pdf(archive) -> bytes:
    """学习档案 as a flowing A4 document."""
    font = _font()
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=_("学习档案"),
    )
    title = ParagraphStyle("t", fontName=font, fontSize=20, leading=28, alignment=TA_CENTER, textColor=RED)
    h2 = ParagraphStyle("h2", fontName=font, fontSize=14, leading=22, spaceBefore=10, spaceAfter=4, textColor=RED)
    body = ParagraphStyle("b", fontName=font, fontSize=10.5, leading=17, wordWrap="CJK")
    cell = ParagraphStyle("c", fontName=font, fontSize=9.5, leading=14, wordWrap="CJK")

    def table(header, rows, widths):
        data = [[Paragraph(_escape(h), cell) for h in header]]
        data += [[Paragraph(_escape(v), cell) for v in row] for row in rows]
        t = Table(data, colWidths=widths, repeatRows=1)
        t.setStyle(
            TableStyle(
                [
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
    doc.build(story)
    return buffer.getvalue()
