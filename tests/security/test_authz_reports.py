"""Authorisation matrix rows for trainer reports: by unit, by course, drill-downs to cadres, CSV and Excel
exports and their downloads, reminders and notices, and GET /api/v1/reports/completion.

Same world as the learning rows; unit and user ids are swapped between the two subtrees
(A = 某省/甲市/东山县/交通运输局 under trainer_in_scope, B = 某省/乙市/南湖区/教育局 under trainer_out_of_scope).
"""

import pytest

from tests.security.authz import FORBIDDEN, LOGIN, NOT_FOUND, OK, REDIRECT, Row, check_row, expect
from tests.security.learning_world import learning_world

TRAINERS = expect(FORBIDDEN, anonymous=LOGIN, trainer_in_scope=OK, trainer_out_of_scope=OK, administrator=OK)
TRAINERS_REDIRECT = expect(
    FORBIDDEN, anonymous=LOGIN, trainer_in_scope=REDIRECT, trainer_out_of_scope=REDIRECT, administrator=REDIRECT
)
# Something in unit A (or B): its trainer and administrators; the other trainer gets 404 (not revealed).
IN_A = expect(FORBIDDEN, anonymous=LOGIN, trainer_in_scope=OK, trainer_out_of_scope=NOT_FOUND, administrator=OK)
IN_B = expect(FORBIDDEN, anonymous=LOGIN, trainer_in_scope=NOT_FOUND, trainer_out_of_scope=OK, administrator=OK)
A_ONLY = {"present": {"trainer_in_scope": ("{cadre_name}",)}, "absent": {"trainer_in_scope": ("{other_name}",)}}
B_ONLY = {"present": {"trainer_out_of_scope": ("{other_name}",)}, "absent": {"trainer_out_of_scope": ("{cadre_name}",)}}
OWN_SUBTREE = {
    "present": {"trainer_in_scope": ("甲市",), "trainer_out_of_scope": ("乙市",), "administrator": ("某省",)},
    "absent": {"trainer_in_scope": ("乙市",), "trainer_out_of_scope": ("甲市",)},
}
PEOPLE_BOTH = {
    "present": {
        "trainer_in_scope": ("{cadre_name}",),
        "trainer_out_of_scope": ("{other_name}",),
        "administrator": ("{cadre_name}", "{other_name}"),
    },
    "absent": {"trainer_in_scope": ("{other_name}",), "trainer_out_of_scope": ("{cadre_name}",)},
}
EMPLOYEE_NOS = {
    "present": {"trainer_in_scope": ("{cadre_employee_no}",), "trainer_out_of_scope": ("{other_employee_no}",)},
    "absent": {"trainer_in_scope": ("{other_employee_no}",), "trainer_out_of_scope": ("{cadre_employee_no}",)},
}
EXPORT_LINKS = {
    "present": {
        "trainer_in_scope": ("/reports/exports/{export_in}/download/",),
        "trainer_out_of_scope": ("/reports/exports/{export_out}/download/",),
    },
    # Exports belong to whoever asked for them, administrators included.
    "absent": {
        "trainer_in_scope": ("/reports/exports/{export_out}/download/",),
        "trainer_out_of_scope": ("/reports/exports/{export_in}/download/",),
        "administrator": ("/reports/exports/{export_in}/download/", "/reports/exports/{export_out}/download/"),
    },
}
ONLY_ASKER = {
    "in": expect(
        FORBIDDEN, anonymous=LOGIN, trainer_in_scope=OK, trainer_out_of_scope=NOT_FOUND, administrator=NOT_FOUND
    ),
    "out": expect(
        FORBIDDEN, anonymous=LOGIN, trainer_in_scope=NOT_FOUND, trainer_out_of_scope=OK, administrator=NOT_FOUND
    ),
}
B_CHANGES = frozenset({"trainer_out_of_scope", "administrator"})
A_CHANGES = frozenset({"trainer_in_scope", "administrator"})

ROWS = [
    # By unit, with drill-down
    Row("GET", "/reports/", TRAINERS, **OWN_SUBTREE),
    Row("GET", "/reports/?year={year}&rank=4", TRAINERS, **OWN_SUBTREE),
    Row("GET", "/reports/units/{cadre_unit}/", IN_A),
    Row("GET", "/reports/units/{other_unit}/", IN_B),
    Row("GET", "/reports/units/{root_a}/", IN_A, absent={"trainer_in_scope": ("乙市",)}),
    Row("GET", "/reports/units/{root_b}/", IN_B, absent={"trainer_out_of_scope": ("甲市",)}),
    Row(
        "GET",
        "/reports/units/999999/",
        expect(
            FORBIDDEN,
            anonymous=LOGIN,
            trainer_in_scope=NOT_FOUND,
            trainer_out_of_scope=NOT_FOUND,
            administrator=NOT_FOUND,
        ),
    ),
    Row("GET", "/reports/units/{cadre_unit}/cadres/", IN_A, **A_ONLY),
    Row("GET", "/reports/units/{other_unit}/cadres/", IN_B, **B_ONLY),
    # By course, with the overdue list (both cadres are overdue on 指派课程AUTHZ)
    Row("GET", "/reports/courses/", TRAINERS, **PEOPLE_BOTH),
    Row("GET", "/reports/courses/?unit={cadre_unit}", IN_A, **A_ONLY),
    Row("GET", "/reports/courses/?unit={other_unit}", IN_B, **B_ONLY),
    # A cadre's page (the drill-down's last level)
    Row(
        "GET", "/reports/cadres/{cadre_user}/", IN_A, present={"trainer_in_scope": ("{cadre_name}", "已结业课程AUTHZ")}
    ),
    Row("GET", "/reports/cadres/{other_user}/", IN_B, present={"trainer_out_of_scope": ("{other_name}",)}),
    Row(
        "GET",
        "/reports/cadres/999999/",
        expect(
            FORBIDDEN,
            anonymous=LOGIN,
            trainer_in_scope=NOT_FOUND,
            trainer_out_of_scope=NOT_FOUND,
            administrator=NOT_FOUND,
        ),
    ),
    # CSV, streamed at once
    Row("GET", "/reports/export.csv?view=units", TRAINERS, **OWN_SUBTREE),
    Row(
        "GET",
        "/reports/export.csv?view=cadres&unit={cadre_unit}",
        IN_A,
        present={"trainer_in_scope": ("{cadre_employee_no}", "{cadre_name}")},
    ),
    Row(
        "GET",
        "/reports/export.csv?view=cadres&unit={other_unit}",
        IN_B,
        present={"trainer_out_of_scope": ("{other_employee_no}", "{other_name}")},
    ),
    Row("GET", "/reports/export.csv?view=cadres&unit={root_a}", IN_A, **A_ONLY),
    # The course CSV is the course table (figures per course, no names).
    Row("GET", "/reports/export.csv?view=courses", TRAINERS, present={"trainer_in_scope": ("指派课程AUTHZ",)}),
    Row("GET", "/reports/export.csv?view=courses&unit={other_unit}", IN_B),
    # Excel (and CSV) in the background: queued for the asker only, downloaded by the asker only
    Row("GET", "/reports/exports/", TRAINERS, **EXPORT_LINKS),
    Row(
        "POST",
        "/reports/exports/new/",
        expect(
            FORBIDDEN,
            anonymous=LOGIN,
            trainer_in_scope=NOT_FOUND,
            trainer_out_of_scope=REDIRECT,
            administrator=REDIRECT,
        ),
        data={"view": "cadres", "unit": "{other_unit}", "fmt": "xlsx"},
        probe="exports",
        changes=B_CHANGES,
    ),
    Row(
        "POST",
        "/reports/exports/new/",
        expect(
            FORBIDDEN,
            anonymous=LOGIN,
            trainer_in_scope=REDIRECT,
            trainer_out_of_scope=NOT_FOUND,
            administrator=REDIRECT,
        ),
        data={"view": "courses", "unit": "{root_a}", "fmt": "csv"},
        probe="exports",
        changes=A_CHANGES,
    ),
    Row("GET", "/reports/exports/{export_in}/download/", ONLY_ASKER["in"]),
    Row("GET", "/reports/exports/{export_out}/download/", ONLY_ASKER["out"]),
    # Reminders to overdue cadres: only within the scope (a cadre or unit outside it gets no reminder)
    Row(
        "POST",
        "/reports/remind/",
        TRAINERS_REDIRECT,
        data={"only_user": "{other_user}"},
        probe="reminders",
        changes=B_CHANGES,
    ),
    Row(
        "POST",
        "/reports/remind/",
        TRAINERS_REDIRECT,
        data={"only_user": "{cadre_user}"},
        probe="reminders",
        changes=A_CHANGES,
    ),
    Row(
        "POST",
        "/reports/remind/",
        expect(
            FORBIDDEN,
            anonymous=LOGIN,
            trainer_in_scope=NOT_FOUND,
            trainer_out_of_scope=REDIRECT,
            administrator=REDIRECT,
        ),
        data={"unit": "{other_unit}"},
        probe="reminders",
        changes=B_CHANGES,
    ),
    Row(
        "POST",
        "/reports/remind/",
        expect(
            FORBIDDEN,
            anonymous=LOGIN,
            trainer_in_scope=REDIRECT,
            trainer_out_of_scope=NOT_FOUND,
            administrator=REDIRECT,
        ),
        data={"unit": "{cadre_unit}", "only_course": "{assigned_course}"},
        probe="reminders",
        changes=A_CHANGES,
    ),
    # The cadre's notice of a reminder: only its addressee can mark it read
    Row(
        "POST",
        "/reports/notices/{reminder_cadre}/dismiss/",
        expect(REDIRECT, anonymous=LOGIN),
        probe="reminders",
        changes=frozenset({"cadre"}),
    ),
    Row(
        "POST",
        "/reports/notices/{reminder_other}/dismiss/",
        expect(REDIRECT, anonymous=LOGIN),
        probe="reminders",
        changes=frozenset({"cadre_other_unit"}),
    ),
    # The same figures through the API
    Row("GET", "/api/v1/reports/completion", TRAINERS, **OWN_SUBTREE),
    Row("GET", "/api/v1/reports/completion?org_unit={cadre_unit}", IN_A),
    Row("GET", "/api/v1/reports/completion?org_unit={other_unit}", IN_B),
    Row("GET", "/api/v1/reports/completion?org_unit={root_b}&course={assigned_course}&year={year}", IN_B),
]


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=[f"{r.id} {r.data or ''}".rstrip() for r in ROWS])
def test_reports_authorisation_matrix(row):
    check_row(row, learning_world())
