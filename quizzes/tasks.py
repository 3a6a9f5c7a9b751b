"""Background work: finish attempts whose deadline has passed (run by django-tasks' db_worker)."""

from django_tasks import task

from quizzes import services


@task()
def close_overdue_attempts() -> int:
    return services.attempts_close_overdue()
