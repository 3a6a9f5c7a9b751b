"""Scope through the page, the export and the API; drill-down; export contents; reminders."""

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from accounts import factories as af
from accounts import roles
from accounts.models import OrgUnit
from learning import services as ls
from reports import selectors, services
from reports.models import ExportStatus, Reminder, ReportExport

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def world(make_course, assign):
    a1 = af.cadre(unit="省/甲市/A县/局1", user__email="a1@example.org")
    a2 = af.cadre(unit="省/甲市/A县/局2")
    b1 = af.cadre(unit="省/甲市/B县/局1", user__email="b1@example.org")
    course = make_course("廉洁从政")
    assign(course, ["省"], due=date(2026, 1, 31))
    ls.course_complete(user=a1, course=course, now=NOW)
    return {
        "a1": a1,
        "a2": a2,
        "b1": b1,
        "course": course,
        "A": OrgUnit.objects.get(full_path="省/甲市/A县"),
        "B": OrgUnit.objects.get(full_path="省/甲市/B县"),
        "trainer_a": af.trainer("省/甲市/A县"),
    }


def login(user):
    client = Client()
    client.force_login(user)
    return client


def test_trainer_drills_from_county_to_unit_to_cadre(world):
    client = login(world["trainer_a"])
    page = client.get(reverse("reports:index"), {"year": 2026})
    assert page.status_code == 200
    body = page.content.decode()
    assert "A县" in body and "B县" not in body
    assert page.context["report"].total.cadres == 2
    assert page.context["report"].total.completed == 1
    page = client.get(reverse("reports:unit", args=[world["A"].pk]), {"year": 2026})
    rows = {r.label: r for r in page.context["report"].rows}
    assert rows["局1"].completed == 1 and rows["局2"].overdue == 1
    unit1 = OrgUnit.objects.get(full_path="省/甲市/A县/局1")
    page = client.get(reverse("reports:unit_cadres", args=[unit1.pk]), {"year": 2026})
    assert page.status_code == 200 and world["a1"].get_full_name() in page.content.decode()
    page = client.get(reverse("reports:cadre", args=[world["a1"].pk]))
    assert page.status_code == 200 and "廉洁从政" in page.content.decode()


def test_trainer_never_sees_another_county(world):
    client = login(world["trainer_a"])
    b_unit = world["B"]
    assert client.get(reverse("reports:unit", args=[b_unit.pk])).status_code == 404
    assert client.get(reverse("reports:unit_cadres", args=[b_unit.pk])).status_code == 404
    assert client.get(reverse("reports:cadre", args=[world["b1"].pk])).status_code == 404
    assert client.get(reverse("reports:courses"), {"unit": b_unit.pk}).status_code == 404
    # The parent city is outside the scope too.
    assert client.get(reverse("reports:unit", args=[b_unit.get_parent().pk])).status_code == 404
    assert client.get(reverse("reports:export_csv"), {"view": "units", "unit": b_unit.pk}).status_code == 404
    assert client.get(reverse("reports:export_csv"), {"view": "cadres", "unit": b_unit.pk}).status_code == 404
    assert (
        client.post(reverse("reports:export_create"), {"view": "units", "unit": b_unit.pk, "fmt": "xlsx"}).status_code
        == 404
    )
    assert not ReportExport.objects.exists()
    api = client.get("/api/v1/reports/completion", {"org_unit": b_unit.pk})
    assert api.status_code == 404 and "B县" not in api.content.decode()
    # Course report over the whole scope does not include B's overdue cadre.
    page = client.get(reverse("reports:courses"), {"year": 2026})
    assert world["b1"].get_full_name() not in page.content.decode()
    # Remind with a swapped unit id refuses.
    assert client.post(reverse("reports:remind"), {"unit": b_unit.pk, "year": 2026}).status_code == 404
    assert not Reminder.objects.exists()
    # A cadre is not a trainer.
    assert login(world["a1"]).get(reverse("reports:index")).status_code == 403
    assert login(world["a1"]).get("/api/v1/reports/completion").status_code == 403


def test_administrator_sees_whole_tree(world):
    client = login(af.staff(roles.ADMINISTRATOR))
    page = client.get(reverse("reports:index"), {"year": 2026})
    assert page.context["report"].total.cadres == 3
    api = client.get("/api/v1/reports/completion", {"org_unit": world["B"].pk, "year": 2026}).json()
    assert api["total"]["cadres"] == 1 and api["total"]["overdue"] == 1


def test_api_numbers_match_page(world):
    client = login(world["trainer_a"])
    data = client.get("/api/v1/reports/completion", {"org_unit": world["A"].pk, "year": 2026}).json()
    assert data["total"]["cadres"] == 2 and data["total"]["completed"] == 1 and data["total"]["overdue"] == 1
    assert data["total"]["completion_rate"] == 50.0
    assert {c["name"] for c in data["children"]} == {"局1", "局2"}
    data = client.get("/api/v1/reports/completion", {"year": 2026, "course": world["course"].pk}).json()
    assert data["total"]["enrolled"] == 2
    assert client.get("/api/v1/reports/completion", {"year": 1900}).status_code == 422


def test_csv_export_has_bom_and_rows(world):
    client = login(world["trainer_a"])
    response = client.get(reverse("reports:export_csv"), {"view": "cadres", "unit": world["A"].pk, "year": 2026})
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["工号", "姓名", "单位"]
    assert len(rows) == 3
    assert all("A县" in r[2] for r in rows[1:])


def test_xlsx_export_in_background_and_download(world):
    client = login(world["trainer_a"])
    response = client.post(
        reverse("reports:export_create"), {"view": "units", "unit": world["A"].pk, "fmt": "xlsx", "year": 2026}
    )
    assert response.status_code == 302
    export = ReportExport.objects.get()
    assert export.status == ExportStatus.DONE, export.error
    download = client.get(reverse("reports:export_download", args=[export.pk]))
    wb = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)
    assert wb.sheetnames == ["本级汇总", "干部名单", "统计口径"]
    summary = list(wb["本级汇总"].iter_rows(values_only=True))
    assert summary[0][:4] == ("单位", "干部数", "指派（人次）", "指派完成")
    assert summary[-1][0] == "合计" and summary[-1][1] == 2 and summary[-1][3] == 1 and summary[-1][4] == 1
    cadres = list(wb["干部名单"].iter_rows(values_only=True))
    assert len(cadres) == 3 and {c[1] for c in cadres[1:]} == {world["a1"].get_full_name(), world["a2"].get_full_name()}
    # Only the requester sees and downloads it.
    other = login(af.trainer("省/甲市/A县"))
    assert other.get(reverse("reports:export_download", args=[export.pk])).status_code == 404
    assert export.title not in other.get(reverse("reports:exports")).content.decode()


def test_reminders_once_a_day(world):
    trainer = world["trainer_a"]
    filters = selectors.parse_filters({"year": 2026})
    today = date(2026, 3, 2)
    first = services.remind_overdue(by=trainer, unit=None, filters=filters, today=today)
    assert first.created == 1 and first.overdue == 1  # a2 only (a1 completed)
    assert first.no_email == [world["a2"].get_full_name()] and "没有登记电子邮箱" in first.message()
    again = services.remind_overdue(by=trainer, unit=None, filters=filters, today=today)
    assert again.created == 0 and len(again.already_today) == 1 and "今天已提醒过" in again.message()
    assert Reminder.objects.filter(user=world["a2"]).count() == 1
    assert len(mail.outbox) == 0  # a2 has no e-mail address
    Reminder.objects.create(user=world["a2"], course=world["course"], day=date(2026, 3, 3), due_date=date(2026, 1, 31))
    with pytest.raises(Exception):  # noqa: B017 - the database refuses the duplicate
        from django.db import transaction

        with transaction.atomic():
            Reminder.objects.create(
                user=world["a2"], course=world["course"], day=date(2026, 3, 3), due_date=date(2026, 1, 31)
            )


def test_reminder_email_and_dashboard_notice(world, home_page):
    admin = af.staff(roles.ADMINISTRATOR)
    client = login(admin)
    cadre_client = login(world["b1"])
    cadre_client.get("/")  # sets the CSRF cookie, part of the cached dashboard's key
    assert "学习提醒" not in cadre_client.get("/").content.decode()  # cached now: the reminder must invalidate it
    response = client.post(reverse("reports:remind"), {"year": 2026, "unit": world["B"].pk})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["b1@example.org"] and "廉洁从政" in mail.outbox[0].body
    client.post(reverse("reports:remind"), {"year": 2026, "unit": world["B"].pk})
    assert len(mail.outbox) == 1
    page = cadre_client.get("/")
    assert "学习提醒" in page.content.decode() and "廉洁从政" in page.content.decode()
    # The notice itself is listed, not only the panel's heading.
    assert "截止，请尽快完成学习" in page.content.decode()
    reminder = Reminder.objects.get(user=world["b1"])
    cadre_client.post(reverse("reports:notice_dismiss", args=[reminder.pk]))
    assert "学习提醒" not in cadre_client.get("/").content.decode()


def test_xlsx_one_sheet_per_level(world):
    admin = af.staff(roles.ADMINISTRATOR)
    province = OrgUnit.objects.get(full_path="省")
    export = services.export_create(user=admin, view="units", params={"unit": province.pk, "year": 2026}, fmt="xlsx")
    export.refresh_from_db()
    wb = load_workbook(export.file.open("rb"), read_only=True)
    assert wb.sheetnames == ["本级汇总", "第3级单位", "第4级单位", "干部名单", "统计口径"]
    counties = {r[0]: r for r in wb["第3级单位"].iter_rows(min_row=2, values_only=True)}
    assert counties["省/甲市/A县"][1] == 2 and counties["省/甲市/B县"][4] == 1  # cadres, overdue
    assert len(list(wb["第4级单位"].iter_rows(min_row=2))) == 3
    assert export.rows == 2 + 2 + 3 + 3


def test_export_without_filters_is_queued_and_runs(world):
    # A trainer who picks no filter at all still gets an export of their whole scope.
    export = services.export_create(user=world["trainer_a"], view="units", params={}, fmt="xlsx")
    export.refresh_from_db()
    assert export.params == {}
    assert export.status == ExportStatus.DONE, export.error


def test_tasks_a_person_waits_for_run_before_background_upkeep():
    # db_worker takes higher priorities first: an export must not wait behind the hundreds of search-index
    # tasks (priority 0) that load_demo or a bulk publish queue.
    from accounts.tasks import run_roster_import
    from reports.tasks import run_export, send_reminder_emails

    assert min(t.priority for t in (run_export, send_reminder_emails, run_roster_import)) > 0
