"""Roster import: good files, each kind of bad row, re-import, atomicity, scope."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from accounts import services
from accounts.models import CadreProfile, OrgUnit, User
from accounts.roles import Rank

pytestmark = pytest.mark.django_db

HEADER = ["工号", "姓名", "单位", "职级", "职务", "主要负责人", "手机", "邮箱"]
GOOD = [
    ["A001", "张某某", "某省/某市/某县/交通运输局", "乡科级", "局长", "是", "13900000001", "a@example.cn"],
    ["A002", "李某某", "某省/某市/某县/交通运输局", "其他", "科员", "否", "", ""],
    ["A003", "王某某", "某省/某市/某县", "县处级", "县委书记", "是", "", ""],
]


def xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(rows, encoding="utf-8-sig") -> bytes:
    return "\n".join(",".join(r) for r in rows).encode(encoding)


def test_good_xlsx_creates_cadres_units_and_roles():
    result = services.roster_import_file(data=xlsx([HEADER, *GOOD]), filename="r.xlsx", initial_password="Pw-12345678")
    assert (result.created, result.updated) == (3, 0)
    assert result.units_created == ["某省", "某省/某市", "某省/某市/某县", "某省/某市/某县/交通运输局"]
    head = CadreProfile.objects.get(employee_no="A001")
    assert head.user.name == "张某某" and head.is_principal and head.rank == Rank.TOWNSHIP
    assert head.org_unit.full_path == "某省/某市/某县/交通运输局"
    assert head.user.groups.filter(name="学员").exists()
    assert head.user.check_password("Pw-12345678")
    assert OrgUnit.objects.get(full_path="某省/某市/某县/交通运输局").get_parent().full_path == "某省/某市/某县"


def test_without_initial_password_accounts_cannot_log_in():
    services.roster_import_file(data=xlsx([HEADER, *GOOD]), filename="r.xlsx")
    assert not User.objects.get(username="A001").has_usable_password()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_in_office_encodings(encoding):
    result = services.roster_import_file(data=csv_bytes([HEADER, *GOOD], encoding), filename="r.csv")
    assert result.created == 3
    assert User.objects.get(username="A002").name == "李某某"


def test_reimport_updates_by_employee_number():
    services.roster_import_file(data=xlsx([HEADER, *GOOD]), filename="r.xlsx")
    moved = [["A002", "李某某", "某省/某市/某县/教育局", "乡科级", "副局长", "否", "", ""], GOOD[0]]
    result = services.roster_import_file(data=xlsx([HEADER, *moved]), filename="r.xlsx")
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    profile = CadreProfile.objects.get(employee_no="A002")
    assert profile.org_unit.full_path == "某省/某市/某县/教育局"
    assert profile.position == "副局长" and profile.rank == Rank.TOWNSHIP
    assert CadreProfile.objects.count() == 3
    assert User.objects.filter(username="A002").count() == 1


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (["", "赵某", "某省/某市", "其他", "", "否", "", ""], "工号为空"),
        (["B 01", "赵某", "某省/某市", "其他", "", "否", "", ""], "工号“B 01”格式不正确"),
        (["B001", "", "某省/某市", "其他", "", "否", "", ""], "姓名为空"),
        (["B001", "赵某", "", "其他", "", "否", "", ""], "单位为空"),
        (["B001", "赵某", "某省/某市", "副处级", "", "否", "", ""], "职级“副处级”无效"),
        (["B001", "赵某", "某省/某市", "其他", "", "也许", "", ""], "主要负责人“也许”无效"),
        (["B001", "赵某", "某省/某市", "其他", "", "否", "12ab", ""], "手机号“12ab”格式不正确"),
        (["B001", "赵某", "某省/某市", "其他", "", "否", "", "not-an-email"], "邮箱“not-an-email”格式不正确"),
        (["A001", "重复", "某省/某市", "其他", "", "否", "", ""], "工号 A001 与第 2 行重复"),
    ],
)
def test_each_bad_row_stops_the_import_with_its_row_number(row, reason):
    data = xlsx([HEADER, GOOD[0], GOOD[1], row])
    with pytest.raises(services.RosterError) as exc:
        services.roster_import_file(data=data, filename="r.xlsx")
    assert exc.value.errors[0][0] == 4
    assert reason in exc.value.errors[0][1]
    assert CadreProfile.objects.count() == 0
    assert OrgUnit.objects.count() == 0


def test_missing_required_column():
    with pytest.raises(services.RosterError) as exc:
        services.roster_import_file(data=xlsx([["工号", "姓名"], ["A1", "某"]]), filename="r.xlsx")
    assert "缺少必填列：单位、职级" in exc.value.errors[0][1]


def test_all_bad_rows_are_reported():
    data = xlsx([HEADER, ["", "", "", "", "", "", "", ""], GOOD[0], ["X1", "某", "某省", "错", "", "否", "", ""]])
    # The fully blank row is skipped; the others are reported with spreadsheet row numbers.
    with pytest.raises(services.RosterError) as exc:
        services.roster_import_file(data=data, filename="r.xlsx")
    assert [row for row, _ in exc.value.errors] == [4]


def test_database_error_midway_rolls_everything_back():
    User.objects.create(username="A003", name="占用者")  # a non-cadre account holding the username
    with pytest.raises(services.RosterError) as exc:
        services.roster_import_file(data=xlsx([HEADER, *GOOD]), filename="r.xlsx")
    assert exc.value.errors == [(4, "用户名 A003 已被非干部账号占用")]
    assert CadreProfile.objects.count() == 0
    assert not OrgUnit.objects.exists()


def test_trainer_import_limited_to_scope():
    from accounts.factories import trainer

    services.org_unit_get_or_create_by_path("某省/某市/另一县")
    county = trainer("某省/某市/某县")
    rows = [HEADER, GOOD[0], ["C1", "某", "某省/某市/另一县/财政局", "其他", "", "否", "", ""]]
    with pytest.raises(services.RosterError) as exc:
        services.roster_import_file(data=xlsx(rows), filename="r.xlsx", actor=county)
    assert exc.value.errors == [(3, "单位“某省/某市/另一县/财政局”不在您的管理范围内")]
    assert CadreProfile.objects.count() == 0
    # "某省/某市/某县X" must not count as inside "某省/某市/某县".
    rows = [HEADER, ["C2", "某", "某省/某市/某县X/局", "其他", "", "否", "", ""]]
    with pytest.raises(services.RosterError):
        services.roster_import_file(data=xlsx(rows), filename="r.xlsx", actor=county)


@pytest.mark.parametrize(
    ("data", "filename", "reason"),
    [
        (b"not a zip", "r.xlsx", "不是有效的 Excel"),
        (b"\xff\xfe\x00garbage\x00", "r.csv", "无法识别文件编码"),
        (b"\xe5\xb7\xa5\xe5\x8f\xb7,b\x00c", "r.csv", "非法字符"),
        (b"a,b", "r.txt", "只支持 .xlsx 和 .csv 文件"),
        (b"", "r.csv", "文件中没有数据"),
    ],
)
def test_unreadable_files_are_refused(data, filename, reason):
    with pytest.raises(services.RosterError) as exc:
        services.roster_import_file(data=data, filename=filename)
    assert reason in str(exc.value)


def test_zip_bomb_is_refused():
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", "0" * (150 * 1024 * 1024))
    with pytest.raises(services.RosterError) as exc:
        services.roster_import_file(data=buf.getvalue(), filename="bomb.xlsx")
    assert "压缩炸弹" in str(exc.value)


def test_command_reports_rows_and_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([HEADER, GOOD[0], ["B1", "某", "某省", "错级", "", "否", "", ""]]))
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command("import_cadres", str(bad))
    assert "第 3 行：职级“错级”无效" in capsys.readouterr().err
    assert not CadreProfile.objects.exists()

    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx([HEADER, *GOOD]))
    call_command("import_cadres", str(good))
    assert "新增 3 人" in capsys.readouterr().out
    call_command("import_cadres", str(good))
    assert "新增 0 人，更新 0 人，未变 3 人" in capsys.readouterr().out
