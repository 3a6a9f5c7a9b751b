"""Receivers that keep learning in step with apps it must not be imported by (accounts, quizzes)."""

from django.db.models.signals import post_save
from django.dispatch import Signal

# Sent by learning services after bulk writes that model signals miss (bulk_create, update()):
# enrolments_changed(sender=Enrolment, user_ids=[...]). Reports keep their counters with it.
enrolments_changed = Signal()


def _cadre_saved(sender, instance, raw=False, **kwargs):
    # A cadre created or moved (roster import, admin edit) gets the assignments that reach the unit.
    if raw:
        return
    from learning.services import enrolments_sync_for_cadre

    enrolments_sync_for_cadre(profile=instance)


def _cadres_changed(sender, user_ids, **kwargs):
    # A roster import's bulk writes: the same enrolments as _cadre_saved, set-based.
    from learning.services import enrolments_sync_for_cadres

    enrolments_sync_for_cadres(user_ids=user_ids)


def _lesson_published(sender, instance, **kwargs):
    from learning.services import lesson_case_links_sync

    lesson_case_links_sync(lesson=instance)


def _attempt_graded(sender, attempt, user, quiz, passed, **kwargs):
    # Sent after the grading transaction commits, still inside the request that graded the
    # attempt: a course whose final quiz this is completes (and is credited) right now.
    from learning.models import CoursePage
    from learning.services import course_completion_evaluate

    for course in CoursePage.objects.live().filter(final_quiz=quiz):
        course_completion_evaluate(user=user, course=course)


def connect():
    from wagtail.signals import page_published

    from accounts.models import CadreProfile
    from learning.models import LessonPage

    post_save.connect(_cadre_saved, sender=CadreProfile, dispatch_uid="learning_cadre_saved")
    from accounts.signals import cadres_changed

    cadres_changed.connect(_cadres_changed, dispatch_uid="learning_cadres_changed")

    # Cached dashboard fragments (core.cache); services bump explicitly after update()/bulk_create.
    from core import cache
    from learning.models import (
        Certificate,
        CourseAssignment,
        CreditLedger,
        Enrolment,
        LessonProgress,
        Reflection,
        Topic,
    )

    for model in (Enrolment, CreditLedger, Certificate, Reflection):
        cache.bump_on_save(model, user_field="user_id")
    cache.bump_on_save(LessonProgress, user_field="user_id")
    cache.bump_on_save(Topic)
    cache.bump_on_save(CourseAssignment)
    page_published.connect(_lesson_published, sender=LessonPage, dispatch_uid="learning_lesson_published")

    from quizzes.signals import attempt_graded

    attempt_graded.connect(_attempt_graded, dispatch_uid="learning_attempt_graded")
