import itertools
from datetime import date
from decimal import Decimal

import pytest

from accounts import factories as af
from accounts import roles

_seq = itertools.count()


@pytest.fixture
def course_index(home_page):
    from learning.models import CourseIndexPage

    existing = CourseIndexPage.objects.first()
    if existing:
        return existing
    index = CourseIndexPage(title="课程中心", slug="courses")
    home_page.add_child(instance=index)
    return index


@pytest.fixture
def make_course(course_index):
    from learning.models import CourseKind, CoursePage, Topic

    def make(title=None, *, kind=CourseKind.REQUIRED, hours="2", topic="权力观"):
        n = next(_seq)
        topic_obj, _ = Topic.objects.get_or_create(name=topic)
        course = CoursePage(
            title=title or f"课程{n}",
            slug=f"course-{n}",
            topic=topic_obj,
            kind=kind,
            credit_hours=Decimal(hours),
            introduction="<p>简介</p>",
        )
        course_index.add_child(instance=course)
        return course

    return make


@pytest.fixture
def admin_user():
    return af.staff(roles.ADMINISTRATOR)


@pytest.fixture
def assign(admin_user):
    from learning import services

    def do(course, units, *, year=2026, due=date(2026, 6, 30), ranks=None):
        units = [af.org_unit(u) if isinstance(u, str) else u for u in units]
        return services.assignment_create(
            by=admin_user, course=course, org_units=units, ranks=ranks, year=year, due_date=due
        )

    return do
