"""Question-bank import and export: Moodle XML, GIFT and the Chinese Excel template.

Parsing never writes; `import_questions` parses the whole file first, stops at the first
list of problems (each with the question or row it belongs to) and only then writes,
in one transaction. HTML from other systems goes through Wagtail's rich-text whitelist.
"""

import base64
import binascii
import html
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element  # noqa: S405 - only the type; parsing uses defusedxml

from defusedxml import ElementTree as SafeET
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from wagtail.admin.rich_text.converters.editor_html import EditorHTMLConverter

from core.spreadsheets import safe_row, unsafe_cell
from core.uploads import check_size, check_xlsx_archive, decode_text
from quizzes import services
from quizzes.models import RICH_TEXT_FEATURES, Question, QuestionCategory, QuestionType
from quizzes.services import ChoiceData

MAX_UPLOAD_BYTES = getattr(settings, "QUESTION_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
MAX_QUESTIONS = 5000
XLSX_HEADERS = ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F", "答案", "解析", "分值"]
XLSX_OPTIONAL = ["分类", "标签", "按比例给分"]
OPTION_LETTERS = "ABCDEF"
TYPE_WORDS = {
    "单选": QuestionType.SINGLE,
    "单选题": QuestionType.SINGLE,
    "单项选择": QuestionType.SINGLE,
    "单项选择题": QuestionType.SINGLE,
    "多选": QuestionType.MULTIPLE,
    "多选题": QuestionType.MULTIPLE,
    "多项选择": QuestionType.MULTIPLE,
    "多项选择题": QuestionType.MULTIPLE,
    "判断": QuestionType.TRUE_FALSE,
    "判断题": QuestionType.TRUE_FALSE,
    "填空": QuestionType.FILL_BLANK,
    "填空题": QuestionType.FILL_BLANK,
    "简答": QuestionType.ESSAY,
    "简答题": QuestionType.ESSAY,
    "问答": QuestionType.ESSAY,
    "论述": QuestionType.ESSAY,
}
TRUE_WORDS = {"对", "正确", "是", "√", "✓", "t", "true", "y", "yes"}
FALSE_WORDS = {"错", "错误", "否", "×", "✗", "f", "false", "n", "no"}
# Moodle accepts only these grades (percent) for an answer; anything else is refused on import.
MOODLE_GRADES = [
    Decimal(x)
    for x in (
        "100",
        "90",
        "83.33333",
        "80",
        "75",
        "70",
        "66.66667",
        "60",
        "50",
        "40",
        "33.33333",
        "30",
        "25",
        "20",
        "16.66667",
        "14.28571",
        "12.5",
        "11.11111",
        "10",
        "5",
        "0",
    )
]
UNSUPPORTED_MOODLE = {
    "matching": "连线题（matching）",
    "cloze": "完形填空（cloze）",
    "multianswer": "完形填空（multianswer）",
    "numerical": "数值题（numerical）",
    "calculated": "计算题（calculated）",
    "calculatedsimple": "计算题",
    "calculatedmulti": "计算选择题",
    "ddwtos": "拖放题",
    "gapselect": "下拉选词题",
    "ddimageortext": "拖放题",
    "ddmarker": "拖放题",
    "randomsamatch": "随机连线题",
    "description": "说明（不是题目）",
    "ordering": "排序题",
}


class ImportFailed(Exception):
    """A file that cannot be imported; `errors` is a list of (where, reason)."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__("; ".join(f"{w}：{r}" for w, r in errors))
        self.errors = errors


@dataclass
class ParsedImage:
    name: str
    data: bytes


@dataclass
class ParsedQuestion:
    ref: str
    qtype: str
    stem: str
    name: str = ""
    choices: list[ChoiceData] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    explanation: str = ""
    mark: Decimal = Decimal("1")
    partial_credit: bool = False
    category: str = ""
    tags: list[str] = field(default_factory=list)
    images: list[ParsedImage] = field(default_factory=list)
    source_id: str = ""


@dataclass
class ImportResult:
    counts: Counter
    category: QuestionCategory
    categories_created: list[str]
    warnings: list[str]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def summary(self) -> str:
        parts = "，".join(f"{QuestionType(t).label} {n} 道" for t, n in self.counts.items() if n) or "0 道"
        return _("已导入 %(total)d 道题到“%(cat)s”：%(parts)s。") % {
            "total": self.total,
            "cat": self.category.full_path,
            "parts": parts,
        }


# ---------------------------------------------------------------- HTML


_converter = EditorHTMLConverter(features=RICH_TEXT_FEATURES)


def clean_html(value: str) -> str:
    """HTML from another system, reduced to what Wagtail's rich text allows."""
    value = (value or "").strip()
    if not value:
        return ""
    return _converter.to_database_format(value)


def text_to_html(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br/>')}</p>" for p in re.split(r"\n\s*\n", value))


def plain(value: str) -> str:
    return html.unescape(strip_tags(value or "")).strip()


# ---------------------------------------------------------------- Moodle XML


def _text(el: Element | None, path: str = "text") -> str:
    if el is None:
        return ""
    found = el.find(path) if path else el
    return (found.text or "") if found is not None else ""


def _formatted(el: Element | None) -> str:
    """A Moodle text element as rich-text HTML, whatever its format attribute says."""
    if el is None:
        return ""
    raw = _text(el)
    fmt = el.get("format", "html")
    if fmt == "html":
        return raw
    return text_to_html(raw)


def _moodle_category(path: str) -> str:
    path = re.sub(r"^\$(course|system|module|cat\d+)\$/?", "", (path or "").strip())
    path = path.strip("/")
    # Moodle's default top category carries no meaning for us.
    parts = [p for p in path.split("/") if p.strip() and p.strip().lower() != "top"]
    return "/".join(p.strip() for p in parts)


def _fraction(value: str, ref: str, errors: list) -> Decimal | None:
    try:
        grade = Decimal(value or "0")
    except InvalidOperation:
        errors.append((ref, _("答案得分比例“%(v)s”不是数字。") % {"v": value}))
        return None
    if not any(abs(abs(grade) - g) < Decimal("0.001") for g in MOODLE_GRADES):
        errors.append(
            (ref, _("答案得分比例 %(v)s%% 不是 Moodle 允许的取值（如 100、50、33.33333、25）。") % {"v": value})
        )
        return None
    return grade


def _default_weights_unset(choices: list) -> list:
    """Fractions equal to a default weight (±1/k, k correct options) that five decimals cannot hold are
    stored as unset, so that what Moodle writes as 33.33333 is 1/3 exactly, and exports again as 33.33333
    rather than as 33.333. Exact ones (50, 25) are kept as written."""
    from quizzes.scoring import ChoiceSpec, choice_weights

    defaults = choice_weights([ChoiceSpec(i, c.is_correct, None) for i, c in enumerate(choices)])
    return [
        services.ChoiceData(c.text, c.is_correct, None)
        if c.fraction is not None
        and abs(c.fraction - defaults[i]) < Decimal("0.0001")
        and defaults[i].quantize(Decimal("0.00001")) != defaults[i]
        else c
        for i, c in enumerate(choices)
    ]


def parse_moodle_xml(data: bytes) -> tuple[list[ParsedQuestion], list[str]]:
    try:
        root = SafeET.fromstring(data)
    except SafeET.ParseError as exc:
        raise ImportFailed([(_("文件"), _("不是有效的 XML：%(e)s") % {"e": exc})]) from exc
    except Exception as exc:  # defusedxml refuses entities, DTDs and external references
        raise ImportFailed([(_("文件"), _("XML 含有不允许的内容（实体或外部引用）。"))]) from exc
    if root.tag != "quiz":
        raise ImportFailed([(_("文件"), _("不是 Moodle XML 题库文件（根元素应为 quiz）。"))])
    questions, errors, warnings = [], [], []
    category = ""
    number = 0
    for el in root.findall("question"):
        qtype = el.get("type", "")
        if qtype == "category":
            category = _moodle_category(_text(el.find("category")))
            continue
        number += 1
        name = plain(_text(el.find("name")))
        ref = (
            _("第 %(n)d 题“%(name)s”") % {"n": number, "name": name[:40]} if name else _("第 %(n)d 题") % {"n": number}
        )
        if qtype in UNSUPPORTED_MOODLE or qtype not in ("multichoice", "truefalse", "shortanswer", "essay"):
            label = UNSUPPORTED_MOODLE.get(qtype, qtype or _("未注明"))
            errors.append((ref, _("不支持的题型：%(t)s。") % {"t": label}))
            continue
        stem_el = el.find("questiontext")
        stem = _formatted(stem_el)
        images = []
        for search in (stem_el, el.find("generalfeedback")):
            if search is None:
                continue
            for f in search.findall("file"):
                try:
                    images.append(ParsedImage(f.get("name", "image"), base64.b64decode(f.text or "", validate=False)))
                except (binascii.Error, ValueError):
                    errors.append((ref, _("内嵌图片“%(n)s”不是有效的 base64。") % {"n": f.get("name", "")}))
        if not plain(stem) and "<img" not in stem:
            errors.append((ref, _("题干为空。")))
            continue
        try:
            mark = Decimal(_text(el, "defaultgrade") or "1")
        except InvalidOperation:
            mark = Decimal("0")
        if mark <= 0:
            mark = Decimal("1")
        q = ParsedQuestion(
            ref=ref,
            qtype="",
            stem=stem,
            name=name,
            mark=mark.quantize(Decimal("0.01")),
            category=category,
            explanation=_formatted(el.find("generalfeedback")),
            images=images,
            source_id=_text(el, "idnumber").strip(),
            tags=[plain(_text(t)) for t in el.findall("tags/tag") if plain(_text(t))],
        )
        answers = el.findall("answer")
        if qtype == "essay":
            q.qtype = QuestionType.ESSAY
        elif qtype == "truefalse":
            q.qtype = QuestionType.TRUE_FALSE
            truth = None
            for a in answers:
                grade = _fraction(a.get("fraction", "0"), ref, errors)
                word = plain(_text(a)).lower()
                if grade is not None and grade > 0:
                    truth = word in ("true", "正确", "对")
            if truth is None:
                errors.append((ref, _("判断题没有标出正确答案。")))
                continue
            q.choices = services.truefalse_choices(truth)
        elif qtype == "shortanswer":
            q.qtype = QuestionType.FILL_BLANK
            if (_text(el, "usecase") or "0").strip() == "1":
                warnings.append(_("%(ref)s：原题区分大小写，本系统比较答案时不区分大小写。") % {"ref": ref})
            for a in answers:
                grade = _fraction(a.get("fraction", "0"), ref, errors)
                text = plain(_text(a))
                if grade is None:
                    continue
                if grade == 100:
                    if "*" in text:
                        errors.append((ref, _("不支持含通配符 * 的参考答案“%(a)s”。") % {"a": text}))
                    q.accepted.append(text)
                elif grade > 0:
                    warnings.append(
                        _("%(ref)s：部分得分的答案“%(a)s”（%(g)s%%）未导入，填空题只认满分答案。")
                        % {"ref": ref, "a": text, "g": grade.normalize()}
                    )
            if not q.accepted:
                errors.append((ref, _("填空题没有满分的参考答案。")))
                continue
        else:  # multichoice
            single = (_text(el, "single") or "true").strip().lower() in ("true", "1")
            grades = []
            for a in answers:
                grade = _fraction(a.get("fraction", "0"), ref, errors)
                grades.append(grade)
                text = plain(_text(a))
                if grade is None:
                    continue
                if single:
                    if 0 < grade < 100:
                        errors.append(
                            (ref, _("单选题中的部分得分答案（%(g)s%%）不受支持。") % {"g": grade.normalize()})
                        )
                    q.choices.append(ChoiceData(text, grade == 100))
                else:
                    q.choices.append(ChoiceData(text, grade > 0, (grade / 100).quantize(Decimal("0.00001"))))
            if None in grades:
                continue
            q.qtype = QuestionType.SINGLE if single else QuestionType.MULTIPLE
            if not single:
                q.partial_credit = True
                q.choices = _default_weights_unset(q.choices)
                positive = sum((g for g in grades if g > 0), Decimal(0))
                if abs(positive - 100) > Decimal("0.1"):
                    errors.append(
                        (
                            ref,
                            _("多选题各正确选项得分比例之和应为 100%%，实际为 %(s)s%%。") % {"s": positive.normalize()},
                        )
                    )
                    continue
        questions.append(q)
    if errors:
        raise ImportFailed(errors)
    return questions, warnings


# ---------------------------------------------------------------- GIFT

_GIFT_ESCAPES = {
    "\\\\": "\x08",  # an escaped backslash first, so "\\}" is a backslash and a closing brace
    "\\:": "\x01",
    "\\~": "\x02",
    "\\=": "\x03",
    "\\#": "\x04",
    "\\{": "\x05",
    "\\}": "\x06",
    "\\n": "\x07",
}
_GIFT_UNESCAPE = {
    "\x01": ":",
    "\x02": "~",
    "\x03": "=",
    "\x04": "#",
    "\x05": "{",
    "\x06": "}",
    "\x07": "\n",
    "\x08": "\\",
}


def _gift_unescape(value: str) -> str:
    for k, v in _GIFT_UNESCAPE.items():
        value = value.replace(k, v)
    return value.strip()


def _gift_text(value: str) -> str:
    """GIFT text with an optional [format] prefix, as rich-text HTML."""
    value = value.strip()
    fmt = "moodle"
    m = re.match(r"^\[(html|moodle|plain|markdown)\]", value)
    if m:
        fmt, value = m.group(1), value[m.end() :]
    value = _gift_unescape(value)
    return value if fmt == "html" else text_to_html(value)


def _gift_plain(value: str) -> str:
    return plain(_gift_text(value))


def _gift_blocks(text: str) -> list[tuple[int, str]]:
    """Moodle's GIFT layout: `//` comment lines dropped, questions separated by blank lines.
    Returns (first line number, text) per block; escapes are already replaced by placeholders."""
    blocks, current, first = [], [], 0
    for number, line in enumerate(text.splitlines() + [""], start=1):
        if line.strip().startswith("//"):
            continue
        if line.strip():
            if not current:
                first = number
            current.append(line)
        elif current:
            blocks.append((first, "\n".join(current)))
            current = []
    return blocks


def parse_gift(text: str) -> tuple[list[ParsedQuestion], list[str]]:
    for k, v in _GIFT_ESCAPES.items():
        text = text.replace(k, v)
    questions, errors, warnings = [], [], []
    category = ""
    number = 0
    for first_line, block in _gift_blocks(text):
        stripped = block.strip()
        cat = re.match(r"^\$CATEGORY:\s*(.+)$", stripped)
        if cat:
            category = _moodle_category(cat.group(1))
            continue
        number += 1
        name = ""
        m = re.match(r"^::(.*?)::", stripped, re.S)
        if m:
            name, stripped = _gift_unescape(m.group(1)), stripped[m.end() :]
        ref = (
            _("第 %(n)d 题“%(name)s”（第 %(line)d 行）") % {"n": number, "name": name[:40], "line": first_line}
            if name
            else _("第 %(n)d 题（第 %(line)d 行）") % {"n": number, "line": first_line}
        )
        opens, closes = stripped.count("{"), stripped.count("}")
        if opens != closes or stripped.find("}") < stripped.find("{"):
            errors.append(
                (
                    ref,
                    _("花括号不配对（{ %(o)d 个，} %(c)d 个）；字面的花括号请写成 \\{ 和 \\}。")
                    % {"o": opens, "c": closes},
                )
            )
            continue
        if opens > 1:
            errors.append((ref, _("一个题目只能有一个答案部分 {…}；题目之间须用空行分隔。")))
            continue
        start, end = stripped.find("{"), stripped.rfind("}")
        if start < 0 or end < start:
            errors.append((ref, _("缺少答案部分 {…}。")))
            continue
        stem_raw = stripped[:start] + (" ____ " + stripped[end + 1 :] if stripped[end + 1 :].strip() else "")
        body = stripped[start + 1 : end].strip()
        explanation = ""
        if "####" in body:
            body, explanation = body.split("####", 1)
            explanation = _gift_text(explanation)
            body = body.strip()
        q = ParsedQuestion(
            ref=ref, qtype="", stem=_gift_text(stem_raw), name=name, category=category, explanation=explanation
        )
        if not plain(q.stem):
            errors.append((ref, _("题干为空。")))
            continue
        if body == "":
            q.qtype = QuestionType.ESSAY
        elif body.startswith("#"):
            errors.append((ref, _("不支持的题型：数值题（numerical）。")))
            continue
        elif re.fullmatch(r"(T|TRUE|F|FALSE)(#.*)?", body.split("\n")[0].strip(), re.S) and not re.search(
            r"[~=]", body
        ):
            head = body.split("#", 1)[0].strip()
            q.qtype = QuestionType.TRUE_FALSE
            q.choices = services.truefalse_choices(head in ("T", "TRUE"))
        elif "->" in body:
            errors.append((ref, _("不支持的题型：连线题（matching）。")))
            continue
        else:
            parts = re.findall(r"([=~])([^=~]*)", body)
            if not parts:
                errors.append((ref, _("无法识别的答案：%(b)s") % {"b": _gift_unescape(body)[:60]}))
                continue
            answers = []
            for sign, raw in parts:
                raw = raw.split("#", 1)[0].strip()
                weight = None
                wm = re.match(r"^%(-?\d+(?:\.\d+)?)%", raw)
                if wm:
                    weight, raw = Decimal(wm.group(1)), raw[wm.end() :]
                answers.append((sign, weight, _gift_plain(raw)))
            if all(sign == "=" for sign, _w, _t in answers):
                q.qtype = QuestionType.FILL_BLANK
                for _sign, weight, value in answers:
                    if weight is None or weight == 100:
                        q.accepted.append(value)
                    elif weight > 0:
                        warnings.append(
                            _("%(ref)s：部分得分的答案“%(a)s”未导入，填空题只认满分答案。") % {"ref": ref, "a": value}
                        )
            elif any(sign == "=" for sign, _w, _t in answers):
                q.qtype = QuestionType.SINGLE
                if sum(1 for s, _w, _t in answers if s == "=") != 1:
                    errors.append((ref, _("单选题只能有一个“=”正确答案。")))
                    continue
                q.choices = [ChoiceData(value, sign == "=") for sign, _w, value in answers]
            else:
                q.qtype = QuestionType.MULTIPLE
                q.partial_credit = True
                q.choices = [
                    ChoiceData(value, (w or 0) > 0, ((w or Decimal(0)) / 100).quantize(Decimal("0.00001")))
                    for _s, w, value in answers
                ]
                positive = sum((w for _s, w, _t in answers if w and w > 0), Decimal(0))
                if abs(positive - 100) > Decimal("0.1"):
                    errors.append(
                        (
                            ref,
                            _("多选题各正确选项得分比例之和应为 100%%，实际为 %(s)s%%。") % {"s": positive.normalize()},
                        )
                    )
                    continue
        questions.append(q)
    if errors:
        raise ImportFailed(errors)
    return questions, warnings


# ---------------------------------------------------------------- Aiken

_AIKEN_OPTION = re.compile(r"^([A-Z])[.)、．）]\s*(.+)$")
_AIKEN_ANSWER = re.compile(r"^ANSWER:\s*([A-Z])\s*$")


def looks_like_aiken(text: str) -> bool:
    return "{" not in text and any(_AIKEN_ANSWER.match(ln.strip()) for ln in text.splitlines())


def parse_aiken(text: str) -> tuple[list[ParsedQuestion], list[str]]:
    """Moodle's Aiken format: a stem line, options "A." or "A)" one a line, then "ANSWER: X";
    questions separated by blank lines. Any deviation is an error naming the question and line."""
    questions, errors = [], []
    blocks, current, first = [], [], 0
    for number, raw in enumerate(text.splitlines() + [""], start=1):
        if raw.strip():
            if not current:
                first = number
            current.append(raw.strip())
        elif current:
            blocks.append((first, current))
            current = []
    for n, (first_line, lines) in enumerate(blocks, start=1):
        ref = _("第 %(n)d 题（第 %(line)d 行）") % {"n": n, "line": first_line}
        answer = _AIKEN_ANSWER.match(lines[-1])
        options = [_AIKEN_OPTION.match(ln) for ln in lines[1:-1]]
        if len(lines) < 4 or answer is None or not all(options):
            errors.append((ref, _("不符合 Aiken 格式：题干一行，选项以“A.”或“A)”开头，最后一行为“ANSWER: 字母”。")))
            continue
        letters = [m.group(1) for m in options]
        if letters != [chr(ord("A") + i) for i in range(len(letters))] or answer.group(1) not in letters:
            errors.append((ref, _("选项字母应从 A 起连续，答案“%(a)s”必须是其中之一。") % {"a": answer.group(1)}))
            continue
        questions.append(
            ParsedQuestion(
                ref=ref,
                qtype=QuestionType.SINGLE,
                stem=text_to_html(lines[0]),
                choices=[ChoiceData(m.group(2).strip(), m.group(1) == answer.group(1)) for m in options],
            )
        )
    if errors:
        raise ImportFailed(errors)
    return questions, []


# ---------------------------------------------------------------- Excel


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unsafe_cell(str(value).strip())


def parse_xlsx(data: bytes) -> tuple[list[ParsedQuestion], list[str]]:
    from openpyxl import load_workbook

    check_xlsx_archive(io.BytesIO(data))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ImportFailed([(_("文件"), _("无法读取 Excel 文件：%(e)s") % {"e": exc})]) from exc
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [_cell(c) for c in next(rows, [])]
    missing = [h for h in ("题型", "题干", "答案") if h not in header]
    if missing:
        raise ImportFailed(
            [
                (
                    _("第 1 行"),
                    _("缺少表头：%(h)s。模板表头为：%(all)s")
                    % {"h": "、".join(missing), "all": "、".join(XLSX_HEADERS)},
                )
            ]
        )
    col = {h: i for i, h in enumerate(header) if h}
    questions, errors = [], []
    for number, row in enumerate(rows, start=2):
        cells = [_cell(c) for c in row]
        if not any(cells):
            continue
        if len(questions) + len(errors) >= MAX_QUESTIONS:
            errors.append((_("第 %(n)d 行") % {"n": number}, _("一次最多导入 %(m)d 道题。") % {"m": MAX_QUESTIONS}))
            break

        def get(name, cells=cells):
            i = col.get(name)
            return cells[i] if i is not None and i < len(cells) else ""

        ref = _("第 %(n)d 行") % {"n": number}
        qtype = TYPE_WORDS.get(get("题型"))
        if qtype is None:
            errors.append((ref, _("题型“%(t)s”无效，应为 单选、多选、判断、填空 或 简答。") % {"t": get("题型")}))
            continue
        stem = get("题干")
        if not stem:
            errors.append((ref, _("题干为空。")))
            continue
        mark = Decimal("1")
        if get("分值"):
            try:
                mark = Decimal(get("分值"))
            except InvalidOperation:
                mark = Decimal("-1")
            if mark <= 0 or mark > 1000:
                errors.append((ref, _("分值“%(v)s”无效，应为大于 0 的数字。") % {"v": get("分值")}))
                continue
        answer = get("答案")
        q = ParsedQuestion(
            ref=ref,
            qtype=qtype,
            stem=text_to_html(stem),
            mark=mark.quantize(Decimal("0.01")),
            explanation=text_to_html(get("解析")),
            category=get("分类"),
            tags=[t.strip() for t in re.split(r"[,，、;；]", get("标签")) if t.strip()],
            partial_credit=get("按比例给分").lower() in TRUE_WORDS,
        )
        options = [(letter, get(f"选项{letter}")) for letter in OPTION_LETTERS]
        options = [(letter, text) for letter, text in options if text]
        if qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            letters = [ch for ch in answer.upper() if ch.strip() and ch not in ",，、;； "]
            unknown = [ch for ch in letters if ch not in {letter for letter, _t in options}]
            if not letters or unknown:
                errors.append(
                    (ref, _("答案“%(a)s”应为选项字母（如 A 或 ACD），且对应的选项不能为空。") % {"a": answer})
                )
                continue
            q.choices = [ChoiceData(text, letter in letters) for letter, text in options]
        elif qtype == QuestionType.TRUE_FALSE:
            word = answer.lower()
            if word not in TRUE_WORDS | FALSE_WORDS:
                errors.append((ref, _("判断题答案“%(a)s”应为 对 或 错。") % {"a": answer}))
                continue
            q.choices = services.truefalse_choices(word in TRUE_WORDS)
        elif qtype == QuestionType.FILL_BLANK:
            q.accepted = [a.strip() for a in re.split(r"[|｜;；]", answer) if a.strip()]
        elif answer:
            q.explanation = text_to_html(_("参考答案：") + answer) + q.explanation
        try:
            services.question_check(qtype=q.qtype, choices=q.choices, accepted=q.accepted)
        except ValidationError as exc:
            errors.append((ref, exc.messages[0]))
            continue
        questions.append(q)
    workbook.close()
    if errors:
        raise ImportFailed(errors)
    return questions, []


def xlsx_template() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "题目"
    ws.append(XLSX_HEADERS + XLSX_OPTIONAL)
    for c in ws[1]:
        c.font = Font(bold=True)
    ws.append(
        [
            "单选",
            "“三重一大”事项应当由谁决策？",
            "主要负责人个人",
            "领导班子集体",
            "分管领导",
            "上级纪委",
            "",
            "",
            "B",
            "三重一大事项必须集体决策。",
            1,
            "",
            "三重一大",
            "",
        ]
    )
    ws.append(
        [
            "多选",
            "下列属于“四个不直接分管”范围的有（　）。",
            "人事",
            "财务",
            "工程项目",
            "宣传",
            "",
            "",
            "ABC",
            "",
            2,
            "",
            "",
            "否",
        ]
    )
    ws.append(
        ["判断", "一把手在班子会上应当首先表态定调。", "", "", "", "", "", "", "错", "应当末位表态。", 1, "", "", ""]
    )
    ws.append(
        [
            "填空",
            "党风廉政建设中，领导干部既抓业务又抓党风廉政建设，称为“______”。",
            "",
            "",
            "",
            "",
            "",
            "",
            "一岗双责",
            "",
            1,
            "",
            "",
            "",
        ]
    )
    ws.append(["简答", "结合本单位实际，谈谈如何落实同级监督。", "", "", "", "", "", "", "", "", 5, "", "", ""])
    notes = wb.create_sheet("填写说明")
    for line in (
        "题型：单选、多选、判断、填空、简答。",
        "选项A～选项F：单选、多选题填写；至少两个选项。",
        "答案：单选填一个字母（如 B）；多选填多个字母（如 ACD）；判断填 对 或 错；填空可填多个可接受答案，用 | 分隔；简答可填参考答案。",
        "解析、分值（默认 1）可选；分类为导入分类下的子分类路径（如 八项规定/公务接待），可选。",
        "按比例给分：多选题填 是 则部分选对按比例得分，默认须全部选对才得分。",
        "任何一行有误，整个文件都不会导入；请按提示的行号修改后重新上传。",
    ):
        notes.append([line])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- import


def detect_format(filename: str, data: bytes) -> str:
    name = (filename or "").lower()
    if name.endswith(".xlsx") or data[:2] == b"PK":
        return "xlsx"
    if name.endswith(".xml") or data.lstrip()[:5] in (b"<?xml", b"<quiz"):
        return "xml"
    if name.endswith((".gift", ".txt")):
        return "gift"
    raise ImportFailed(
        [(_("文件"), _("无法识别的文件类型，请上传 Moodle XML（.xml）、GIFT 或 Aiken（.txt）或 Excel（.xlsx）。"))]
    )


def parse_file(*, data: bytes, filename: str) -> tuple[list[ParsedQuestion], list[str]]:
    check_size(io.BytesIO(data), MAX_UPLOAD_BYTES)
    kind = detect_format(filename, data)
    if kind == "xlsx":
        return parse_xlsx(data)
    if kind == "xml":
        return parse_moodle_xml(data)
    text = decode_text(data)
    if looks_like_aiken(text):
        return parse_aiken(text)
    return parse_gift(text)


def _store_images(q: ParsedQuestion, errors: list) -> dict[str, int]:
    from django.core.files.images import ImageFile
    from wagtail.images import get_image_model

    image_model = get_image_model()
    ids = {}
    from core.images import image_problem

    for img in q.images:
        # The same check as an upload through the admin image form.
        problem = image_problem(img.data)
        if problem:
            errors.append((q.ref, _("内嵌图片“%(n)s”：%(p)s") % {"n": img.name, "p": problem}))
            continue
        image = image_model(title=img.name[:255])
        image.file = ImageFile(io.BytesIO(img.data), name=img.name)
        image.save()
        ids[img.name] = image.pk
    return ids


def _embed_images(value: str, ids: dict[str, int]) -> str:
    def replace(m):
        src = html.unescape(m.group(1))
        name = src.rsplit("/", 1)[-1]
        from urllib.parse import unquote

        name = unquote(name)
        if name in ids:
            return f'<img data-embedtype="image" data-id="{ids[name]}" data-format="fullwidth" data-alt="{html.escape(name)}">'
        return ""

    return re.sub(r"<img[^>]*\bsrc=\"(@@PLUGINFILE@@/[^\"]+)\"[^>]*>", replace, value or "")


def import_questions(*, data: bytes, filename: str, category_path: str) -> ImportResult:
    """Parse a whole file, then write every question in one transaction; any problem writes nothing."""
    questions, warnings = parse_file(data=data, filename=filename)
    if not questions:
        raise ImportFailed([(_("文件"), _("文件中没有题目。"))])
    if len(questions) > MAX_QUESTIONS:
        raise ImportFailed([(_("文件"), _("一次最多导入 %(m)d 道题。") % {"m": MAX_QUESTIONS})])
    errors: list[tuple[str, str]] = []
    created: list[str] = []
    counts: Counter = Counter()
    # Category paths are checked before anything is written (too deep or too long: refused by question).
    for q in questions:
        full = services._split_path(f"{category_path}/{q.category}")
        problem = services.category_path_problem(full)
        if problem:
            errors.append((q.ref, problem))
    if errors:
        raise ImportFailed(errors[:50])
    with transaction.atomic():
        try:
            root = services.category_get_or_create_by_path(category_path, created=created)
        except ValidationError as exc:
            raise ImportFailed([(_("分类"), "；".join(exc.messages))]) from exc
        for q in questions:
            ids = _store_images(q, errors) if q.images else {}
            category = root
            try:
                if q.category:
                    category = services.category_get_or_create_by_path(
                        f"{root.full_path}/{q.category}", created=created
                    )
                services.question_create(
                    category=category,
                    qtype=q.qtype,
                    stem=clean_html(_embed_images(q.stem, ids)),
                    choices=[ChoiceData(c.text[:2000], c.is_correct, c.fraction) for c in q.choices],
                    accepted=q.accepted,
                    explanation=clean_html(_embed_images(q.explanation, ids)),
                    default_mark=q.mark,
                    partial_credit=q.partial_credit,
                    name=q.name or plain(q.stem)[:60],
                    tags=q.tags,
                    source_id=q.source_id,
                )
            except ValidationError as exc:
                errors.append((q.ref, "；".join(exc.messages)))
                continue
            counts[q.qtype] += 1
        if errors:
            transaction.set_rollback(True)
            raise ImportFailed(errors)
    return ImportResult(counts=counts, category=root, categories_created=created, warnings=warnings)


# ---------------------------------------------------------------- export


def _questions_in(category: QuestionCategory):
    return (
        Question.objects.filter(category__path__startswith=category.path)
        .select_related("category")
        .prefetch_related("choices", "accepted_answers", "tags")
        .order_by("category__path", "pk")
    )


def _relative(category: QuestionCategory, root: QuestionCategory) -> str:
    return category.full_path[len(root.full_path) :].strip("/")


def export_moodle_xml(category: QuestionCategory) -> bytes:
    from xml.sax.saxutils import escape

    def text(tag, value, fmt="html"):
        return (
            f'<{tag} format="{fmt}"><text><![CDATA[{(value or "").replace("]]>", "]]]]><![CDATA[>")}]]></text></{tag}>'
        )

    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    current = None
    for q in _questions_in(category):
        if q.category_id != current:
            current = q.category_id
            out.append(
                f'<question type="category"><category><text>$course$/{escape(q.category.full_path)}</text></category></question>'
            )
        kind = {
            QuestionType.SINGLE: "multichoice",
            QuestionType.MULTIPLE: "multichoice",
            QuestionType.TRUE_FALSE: "truefalse",
            QuestionType.FILL_BLANK: "shortanswer",
            QuestionType.ESSAY: "essay",
        }[q.qtype]
        out.append(f'<question type="{kind}">')
        out.append(f"<name><text>{escape(str(q))}</text></name>")
        out.append(text("questiontext", q.stem))
        out.append(text("generalfeedback", q.explanation))
        out.append(f"<defaultgrade>{q.default_mark}</defaultgrade>")
        if q.source_id:
            out.append(f"<idnumber>{escape(q.source_id)}</idnumber>")
        choices = list(q.choices.all())
        if q.qtype == QuestionType.TRUE_FALSE:
            truth = choices[0].is_correct if choices else True
            out.append(
                f'<answer fraction="{100 if truth else 0}" format="moodle_auto_format"><text>true</text></answer>'
            )
            out.append(
                f'<answer fraction="{0 if truth else 100}" format="moodle_auto_format"><text>false</text></answer>'
            )
        elif q.qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            single = q.qtype == QuestionType.SINGLE
            out.append(f"<single>{'true' if single else 'false'}</single><shuffleanswers>true</shuffleanswers>")
            from quizzes.scoring import ChoiceSpec, choice_weights

            weights = choice_weights([ChoiceSpec(c.pk, c.is_correct, c.fraction) for c in choices])
            for c in choices:
                grade = (
                    (100 if c.is_correct else 0)
                    if single
                    else (weights[c.pk] * 100).quantize(Decimal("0.00001")).normalize()
                )
                out.append(f'<answer fraction="{grade}" format="html"><text>{escape(c.text)}</text></answer>')
        elif q.qtype == QuestionType.FILL_BLANK:
            out.append("<usecase>0</usecase>")
            for a in q.accepted_answers.all():
                out.append(f'<answer fraction="100" format="moodle_auto_format"><text>{escape(a.text)}</text></answer>')
        tags = list(q.tags.all())
        if tags:
            out.append("<tags>" + "".join(f"<tag><text>{escape(t.name)}</text></tag>" for t in tags) + "</tags>")
        out.append("</question>")
    out.append("</quiz>")
    return "\n".join(out).encode("utf-8")


def export_xlsx(category: QuestionCategory) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("题目")
    ws.append(XLSX_HEADERS + XLSX_OPTIONAL)
    for q in _questions_in(category):
        choices = list(q.choices.all())
        options = [""] * 6
        answer = ""
        if q.qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            for i, c in enumerate(choices[:6]):
                options[i] = plain(c.text)
            answer = "".join(OPTION_LETTERS[i] for i, c in enumerate(choices[:6]) if c.is_correct)
        elif q.qtype == QuestionType.TRUE_FALSE:
            answer = "对" if choices and choices[0].is_correct else "错"
        elif q.qtype == QuestionType.FILL_BLANK:
            answer = "|".join(a.text for a in q.accepted_answers.all())
        ws.append(
            safe_row(
                [
                    str(QuestionType(q.qtype).label),
                    plain(q.stem),
                    *options,
                    answer,
                    plain(q.explanation),
                    float(q.default_mark),
                    _relative(q.category, category),
                    "、".join(t.name for t in q.tags.all()),
                    "是" if q.partial_credit else "",
                ]
            )
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
