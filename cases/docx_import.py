"""Word (.docx) import: one document, or a .zip of several, becomes draft case studies or lessons.

Three steps, each a function here (the admin views in cases/views_word.py are thin):

1. `read_upload` checks the uploaded bytes (size, .docx or .zip, not an encrypted or old binary Office
   file, not a zip bomb — and a .docx is itself a zip) and returns the documents in it.
2. `parse_case` / `parse_lesson` turn one document into a preview: mammoth makes clean HTML, which is
   split at the headings into the standard sections (cases/vocabulary.py SECTION_HEADINGS); bold,
   italic, lists, tables and images are kept, everything else is dropped and what could not be placed
   is listed. Taxonomy terms are suggested from the text. Nothing is written.
3. `create_case_drafts` / `create_lesson_drafts` write the drafts (images become Wagtail images), all
   or nothing. Drafts are never published: they go through the 案例审核 workflow like any other page.
"""

import base64
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import mammoth
from bs4 import BeautifulSoup, NavigableString, Tag
from django.conf import settings
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils.html import escape
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cases.blocks import SECTIONS
from cases.vocabulary import RANK_WORDS, SECTION_HEADINGS, TAXONOMY_SYNONYMS

DEFAULT_LIMITS = {
    "MAX_UPLOAD_BYTES": 20 * 1024 * 1024,  # the uploaded file (.docx or .zip)
    "MAX_DOCUMENTS": 50,  # .docx files in one .zip
    "MAX_ENTRIES": 2000,  # entries in any one zip (the upload or a .docx)
    "MAX_UNCOMPRESSED_BYTES": 100 * 1024 * 1024,  # declared uncompressed size of any one zip
    "MAX_RATIO": 100,  # uncompressed / compressed, over a whole zip and for any entry over 1 MB
    "MAX_IMAGE_BYTES": 10 * 1024 * 1024,
}
SUMMARY_MAX = 500
IMAGE_SRC = "docx-image:"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}
# Word's own style names that mammoth's default style map does not turn into headings.
STYLE_MAP = """
p[style-name='Title'] => h1:fresh
p[style-name='Subtitle'] => h2:fresh
p[style-name='标题'] => h1:fresh
p[style-name='标题 1'] => h1:fresh
p[style-name='标题 2'] => h2:fresh
p[style-name='标题 3'] => h3:fresh
p[style-name='标题 4'] => h4:fresh
"""


def limits() -> dict:
    return {**DEFAULT_LIMITS, **getattr(settings, "WORD_IMPORT_LIMITS", {})}


class WordImportError(Exception):
    """An upload that cannot be imported; `errors` is a list of (file name or "", reason). Nothing was written."""

    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors
        super().__init__("; ".join(f"{name}：{msg}" if name else msg for name, msg in errors))


# ---------------------------------------------------------------- 1. the upload


@dataclass
class UploadedDocument:
    name: str
    data: bytes


def _check_zip(archive: zipfile.ZipFile, *, size: int, name: str) -> None:
    """Refuse a zip whose entries would expand beyond the limits, before anything is extracted."""
    lim = limits()
    infos = archive.infolist()
    if len(infos) > lim["MAX_ENTRIES"]:
        raise WordImportError([(name, _("压缩包内文件过多（超过 %(n)d 个），已拒绝。") % {"n": lim["MAX_ENTRIES"]})])
    total = sum(info.file_size for info in infos)
    if total > lim["MAX_UNCOMPRESSED_BYTES"]:
        raise WordImportError(
            [(name, _("解压后超过 %(mb)d MB，疑似压缩炸弹，已拒绝。") % {"mb": lim["MAX_UNCOMPRESSED_BYTES"] // 2**20})]
        )
    packed = max(1, sum(info.compress_size for info in infos), size // 2)
    big_and_dense = any(
        info.file_size > 2**20 and info.file_size > lim["MAX_RATIO"] * max(1, info.compress_size) for info in infos
    )
    if big_and_dense or (total > 2**20 and total > lim["MAX_RATIO"] * packed):
        raise WordImportError([(name, _("压缩比异常，疑似压缩炸弹，已拒绝。"))])
    if any(info.flag_bits & 0x1 for info in infos):
        raise WordImportError([(name, _("文件已加密（设置了密码），请去掉密码后重新上传。"))])


def _open_zip(data: bytes, name: str) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise WordImportError([(name, _("文件已损坏，无法读取。"))]) from exc
    _check_zip(archive, size=len(data), name=name)
    return archive


def _check_docx(data: bytes, name: str) -> None:
    if data.startswith(OLE_SIGNATURE):
        if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
            raise WordImportError([(name, _("文件已加密（设置了密码），请在 Word 中去掉密码后重新上传。"))])
        raise WordImportError([(name, _("这是旧版 Word（.doc）文件，请在 Word 或 WPS 中另存为 .docx 后上传。"))])
    if not data.startswith(ZIP_SIGNATURE):
        raise WordImportError([(name, _("不是 .docx 文件。"))])
    archive = _open_zip(data, name)
    if "word/document.xml" not in archive.namelist():
        raise WordImportError([(name, _("不是 Word 文档（.docx），无法导入。"))])


def _skipped_zip_entry(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return path.endswith("/") or "__MACOSX" in parts or parts[-1].startswith(("~$", "."))


def read_upload(*, name: str, data: bytes) -> list[UploadedDocument]:
    """The .docx documents of an upload (one .docx, or a .zip of .docx files), checked; or WordImportError."""
    lim = limits()
    if len(data) > lim["MAX_UPLOAD_BYTES"]:
        raise WordImportError([(name, _("文件过大：最大 %(mb)d MB。") % {"mb": lim["MAX_UPLOAD_BYTES"] // 2**20})])
    lower = name.lower()
    if lower.endswith(".docx"):
        _check_docx(data, name)
        return [UploadedDocument(name=name, data=data)]
    if not lower.endswith(".zip"):
        raise WordImportError([(name, _("只支持 Word 文档（.docx）或装有 .docx 的 .zip 压缩包。"))])
    archive = _open_zip(data, name)
    documents, errors = [], []
    for info in archive.infolist():
        if _skipped_zip_entry(info.filename):
            continue
        entry = PurePosixPath(info.filename).name
        if not entry.lower().endswith(".docx"):
            errors.append((entry, _("不是 .docx 文件。")))
            continue
        with archive.open(info) as handle:
            content = handle.read(info.file_size + 1)
        if len(content) > info.file_size:
            raise WordImportError([(name, _("压缩包内文件大小与声明不符，已拒绝。"))])
        try:
            _check_docx(content, entry)
        except WordImportError as exc:
            errors.extend(exc.errors)
            continue
        documents.append(UploadedDocument(name=entry, data=content))
    if len(documents) + len(errors) > lim["MAX_DOCUMENTS"]:
        raise WordImportError([(name, _("一次最多导入 %(n)d 个文档。") % {"n": lim["MAX_DOCUMENTS"]})])
    if errors:
        raise WordImportError(errors)
    if not documents:
        raise WordImportError([(name, _("压缩包中没有 .docx 文件。"))])
    return documents


# ---------------------------------------------------------------- 2. one document → a preview


@dataclass
class DocImage:
    data: bytes
    content_type: str
    alt: str


@dataclass
class Piece:
    """One block of content: rich text HTML, a table (rows of cell text) or an image (index into images)."""

    kind: str  # "text" | "table" | "image"
    html: str = ""
    rows: list[list[str]] = field(default_factory=list)
    header: bool = False
    image: int = -1


@dataclass
class ParsedDocument:
    name: str
    title: str
    summary: str = ""
    sections: dict[str, list[Piece]] = field(default_factory=dict)  # section key → pieces (cases)
    body: list[Piece] = field(default_factory=list)  # lessons
    images: list[DocImage] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)
    text: str = ""

    @property
    def section_list(self) -> list[tuple[str, str, list[Piece]]]:
        return [(key, str(label), self.sections[key]) for key, label in SECTIONS if key in self.sections]


_NUMBERING = re.compile(
    r"^\s*(?:第[一二三四五六七八九十百\d]+(?:部分|章|节|条|讲)?[、．.\s]*|[（(][一二三四五六七八九十\d]+[)）]\s*|"
    r"[一二三四五六七八九十]+\s*[、．.]\s*|\d+(?:\.\d+)*\s*[、．.]?\s+|\d+\s*[、．.]\s*)"
)
_TRAILING = re.compile(r"[\s:：。．.、]+$")
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def normalise_heading(text: str) -> str:
    text = re.sub(r"\s+", "", text or "")
    return _TRAILING.sub("", _NUMBERING.sub("", text))


def section_for_heading(text: str) -> str | None:
    """The section key a heading names (its numbering and colon ignored), or None."""
    heading = normalise_heading(text)
    if not heading:
        return None
    candidates = sorted(
        ((word, key) for key, words in SECTION_HEADINGS.items() for word in words), key=lambda item: -len(item[0])
    )
    for word, key in candidates:
        if heading == word:
            return key
    for word, key in candidates:
        if heading.startswith(word):
            return key
    return None


class _Converter:
    """Mammoth's HTML → pieces of allowed markup (rebuilt from the parse tree, never copied through)."""

    INLINE = {"strong": "b", "b": "b", "em": "i", "i": "i"}

    def __init__(self, images: list[DocImage], dropped: set[str], *, subheading_tag: str | None):
        self.images = images
        self.dropped = dropped
        self.subheading_tag = subheading_tag

    def inline(self, node) -> str:
        """Allowed inline HTML of a node's children: text, <b>, <i>, http(s) links and line breaks."""
        out = []
        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child) is NavigableString:
                    out.append(escape(str(child)))
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name
            if name in self.INLINE:
                inner = self.inline(child)
                if inner.strip():
                    out.append(f"<{self.INLINE[name]}>{inner}</{self.INLINE[name]}>")
            elif name == "br":
                out.append("<br/>")
            elif name == "a":
                href = child.get("href", "")
                inner = self.inline(child)
                if href.startswith(("#footnote", "#endnote", "#comment")):
                    self.dropped.add(_("脚注、尾注或批注"))
                elif href.startswith(("http://", "https://")) and inner.strip():
                    out.append(f'<a href="{escape(href)}">{inner}</a>')
                else:
                    out.append(inner)
            elif name == "sup" and child.find("a"):
                self.dropped.add(_("脚注、尾注或批注"))
            elif name == "img":
                continue  # images are split out by the caller
            else:
                if name not in ("sup", "sub", "s", "u", "span"):
                    self.dropped.add(_("不支持的格式（%(tag)s）") % {"tag": name})
                out.append(self.inline(child))
        return "".join(out)

    def list_html(self, node: Tag) -> str:
        items = []
        for li in node.find_all("li", recursive=False):
            nested = "".join(self.list_html(sub) for sub in li.find_all(["ul", "ol"], recursive=False))
            for sub in li.find_all(["ul", "ol"], recursive=False):
                sub.extract()
            text = self.inline(li)
            if text.strip() or nested:
                items.append(f"<li>{text}{nested}</li>")
        return f"<{node.name}>{''.join(items)}</{node.name}>" if items else ""

    def image_piece(self, img: Tag) -> Piece | None:
        src = img.get("src", "")
        if not src.startswith(IMAGE_SRC):
            self.dropped.add(_("无法读取的图片"))
            return None
        return Piece(kind="image", image=int(src[len(IMAGE_SRC) :]))

    def pieces(self, node: Tag) -> list[Piece]:
        """Pieces of one top-level element (p, list, table, sub-heading)."""
        name = node.name
        if name == "p" or name in _HEADING_TAGS:
            out: list[Piece] = []
            current = BeautifulSoup("", "html.parser").new_tag("p")
            for child in list(node.children):
                images = [child] if isinstance(child, Tag) and child.name == "img" else []
                if isinstance(child, Tag) and child.name != "img":
                    images = child.find_all("img")
                for img in images:
                    img.extract()
                if not (isinstance(child, Tag) and child.name == "img"):
                    current.append(child)
                if images:
                    out.extend(self._paragraph(current, name))
                    current = BeautifulSoup("", "html.parser").new_tag("p")
                    out.extend(p for p in (self.image_piece(img) for img in images) if p)
            out.extend(self._paragraph(current, name))
            return out
        if name in ("ul", "ol"):
            html = self.list_html(node)
            return [Piece(kind="text", html=html)] if html else []
        if name == "table":
            return self.table(node)
        if name in ("blockquote", "div"):
            return [p for child in node.find_all(recursive=False) for p in self.pieces(child)]
        self.dropped.add(_("不支持的内容（%(tag)s）") % {"tag": name})
        return []

    def _paragraph(self, node: Tag, name: str) -> list[Piece]:
        html = self.inline(node).strip()
        if not html or not node.get_text(strip=True):
            return []
        if name in _HEADING_TAGS:
            if self.subheading_tag:
                return [Piece(kind="text", html=f"<{self.subheading_tag}>{html}</{self.subheading_tag}>")]
            return [Piece(kind="text", html=f"<p><b>{html}</b></p>")]
        return [Piece(kind="text", html=f"<p>{html}</p>")]

    def table(self, node: Tag) -> list[Piece]:
        rows, header = [], False
        for tr in node.find_all("tr"):
            if tr.find_parent("table") is not node:
                continue
            cells = tr.find_all(["td", "th"], recursive=False)
            if not rows and cells and all(c.name == "th" for c in cells):
                header = True
            if tr.find("img"):
                self.dropped.add(_("表格中的图片"))
            rows.append([" ".join(c.get_text(" ", strip=True).split()) for c in cells])
        if node.find("table"):
            self.dropped.add(_("表格中嵌套的表格（已按文字保留）"))
        width = max((len(r) for r in rows), default=0)
        rows = [r + [""] * (width - len(r)) for r in rows if any(r)]
        if not rows:
            return []
        return [Piece(kind="table", rows=rows, header=header)]


def _merge(pieces: list[Piece]) -> list[Piece]:
    """Adjacent rich text pieces become one."""
    merged: list[Piece] = []
    for piece in pieces:
        if piece.kind == "text" and merged and merged[-1].kind == "text":
            merged[-1].html += piece.html
        else:
            merged.append(piece)
    return merged


def _convert(name: str, data: bytes) -> tuple[BeautifulSoup, list[DocImage]]:
    images: list[DocImage] = []
    max_image = limits()["MAX_IMAGE_BYTES"]

    def save_image(image):
        with image.open() as handle:
            content = handle.read(max_image + 1)
        if len(content) > max_image or image.content_type not in IMAGE_TYPES:
            return {"src": "unsupported"}
        images.append(DocImage(data=content, content_type=image.content_type, alt=(image.alt_text or "").strip()))
        return {"src": f"{IMAGE_SRC}{len(images) - 1}"}

    try:
        result = mammoth.convert_to_html(
            io.BytesIO(data), convert_image=mammoth.images.img_element(save_image), style_map=STYLE_MAP
        )
    except Exception as exc:  # mammoth raises plain exceptions (KeyError, ValueError, XML errors) on broken files
        raise WordImportError([(name, _("文件已损坏或不是有效的 Word 文档，无法读取。"))]) from exc
    return BeautifulSoup(result.value, "html.parser"), images


def _stem(name: str) -> str:
    return PurePosixPath(name).stem.strip() or _("未命名文档")


def _blocks(soup: BeautifulSoup) -> list[Tag]:
    return [node for node in soup.children if isinstance(node, Tag)]


def _text_of(pieces: list[Piece]) -> str:
    parts = []
    for piece in pieces:
        if piece.kind == "text":
            parts.append(BeautifulSoup(piece.html, "html.parser").get_text(" ", strip=True))
        elif piece.kind == "table":
            parts.extend(" ".join(row) for row in piece.rows)
    return "\n".join(p for p in parts if p)


def parse_case(*, name: str, data: bytes) -> ParsedDocument:
    """A case document split into title, summary and the standard sections; nothing is written."""
    soup, images = _convert(name, data)
    dropped: set[str] = set()
    converter = _Converter(images, dropped, subheading_tag=None)
    nodes = _blocks(soup)
    doc = ParsedDocument(name=name, title=_stem(name), images=images)
    first = nodes[0] if nodes else None
    if first is not None and first.name in _HEADING_TAGS and section_for_heading(first.get_text()) is None:
        doc.title = " ".join(first.get_text(" ", strip=True).split())[:255] or doc.title
        nodes = nodes[1:]

    lead: list[Piece] = []
    current: str | None = None
    current_level = 0
    seen_heading = False
    orphans: dict[str, int] = {}
    orphan_heading = ""
    for node in nodes:
        if node.name in _HEADING_TAGS:
            level = int(node.name[1])
            key = section_for_heading(node.get_text())
            text = " ".join(node.get_text(" ", strip=True).split())
            if key:
                current, current_level, seen_heading = key, level, True
                doc.sections.setdefault(key, [])
                continue
            if current and level > current_level:
                doc.sections[current].extend(converter.pieces(node))  # a sub-heading inside the section
                continue
            if text:
                current, seen_heading, orphan_heading = None, True, text
                orphans.setdefault(text, 0)
            continue
        pieces = converter.pieces(node)
        if current:
            doc.sections[current].extend(pieces)
        elif not seen_heading:
            lead.extend(pieces)
        elif pieces:
            orphans[orphan_heading] += len(pieces)

    for heading, count in orphans.items():
        if count:
            doc.unplaced.append(
                _("“%(h)s”下的 %(n)d 段内容：标题不是标准章节名，未导入。") % {"h": heading, "n": count}
            )
        else:
            doc.unplaced.append(_("标题“%(h)s”：不是标准章节名，已忽略。") % {"h": heading})
    lead_images = [p for p in lead if p.kind != "text"]
    if lead_images:
        doc.unplaced.append(_("摘要中的 %(n)d 个图片或表格：摘要只能是文字，未导入。") % {"n": len(lead_images)})
    summary = _text_of([p for p in lead if p.kind == "text"]).replace("\n", "")
    if len(summary) > SUMMARY_MAX:
        doc.unplaced.append(_("摘要超过 %(n)d 字，已截断，请在编辑页修改。") % {"n": SUMMARY_MAX})
        summary = summary[: SUMMARY_MAX - 1] + "…"
    doc.summary = summary
    for key in list(doc.sections):
        doc.sections[key] = _merge(doc.sections[key])
        if not doc.sections[key]:
            del doc.sections[key]
            doc.unplaced.append(_("章节“%(s)s”没有内容，未导入。") % {"s": dict(SECTIONS)[key]})
    doc.unplaced.extend(_("已忽略：%(what)s。") % {"what": what} for what in sorted(dropped))
    if not doc.sections:
        raise WordImportError(
            [(name, _("没有找到可导入的内容：文档中没有以标准章节名（如基本案情、原因剖析、警示启示）为标题的段落。"))]
        )
    if not doc.summary:
        first_text = _text_of(next(iter(doc.sections.values())))
        doc.summary = first_text.replace("\n", "")[:200]
        doc.unplaced.append(_("文档开头没有导语，摘要取自第一个章节，请在编辑页修改。"))
    doc.text = "\n".join([doc.title, doc.summary, *(_text_of(p) for p in doc.sections.values())])
    return doc


def parse_lesson(*, name: str, data: bytes) -> ParsedDocument:
    """A lesson document: title from the first heading, everything else the body (headings kept as h2/h3)."""
    soup, images = _convert(name, data)
    dropped: set[str] = set()
    converter = _Converter(images, dropped, subheading_tag="h2")
    nodes = _blocks(soup)
    doc = ParsedDocument(name=name, title=_stem(name), images=images)
    if nodes and nodes[0].name in _HEADING_TAGS:
        doc.title = " ".join(nodes[0].get_text(" ", strip=True).split())[:255] or doc.title
        nodes = nodes[1:]
    pieces: list[Piece] = []
    for node in nodes:
        if node.name in _HEADING_TAGS:
            converter.subheading_tag = "h2" if int(node.name[1]) <= 2 else "h3"
        pieces.extend(converter.pieces(node))
    doc.body = _merge(pieces)
    doc.unplaced.extend(_("已忽略：%(what)s。") % {"what": what} for what in sorted(dropped))
    if not doc.body:
        raise WordImportError([(name, _("没有找到可导入的内容：文档是空的。"))])
    doc.text = "\n".join([doc.title, _text_of(doc.body)])
    return doc


def parse_documents(*, documents: list[UploadedDocument], kind: str) -> list[ParsedDocument]:
    """Parse every document; refuse the whole upload (listing each bad file) if any cannot be imported."""
    parse = parse_case if kind == "case" else parse_lesson
    parsed, errors = [], []
    for document in documents:
        try:
            parsed.append(parse(name=document.name, data=document.data))
        except WordImportError as exc:
            errors.extend(exc.errors)
    if errors:
        raise WordImportError(errors)
    return parsed


def documents_to_json(documents: list[ParsedDocument]) -> str:
    """The parsed documents as JSON (images base64), so the confirm step need not parse them again."""

    def image(i: DocImage) -> dict:
        return {"data": base64.b64encode(i.data).decode(), "content_type": i.content_type, "alt": i.alt}

    def pieces(items: list[Piece]) -> list[dict]:
        return [{"kind": p.kind, "html": p.html, "rows": p.rows, "header": p.header, "image": p.image} for p in items]

    return json.dumps(
        [
            {
                "name": d.name,
                "title": d.title,
                "summary": d.summary,
                "sections": {k: pieces(v) for k, v in d.sections.items()},
                "body": pieces(d.body),
                "images": [image(i) for i in d.images],
                "unplaced": d.unplaced,
                "text": d.text,
            }
            for d in documents
        ],
        ensure_ascii=False,
    )


def documents_from_json(text: str) -> list[ParsedDocument]:
    def pieces(items: list[dict]) -> list[Piece]:
        return [Piece(**p) for p in items]

    return [
        ParsedDocument(
            name=d["name"],
            title=d["title"],
            summary=d["summary"],
            sections={k: pieces(v) for k, v in d["sections"].items()},
            body=pieces(d["body"]),
            images=[
                DocImage(data=base64.b64decode(i["data"]), content_type=i["content_type"], alt=i["alt"])
                for i in d["images"]
            ],
            unplaced=d["unplaced"],
            text=d["text"],
        )
        for d in json.loads(text)
    ]


# ---------------------------------------------------------------- suggestions


def suggest_terms(*, text: str) -> dict[str, list]:
    """Taxonomy terms whose name or synonym (cases/vocabulary.py) occurs in the text.

    Keys: "sector" (at most one: the term mentioned first), "violation_types", "supervision_failures".
    """
    from cases.models import Sector, SupervisionFailure, ViolationType

    found: dict[str, list] = {}
    for key, model in (
        ("sector", Sector),
        ("violation_types", ViolationType),
        ("supervision_failures", SupervisionFailure),
    ):
        synonyms = TAXONOMY_SYNONYMS.get(key, {})
        hits = []
        for term in model.objects.all():
            words = [term.name, *synonyms.get(term.name, [])]
            positions = [text.find(w) for w in words if w and w in text]
            if positions:
                hits.append((min(positions), term))
        hits.sort(key=lambda item: item[0])
        found[key] = [term for _pos, term in hits]
    found["sector"] = found["sector"][:1]
    return found


def suggest_year(text: str) -> int | None:
    years = [int(y) for y in re.findall(r"(?<!\d)(19[5-9]\d|20\d\d)(?=年)", text)]
    return max(years) if years else None


def suggest_region(text: str) -> str:
    match = re.search(r"某(?:省|自治区|市)(?:某(?:市|州|盟|地区))?(?:某(?:县|区|市|旗))?", text)
    return match.group(0) if match else ""


def suggest_rank(text: str) -> int | None:
    hits = [(text.find(w), rank) for rank, words in RANK_WORDS.items() for w in words if w in text]
    return min(hits)[1] if hits else None


def suggest_minutes(text: str) -> int:
    """Reading time of a lesson at about 300 characters a minute (at least one minute)."""
    return max(1, min(600, round(len(text) / 300)))


# ---------------------------------------------------------------- 3. the drafts


def _save_images(doc: ParsedDocument, *, user, used: set[int]) -> dict[int, object]:
    from wagtail.images import get_image_model

    Image = get_image_model()
    saved = {}
    for number in sorted(used):
        image = doc.images[number]
        extension = IMAGE_TYPES[image.content_type]
        title = image.alt or _("%(doc)s 图 %(n)d") % {"doc": doc.title[:200], "n": number + 1}
        filename = f"word-import-{slugify(doc.title, allow_unicode=False)[:40] or 'image'}-{number + 1}.{extension}"
        wagtail_image = Image(title=title[:255], uploaded_by_user=user if user and user.is_authenticated else None)
        wagtail_image.file = ImageFile(io.BytesIO(image.data), name=filename)
        wagtail_image.save()
        saved[number] = wagtail_image
    return saved


def _stream(pieces: list[Piece], images: dict, *, text_type: str, image_value) -> list[dict]:
    out = []
    for piece in pieces:
        if piece.kind == "text":
            out.append({"type": text_type, "value": piece.html})
        elif piece.kind == "table":
            out.append(
                {
                    "type": "table",
                    "value": {
                        "data": piece.rows,
                        "first_row_is_table_header": piece.header,
                        "first_col_is_header": False,
                        "table_caption": "",
                    },
                }
            )
        elif piece.kind == "image" and piece.image in images:
            out.append({"type": "image", "value": image_value(images[piece.image])})
    return out


def _used_images(pieces: list[Piece]) -> set[int]:
    return {p.image for p in pieces if p.kind == "image"}


def _unique_slug(parent, title: str) -> str:
    base = slugify(title, allow_unicode=True)[:200] or "word-import"
    taken = set(parent.get_children().values_list("slug", flat=True))
    slug, counter = base, 2
    while slug in taken:
        slug = f"{base}-{counter}"
        counter += 1
    return slug


@dataclass
class CaseChoices:
    """What the editor confirmed for one document in the preview."""

    title: str
    year: int
    region: str
    subject_rank: int
    sector: object
    violation_types: list = field(default_factory=list)
    supervision_failures: list = field(default_factory=list)
    min_rank: int | None = None
    is_anonymised: bool = False


@transaction.atomic
def create_case_drafts(*, documents: list[ParsedDocument], choices: list[CaseChoices], index, user) -> list:
    """One draft CaseStudyPage per document under `index`, with a revision by `user`; never published."""
    from cases.models import CaseStudyPage

    if user is not None and not index.permissions_for_user(user).can_add_subpage():
        raise WordImportError([("", _("您没有在该案例库中新建案例的权限。"))])
    pages = []
    for doc, choice in zip(documents, choices, strict=True):
        used = set().union(*(_used_images(p) for p in doc.sections.values())) if doc.sections else set()
        images = _save_images(doc, user=user, used=used)
        body = [
            {
                "type": "section",
                "value": {
                    "section": key,
                    "content": _stream(
                        pieces,
                        images,
                        text_type="paragraph",
                        image_value=lambda image: {"image": image.pk, "caption": image.title[:200]},
                    ),
                },
            }
            for key, _label, pieces in doc.section_list
        ]
        page = CaseStudyPage(
            title=choice.title,
            slug=_unique_slug(index, choice.title),
            live=False,
            summary=doc.summary,
            year=choice.year,
            region=choice.region,
            sector=choice.sector,
            subject_rank=choice.subject_rank,
            min_rank=choice.min_rank,
            is_anonymised=choice.is_anonymised,
            owner=user,
        )
        page.body = body
        page.violation_types = list(choice.violation_types)
        page.supervision_failures = list(choice.supervision_failures)
        index.add_child(instance=page)
        page.save_revision(user=user, log_action=True)
        pages.append(page)
    return pages


@dataclass
class LessonChoices:
    title: str
    estimated_minutes: int


@transaction.atomic
def create_lesson_drafts(*, documents: list[ParsedDocument], choices: list[LessonChoices], course, user) -> list:
    """One draft LessonPage per document at the end of `course`; never published."""
    from learning.models import LessonPage

    if user is not None and not course.permissions_for_user(user).can_add_subpage():
        raise WordImportError([("", _("您没有在该课程中新建课时的权限。"))])
    pages = []
    for doc, choice in zip(documents, choices, strict=True):
        images = _save_images(doc, user=user, used=_used_images(doc.body))
        page = LessonPage(
            title=choice.title,
            slug=_unique_slug(course, choice.title),
            live=False,
            estimated_minutes=choice.estimated_minutes,
            owner=user,
        )
        page.body = _stream(
            doc.body, images, text_type="text", image_value=lambda image: {"image": image.pk, "caption": ""}
        )
        course.add_child(instance=page)
        page.save_revision(user=user, log_action=True)
        pages.append(page)
    return pages
