"""The 审计管理员's viewer: filters by time, account, action and unit; Excel export (audited); read-only."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts import roles
from accounts.factories import staff
from audit.models import Action, AuditEntry
from audit.services import audit_record

pytestmark = pytest.mark.django_db

LOG = reverse("audit:log")
EXPORT = reverse("audit:export")


@pytest.fixture
def entries():
    audit_record(action=Action.LOGIN_FAILURE, actor_username="=HYPERLINK(1)", unit_path="")
    audit_record(action=Action.PASSWORD_RESET, actor_username="trainer1", unit_path="某省/甲市/东山县")
    audit_record(action=Action.PASSWORD_RESET, actor_username="trainer2", unit_path="某省/乙市")
    AuditEntry.objects.bulk_create(
        [AuditEntry(created_at=timezone.now() - timedelta(days=40), action=Action.LOGOUT, actor_username="old-user")]
    )


def test_filters_by_action_unit_account_and_time(client, entries):
    client.force_login(staff(roles.AUDIT_ADMINISTRATOR))
    html = client.get(LOG, {"action": "password_reset", "unit": "某省/甲市"}).content.decode()
    assert "trainer1" in html and "trainer2" not in html and "重置密码" in html
    html = client.get(LOG, {"account": "trainer2"}).content.decode()
    assert "trainer2" in html and "trainer1" not in html
    start = (timezone.localdate() - timedelta(days=1)).isoformat()
    html = client.get(LOG, {"start": start}).content.decode()
    assert "trainer1" in html and "old-user" not in html
    bad = client.get(LOG, {"start": "2026-05-02", "end": "2026-05-01"})
    assert bad.status_code == 200 and "开始日期不能晚于结束日期" in bad.content.decode()


def test_excel_export_is_filtered_safe_and_audited(client, entries):
    auditor = staff(roles.AUDIT_ADMINISTRATOR)
    client.force_login(auditor)
    response = client.get(EXPORT, {"action": "login_failure"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "时间" and len(rows) == 2
    assert rows[1][1] == "'=HYPERLINK(1)"
    export = AuditEntry.objects.get(action=Action.AUDIT_EXPORT)
    assert export.actor_id == auditor.pk and export.detail["rows"] == 1


@pytest.mark.parametrize("role", [roles.ADMINISTRATOR, roles.SECURITY_ADMINISTRATOR, roles.TRAINER, roles.EDITOR])
def test_only_the_audit_administrator_reads_it(client, role):
    client.force_login(staff(role))
    assert client.get(LOG).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_the_viewer_offers_no_way_to_change_anything(client, entries):
    client.force_login(staff(roles.AUDIT_ADMINISTRATOR))
    assert client.post(LOG, {"action": "x"}).status_code == 405
    assert client.post(EXPORT).status_code == 405
    html = client.get(LOG).content.decode()
    assert '<form method="post"' not in html.split("<main", 1)[-1].split("</main>", 1)[0]
