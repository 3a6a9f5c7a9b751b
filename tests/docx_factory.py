"""Original .docx test documents for the Word import, written with python-docx (test-only dependency).

Every document is built here from our own words; nothing comes from outside the repository.
"""

import io
import struct
import zipfile
import zlib

from docx import Document
from docx.shared import Inches


def png_bytes(width: int = 60, height: int = 40, shade: int = 140) -> bytes:
    """A real PNG (a colour gradient) made with the standard library."""
    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 4 % 256, y * 6 % 256, shade)) for x in range(width)) for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"".join(
        (b"\x89PNG\r\n\x1a\n", chunk(b"IHDR", header), chunk(b"IDAT", zlib.compress(rows)), chunk(b"IEND", b""))
    )


def _save(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def case_docx(
    *,
    title: str | None = "某县交通局局长收受贿赂案",
    summary: str = "本案是一起交通领域“一把手”利用工程审批权收受贿赂的典型案例，2023年由某省某县纪委监委查处。",
    image: bool = True,
    table: bool = True,
    extra_heading: bool = True,
) -> bytes:
    """A case report in the usual shape: title, lead paragraph, numbered section headings with variants,
    bold and italic runs, lists, a table, an image, a sub-heading and a heading no section knows."""
    doc = Document()
    if title:
        doc.add_heading(title, level=1)
    if summary:
        doc.add_paragraph(summary)
    doc.add_heading("一、案情简介", level=2)
    p = doc.add_paragraph("某某，男，县处级干部，曾任某县交通局局长。")
    run = p.add_run("2019年至2023年")
    run.bold = True
    p.add_run("间，利用职务便利，在公路工程招投标中为他人谋取利益，")
    run = p.add_run("收受他人财物")
    run.italic = True
    p.add_run("共计折合人民币三百余万元。")
    if image:
        doc.add_paragraph("下图为涉案工程现场：")
        doc.add_picture(io.BytesIO(png_bytes()), width=Inches(1.5))
    doc.add_heading("二、违纪违法事实", level=2)
    doc.add_paragraph("违规干预工程招投标三次。", style="List Bullet")
    doc.add_paragraph("收受礼品礼金，违反中央八项规定精神。", style="List Bullet")
    doc.add_paragraph("对班子成员的提醒置之不理，同级监督弱化。", style="List Bullet")
    if table:
        grid = doc.add_table(rows=3, cols=3)
        for r, row in enumerate(
            (("年份", "事项", "金额（万元）"), ("2019", "工程款拨付", "80"), ("2022", "项目验收", "120"))
        ):
            for c, text in enumerate(row):
                grid.cell(r, c).text = text
    doc.add_heading("（三）深刻教训：", level=2)
    doc.add_paragraph("理想信念动摇是蜕变的总开关。")
    doc.add_heading("监督缺位", level=3)
    doc.add_paragraph("上级监督太远，下级监督太难。", style="List Number")
    doc.add_paragraph("制度执行不力，审批一人说了算。", style="List Number")
    doc.add_heading("四、整改措施", level=2)
    doc.add_paragraph("建立工程审批分权制衡机制，落实“三重一大”集体决策。")
    doc.add_heading("五、相关规定", level=2)
    doc.add_paragraph("《中华人民共和国刑法》第三百八十五条。")
    if extra_heading:
        doc.add_heading("附：干部群众反响", level=2)
        doc.add_paragraph("这段文字不属于任何标准章节。")
    return _save(doc)


def lesson_docx(*, title: str = "第三讲　廉洁用权的底线") -> bytes:
    doc = Document()
    doc.add_heading(title, level=1)
    doc.add_paragraph("本讲围绕权力运行的关键环节展开。")
    doc.add_heading("一、权力从哪里来", level=2)
    p = doc.add_paragraph("权力来自人民，")
    p.add_run("必须为人民所用").bold = True
    doc.add_picture(io.BytesIO(png_bytes(shade=60)), width=Inches(1))
    doc.add_heading("二、学习要点", level=2)
    doc.add_paragraph("严守纪律红线", style="List Bullet")
    doc.add_paragraph("自觉接受监督", style="List Bullet")
    return _save(doc)


def empty_docx() -> bytes:
    """A valid .docx with nothing in it but an empty paragraph."""
    doc = Document()
    doc.add_paragraph("")
    return _save(doc)


def headings_only_docx() -> bytes:
    doc = Document()
    doc.add_heading("某案", level=1)
    doc.add_heading("基本案情", level=2)
    doc.add_heading("原因剖析", level=2)
    return _save(doc)


def zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def zip_bomb(*, megabytes: int = 60) -> bytes:
    """A small zip that would expand to `megabytes` of zeros."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("bomb.docx", "w", force_zip64=True) as entry,
    ):
        block = b"\0" * (1024 * 1024)
        for _ in range(megabytes):
            entry.write(block)
    return out.getvalue()


def docx_with_bomb_part(*, megabytes: int = 60) -> bytes:
    """A real .docx with an extra part that expands to `megabytes` of zeros (a .docx is itself a zip)."""
    source = zipfile.ZipFile(io.BytesIO(case_docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info, source.read(info))
        with archive.open("word/media/padding.bin", "w", force_zip64=True) as entry:
            block = b"\0" * (1024 * 1024)
            for _ in range(megabytes):
                entry.write(block)
    return out.getvalue()


def ole_encrypted() -> bytes:
    """The start of an OLE compound file holding an encrypted Office document (what Word writes when a
    password is set): the OLE signature and the stream names EncryptionInfo / EncryptedPackage."""
    return (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 504
        + "EncryptionInfo".encode("utf-16-le")
        + b"\0" * 64
        + "EncryptedPackage".encode("utf-16-le")
        + b"\0" * 512
    )


def ole_legacy_doc() -> bytes:
    """The start of an old binary Word (.doc) file: an OLE compound file with a WordDocument stream."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "WordDocument".encode("utf-16-le") + b"\0" * 512
