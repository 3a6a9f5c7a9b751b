"""core.compiled: a hot read built once by the ORM, then run raw; the same rows, fields and annotations as
the queryset it was built from, for any arguments."""

import pytest
from django.db.models import Exists, OuterRef

from accounts.factories import cadre, staff
from accounts.models import CadreProfile, User
from core.compiled import compiled
from learning import factories
from learning.models import Enrolment, LessonPage

pytestmark = pytest.mark.django_db


def _lessons_with(*, lesson_id, user_id):
    return (
        LessonPage.objects.live()
        .filter(pk=lesson_id)
        .annotate(
            mine=Exists(Enrolment.objects.filter(user_id=user_id, course_id=OuterRef("depth"))),  # any subquery
            cadre=Exists(CadreProfile.objects.filter(user_id=user_id)),
        )
    )


compiled_lessons = compiled(_lessons_with)


def test_rows_fields_and_annotations_match_the_orm_for_each_set_of_arguments():
    course = factories.course(lessons=2, minutes=5)
    first, second = course.lessons()
    learner, editor = cadre(), staff("编辑")
    for lesson in (first, second):
        for user in (learner, editor):
            expected = _lessons_with(lesson_id=lesson.pk, user_id=user.pk).get()
            found = compiled_lessons.first(lesson_id=lesson.pk, user_id=user.pk)
            assert type(found) is LessonPage and found.pk == lesson.pk
            assert (found.title, found.path, found.url_path, found.live) == (
                expected.title, expected.path, expected.url_path, expected.live,
            )  # fmt: skip
            assert list(found.body.raw_data) == list(expected.body.raw_data)  # the StreamField's converter ran
            assert bool(found.cadre) == expected.cadre == (user is learner)
    assert compiled_lessons.first(lesson_id=course.pk, user_id=learner.pk) is None  # a course is no lesson


def test_the_statement_is_built_once():
    calls = []

    def build(*, user_id):
        calls.append(user_id)
        return User.objects.filter(pk=user_id)

    users = compiled(build)
    a, b = cadre(), cadre()
    assert users.first(user_id=a.pk).pk == a.pk and users.first(user_id=b.pk).pk == b.pk
    assert len(calls) == 1


def test_an_argument_that_does_not_reach_the_sql_is_refused():
    folded = compiled(lambda *, user_id: User.objects.filter(pk__gte=0).order_by("pk")[:1])
    with pytest.raises(ValueError, match="user_id"):
        folded.first(user_id=1)


def test_a_datetime_argument_is_adapted_like_the_orm_does_on_each_call():
    from datetime import timedelta

    from django.utils import timezone

    joined = compiled(datetimes=("since",))(
        lambda *, user_id, since: User.objects.filter(pk=user_id, date_joined__gt=since)
    )
    user = cadre()
    before, after = user.date_joined - timedelta(seconds=1), user.date_joined + timedelta(microseconds=1)
    assert joined.first(user_id=user.pk, since=before).pk == user.pk
    assert joined.first(user_id=user.pk, since=after) is None
    assert joined.first(user_id=user.pk, since=timezone.now() - timedelta(days=1)).pk == user.pk
