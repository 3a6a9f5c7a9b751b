"""Authorisation matrix rows for learning: courses and lessons, heartbeats, self-enrolment, certificates,
public verification, the learning archive, reflections and their review, assignments.

The world (tests/security/learning_world.py) gives each cadre their own certificate, reflection,
archive and assignment; every object row is written twice, once per cadre, with the ids swapped.
"""

import re

import pytest
from django.test import Client

from tests.security.authz import (
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    OK,
    REDIRECT,
    ROLES,
    Row,
    check_row,
    expect,
    side,
)
from tests.security.learning_world import learning_world

SIGNED_IN = expect(OK, anonymous=LOGIN)
SIGNED_IN_REDIRECT = expect(REDIRECT, anonymous=LOGIN)
# Trainer pages: other signed-in roles get 403 (they know the page exists, it is in the menu of trainers).
TRAINERS = expect(FORBIDDEN, anonymous=LOGIN, trainer_in_scope=OK, trainer_out_of_scope=OK, administrator=OK)
# A cadre's object seen from the trainer pages: non-trainers 403, the trainer of the other subtree 404.
A_TRAINER_OBJECT = expect(
    FORBIDDEN, anonymous=LOGIN, trainer_in_scope=OK, trainer_out_of_scope=NOT_FOUND, administrator=OK
)
B_TRAINER_OBJECT = expect(
    FORBIDDEN, anonymous=LOGIN, trainer_in_scope=NOT_FOUND, trainer_out_of_scope=OK, administrator=OK
)
A_SIDE = side("cadre", "trainer_in_scope")
B_SIDE = side("cadre_other_unit", "trainer_out_of_scope")
NOT_MINE = {
    "cadre": ("{other_name}",),
    "cadre_other_unit": ("{cadre_name}",),
    "trainer_in_scope": ("{other_name}",),
    "trainer_out_of_scope": ("{cadre_name}",),
}
JSON = {"content_type": "application/json"}
REFLECTION = {"body": "结合本职工作，认真对照检查，查找差距不足，提出整改措施并抓好落实。"}
# The trainers' assignment form, aimed at the other subtree (the form offers only units in scope).
ASSIGN_B = {"course": "{assigned_course}", "org_units": "{root_b}", "year": "{year}", "due_date": "{due}"}
ASSIGN_A = {**ASSIGN_B, "org_units": "{root_a}"}

ROWS = [
    # Dashboard and course pages show the signed-in cadre's own progress, nobody else's.
    Row("GET", "/", expect(OK), absent=NOT_MINE, present={"cadre": ("指派课程AUTHZ",)}),
    Row("GET", "/learning/courses/", expect(REDIRECT)),
    # Course and lesson pages are internal training content, like cases: anonymous visitors log in first.
    Row("GET", "{course_index_url}", SIGNED_IN, absent=NOT_MINE),
    Row("GET", "{assigned_course_url}", SIGNED_IN, absent=NOT_MINE),
    Row(
        "GET",
        "{lesson_url}",
        SIGNED_IN,
        absent={
            **NOT_MINE,
            "cadre": ("{other_name}", "{other_reflection_text}"),
            "cadre_other_unit": ("{cadre_name}", "{cadre_reflection_text}"),
        },
        present={"cadre": ("{cadre_reflection_text}",)},
    ),
    # Heartbeats: only cadres earn progress, and only their own.
    Row(
        "POST",
        "/api/v1/lessons/{lesson}/heartbeat",
        expect(FORBIDDEN, anonymous=LOGIN, cadre=OK, cadre_other_unit=OK),
        data="{}",
        **JSON,
        probe="cadre_progress",
        changes=frozenset({"cadre"}),
    ),
    Row(
        "POST",
        "/api/v1/lessons/{draft_lesson}/heartbeat",
        expect(NOT_FOUND, anonymous=LOGIN),
        data="{}",
        **JSON,
        probe="cadre_progress",
    ),
    # Self-enrolment in an elective: for oneself only.
    Row(
        "POST",
        "/learning/courses/{elective}/enrol/",
        SIGNED_IN_REDIRECT,
        probe="enrolments",
        changes=frozenset({"cadre", "cadre_other_unit"}),
    ),
    # Certificates: the PDF for the owner, their trainer and administrators; verification is public.
    Row("GET", "/learning/certificates/{cadre_certificate}.pdf", A_SIDE),
    Row("GET", "/learning/certificates/{other_certificate}.pdf", B_SIDE),
    Row("GET", "/learning/certificates/NOSUCHCODE.pdf", expect(NOT_FOUND, anonymous=LOGIN)),
    Row(
        "GET",
        "/verify/{cadre_certificate}/",
        expect(OK),
        present=dict.fromkeys(ROLES, ("{cadre_name}", "已结业课程AUTHZ")),
        absent=dict.fromkeys(ROLES, ("{cadre_employee_no}", "交通运输局", "东山县", "乡科级", "科员")),
    ),
    Row("GET", "/verify/NOSUCHCODE/", expect(NOT_FOUND)),
    # Learning archive: one's own, or a cadre's for their trainer and administrators.
    Row(
        "GET",
        "/learning/archive/",
        SIGNED_IN,
        absent=NOT_MINE,
        present={
            "cadre": ("{cadre_name}", "已结业课程AUTHZ", "{quiz_title}"),
            "cadre_other_unit": ("{other_name}", "已结业课程AUTHZ", "{quiz_title}"),
        },
    ),
    Row("GET", "/learning/archive/pdf/", SIGNED_IN),
    Row(
        "GET",
        "/learning/archive/{cadre_user}/",
        A_SIDE,
        absent={"trainer_in_scope": ("{other_name}",)},
        present={"trainer_in_scope": ("{cadre_name}", "已结业课程AUTHZ", "{quiz_title}")},
    ),
    Row(
        "GET",
        "/learning/archive/{other_user}/",
        B_SIDE,
        absent={"trainer_out_of_scope": ("{cadre_name}",)},
        present={"trainer_out_of_scope": ("{other_name}", "已结业课程AUTHZ")},
    ),
    Row("GET", "/learning/archive/{cadre_user}/pdf/", A_SIDE),
    Row("GET", "/learning/archive/{other_user}/pdf/", B_SIDE),
    Row("GET", "/learning/archive/999999/", expect(NOT_FOUND, anonymous=LOGIN)),
    # Reflections: written for oneself; reviewed by the trainer in scope.
    Row(
        "GET",
        "/learning/reflections/",
        SIGNED_IN,
        present={"cadre": ("{cadre_reflection_text}",), "cadre_other_unit": ("{other_reflection_text}",)},
        absent={
            "cadre": ("{other_reflection_text}",),
            "cadre_other_unit": ("{cadre_reflection_text}",),
            **dict.fromkeys(ROLES[3:], ("{cadre_reflection_text}", "{other_reflection_text}")),
        },
    ),
    Row(
        "POST",
        "/learning/reflections/page/{lesson}/",
        SIGNED_IN_REDIRECT,
        data=REFLECTION,
        probe="other_reflections",
        changes=frozenset({"cadre_other_unit"}),
    ),
    Row(
        "POST",
        "/learning/reflections/page/{lesson}/",
        SIGNED_IN_REDIRECT,
        data=REFLECTION,
        probe="cadre_reflections",
        changes=frozenset({"cadre"}),
    ),
    Row(
        "GET",
        "/learning/reflections/case/{case}/",
        SIGNED_IN,
        present={"cadre": ("{cadre_case_reflection_text}",)},
        absent={r: ("{cadre_case_reflection_text}",) for r in ROLES if r != "cadre"},
    ),
    Row(
        "POST",
        "/learning/reflections/case/{case}/",
        SIGNED_IN_REDIRECT,
        data=REFLECTION,
        probe="cadre_reflections",
        changes=frozenset({"cadre"}),
    ),
    Row(
        "GET",
        "/learning/reflections/review/",
        TRAINERS,
        present={
            "trainer_in_scope": ("{cadre_name}",),
            "trainer_out_of_scope": ("{other_name}",),
            "administrator": ("{cadre_name}", "{other_name}"),
        },
        absent={"trainer_in_scope": ("{other_name}",), "trainer_out_of_scope": ("{cadre_name}",)},
    ),
    Row(
        "GET",
        "/learning/reflections/review/{cadre_reflection}/",
        A_TRAINER_OBJECT,
        present={"trainer_in_scope": ("{cadre_reflection_text}",)},
    ),
    Row(
        "GET",
        "/learning/reflections/review/{other_reflection}/",
        B_TRAINER_OBJECT,
        present={"trainer_out_of_scope": ("{other_reflection_text}",)},
    ),
    Row(
        "POST",
        "/learning/reflections/review/{cadre_reflection}/",
        expect(
            FORBIDDEN,
            anonymous=LOGIN,
            trainer_in_scope=REDIRECT,
            trainer_out_of_scope=NOT_FOUND,
            administrator=REDIRECT,
        ),
        data={"decision": "accept"},
        probe="cadre_reflections",
        changes=frozenset({"trainer_in_scope", "administrator"}),
    ),
    Row(
        "POST",
        "/learning/reflections/review/{other_reflection}/",
        expect(
            FORBIDDEN,
            anonymous=LOGIN,
            trainer_in_scope=NOT_FOUND,
            trainer_out_of_scope=REDIRECT,
            administrator=REDIRECT,
        ),
        data={"decision": "return", "comment": "请结合岗位再深入查找问题。"},
        probe="other_reflections",
        changes=frozenset({"trainer_out_of_scope", "administrator"}),
    ),
    # Assignments: trainers, within their subtrees only.
    Row(
        "GET",
        "/learning/assignments/",
        TRAINERS,
        present={
            "trainer_in_scope": ("/learning/assignments/{assignment_in}/",),
            "trainer_out_of_scope": ("/learning/assignments/{assignment_out}/",),
            "administrator": ("/learning/assignments/{assignment_in}/", "/learning/assignments/{assignment_out}/"),
        },
        absent={
            "trainer_in_scope": ("/learning/assignments/{assignment_out}/",),
            "trainer_out_of_scope": ("/learning/assignments/{assignment_in}/",),
        },
    ),
    Row("GET", "/learning/assignments/new/", TRAINERS),
    # Creating for a unit outside the scope: the form refuses it (re-shown with an error), nothing is written.
    Row(
        "POST",
        "/learning/assignments/new/",
        expect(FORBIDDEN, anonymous=LOGIN, trainer_in_scope=OK, trainer_out_of_scope=REDIRECT, administrator=REDIRECT),
        data=ASSIGN_B,
        probe="assignment_count",
        changes=frozenset({"trainer_out_of_scope", "administrator"}),
    ),
    Row(
        "POST",
        "/learning/assignments/new/",
        expect(FORBIDDEN, anonymous=LOGIN, trainer_in_scope=REDIRECT, trainer_out_of_scope=OK, administrator=REDIRECT),
        data=ASSIGN_A,
        probe="assignment_count",
        changes=frozenset({"trainer_in_scope", "administrator"}),
    ),
    # The preview lists everyone an assignment would reach: never people outside the scope.
    Row(
        "POST",
        "/learning/assignments/new/",
        TRAINERS,
        data={**ASSIGN_B, "preview": "1"},
        probe="assignment_count",
        absent={"trainer_in_scope": ("{other_name}",)},
        present={"trainer_out_of_scope": ("{other_name}",), "administrator": ("{other_name}",)},
    ),
    Row(
        "POST",
        "/learning/assignments/new/",
        TRAINERS,
        data={**ASSIGN_A, "preview": "1"},
        probe="assignment_count",
        absent={"trainer_out_of_scope": ("{cadre_name}",)},
        present={"trainer_in_scope": ("{cadre_name}",), "administrator": ("{cadre_name}",)},
    ),
    Row(
        "GET",
        "/learning/assignments/{assignment_in}/",
        A_TRAINER_OBJECT,
        present={"trainer_in_scope": ("{cadre_name}",)},
        absent={"trainer_in_scope": ("{other_name}",)},
    ),
    Row(
        "GET",
        "/learning/assignments/{assignment_out}/",
        B_TRAINER_OBJECT,
        present={"trainer_out_of_scope": ("{other_name}",)},
        absent={"trainer_out_of_scope": ("{cadre_name}",)},
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=[f"{r.id} {r.probe or ''}".rstrip() for r in ROWS])
def test_learning_authorisation_matrix(row):
    check_row(row, learning_world())


@pytest.mark.django_db
def test_public_verification_shows_only_name_course_and_date():
    """/verify/<code>/ is public by design: it answers 姓名, 课程, 日期 (and the code asked for), nothing more."""
    world = learning_world()
    body = Client().get(world.fill("/verify/{cadre_certificate}/")).content.decode()
    facts = re.search(r'<dl class="facts">(.*?)</dl>', body, re.S).group(1)
    assert re.findall(r"<dt>(.*?)</dt>", facts) == ["姓名", "课程", "日期", "编号"]
    values = [v.strip() for v in re.findall(r"<dd>(.*?)</dd>", facts, re.S)]
    assert values[:2] == [world.values["cadre_name"], "已结业课程AUTHZ"]
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", values[2])
    assert values[3] == world.values["cadre_certificate"]
    cadre = world.users["cadre"]
    for private in (cadre.username, world.values["cadre_employee_no"], "学时", "交通运输局", "@"):
        assert private not in body.split("<main", 1)[-1], private
