"""Property tests for the roster importer (xlsx and csv): generated valid rosters import to exactly
the generated rows; a generated bad row is refused with its spreadsheet row number, database unchanged."""

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from accounts import services
from accounts.models import CadreProfile, OrgUnit, User
from accounts.roles import Rank

pytestmark = pytest.mark.django_db

SETTINGS = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NAME = st.text(st.sampled_from(list("王李张刘陈杨赵黄周吴某甲乙丙·")), min_size=1, max_size=6)
UNIT = st.lists(
    st.text(st.sampled_from(list("省市县局镇甲乙东西南北")), min_size=1, max_size=4), min_size=1, max_size=4
)
HEADER = ["工号", "姓名", "单位", "职级", "职务", "主要负责人"]


@st.composite
def roster(draw):
    numbers = draw(st.lists(st.from_regex(r"[A-Z][0-9]{3,6}", fullmatch=True), min_size=1, max_size=8, unique=True))
    return [
        [
            no,
            draw(NAME),
            "/".join(draw(UNIT)),
            str(draw(st.sampled_from(list(Rank))).label),
            draw(st.sampled_from(["", "科员", "局长"])),
            draw(st.sampled_from(["是", "否"])),
        ]
        for no in numbers
    ]


def encode(rows, kind):
    if kind == "csv":
        out = io.StringIO()
        csv.writer(out).writerows([HEADER, *rows])
        return out.getvalue().encode("utf-8-sig"), "r.csv"
    wb = Workbook()
    for row in [HEADER, *rows]:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), "r.xlsx"


def _fresh():
    CadreProfile.objects.all().delete()
    User.objects.all().delete()
    OrgUnit.objects.all().delete()


def _state():
    return sorted(
        CadreProfile.objects.values_list(
            "employee_no", "user__name", "org_unit__full_path", "rank", "position", "is_principal"
        )
    )


@SETTINGS
@given(roster(), st.sampled_from(["csv", "xlsx"]))
def test_valid_roster_imports_exactly_its_rows(rows, kind):
    _fresh()
    data, name = encode(rows, kind)
    result = services.roster_import_file(data=data, filename=name)
    assert result.created == len(rows)
    expected = sorted((r[0], r[1], r[2], int(Rank.from_label(r[3])), r[4], r[5] == "是") for r in rows)
    assert _state() == expected
    again = services.roster_import_file(data=data, filename=name)
    assert again.unchanged == len(rows) and _state() == expected


BAD_CELLS = {
    1: st.sampled_from(["", "=1+1", "@SUM(1)", "-x"]),  # name
    2: st.sampled_from(["", "../../etc", "某省/..", "./局"]),  # unit
    3: st.sampled_from(["副处级", "", "rank"]),  # rank
    5: st.sampled_from(["也许", "2"]),  # principal
}


@SETTINGS
@given(roster(), st.sampled_from(["csv", "xlsx"]), st.data())
def test_bad_row_is_refused_with_its_number_and_nothing_changes(rows, kind, data):
    _fresh()
    services.roster_import_file(data=encode(rows[:1], "csv")[0], filename="r.csv")
    before = (_state(), OrgUnit.objects.count())
    bad = data.draw(st.integers(0, len(rows) - 1))
    column = data.draw(st.sampled_from(sorted(BAD_CELLS)))
    rows[bad][column] = data.draw(BAD_CELLS[column])
    if kind == "xlsx" and str(rows[bad][column]).startswith("="):
        rows[bad][column] = "@x"  # openpyxl would store "=…" as a formula, read back as empty
    payload, name = encode(rows, kind)
    with pytest.raises(services.RosterError) as exc:
        services.roster_import_file(data=payload, filename=name)
    assert [row for row, _m in exc.value.errors] == [bad + 2]
    assert (_state(), OrgUnit.objects.count()) == before
