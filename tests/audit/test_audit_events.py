"""Audit entries written by other apps' actions: roster imports, settings, page workflow."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from accounts.factories import org_unit, trainer
from audit.models import Action, AuditEntry, Result

pytestmark = pytest.mark.django_db


def _xlsx(rows):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "roster.xlsx"
    return buf


def test_roster_imports_are_recorded_with_counts_and_failures(client):
    org_unit("某省/甲市/东山县")
    user = trainer("某省/甲市/东山县")
    client.force_login(user)
    url = reverse("accounts_roster_upload")
    rows = [["工号", "姓名", "单位", "职级"], ["T1", "某甲", "某省/甲市/东山县/财政局", "乡科级"]]
    client.post(url, {"file": _xlsx(rows)}, REMOTE_ADDR="10.2.3.4")
    entry = AuditEntry.objects.get(action=Action.ROSTER_IMPORT, result=Result.SUCCESS)
    assert entry.actor_id == user.pk and entry.detail["created"] == 1 and entry.ip_address == "10.2.3.4"
    rows = [["工号", "姓名", "单位", "职级"], ["T2", "某乙", "某省/乙市/财政局", "乡科级"]]
    client.post(url, {"file": _xlsx(rows)})
    assert AuditEntry.objects.filter(action=Action.ROSTER_IMPORT, result=Result.FAILURE).count() == 1


def test_settings_changes_in_the_admin_are_recorded(client):
    from accounts import roles
    from accounts.factories import staff
    from accounts.models import TrainingTargets

    admin = staff(roles.ADMINISTRATOR)
    client.force_login(admin)
    targets = TrainingTargets.load()
    url = reverse("wagtailsettings:edit", args=["accounts", "trainingtargets", targets.pk])
    data = {f"target_{k}": "40" for k in ("provincial", "bureau", "county", "township", "other")}
    response = client.post(url, data)
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=Action.SETTINGS_CHANGE)
    assert entry.actor_id == admin.pk and entry.object_type == "accounts.trainingtargets"


def test_reflection_reviews_are_recorded():
    from accounts.factories import cadre
    from learning import factories as lf
    from learning import services as ls

    lesson = lf.lesson(course=lf.course(), prompt="谈谈体会")
    writer = cadre(unit="某省/甲市/东山县/交通运输局")
    reflection = ls.reflection_submit(
        user=writer, page=lesson, body="通过学习本课，我认识到一把手必须带头接受监督，把权力关进制度的笼子里。"
    )
    boss = trainer("某省/甲市")
    ls.reflection_review(by=boss, reflection=reflection, accept=True)
    entry = AuditEntry.objects.get(action=Action.REFLECTION_REVIEW)
    assert entry.actor_id == boss.pk and entry.object_id == str(writer.pk)
    assert entry.unit_path == "某省/甲市/东山县/交通运输局" and entry.detail["status"] == "accepted"


def test_csv_exports_are_recorded_with_their_row_count(client):
    from accounts.factories import cadre

    unit = org_unit("某省/甲市/东山县/教育局")
    cadre(unit=unit)
    cadre(unit=unit)
    client.force_login(trainer("某省/甲市"))
    response = client.get(reverse("reports:export_csv"), {"view": "cadres", "unit": unit.pk})
    assert response.status_code == 200
    assert not AuditEntry.objects.filter(action=Action.REPORT_EXPORT).exists()  # not until streamed
    b"".join(response.streaming_content)
    entry = AuditEntry.objects.get(action=Action.REPORT_EXPORT)
    assert entry.detail == {"view": "cadres", "format": "csv", "rows": 2}
