"""Finding 16.1: a trainer's roster import may not move cadres across scopes or change ranks.

Every door that writes a cadre's unit or rank (roster import service, upload page, admin form)
asks `selectors.cadre_write_refusal`.
"""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from accounts import roles, selectors, services
from accounts.factories import cadre, org_unit, staff, trainer
from accounts.models import CadreProfile, OrgUnit
from accounts.roles import Rank

pytestmark = pytest.mark.django_db

HEADER = ["工号", "姓名", "单位", "职级"]


def xlsx(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
def world():
    east = org_unit("某省/甲市/东山县/交通运输局")
    other = org_unit("某省/乙市/南湖区/教育局")
    outsider = cadre(unit=other, employee_no="D0071", rank=Rank.TOWNSHIP)
    insider = cadre(unit=east, employee_no="D0001", rank=Rank.TOWNSHIP)
    return {
        "trainer": trainer("某省/甲市/东山县"),
        "east": east,
        "other": other,
        "outsider": outsider,
        "insider": insider,
    }


def test_trainer_cannot_pull_a_cadre_of_another_scope_into_theirs(world):
    data = xlsx([HEADER, ["D0071", "宋梅胜", "某省/甲市/东山县/交通运输局", "乡科级"]])
    with pytest.raises(services.RosterError) as exc:
        services.roster_import_file(data=data, filename="r.xlsx", actor=world["trainer"])
    assert exc.value.errors[0][0] == 2
    assert "D0071 不在您的管理范围内" in exc.value.errors[0][1]
    assert CadreProfile.objects.get(employee_no="D0071").org_unit == world["other"]


def test_trainer_cannot_move_own_cadre_out_of_scope_or_above_it(world):
    data = xlsx([HEADER, ["D0001", "某", "某省/甲市", "乡科级"]])
    with pytest.raises(services.RosterError) as exc:
        services.roster_import_file(data=data, filename="r.xlsx", actor=world["trainer"])
    assert "不在您的管理范围内" in exc.value.errors[0][1]
    assert CadreProfile.objects.get(employee_no="D0001").org_unit == world["east"]


def test_trainer_cannot_raise_a_rank_and_whole_file_is_refused(world):
    data = xlsx(
        [
            HEADER,
            ["N0001", "新人", "某省/甲市/东山县/交通运输局", "乡科级"],  # fine on its own
            ["D0001", "某", "某省/甲市/东山县/交通运输局", "省部级"],
        ]
    )
    with pytest.raises(services.RosterError) as exc:
        services.roster_import_file(data=data, filename="r.xlsx", actor=world["trainer"])
    assert [row for row, _msg in exc.value.errors] == [3]
    assert "不能修改干部 D0001 的职级" in exc.value.errors[0][1]
    assert CadreProfile.objects.get(employee_no="D0001").rank == Rank.TOWNSHIP
    assert not CadreProfile.objects.filter(employee_no="N0001").exists()


def test_trainer_new_cadre_rank_is_capped(world, settings):
    data = xlsx([HEADER, ["N0002", "新人", "某省/甲市/东山县/交通运输局", "省部级"]])
    with pytest.raises(services.RosterError) as exc:
        services.roster_import_file(data=data, filename="r.xlsx", actor=world["trainer"])
    assert "最高为乡科级" in exc.value.errors[0][1]
    settings.ROSTER_TRAINER_MAX_NEW_RANK = Rank.COUNTY
    data = xlsx([HEADER, ["N0002", "新人", "某省/甲市/东山县/交通运输局", "县处级"]])
    assert services.roster_import_file(data=data, filename="r.xlsx", actor=world["trainer"]).created == 1


def test_trainer_may_update_own_cadres_within_scope(world):
    data = xlsx([HEADER, ["D0001", "改名", "某省/甲市/东山县/青石镇", "乡科级"]])
    result = services.roster_import_file(data=data, filename="r.xlsx", actor=world["trainer"])
    assert result.updated == 1
    assert CadreProfile.objects.get(employee_no="D0001").org_unit.full_path == "某省/甲市/东山县/青石镇"


def test_security_administrator_and_command_line_may_move_and_promote(world):
    admin = staff(roles.SECURITY_ADMINISTRATOR)
    data = xlsx([HEADER, ["D0071", "宋梅胜", "某省/甲市/东山县/交通运输局", "县处级"]])
    assert services.roster_import_file(data=data, filename="r.xlsx", actor=admin).updated == 1
    data = xlsx([HEADER, ["D0071", "宋梅胜", "某省/乙市/南湖区/教育局", "厅局级"]])
    assert services.roster_import_file(data=data, filename="r.xlsx").updated == 1


def test_upload_page_applies_the_rule(world, client):
    from django.contrib.auth.models import Permission

    user = world["trainer"]
    client.force_login(user)
    data = xlsx([HEADER, ["D0071", "宋梅胜", "某省/甲市/东山县/交通运输局", "乡科级"]])
    upload = io.BytesIO(data)
    upload.name = "r.xlsx"
    assert Permission.objects.filter(codename="import_roster", group__user=user).exists()
    response = client.post(reverse("accounts_roster_upload"), {"file": upload})
    assert response.status_code == 200
    assert "不在您的管理范围内" in response.content.decode()
    assert CadreProfile.objects.get(employee_no="D0071").org_unit == world["other"]


@pytest.mark.parametrize("path", ["../../etc", "某省/../etc", "./x", "某省/.hidden", "=cmd|x/局"])
def test_unit_path_tricks_are_refused_and_create_no_units(path):
    before = OrgUnit.objects.count()
    data = ("工号,姓名,单位,职级\nP0001,某," + path + ",其他\n").encode()
    with pytest.raises(services.RosterError) as exc:
        services.roster_import_file(data=data, filename="r.csv")
    assert exc.value.errors[0][0] == 2 and "单位路径" in exc.value.errors[0][1]
    assert OrgUnit.objects.count() == before


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x","点我")', "=cmd|' /C calc'!A0", "@SUM(1+1)", "+1", "-2"])
def test_formula_names_are_refused(name):
    import csv

    out = io.StringIO()
    csv.writer(out).writerows([HEADER, ["F0001", name, "某省/某市", "其他"]])
    with pytest.raises(services.RosterError) as exc:
        services.roster_import_file(data=out.getvalue().encode(), filename="r.csv")
    assert "不能以 = + - @ 等公式符号开头" in exc.value.errors[0][1]
    assert not CadreProfile.objects.exists()


def test_rule_itself():
    east = org_unit("某省/甲市/东山县/局")
    t = trainer("某省/甲市/东山县")
    mine = cadre(unit=east, rank=Rank.COUNTY).cadre_profile
    assert selectors.cadre_write_refusal(t, profile=mine, unit_path="某省/甲市/东山县/镇", rank=Rank.COUNTY) is None
    assert selectors.cadre_write_refusal(t, profile=mine, unit_path="某省/甲市/东山县X", rank=Rank.COUNTY)
    assert selectors.cadre_write_refusal(staff(roles.EDITOR), profile=None, unit_path="某省", rank=Rank.OTHER)
    assert selectors.cadre_write_refusal(None, profile=mine, unit_path="别处", rank=Rank.PROVINCIAL) is None


def _form_data(profile, **changes):
    data = {
        "user": profile.user_id,
        "employee_no": profile.employee_no,
        "org_unit": profile.org_unit_id,
        "rank": profile.rank,
        "position": profile.position,
        "phone": "",
    }
    data.update(changes)
    return data


def test_admin_form_applies_the_same_rule(world):
    from accounts.forms import CadreProfileForm

    t = world["trainer"]
    mine = world["insider"].cadre_profile
    raised = CadreProfileForm(_form_data(mine, rank=Rank.PROVINCIAL), instance=mine, for_user=t)
    assert not raised.is_valid()
    assert "不能修改干部" in str(raised.errors)
    moved = CadreProfileForm(_form_data(mine, org_unit=world["other"].pk), instance=mine, for_user=t)
    assert not moved.is_valid()
    theirs = world["outsider"].cadre_profile
    pulled = CadreProfileForm(_form_data(theirs, org_unit=world["east"].pk), instance=theirs, for_user=t)
    assert not pulled.is_valid() and "不在您的管理范围内" in str(pulled.errors)
    admin = staff(roles.SECURITY_ADMINISTRATOR)
    ok = CadreProfileForm(
        _form_data(theirs, org_unit=world["east"].pk, rank=Rank.BUREAU), instance=theirs, for_user=admin
    )
    assert ok.is_valid(), ok.errors


def test_admin_edit_view_refuses_a_trainer_with_change_permission(world, client):
    from django.contrib.auth.models import Permission

    t = world["trainer"]
    t.user_permissions.add(Permission.objects.get(codename="change_cadreprofile"))
    client.force_login(t)
    mine = world["insider"].cadre_profile
    url = reverse("cadres:edit", args=[mine.pk])
    response = client.post(url, _form_data(mine, rank=Rank.PROVINCIAL))
    assert response.status_code == 200
    mine.refresh_from_db()
    assert mine.rank == Rank.TOWNSHIP
    # The same post from the 安全管理员 goes through (so the refusal above is the rule, not a bad form).
    client.force_login(staff(roles.SECURITY_ADMINISTRATOR))
    assert client.post(url, _form_data(mine, rank=Rank.PROVINCIAL)).status_code == 302
    mine.refresh_from_db()
    assert mine.rank == Rank.PROVINCIAL
