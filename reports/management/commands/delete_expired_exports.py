"""Delete report export files older than REPORT_EXPORT_TTL_HOURS (run hourly by a timer, deploy/systemd)."""

from django.core.management.base import BaseCommand

from reports.services import exports_delete_expired


class Command(BaseCommand):
    help = "删除已过期的报表导出文件（保留记录）。"

    def handle(self, *args, **options):
        deleted = exports_delete_expired()
        self.stdout.write(f"已删除 {deleted} 个过期的导出文件。")
