"""Move audit entries older than AUDIT_RETENTION_DAYS to a JSON Lines file and remove them from the table."""

import logging
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from audit.services import audit_archive

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Archive audit entries older than the retention period (AUDIT_RETENTION_DAYS) to a .jsonl file."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(settings.AUDIT_ARCHIVE_DIR), help="Directory for the archive file.")
        parser.add_argument("--days", type=int, default=None, help="Override the retention period in days.")

    def handle(self, *args, dir, days, **options):
        count, path = audit_archive(directory=Path(dir), retention_days=days)
        if path is None:
            self.stdout.write(self.style.SUCCESS("没有需要归档的审计日志。"))
        else:
            self.stdout.write(self.style.SUCCESS(f"已归档 {count} 条审计日志到 {path}"))
