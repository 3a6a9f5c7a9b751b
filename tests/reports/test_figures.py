"""Every figure a trainer reads is defined once and made of counts taken from the source rows; each
course has one status (未开始／学习中／已完成／逾期) on the trainer's page, the cadre's dashboard,
the Excel export and the API."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts import factories as af
from accounts.models import OrgUnit
from learning import factories as lf
from learning import services as ls
from learning.models import CourseKind, Enrolment, LessonProgress
from reports import selectors, services
from reports.models import ReportExport

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def login(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(make_course, assign):
    """Unit 局1: four cadres; three assigned courses (one done, one overdue untouched, one opened) and electives."""
    today = timezone.localdate()
    year = today.year
    cadres = [af.cadre(unit="省/甲市/A县/局1") for _ in range(4)]
    done = make_course("已完成课", kind=CourseKind.REQUIRED)
    late = make_course("逾期课", kind=CourseKind.REQUIRED)
    open_ = make_course("进行课", kind=CourseKind.REQUIRED)
    elective = make_course("选修课", kind=CourseKind.ELECTIVE)
    lesson = lf.lesson(course=open_, title="第一课")
    assign(done, ["省/甲市/A县/局1"], year=year, due=date(year, 12, 31))
    assign(late, ["省/甲市/A县/局1"], year=year, due=today - timezone.timedelta(days=3))
    assign(open_, ["省/甲市/A县/局1"], year=year, due=date(year, 12, 31))
    ls.course_complete(user=cadres[0], course=done, now=timezone.now())
    ls.course_complete(user=cadres[1], course=done, now=timezone.now())
    LessonProgress.objects.create(user=cadres[0], lesson=lesson, course=open_, time_seconds=30)
    ls.enrolment_self_create(user=cadres[0], course=elective)
    ls.enrolment_self_create(user=cadres[1], course=elective)
    ls.course_complete(user=cadres[1], course=elective, now=timezone.now())
    return {
        "year": year,
        "cadres": cadres,
        "courses": {"done": done, "late": late, "open": open_, "elective": elective},
        "unit": OrgUnit.objects.get(full_path="省/甲市/A县/局1"),
        "county": OrgUnit.objects.get(full_path="省/甲市/A县"),
        "trainer": af.trainer("省/甲市/A县"),
    }


def source_counts(unit: OrgUnit, year: int) -> dict:
    es = Enrolment.objects.filter(user__cadre_profile__org_unit__path__startswith=unit.path, year=year)
    today = timezone.localdate()
    return {
        "assigned": es.filter(source="assigned").count(),
        "assigned_completed": es.filter(source="assigned", completed_at__isnull=False).count(),
        "overdue": es.filter(source="assigned", completed_at__isnull=True, due_date__lt=today).count(),
        "self_enrolled": es.filter(source="self").count(),
        "self_completed": es.filter(source="self", completed_at__isnull=False).count(),
    }


def test_unit_figures_equal_source_counts_and_the_page_shows_what_each_rate_is_made_of(world):
    counts = source_counts(world["county"], world["year"])
    assert counts == {"assigned": 12, "assigned_completed": 2, "overdue": 4, "self_enrolled": 2, "self_completed": 1}
    page = login(world["trainer"]).get(reverse("reports:unit", args=[world["county"].pk]), {"year": world["year"]})
    total = page.context["report"].total
    assert {name: getattr(total, name) for name in counts} == counts
    # 指派完成率 is 指派完成 ÷ 指派 (2/12), never divided by 选课 (which adds the electives).
    assert total.completion_rate == round(2 / 12 * 100, 1) == 16.7
    assert total.self_rate == 50.0
    body = page.content.decode()
    assert "16.7%" in body and "（2/12）" in body
    assert "指派完成 2 ÷ 指派 12" in body
    # The 统计口径 printed on the page are the ones in reports.selectors.
    for name, text in selectors.DEFINITIONS:
        assert str(name) in body and str(text) in body
    api = login(world["trainer"]).get(
        "/api/v1/reports/completion", {"org_unit": world["county"].pk, "year": world["year"]}
    )
    figures = api.json()["total"]
    assert {name: figures[name] for name in counts} == counts
    assert figures["completion_rate"] == 16.7 and figures["self_completion_rate"] == 50.0


def test_course_and_cadre_figures_equal_source_counts(world):
    client = login(world["trainer"])
    page = client.get(reverse("reports:courses"), {"year": world["year"]})
    rows = {r.course.title: r for r in page.context["rows"]}
    for title, course in [(c.title, c) for c in world["courses"].values()]:
        es = Enrolment.objects.filter(course=course, year=world["year"])
        row = rows[title]
        assert row.assigned == es.filter(source="assigned").count()
        assert row.assigned_completed == es.filter(source="assigned", completed_at__isnull=False).count()
        assert row.self_enrolled == es.filter(source="self").count()
        assert row.self_completed == es.filter(source="self", completed_at__isnull=False).count()
    assert rows["逾期课"].overdue == 4 and rows["逾期课"].completion_rate == 0.0
    assert rows["选修课"].completion_rate is None and rows["选修课"].self_rate == 50.0
    page = client.get(reverse("reports:unit_cadres", args=[world["unit"].pk]), {"year": world["year"]})
    for row in page.context["rows"]:
        es = Enrolment.objects.filter(user_id=row.profile.user_id, year=world["year"])
        assert row.assigned == es.filter(source="assigned").count() == 3
        assert row.self_enrolled == es.filter(source="self").count()
        assert row.assigned_completed == es.filter(source="assigned", completed_at__isnull=False).count()


def test_excel_has_definitions_frozen_header_widths_and_number_formats(world):
    export = services.export_create(
        user=world["trainer"], view="units", params={"unit": world["county"].pk, "year": world["year"]}, fmt="xlsx"
    )
    export.refresh_from_db()
    wb = load_workbook(export.file.open("rb"))
    assert wb.sheetnames[-1] == "统计口径"
    definitions = {r[0]: r[1] for r in wb["统计口径"].iter_rows(min_row=2, values_only=True)}
    for name, text in selectors.DEFINITIONS:
        assert definitions[str(name)] == str(text)
    summary = wb["本级汇总"]
    assert summary.freeze_panes == "A2"
    assert summary.column_dimensions["A"].width >= 30
    assert summary["A1"].font.bold
    total = list(summary.iter_rows(min_row=summary.max_row, values_only=False))[0]
    assert total[0].value == "合计" and total[5].value == 16.7 and total[5].number_format == "0.0"
    assert total[2].value == 12 and total[2].number_format == "0"


def status_by_title(rows) -> dict:
    return dict(rows)


def test_one_status_per_course_on_every_screen(world):
    cadre = world["cadres"][0]
    expected = {"已完成课": "已完成", "逾期课": "逾期", "进行课": "学习中", "选修课": "未开始"}
    # The rule itself.
    from learning import selectors as learning_selectors

    rows = learning_selectors.dashboard_courses(user=cadre)
    assert status_by_title((r.enrolment.course.title, r.status_label) for r in rows) == expected
    # The cadre's dashboard.
    body = login(cadre).get("/").content.decode()
    for title, label in expected.items():
        chunk = body[body.index(title) : body.index(title) + 400]
        assert f">{label}</span>" in chunk, (title, label)
    # The API.
    api = login(cadre).get("/api/v1/me/courses").json()
    assert status_by_title((c["title"], c["status_label"]) for c in api) == expected
    assert {c["title"]: c["status"] for c in api}["进行课"] == "in_progress"
    # The trainer's page of the cadre.
    page = login(world["trainer"]).get(reverse("reports:cadre", args=[cadre.pk]))
    assert status_by_title((e.course.title, e.status_label) for e in page.context["enrolments"]) == expected
    # The export's 选课明细 sheet.
    export = services.export_create(
        user=world["trainer"], view="cadres", params={"unit": world["unit"].pk, "year": world["year"]}, fmt="xlsx"
    )
    export.refresh_from_db()
    wb = load_workbook(export.file.open("rb"), read_only=True)
    name = cadre.get_full_name()
    sheet = [r for r in wb["选课明细"].iter_rows(min_row=2, values_only=True) if r[1] == name]
    assert status_by_title((r[3], r[7]) for r in sheet) == expected
    assert ReportExport.objects.count() == 1


def test_reminder_answer_says_who_was_skipped_and_why(world):
    client = login(world["trainer"])
    late = world["courses"]["late"]
    first = client.post(
        reverse("reports:remind"),
        {"year": world["year"], "only_course": late.pk, "next": "/reports/courses/"},
        follow=True,
    )
    text = first.content.decode()
    assert "逾期 4 人次，已新发提醒 4 人次。" in text
    assert "没有登记电子邮箱" in text  # factories leave e-mail empty: notice on the dashboard only
    again = client.post(
        reverse("reports:remind"), {"year": world["year"], "next": "/reports/courses/"}, follow=True
    ).content.decode()
    assert "逾期 4 人次，已新发提醒 0 人次。" in again and "跳过 4 人次（今天已提醒过）" in again
    assert world["cadres"][3].get_full_name() in again
