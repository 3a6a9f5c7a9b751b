"""Property tests for the question-bank importers (finding 16, "how to keep them closed").

Generated valid banks: Excel and Moodle XML round-trip export → import → export unchanged; GIFT
(no exporter) imports to exactly the generated questions. Generated malformed files are refused
with the question's number or row and the database is left unchanged.
"""

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from quizzes import importers
from quizzes.models import Question, QuestionCategory

pytestmark = pytest.mark.django_db

SETTINGS = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Text with the characters that break naive parsers: GIFT's specials, formula starters, XML's.
ALPHABET = st.sampled_from(list("廉政监督纪律甲乙丙abcXYZ019 ") + list("{}=~#:<>&'\"@+-%/\\"))
TEXT = st.text(ALPHABET, min_size=1, max_size=20).map(str.strip).filter(lambda t: t and not t.startswith("//"))


@st.composite
def question(draw):
    kind = draw(st.sampled_from(["单选", "多选", "判断", "填空", "简答"]))
    stem = draw(TEXT)
    options, answer = [], ""
    if kind in ("单选", "多选"):
        options = draw(st.lists(TEXT, min_size=2, max_size=6, unique=True))
        if kind == "单选":
            answer = "ABCDEF"[draw(st.integers(0, len(options) - 1))]
        else:
            picked = draw(st.sets(st.integers(0, len(options) - 1), min_size=1))
            answer = "".join("ABCDEF"[i] for i in sorted(picked))
    elif kind == "判断":
        answer = draw(st.sampled_from(["对", "错"]))
    elif kind == "填空":
        answer = "|".join(draw(st.lists(TEXT.filter(lambda t: "|" not in t), min_size=1, max_size=3, unique=True)))
    mark = draw(st.sampled_from([1, 2, 5]))
    return {"kind": kind, "stem": stem, "options": options, "answer": answer, "mark": mark}


def xlsx(questions) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(importers.XLSX_HEADERS + importers.XLSX_OPTIONAL)
    from core.spreadsheets import safe_row

    for q in questions:
        opts = q["options"] + [""] * (6 - len(q["options"]))
        ws.append(safe_row([q["kind"], q["stem"], *opts, q["answer"], "", q["mark"], "", "", ""]))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _rows(data: bytes) -> list:
    return [tuple(r) for r in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]


def _fresh():
    Question.objects.all().delete()
    QuestionCategory.objects.all().delete()


@SETTINGS
@given(st.lists(question(), min_size=1, max_size=6))
def test_excel_round_trip(questions):
    _fresh()
    importers.import_questions(data=xlsx(questions), filename="q.xlsx", category_path="甲")
    first = importers.export_xlsx(QuestionCategory.objects.get(full_path="甲"))
    importers.import_questions(data=first, filename="q.xlsx", category_path="乙")
    second = importers.export_xlsx(QuestionCategory.objects.get(full_path="乙"))
    assert _rows(first) == _rows(second)
    assert len(_rows(first)) == 1 + len(questions)


@SETTINGS
@given(st.lists(question(), min_size=1, max_size=6))
def test_moodle_xml_round_trip(questions):
    _fresh()
    importers.import_questions(data=xlsx(questions), filename="q.xlsx", category_path="甲")
    first = importers.export_moodle_xml(QuestionCategory.objects.get(full_path="甲"))
    importers.import_questions(data=first, filename="q.xml", category_path="乙")
    second = importers.export_moodle_xml(QuestionCategory.objects.get(full_path="乙/甲"))
    normalise = lambda b: b.decode().replace("$course$/乙/甲", "$course$/甲")  # noqa: E731
    assert normalise(first) == normalise(second)


@SETTINGS
@given(st.lists(question(), min_size=2, max_size=6), st.data())
def test_excel_malformed_row_is_named_and_nothing_written(questions, data):
    _fresh()
    bad = data.draw(st.integers(0, len(questions) - 1))
    questions[bad] = {**questions[bad], "kind": "连线"}
    with pytest.raises(importers.ImportFailed) as exc:
        importers.import_questions(data=xlsx(questions), filename="q.xlsx", category_path="甲")
    assert exc.value.errors[0][0] == f"第 {bad + 2} 行"
    assert not Question.objects.exists() and not QuestionCategory.objects.exists()


def gift_escape(text: str) -> str:
    for ch in "\\~=#{}:":
        text = text.replace(ch, "\\" + ch)
    return text


def gift(questions) -> str:
    blocks = []
    for n, q in enumerate(questions, start=1):
        head = f"::题{n}:: {gift_escape(q['stem'])} "
        if q["kind"] == "判断":
            body = "T" if q["answer"] == "对" else "F"
        elif q["kind"] == "单选":
            body = " ".join(
                ("=" if "ABCDEF"[i] == q["answer"] else "~") + gift_escape(o) for i, o in enumerate(q["options"])
            )
        elif q["kind"] == "填空":
            body = " ".join("=" + gift_escape(a) for a in q["answer"].split("|"))
        else:
            body = ""
        blocks.append(head + "{" + body + "}")
    return "\n\n".join(blocks) + "\n"


def _gift_safe(q) -> bool:
    # GIFT's own grammar: "->" in an answer makes a matching question, a leading "%n%" is a weight.
    texts = [*q["options"], *q["answer"].split("|")]
    return q["kind"] != "多选" and not any("->" in t or t.startswith("%") for t in texts)


GIFT_QUESTION = question().filter(_gift_safe)


@SETTINGS
@given(st.lists(GIFT_QUESTION, min_size=1, max_size=6))
def test_gift_imports_exactly_what_was_written(questions):
    parsed, _warnings = importers.parse_gift(gift(questions))
    assert len(parsed) == len(questions)
    for q, p in zip(questions, parsed, strict=True):
        assert importers.plain(p.stem) == q["stem"]
        if q["kind"] == "单选":
            assert [c.text for c in p.choices] == q["options"]
            assert ["ABCDEF"[i] for i, c in enumerate(p.choices) if c.is_correct] == [q["answer"]]
        if q["kind"] == "填空":
            assert p.accepted == q["answer"].split("|")


@SETTINGS
@given(st.lists(GIFT_QUESTION, min_size=2, max_size=6), st.data())
def test_gift_unbalanced_brace_names_the_question(questions, data):
    _fresh()
    bad = data.draw(st.integers(0, len(questions) - 1))
    blocks = gift(questions).split("\n\n")
    blocks[bad] = blocks[bad].rstrip("\n")[:-1]  # drop the closing brace
    with pytest.raises(importers.ImportFailed) as exc:
        importers.import_questions(data="\n\n".join(blocks).encode(), filename="q.gift", category_path="甲")
    assert exc.value.errors[0][0].startswith(f"第 {bad + 1} 题“题{bad + 1}”")
    assert not Question.objects.exists() and not QuestionCategory.objects.exists()


AIKEN_TEXT = (
    st.text(st.sampled_from(list("廉政监督纪律甲乙丙abc019 ?=@")), min_size=1, max_size=20).map(str.strip).filter(bool)
)


@SETTINGS
@given(st.lists(st.tuples(AIKEN_TEXT, st.lists(AIKEN_TEXT, min_size=2, max_size=5), st.data()), min_size=1, max_size=5))
def test_aiken_imports_exactly_what_was_written(items):
    written, blocks = [], []
    for stem, options, data in items:
        right = data.draw(st.integers(0, len(options) - 1))
        letters = "ABCDEF"
        blocks.append(
            "\n".join([stem, *(f"{letters[i]}. {o}" for i, o in enumerate(options)), f"ANSWER: {letters[right]}"])
        )
        written.append((stem, options, right))
    parsed, _w = importers.parse_aiken("\n\n".join(blocks) + "\n")
    assert [
        (importers.plain(p.stem), [c.text for c in p.choices], [c.is_correct for c in p.choices].index(True))
        for p in parsed
    ] == written


@SETTINGS
@given(st.integers(1, 4), st.data())
def test_aiken_bad_answer_names_the_question(count, data):
    _fresh()
    blocks = [f"题{i}？\nA. 甲\nB. 乙\nANSWER: A" for i in range(count)]
    bad = data.draw(st.integers(0, count - 1))
    blocks[bad] = blocks[bad].replace("ANSWER: A", "ANSWER: Z")
    with pytest.raises(importers.ImportFailed) as exc:
        importers.import_questions(data="\n\n".join(blocks).encode(), filename="q.txt", category_path="甲")
    assert exc.value.errors[0][0].startswith(f"第 {bad + 1} 题")
    assert not Question.objects.exists()
