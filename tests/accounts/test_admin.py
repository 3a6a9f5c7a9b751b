"""Wagtail admin: users with 姓名, the org-unit tree, cadre lists scoped for trainers, roster upload.
Accounts and org units are the 安全管理员's (三员分立); the 系统管理员 has none of them."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from accounts import roles
from accounts.factories import cadre, org_unit, staff, trainer
from accounts.models import CadreProfile, OrgUnit, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(staff(roles.SECURITY_ADMINISTRATOR))
    return client


def test_security_administrator_creates_user_with_name_and_role(admin_client):
    from django.contrib.auth.models import Group

    trainer_group = Group.objects.get(name=roles.TRAINER)
    response = admin_client.post(
        reverse("wagtailusers_users:add"),
        {
            "username": "newtrainer",
            "name": "新培训员",
            "email": "",
            "password1": "Zx-9876-abcd",
            "password2": "Zx-9876-abcd",
            "groups": [trainer_group.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="newtrainer")
    assert user.name == "新培训员" and user.get_full_name() == "新培训员"
    assert user.groups.filter(name=roles.TRAINER).exists()


def test_security_administrator_builds_org_tree(admin_client):
    add = reverse("orgunits:add")
    assert admin_client.post(add, {"name": "某省"}).status_code == 302
    province = OrgUnit.objects.get(full_path="某省")
    assert admin_client.post(add, {"name": "某市", "parent": province.pk}).status_code == 302
    city = OrgUnit.objects.get(full_path="某省/某市")
    assert city.get_parent() == province
    # A sibling with the same name is refused with a Chinese message.
    response = admin_client.post(add, {"name": "某市", "parent": province.pk})
    assert response.status_code == 200 and "该上级单位下已有同名单位" in response.content.decode()
    # Renaming updates the path shown everywhere.
    response = admin_client.post(reverse("orgunits:edit", args=[city.pk]), {"name": "甲市", "parent": province.pk})
    assert response.status_code == 302
    assert OrgUnit.objects.get(pk=city.pk).full_path == "某省/甲市"
    listing = admin_client.get(reverse("orgunits:index")).content.decode()
    assert "某省/甲市" in listing


def test_trainer_sees_only_cadres_in_scope_in_admin(client):
    inside = cadre(unit="某省/甲市/东山县/教育局")
    outside = cadre(unit="某省/乙市/南湖区/教育局")
    client.force_login(trainer("某省/甲市"))
    listing = client.get(reverse("cadres:index")).content.decode()
    assert inside.cadre_profile.employee_no in listing
    assert outside.cadre_profile.employee_no not in listing
    assert client.get(reverse("cadres:inspect", args=[inside.cadre_profile.pk])).status_code == 200
    assert client.get(reverse("cadres:inspect", args=[outside.cadre_profile.pk])).status_code == 404
    units = client.get(reverse("orgunits:index")).content.decode()
    assert "某省/甲市/东山县/教育局" in units and "某省/乙市" not in units
    # Trainers may look but not change people.
    assert client.get(reverse("cadres:edit", args=[inside.cadre_profile.pk])).status_code in (302, 403)


def test_cadre_cannot_enter_admin(client):
    client.force_login(cadre())
    assert client.get(reverse("wagtailadmin_home")).status_code == 302


def _xlsx(rows):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "roster.xlsx"
    return buf


def test_trainer_uploads_roster_in_scope(client):
    org_unit("某省/甲市/东山县")
    client.force_login(trainer("某省/甲市/东山县"))
    url = reverse("accounts_roster_upload")
    assert "导入花名册" in client.get(url).content.decode()
    rows = [["工号", "姓名", "单位", "职级"], ["T1", "某甲", "某省/甲市/东山县/财政局", "乡科级"]]
    response = client.post(url, {"file": _xlsx(rows)}, follow=True)
    assert "新增 1 人" in response.content.decode()
    assert CadreProfile.objects.filter(employee_no="T1", org_unit__full_path="某省/甲市/东山县/财政局").exists()

    rows = [["工号", "姓名", "单位", "职级"], ["T2", "某乙", "某省/乙市/财政局", "乡科级"]]
    response = client.post(url, {"file": _xlsx(rows)})
    html = response.content.decode()
    assert "第 2 行" in html and "不在您的管理范围内" in html
    assert not CadreProfile.objects.filter(employee_no="T2").exists()


def test_roster_upload_refuses_wrong_type_and_needs_permission(client):
    client.force_login(staff(roles.SECURITY_ADMINISTRATOR))
    url = reverse("accounts_roster_upload")
    bad = io.BytesIO(b"MZ\x90\x00")
    bad.name = "virus.exe"
    html = client.post(url, {"file": bad}).content.decode()
    assert "只支持 .xlsx 和 .csv 文件" in html
    for role in (roles.EDITOR, roles.ADMINISTRATOR, roles.AUDIT_ADMINISTRATOR):
        client.force_login(staff(role))
        refused = client.get(url)
        # Wagtail's admin turns PermissionDenied into a redirect to the dashboard with a message.
        assert refused.status_code in (302, 403) and "花名册文件" not in refused.content.decode(), role
