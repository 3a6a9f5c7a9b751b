"""Issue 20 (a province's roster): the import writes set-based — its number of queries does not grow
with the number of rows — and still does everything a one-by-one save did: the 学员 role and its audit
entry, one shared hash of the initial password, enrolments from the assignments that reach the unit,
report counters equal to the source rows, and nothing written for a re-import of the same file."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import roles, services
from accounts.factories import org_unit, staff
from accounts.models import CadreProfile, OrgUnit, User
from audit.models import Action, AuditEntry
from learning import factories as lf
from learning import services as ls
from learning.models import Enrolment
from reports import counters

pytestmark = pytest.mark.django_db


def roster(n: int, *, unit=lambda i: f"某省/甲市/县{i % 3}/局{i % 7}", name=lambda i: f"某{i}") -> bytes:
    lines = ["工号,姓名,单位,职级"] + [f"R{i:05d},{name(i)},{unit(i)},乡科级" for i in range(n)]
    return "\n".join(lines).encode()


def queries(data: bytes, **kwargs) -> tuple[int, services.RosterResult]:
    with CaptureQueriesContext(connection) as ctx:
        result = services.roster_import_file(data=data, filename="r.csv", **kwargs)
    return len(ctx.captured_queries), result


def test_queries_do_not_grow_with_rows():
    small, _r = queries(roster(20), initial_password="Pw-12345678")
    User.objects.filter(username__startswith="R").delete()
    big, result = queries(roster(400), initial_password="Pw-12345678")
    assert result.created == 400
    assert big <= small + 10, (small, big)
    # Re-importing the same file: read, compare, write nothing.
    again, result = queries(roster(400))
    assert (result.created, result.updated, result.unchanged) == (0, 0, 400)
    assert again <= 20, again


def test_new_accounts_share_one_hash_are_forced_to_change_it_and_hold_the_cadre_role():
    services.roster_import_file(data=roster(5), filename="r.csv", initial_password="Pw-12345678")
    users = list(User.objects.filter(username__startswith="R"))
    assert len({u.password for u in users}) == 1
    assert all(u.must_change_password and u.password_changed_at for u in users)
    assert users[0].check_password("Pw-12345678")
    assert all(list(u.groups.values_list("name", flat=True)) == [roles.CADRE] for u in users)
    grants = AuditEntry.objects.filter(action=Action.ROLE_CHANGE, object_type="accounts.user")
    assert sorted(int(e.object_id) for e in grants) == sorted(u.pk for u in users)
    entry = grants.get(object_id=str(users[0].pk))
    assert entry.detail == {"change": "add", "roles": [roles.CADRE], "now": [roles.CADRE]}
    assert entry.unit_path == users[0].cadre_profile.org_unit.full_path
    # A re-import grants nothing again, so it records nothing.
    services.roster_import_file(data=roster(5), filename="r.csv")
    assert AuditEntry.objects.filter(action=Action.ROLE_CHANGE).count() == 5


def test_existing_person_without_the_cadre_role_gets_it_once_and_audited():
    services.roster_import_file(data=roster(2), filename="r.csv")
    user = User.objects.get(username="R00001")
    user.groups.clear()
    before = AuditEntry.objects.filter(action=Action.ROLE_CHANGE).count()
    services.roster_import_file(data=roster(2), filename="r.csv")
    assert list(user.groups.values_list("name", flat=True)) == [roles.CADRE]
    assert AuditEntry.objects.filter(action=Action.ROLE_CHANGE).count() == before + 1


def test_changes_are_written_and_counted(settings):
    services.roster_import_file(data=roster(6), filename="r.csv")
    changed = roster(
        6,
        unit=lambda i: "某省/乙市/新局" if i == 2 else f"某省/甲市/县{i % 3}/局{i % 7}",
        name=lambda i: "改名" if i == 4 else f"某{i}",
    )
    result = services.roster_import_file(data=changed, filename="r.csv", batch_size=4)
    assert (result.created, result.updated, result.unchanged) == (0, 2, 4)
    assert CadreProfile.objects.get(employee_no="R00002").org_unit.full_path == "某省/乙市/新局"
    assert User.objects.get(username="R00004").name == "改名"
    assert result.units_created == ["某省/乙市", "某省/乙市/新局"]


def test_a_batched_re_import_writes_only_the_rows_it_changes():
    """A province's re-import (the worker's batched path): rows that already match their cadre are neither
    re-checked nor written batch by batch, so its time follows the changes, not the size of the roster."""
    services.roster_import_file(data=roster(60), filename="r.csv")
    lacking = User.objects.get(username="R00003")
    lacking.groups.clear()  # must still get the 学员 role back
    seen = []
    result = services.roster_import_file(
        data=roster(60, name=lambda i: "改名" if i == 40 else f"某{i}"),
        filename="r.csv",
        batch_size=5,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert (result.created, result.updated, result.unchanged) == (0, 1, 59)
    assert User.objects.get(username="R00040").name == "改名"
    assert list(lacking.groups.values_list("name", flat=True)) == [roles.CADRE]
    # 58 rows left alone at once, then one batch with the two rows to write (not twelve batches).
    assert seen == [(58, 60), (60, 60)]


def test_enrolments_and_report_counters_follow_the_import():
    admin = staff(roles.ADMINISTRATOR)
    course = lf.course(lessons=1)
    east, west = org_unit("某省/甲市"), org_unit("某省/乙市")
    year = ls.local_year()
    ls.assignment_create(by=admin, course=course, org_units=[east], ranks=None, year=year, due_date=date(year, 12, 31))
    services.roster_import_file(data=roster(30), filename="r.csv")
    assert Enrolment.objects.filter(course=course, user__username__startswith="R").count() == 30
    assert counters.check() == []
    # Three cadres move to a unit the assignment does not reach, one to a unit another one reaches.
    other = lf.course(lessons=1)
    ls.assignment_create(by=admin, course=other, org_units=[west], ranks=None, year=year, due_date=date(year, 12, 31))
    moved = roster(30, unit=lambda i: "某省/乙市/局" if i < 3 else f"某省/甲市/县{i % 3}/局{i % 7}")
    result = services.roster_import_file(data=moved, filename="r.csv", batch_size=7)
    assert result.updated == 3
    assert Enrolment.objects.filter(course=other).count() == 3
    assert counters.check() == []


def test_new_units_are_created_level_by_level_with_a_sound_tree():
    existing = org_unit("某省/甲市/县0/老局")  # created one by one, as the admin does
    created = []
    units = services.org_units_get_or_create_by_paths(
        paths=["某省/甲市/县0/新局", "某省/乙市/县9/局1", "某省/乙市/县9/局2", "另一省/市"], created=created
    )
    assert set(created) == {
        "另一省",
        "某省/乙市",
        "另一省/市",
        "某省/乙市/县9",
        "某省/甲市/县0/新局",
        "某省/乙市/县9/局1",
        "某省/乙市/县9/局2",
    }
    assert [c.count("/") for c in created] == sorted(c.count("/") for c in created)  # parents first
    assert units["某省/甲市/县0/新局"].get_parent() == existing.get_parent()
    assert units["某省/乙市/县9/局2"].get_parent().full_path == "某省/乙市/县9"
    problems = OrgUnit.find_problems()
    assert all(not p for p in problems), problems
    assert OrgUnit.objects.get(full_path="某省/甲市/县0").numchild == 2
    # Adding one by one afterwards still works (treebeard numbers after the last child).
    services.org_unit_get_or_create_by_path("某省/乙市/县9/局3")
    assert all(not p for p in OrgUnit.find_problems())
    with pytest.raises(services.ValidationError):
        services.org_units_get_or_create_by_paths(paths=["某省/../etc"])
