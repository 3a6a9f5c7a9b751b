"""One format for 学时, one for marks and one for percentages, on every screen."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import timezone

from accounts import factories as af
from core.formats import format_hours, format_mark, format_percent
from learning import factories as lf
from learning.models import CreditLedger, Enrolment


@pytest.mark.parametrize(
    ("value", "hours", "mark", "percent"),
    [
        (Decimal("1.50"), "1.5", "1.5", "1.5%"),
        (Decimal("1"), "1", "1", "1%"),
        (Decimal("0.25"), "0.25", "0.25", "0.3%"),
        (Decimal("2.00"), "2", "2", "2%"),
        (16.666, "16.67", "16.67", "16.7%"),
        (None, "—", "—", "—"),
        ("", "—", "—", "—"),
        (Decimal("100"), "100", "100", "100%"),
    ],
)
def test_formats(value, hours, mark, percent):
    assert (format_hours(value), format_mark(value), format_percent(value)) == (hours, mark, percent)


def test_template_filters_use_the_same_formatters():
    html = Template("{% load mj_formats %}{{ a|hours }} {{ b|mark }} {{ c|percent }}").render(
        Context({"a": Decimal("0.25"), "b": Decimal("7.50"), "c": 66.66})
    )
    assert html == "0.25 7.5 66.7%"


@pytest.mark.django_db
def test_dashboard_and_trainer_tables_print_quarter_hours_alike():
    """0.25 学时 reads 0.25 on the cadre's dashboard and in the trainer's tables (never 0.3 or 0.250)."""
    user = af.cadre(unit="省/甲市/局")
    course = lf.course(title="一刻钟课程", lessons=1, hours="0.25")
    year = timezone.localdate().year
    e = Enrolment.objects.create(user=user, course=course, year=year, source="self", completed_at=timezone.now())
    CreditLedger.objects.create(user=user, course=course, year=year, hours=course.credit_hours, enrolment=e)
    client = Client()
    client.force_login(user)
    body = client.get("/").content.decode()
    assert "0.25 学时" in body and "0.250" not in body
    assert "已获 <strong>0.25</strong>" in body
    trainer = Client()
    trainer.force_login(af.trainer("省"))
    table = trainer.get("/reports/courses/", {"year": year}).content.decode()
    assert "<td>0.25</td>" in table


@pytest.mark.django_db
def test_ten_point_quiz_states_its_pass_line_as_a_rate():
    from quizzes import factories as qf

    cat = qf.category("十分制")
    quiz = qf.quiz(*(qf.single(cat, stem=f"题{i}", mark="2") for i in range(5)), pass_percent=Decimal("60"))
    client = Client()
    client.force_login(af.cadre())
    body = client.get(f"/quizzes/{quiz.pk}/").content.decode()
    assert "得分率 60%" in body and "60 分及格" not in body


def test_demo_quiz_text_does_not_promise_60_points():
    from pathlib import Path

    assert "60 分及格" not in Path("quizzes/demo.py").read_text(encoding="utf-8")


def test_no_template_prints_a_rate_hours_or_mark_unformatted():
    """Siblings of the 1.50 / 0.3 / "60 分" faults: every rate, 学时 and mark in a template goes through
    mj_formats (percent / hours / mark), never printed raw with a "%" or "学时" glued on."""
    import re
    from pathlib import Path

    raw = re.compile(r"\{\{\s*[\w.]*(rate|hours|credit_hours|score|max_score|mark|average)\s*\}\}")
    formatted_already = {"templates/learning/archive.html: {{ q.score }}"}  # format_percent in learning.selectors
    offenders = [
        f"{path}: {match.group(0)}"
        for path in Path("templates").rglob("*.html")
        for match in raw.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not set(offenders) - formatted_already, offenders
