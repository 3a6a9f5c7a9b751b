"""Background work: finish attempts whose deadline has passed (run by django-tasks' db_worker).

Each timed attempt schedules `close_attempt_at_deadline` for its deadline when the backend
can defer tasks (the database backend can); `close_overdue_attempts` sweeps up any that were
missed (enqueue it from cron or run the management command of the same name).
"""

import logging

from django_tasks import task

from quizzes import services
from quizzes.models import Attempt

logger = logging.getLogger(__name__)


@task()
def close_overdue_attempts() -> int:
    return services.attempts_close_overdue()


@task()
def close_attempt_at_deadline(attempt_id: int) -> bool:
    attempt = Attempt.objects.filter(pk=attempt_id).first()
    if attempt is None:
        return False
    return services.attempt_finish_if_overdue(attempt=attempt).state != "in_progress"


def schedule_close(attempt: Attempt) -> None:
    """Ask the task worker to finish this attempt at its deadline, if the backend supports deferred tasks."""
    if attempt.deadline is None or not close_attempt_at_deadline.get_backend().supports_defer:
        return
    try:
        close_attempt_at_deadline.using(run_after=attempt.deadline).enqueue(attempt.pk)
    except Exception:  # the lazy and swept paths still finish it; never fail a start for this
        logger.exception("could not schedule closing attempt %s", attempt.pk)
