"""Events that change what the reports count, routed to `reports.counters.refresh_cadres`.

Model signals cover single-row saves and deletions (including cascades); learning's
``enrolments_changed`` covers its bulk writes (``bulk_create``/``update()`` send no model
signals), as accounts' ``cadres_changed`` covers the roster import's; quizzes' ``attempt_graded`` covers grades.
"""

from django.db.models.signals import post_delete, post_save


def _refresh(user_ids) -> None:
    from reports.counters import refresh_cadres

    refresh_cadres(user_ids)


def _row_changed(sender, instance, raw=False, **kwargs):
    if raw:  # fixtures: reports_rebuild afterwards
        return
    _refresh([instance.user_id])


def _enrolments_changed(sender, user_ids, **kwargs):
    _refresh(user_ids)


def _cadres_changed(sender, user_ids, **kwargs):
    _refresh(user_ids)


def _attempt_graded(sender, user, **kwargs):
    _refresh([user.pk])


def connect():
    from accounts.models import CadreProfile
    from learning.models import CreditLedger, Enrolment
    from learning.signals import enrolments_changed
    from quizzes.models import Attempt
    from quizzes.signals import attempt_graded

    for model in (CadreProfile, Enrolment, CreditLedger, Attempt):
        name = model._meta.label_lower
        if model is not Attempt:  # attempts change state through update(); grading is announced below
            post_save.connect(_row_changed, sender=model, dispatch_uid=f"reports_saved_{name}")
        post_delete.connect(_row_changed, sender=model, dispatch_uid=f"reports_deleted_{name}")
    enrolments_changed.connect(_enrolments_changed, dispatch_uid="reports_enrolments_changed")
    from accounts.signals import cadres_changed

    cadres_changed.connect(_cadres_changed, dispatch_uid="reports_cadres_changed")
    attempt_graded.connect(_attempt_graded, dispatch_uid="reports_attempt_graded")

    # Cached dashboard fragments (core.cache): the reminder notices panel.
    from core import cache
    from reports.models import Reminder

    cache.bump_on_save(Reminder, user_field="user_id")
