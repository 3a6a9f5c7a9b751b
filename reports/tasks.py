"""Background work: report exports and reminder e-mails (django-tasks)."""

import logging

from django_tasks import task

from core.tasks import USER_WAITING

logger = logging.getLogger(__name__)


@task(priority=USER_WAITING)
def run_export(export_id: int) -> None:
    from reports import services

    services.export_run(export_id=export_id)


@task(priority=USER_WAITING)
def send_reminder_emails(reminder_ids: list[int]) -> None:
    from reports import services

    services.reminder_emails_send(reminder_ids=reminder_ids)
