"""core.access.page_visible_to reads a page's privacy restrictions from the cache (under `global`): every
change of a restriction, of the groups it admits, or of the page's place shows on the next check."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import PageViewRestriction

from accounts.factories import cadre
from accounts.models import User
from core import access
from learning import factories

pytestmark = pytest.mark.django_db


def visible(user, page) -> bool:
    return access.page_visible_to(User.objects.get(pk=user.pk), page)  # a fresh user object, as a new request


def test_restriction_changes_show_at_once(django_assert_max_num_queries):
    course = factories.course(lessons=1)
    lesson = course.lessons().first()
    group = Group.objects.create(name="专班")
    member, other = cadre(), cadre()
    member.groups.add(group)
    assert visible(member, lesson) and visible(other, lesson)
    with django_assert_max_num_queries(1):  # cached: only the user's groups (none are needed here)
        assert access.page_visible_to(other, lesson)

    restriction = PageViewRestriction.objects.create(page=course, restriction_type=PageViewRestriction.GROUPS)
    assert not visible(member, lesson) and not visible(other, lesson)  # no group admitted yet
    restriction.groups.add(group)
    assert visible(member, lesson) and not visible(other, lesson)
    restriction.groups.remove(group)
    assert not visible(member, lesson)
    restriction.groups.add(group)
    assert visible(member, lesson)
    restriction.delete()
    assert visible(other, lesson)


def test_a_move_under_a_restricted_page_shows_at_once():
    restricted, open_course = factories.course(), factories.course()
    lesson = factories.lesson(course=open_course)
    user = cadre()
    PageViewRestriction.objects.create(page=restricted, restriction_type=PageViewRestriction.GROUPS)
    assert visible(user, lesson)
    lesson.move(restricted, pos="last-child")
    lesson.refresh_from_db()
    assert not visible(user, lesson)
