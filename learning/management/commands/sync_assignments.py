"""Re-run every current course assignment, e.g. after a roster import outside the site."""

import logging

from django.core.management.base import BaseCommand

from learning.services import assignments_sync_all

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "为本年度及以后的课程指派补齐选课记录（幂等）。"

    def handle(self, *args, **options):
        created = assignments_sync_all()
        logger.info("sync_assignments: %d enrolments created", created)
        self.stdout.write(self.style.SUCCESS(f"已补齐 {created} 条选课记录。"))
