"""Finding 16.11: the GIFT importer follows Moodle's grammar and never corrupts silently."""

import pytest

from quizzes import importers
from quizzes.models import Question, QuestionCategory

pytestmark = pytest.mark.django_db


def parse(text):
    return importers.parse_gift(text)[0]


def test_unclosed_brace_is_an_error_naming_the_question_and_nothing_is_imported():
    text = "::第一题:: 党员应当{\n=遵守纪律\n~随意\n\n::第二题:: 天是蓝的。{T}\n"
    with pytest.raises(importers.ImportFailed) as exc:
        importers.import_questions(data=text.encode(), filename="q.gift", category_path="G")
    [(where, why)] = exc.value.errors
    assert "第一题" in where and "第 1 行" in where and "花括号不配对" in why
    assert not Question.objects.exists() and not QuestionCategory.objects.exists()


def test_two_questions_without_a_blank_line_are_refused_not_merged():
    text = "::一:: 甲{T}\n::二:: 乙{F}\n"
    with pytest.raises(importers.ImportFailed) as exc:
        parse(text)
    assert "空行分隔" in exc.value.errors[0][1]


def test_stray_closing_brace_is_refused():
    with pytest.raises(importers.ImportFailed) as exc:
        parse("::坏:: 甲} 乙 {T}\n")
    assert "花括号不配对" in exc.value.errors[0][1]


def test_escapes_comments_and_categories():
    text = (
        "// 注释行，不是题目\n"
        "$CATEGORY: $course$/top/甲/乙\n\n"
        "::转义\\: 题:: 公式 a\\=b\\~c\\#d \\{e\\} 对吗？{T}\n\n"
        "// 又一条注释\n"
        "::选择:: 选出正确项 {=甲\\=1 ~乙\\~2 ~丙\\{3\\}}\n"
    )
    first, second = parse(text)
    assert first.name == "转义: 题" and first.category == "甲/乙"
    assert "a=b~c#d {e}" in importers.plain(first.stem)
    assert [c.text for c in second.choices] == ["甲=1", "乙~2", "丙{3}"]
    assert [c.is_correct for c in second.choices] == [True, False, False]


def test_error_names_the_line_of_later_questions():
    text = "::一:: 甲{T}\n\n\n::二:: 乙{\n=x\n"
    with pytest.raises(importers.ImportFailed) as exc:
        parse(text)
    assert exc.value.errors[0][0] == "第 2 题“二”（第 4 行）"
