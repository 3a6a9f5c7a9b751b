"""Rebuild the report counters from the source rows, or (--check) report where they differ."""

import logging

from django.core.management.base import BaseCommand, CommandError

from reports import counters

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "从源数据重建报表计数；--check 只核对，不一致时列出差异并以非零状态退出。"

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="只核对，不写入")

    def handle(self, *args, check=False, **options):
        if check:
            problems = counters.check()
            if problems:
                for line in problems[:200]:
                    self.stderr.write(line)
                raise CommandError(f"报表计数与源数据不一致：{len(problems)} 处。")
            self.stdout.write(self.style.SUCCESS("报表计数与源数据一致。"))
            return
        rows = counters.rebuild()
        self.stdout.write(self.style.SUCCESS(f"报表计数已重建：{rows} 行。"))
