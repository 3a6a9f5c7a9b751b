"""Authorisation matrix rows for Wagtail page privacy (core.access) and for API tokens.

Page privacy: a course and a case restricted to a group that holds only `cadre`. Every other role
(staff too: only superusers pass a group restriction, as in Wagtail) is kept out of the pages,
every write (heartbeat, enrolment, reflection, case reading) and the listings.
Tokens: each user sees and revokes only their own (`cadre_other_unit` owns the token in the world).
"""

import json

import pytest
from django.contrib.auth.models import Group
from wagtail.models import APIToken, PageViewRestriction

from tests.security.authz import FORBIDDEN, LOGIN, NOT_FOUND, OK, REDIRECT, Outcome, Row, build_world, check_row, expect

NO_CONTENT = Outcome("NO_CONTENT", lambda r: r.status_code == 204)
MEMBER_ONLY = expect(NOT_FOUND, anonymous=LOGIN, cadre=OK)
JSON = {"content_type": "application/json"}
REFLECTION = {"body": "结合本职工作，认真对照检查，查找差距不足，提出整改措施并抓好落实。"}


def privacy_world():
    from accounts import tokens
    from cases.factories import CaseIndexPageFactory, CaseStudyPageFactory
    from core.models import HomePage
    from learning import factories
    from learning.models import CourseKind, Enrolment, LessonProgress, Reflection

    world = build_world()
    group = Group.objects.create(name="专题班AUTHZ")
    world.users["cadre"].groups.add(group)
    course = factories.course(title="专题课程AUTHZ", kind=CourseKind.ELECTIVE, lessons=1)
    lesson = course.get_children().specific().first()
    index = CaseIndexPageFactory(parent=HomePage.objects.get(depth=2), slug="authz-private-cases")
    case = CaseStudyPageFactory(parent=index, slug="group-case", title="专题案例AUTHZ")
    for page in (course, case):
        restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
        restriction.groups.add(group)
    other_token, _plain = tokens.token_create(user=world.users["cadre_other_unit"], name="乙的令牌")
    world.values.update(
        private_course=course.pk,
        private_course_url=course.url,
        private_lesson=lesson.pk,
        private_lesson_url=lesson.url,
        course_index=course.get_parent().url,
        private_case=case.pk,
        private_case_url=case.url,
        other_token=other_token.pk,
        other_token_prefix=other_token.prefix,
    )
    world.probes.update(
        private_writes=lambda: (
            LessonProgress.objects.filter(lesson=lesson).count(),
            Enrolment.objects.filter(course=course).count(),
            Reflection.objects.filter(page=lesson).count(),
        ),
        other_token=lambda: APIToken.objects.get(pk=other_token.pk).revoked_at is None,
    )
    return world


NOT_MEMBERS = dict.fromkeys(("cadre_other_unit", "trainer_in_scope", "editor", "administrator"), ("专题课程AUTHZ",))
NOT_OWNER = dict.fromkeys(("cadre", "trainer_out_of_scope", "administrator"), ("{other_token_prefix}",))

ROWS = [
    # The pages: Wagtail's own check sends everyone outside the group to log in.
    Row("GET", "{private_course_url}", expect(LOGIN, cadre=OK)),
    Row("GET", "{private_lesson_url}", expect(LOGIN, cadre=OK)),
    Row("GET", "{private_case_url}", expect(LOGIN, cadre=OK)),
    # Listings: the course is in 课程中心 for the member only.
    Row(
        "GET", "{course_index}", expect(OK, anonymous=LOGIN), absent=NOT_MEMBERS, present={"cadre": ("专题课程AUTHZ",)}
    ),
    # Writes: refused (404, the page is not revealed) for everyone outside the group. The member has not
    # enrolled in the elective: their heartbeat is refused too (403) and records nothing
    # (tests/learning/test_enrolment_gate.py covers an enrolled member).
    Row(
        "POST",
        "/api/v1/lessons/{private_lesson}/heartbeat",
        expect(NOT_FOUND, anonymous=LOGIN, cadre=FORBIDDEN),
        data="{}",
        **JSON,
        probe="private_writes",
        changes=frozenset(),
    ),
    Row(
        "POST",
        "/learning/courses/{private_course}/enrol/",
        expect(NOT_FOUND, anonymous=LOGIN, cadre=REDIRECT),
        probe="private_writes",
        changes=frozenset({"cadre"}),
    ),
    Row(
        "POST",
        "/learning/reflections/page/{private_lesson}/",
        expect(NOT_FOUND, anonymous=LOGIN, cadre=REDIRECT),
        data=REFLECTION,
        probe="private_writes",
        changes=frozenset({"cadre"}),
    ),
    Row("GET", "/learning/reflections/case/{private_case}/", MEMBER_ONLY),
    Row("POST", "/api/v1/cases/{private_case}/read", MEMBER_ONLY, data=json.dumps({"seconds": 5}), **JSON),
    # API tokens: one's own only.
    Row("GET", "/accounts/tokens/", expect(OK, anonymous=LOGIN), absent=NOT_OWNER),
    Row("GET", "/api/v1/auth/tokens", expect(OK, anonymous=LOGIN), absent=NOT_OWNER),
    Row(
        "POST",
        "/accounts/tokens/{other_token}/revoke/",
        expect(NOT_FOUND, anonymous=LOGIN, cadre_other_unit=REDIRECT),
        probe="other_token",
        changes=frozenset({"cadre_other_unit"}),
    ),
    Row(
        "DELETE",
        "/api/v1/auth/tokens/{other_token}",
        expect(NOT_FOUND, anonymous=LOGIN, cadre_other_unit=NO_CONTENT),
        probe="other_token",
        changes=frozenset({"cadre_other_unit"}),
    ),
    Row(
        "DELETE",
        "/api/v1/auth/tokens",
        expect(NO_CONTENT, anonymous=LOGIN),
        probe="other_token",
        changes=frozenset({"cadre_other_unit"}),
    ),
    Row(
        "POST",
        "/accounts/tokens/sign-out-everywhere/",
        expect(REDIRECT, anonymous=LOGIN),
        probe="other_token",
        changes=frozenset({"cadre_other_unit"}),
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_privacy_and_tokens_authorisation_matrix(row):
    check_row(row, privacy_world())
