"""A course with a final quiz completes in the same request as the passing attempt (quizzes.signals.attempt_graded)."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from accounts.factories import cadre
from learning import factories, selectors, services
from learning.models import Certificate, CreditLedger, LessonProgress
from quizzes import factories as qf
from quizzes import services as quiz_services

pytestmark = pytest.mark.django_db


def finish_lessons(user, course):
    factories.enrol(user=user, course=course)
    for lesson in course.lessons():
        LessonProgress.objects.create(user=user, lesson=lesson, course=course, completed_at=timezone.now())


def take(user, quiz, question, *, right: bool):
    attempt = quiz_services.attempt_start(user=user, quiz=quiz)
    choice = question.choices.filter(is_correct=right).first()
    slot = attempt.slots.get(question=question)
    quiz_services.attempt_save_answer(attempt=attempt, question=question, answer=choice.pk, sequence=slot.sequence)
    return quiz_services.attempt_submit(attempt=attempt)


@pytest.fixture
def setup():
    question = qf.single(qf.category("结业测验"))
    quiz = qf.quiz(question, title="权力观结业测验")
    course = factories.course(lessons=2, hours="2", final_quiz=quiz)
    return course, quiz, question


def test_lessons_alone_do_not_complete_a_course_with_a_quiz(setup):
    course, _quiz, _question = setup
    user = cadre()
    finish_lessons(user, course)
    assert services.course_completion_evaluate(user=user, course=course) is None
    assert not CreditLedger.objects.exists()


def test_passing_the_quiz_completes_the_course_at_once(setup, django_capture_on_commit_callbacks):
    course, quiz, question = setup
    user = cadre()
    finish_lessons(user, course)
    with django_capture_on_commit_callbacks(execute=True):
        take(user, quiz, question, right=False)
    assert not Certificate.objects.filter(user=user).exists()
    with django_capture_on_commit_callbacks(execute=True):
        take(user, quiz, question, right=True)
    assert Certificate.objects.filter(user=user, course=course).count() == 1
    assert CreditLedger.objects.get(user=user).hours == 2
    results = selectors.archive_for(user=user).quiz_results
    assert results[0]["title"] == "权力观结业测验" and results[0]["passed"] is True


def test_quiz_passed_before_the_last_lesson_completes_with_the_lesson(setup, django_capture_on_commit_callbacks):
    course, quiz, question = setup
    user = cadre()
    with django_capture_on_commit_callbacks(execute=True):
        take(user, quiz, question, right=True)
    assert not Certificate.objects.exists()  # lessons not done yet
    first, last = course.lessons()
    LessonProgress.objects.create(user=user, lesson=first, course=course, completed_at=timezone.now())
    LessonProgress.objects.create(user=user, lesson=last, course=course, time_seconds=last.required_seconds - 10)
    t0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    factories.enrol(user=user, lesson=last)
    services.lesson_heartbeat(user=user, lesson=last, now=t0)
    result = services.lesson_heartbeat(user=user, lesson=last, now=t0.replace(second=15))
    assert result.lesson_completed_now and result.course_enrolment is not None
    assert Certificate.objects.filter(user=user, course=course).count() == 1
