"""Import or update cadres from a roster (.xlsx or .csv): all rows or none."""

import logging
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts import services

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "从花名册（.xlsx 或 .csv）导入干部，按工号更新；任何一行有误则不写入。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--initial-password", default=None, help="新账号的初始密码（不填则暂不能登录）")

    def handle(self, *args, file: Path, initial_password=None, **options):
        if not file.exists():
            raise CommandError(f"文件不存在：{file}")
        try:
            result = services.roster_import_file(
                data=file.read_bytes(), filename=file.name, initial_password=initial_password
            )
        except services.RosterError as exc:
            for row, message in exc.errors:
                self.stderr.write(f"第 {row} 行：{message}" if row else message)
            raise CommandError(f"导入失败，未写入任何数据（{len(exc.errors)} 处错误）。") from exc
        self.stdout.write(self.style.SUCCESS(result.summary))
        if result.units_created:
            self.stdout.write("新建单位：" + "、".join(result.units_created))
