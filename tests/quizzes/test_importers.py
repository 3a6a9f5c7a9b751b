"""Import Moodle XML, GIFT and Excel files of our own (tests/quizzes/data); refusals write nothing;
export round-trips."""

import base64
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from quizzes import importers
from quizzes.models import Question, QuestionCategory, QuestionType

pytestmark = pytest.mark.django_db

# Our own files, written for these tests (original questions).
DATA = Path(__file__).resolve().parent / "data"
XML = DATA


def run(path, category="导入测试"):
    return importers.import_questions(data=Path(path).read_bytes(), filename=Path(path).name, category_path=category)


def test_nested_categories():
    result = run(XML / "nested_categories.xml")
    assert result.counts == {QuestionType.TRUE_FALSE: 4, QuestionType.ESSAY: 1}
    assert "判断 4 道" in result.summary and "简答 1 道" in result.summary
    paths = set(QuestionCategory.objects.values_list("full_path", flat=True))
    assert {"导入测试/纪律教育", "导入测试/纪律教育/八项规定"} <= paths
    essay = Question.objects.get(qtype=QuestionType.ESSAY)
    assert essay.category.full_path == "导入测试/纪律教育/八项规定"
    tf = Question.objects.filter(qtype=QuestionType.TRUE_FALSE).first()
    assert [c.text for c in tf.choices.all()] == ["正确", "错误"]


@pytest.mark.parametrize("name", ["category_with_description.xml", "html_chars_in_idnumbers.xml"])
def test_single_truefalse_files(name):
    assert run(XML / name).counts == {QuestionType.TRUE_FALSE: 1}


def test_multichoice_with_partial_fractions():
    run(XML / "multichoice_partial.xml")
    q = Question.objects.get()
    assert q.qtype == QuestionType.MULTIPLE and q.partial_credit
    right = {c.text: c.fraction for c in q.choices.all() if c.is_correct}
    assert set(right) == {"人事", "财务"} and all(f == 0.5 for f in right.values())
    assert "不直接分管人事和财务" in q.explanation


def test_shortanswer_keeps_full_mark_answers_and_warns_about_partial():
    result = run(XML / "shortanswer.xml")
    q = Question.objects.get()
    assert q.qtype == QuestionType.FILL_BLANK
    assert [a.text for a in q.accepted_answers.all()] == ["一岗双责"]
    assert any("双责”" in w for w in result.warnings)


def test_essay():
    assert run(XML / "essay.xml").counts == {QuestionType.ESSAY: 1}


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("matching.xml", "连线题"),
        ("cloze.xml", "完形填空"),
        ("broken_cloze.xml", "完形填空"),
        ("invalid_grades.xml", "33"),
    ],
)
def test_refused_files_write_nothing(name, reason):
    with pytest.raises(importers.ImportFailed) as exc:
        run(XML / name)
    assert any(reason in r for _w, r in exc.value.errors), exc.value.errors
    assert all(w.startswith("第") for w, _r in exc.value.errors)
    assert not Question.objects.exists() and not QuestionCategory.objects.exists()


def test_broken_cloze_reports_each_question():
    with pytest.raises(importers.ImportFailed) as exc:
        run(XML / "broken_cloze.xml")
    assert len(exc.value.errors) == 5


def test_one_bad_question_among_good_ones_stops_everything(tmp_path):
    good = (XML / "nested_categories.xml").read_text()
    bad = (XML / "matching.xml").read_text()
    body = bad.split("<quiz>", 1)[1].rsplit("</quiz>", 1)[0]
    mixed = tmp_path / "mixed.xml"
    mixed.write_text(good.replace("</quiz>", body + "</quiz>"))
    with pytest.raises(importers.ImportFailed) as exc:
        run(mixed)
    assert len(exc.value.errors) == 1 and "第 6 题" in exc.value.errors[0][0]
    assert not Question.objects.exists()


def test_xml_with_entities_is_refused(tmp_path):
    evil = tmp_path / "evil.xml"
    evil.write_text('<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY x "yyyy">]><quiz>&x;</quiz>')
    with pytest.raises(importers.ImportFailed):
        run(evil)


def test_base64_image_becomes_wagtail_image(tmp_path):
    from PIL import Image
    from wagtail.images import get_image_model

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, "PNG")
    data = base64.b64encode(buf.getvalue()).decode()
    xml = tmp_path / "img.xml"
    xml.write_text(f"""<?xml version="1.0" encoding="UTF-8"?><quiz>
<question type="essay"><name><text>带图</text></name>
<questiontext format="html"><text><![CDATA[<p>看图作答<img src="@@PLUGINFILE@@/chart.png" alt="x"><script>alert(1)</script></p>]]></text>
<file name="chart.png" path="/" encoding="base64">{data}</file></questiontext></question></quiz>""")
    run(xml)
    image = get_image_model().objects.get(title="chart.png")
    stem = Question.objects.get().stem
    assert f'id="{image.pk}"' in stem and 'embedtype="image"' in stem and "<script" not in stem


def test_gift_fixture_reports_unsupported_types():
    with pytest.raises(importers.ImportFailed) as exc:
        run(DATA / "questions.gift.txt")
    reasons = dict(exc.value.errors)
    assert any("活动连线" in w and "连线题" in r for w, r in reasons.items())
    assert any("Q5" in w and "数值题" in r for w, r in reasons.items())
    assert not Question.objects.exists()


def test_gift_supported_types(tmp_path):
    text = (DATA / "questions.gift.txt").read_text()
    blocks = text.split("\n\n")
    kept = "\n\n".join(b for b in blocks if "->" not in b and "{#" not in b)
    path = tmp_path / "ok.gift"
    path.write_text(kept)
    result = run(path)
    assert result.counts == {
        QuestionType.ESSAY: 1,
        QuestionType.SINGLE: 1,
        QuestionType.MULTIPLE: 1,
        QuestionType.FILL_BLANK: 1,
        QuestionType.TRUE_FALSE: 3,
    }
    q1 = Question.objects.get(name="Q1")
    assert [c.is_correct for c in q1.choices.all()] == [False, True]
    colours = Question.objects.get(name="颜色")
    assert sorted(c.text for c in colours.choices.all() if c.is_correct) == ["官僚主义", "形式主义"]
    assert "监督是对权力运行的制约: 也是保护" in Question.objects.get(name="判断三").stem
    assert "{同级监督}" in Question.objects.get(name="简答").stem
    assert [a.text for a in Question.objects.get(name="填空").accepted_answers.all()] == ["一岗双责"]


def make_xlsx(rows, header=None):
    wb = Workbook()
    ws = wb.active
    ws.append(header or importers.XLSX_HEADERS + importers.XLSX_OPTIONAL)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_xlsx_template_imports_itself():
    result = importers.import_questions(data=importers.xlsx_template(), filename="模板.xlsx", category_path="模板")
    assert result.counts == dict.fromkeys(QuestionType.values, 1)
    multi = Question.objects.get(qtype=QuestionType.MULTIPLE)
    assert [c.is_correct for c in multi.choices.all()] == [True, True, True, False]
    assert Question.objects.get(qtype=QuestionType.TRUE_FALSE).choices.get(is_correct=True).text == "错误"


def test_xlsx_errors_name_the_row():
    data = make_xlsx(
        [
            ["单选", "好题", "甲", "乙", "", "", "", "", "A", "", 1],
            ["单选", "坏题", "甲", "乙", "", "", "", "", "C", "", 1],
            ["连线", "不支持", "", "", "", "", "", "", "", "", 1],
            ["判断", "坏判断", "", "", "", "", "", "", "也许", "", 1],
            ["填空", "", "", "", "", "", "", "", "x", "", 1],
            ["单选", "坏分值", "甲", "乙", "", "", "", "", "A", "", "abc"],
        ]
    )
    with pytest.raises(importers.ImportFailed) as exc:
        importers.import_questions(data=data, filename="q.xlsx", category_path="x")
    assert [w for w, _r in exc.value.errors] == ["第 3 行", "第 4 行", "第 5 行", "第 6 行", "第 7 行"]
    assert not Question.objects.exists()


def test_xlsx_missing_headers_and_not_a_zip():
    with pytest.raises(importers.ImportFailed) as exc:
        importers.import_questions(data=make_xlsx([], header=["题目", "答案"]), filename="q.xlsx", category_path="x")
    assert "题型" in exc.value.errors[0][1]
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        importers.import_questions(data=b"PK\x03\x04 garbage", filename="q.xlsx", category_path="x")


def test_export_round_trip(tmp_path):
    importers.import_questions(data=importers.xlsx_template(), filename="模板.xlsx", category_path="导出/甲")
    run(XML / "multichoice_partial.xml", category="导出/乙")
    root = QuestionCategory.objects.get(full_path="导出")
    xml = importers.export_moodle_xml(root)
    xlsx = importers.export_xlsx(root)
    counts_before = {t: Question.objects.filter(qtype=t).count() for t in QuestionType.values}
    again = importers.import_questions(data=xml, filename="e.xml", category_path="回导")
    assert dict(again.counts) == {t: n for t, n in counts_before.items() if n}
    assert QuestionCategory.objects.filter(full_path="回导/导出/乙").exists()
    ws = load_workbook(io.BytesIO(xlsx)).active
    assert [c.value for c in ws[1]][:11] == importers.XLSX_HEADERS
    assert ws.max_row == 1 + sum(counts_before.values())


def test_command(capsys):
    call_command("import_questions", str(XML / "nested_categories.xml"), category="命令")
    assert "判断 4 道" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("import_questions", str(XML / "cloze.xml"), category="命令2")
    assert "完形填空" in capsys.readouterr().err


def test_our_excel_bank():
    result = run(DATA / "bank.xlsx", category="题库")
    assert result.counts == dict.fromkeys(QuestionType.values, 1)
    assert QuestionCategory.objects.filter(full_path="题库/纪律/作风").exists()
    assert [a.text for a in Question.objects.get(qtype=QuestionType.FILL_BLANK).accepted_answers.all()] == [
        "奢靡之风",
        "奢靡",
    ]


def test_our_aiken_file():
    result = run(DATA / "questions.aiken.txt", category="Aiken")
    assert result.counts == {QuestionType.SINGLE: 2}
    first = Question.objects.order_by("pk").first()
    assert [c.is_correct for c in first.choices.all()] == [False, True, False, False]


def test_aiken_errors_name_the_question(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("好题？\nA. 甲\nB. 乙\nANSWER: A\n\n坏题？\nA. 甲\nB. 乙\nANSWER: C\n", encoding="utf-8")
    with pytest.raises(importers.ImportFailed) as exc:
        run(bad)
    assert exc.value.errors[0][0] == "第 2 题（第 6 行）"
    assert not Question.objects.exists()


def test_thirds_from_moodle_are_kept_exact_and_export_as_written():
    # Moodle writes 1/3 as 33.33333; stored to five decimals it would export again as 33.333.
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><quiz><question type="multichoice"><name><text>三项</text></name>'
        '<questiontext format="html"><text>选出三项</text></questiontext><single>false</single>'
        '<answer fraction="33.33333"><text>甲</text></answer><answer fraction="33.33333"><text>乙</text></answer>'
        '<answer fraction="33.33333"><text>丙</text></answer><answer fraction="-100"><text>丁</text></answer>'
        "</question></quiz>"
    ).encode()
    importers.import_questions(data=xml, filename="thirds.xml", category_path="测试")
    q = Question.objects.get()
    assert [c.fraction for c in q.choices.filter(is_correct=True)] == [None, None, None]
    assert (
        importers.export_moodle_xml(QuestionCategory.objects.get(full_path="测试"))
        .decode()
        .count('fraction="33.33333"')
        == 3
    )
