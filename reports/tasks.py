"""Background work: report exports and reminder e-mails (django-tasks)."""

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def run_export(export_id: int) -> None:
    from reports import services

    services.export_run(export_id=export_id)


@task()
def send_reminder_emails(reminder_ids: list[int]) -> None:
    from reports import services

    services.reminder_emails_send(reminder_ids=reminder_ids)
