"""services.course_complete / course_completion_evaluate: immediate, credited once, year boundary, certificates."""

import threading
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection
from django.db import transaction as db_transaction

from accounts.factories import cadre, org_unit, trainer
from learning import factories, selectors, services
from learning.models import Certificate, CreditLedger, Enrolment, LessonProgress


def complete_all_lessons(user, course, now=None):
    factories.enrol(user=user, course=course)
    for lesson in course.lessons():
        LessonProgress.objects.update_or_create(
            user=user,
            lesson=lesson,
            defaults={
                "course_id": course.pk,
                "time_seconds": lesson.required_seconds,
                "completed_at": now or datetime(2026, 6, 1, tzinfo=UTC),
            },
        )


@pytest.mark.django_db
def test_not_complete_until_every_lesson_is():
    course = factories.course(lessons=2, hours="1.5")
    user = cadre()
    first = course.lessons().first()
    LessonProgress.objects.create(user=user, lesson=first, course=course, completed_at=datetime(2026, 6, 1, tzinfo=UTC))
    assert services.course_completion_evaluate(user=user, course=course) is None
    assert not CreditLedger.objects.exists()


@pytest.mark.django_db
def test_a_course_without_lessons_is_never_complete():
    course = factories.course(lessons=0)
    assert services.course_completion_evaluate(user=cadre(), course=course) is None


@pytest.mark.django_db
def test_repeated_completion_gives_one_ledger_row_and_one_certificate():
    course = factories.course(lessons=2, hours="1.5")
    user = cadre()
    complete_all_lessons(user, course)
    first = services.course_completion_evaluate(user=user, course=course)
    second = services.course_completion_evaluate(user=user, course=course)
    assert first is not None and second is None
    assert CreditLedger.objects.filter(user=user, course=course).count() == 1
    assert Certificate.objects.filter(user=user, course=course).count() == 1
    assert CreditLedger.objects.get(user=user).hours == Decimal("1.50")


@pytest.mark.django_db
def test_the_database_refuses_a_second_credit_for_the_same_year():
    course = factories.course(lessons=1)
    user = cadre()
    complete_all_lessons(user, course)
    enrolment = services.course_completion_evaluate(user=user, course=course)
    with pytest.raises(IntegrityError), db_transaction.atomic():
        CreditLedger.objects.create(
            user=user, course=course, year=enrolment.credits.get().year, hours=1, enrolment=enrolment
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("utc", "year"),
    [
        (datetime(2026, 12, 31, 15, 59, 59, tzinfo=UTC), 2026),  # 23:59:59 in Beijing
        (datetime(2026, 12, 31, 16, 0, 1, tzinfo=UTC), 2027),  # 00:00:01 on 1 January in Beijing
    ],
)
def test_credit_year_is_the_local_year_of_completion(utc, year):
    course = factories.course(lessons=1, hours="2")
    user = cadre()
    complete_all_lessons(user, course, now=utc)
    services.course_completion_evaluate(user=user, course=course, now=utc)
    assert CreditLedger.objects.get(user=user).year == year
    assert selectors.credit_hours_for_year(user=user, year=year) == Decimal("2")
    assert selectors.credit_hours_for_year(user=user, year=year - 1 if year == 2027 else year + 1) == 0


@pytest.mark.django_db
def test_completion_closes_the_assigned_enrolment():
    course = factories.course(lessons=1)
    user = cadre(unit="某省/甲市/东山县/交通运输局")
    boss = trainer("某省/甲市")
    services.assignment_create(
        by=boss,
        course=course,
        org_units=[org_unit("某省/甲市")],
        ranks=None,
        year=2026,
        due_date=datetime(2026, 9, 30).date(),
    )
    complete_all_lessons(user, course)
    enrolment = services.course_completion_evaluate(user=user, course=course, now=datetime(2026, 6, 1, tzinfo=UTC))
    assert enrolment.source == "assigned" and enrolment.completed_at is not None
    assert Enrolment.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_a_completed_course_assigned_again_is_not_credited_again():
    course = factories.course(lessons=1)
    user = cadre(unit="某省/甲市/东山县/交通运输局")
    complete_all_lessons(user, course)
    services.course_completion_evaluate(user=user, course=course, now=datetime(2026, 6, 1, tzinfo=UTC))
    services.assignment_create(
        by=trainer("某省/甲市"),
        course=course,
        org_units=[org_unit("某省/甲市")],
        ranks=None,
        year=2027,
        due_date=datetime(2027, 6, 1).date(),
    )
    assert Enrolment.objects.get(user=user, year=2027).completed_at is not None
    assert services.course_completion_evaluate(user=user, course=course, now=datetime(2027, 7, 1, tzinfo=UTC)) is None
    assert CreditLedger.objects.filter(user=user).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_completions_credit_once():
    course = factories.course(lessons=1, hours="1")
    user = cadre()
    complete_all_lessons(user, course)
    barrier = threading.Barrier(6)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(services.course_completion_evaluate(user=user, course=course))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sum(1 for r in results if r is not None) == 1
    assert CreditLedger.objects.filter(user=user).count() == 1
    assert Certificate.objects.filter(user=user).count() == 1
