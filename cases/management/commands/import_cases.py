"""Import warning-education cases from a JSONL file (one case per line), idempotent by external_id."""

import logging
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases import services
from cases.models import CaseIndexPage

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "从 JSONL 文件导入警示教育案例（每行一个，按 external_id 去重更新）；默认存为草稿，--publish 直接发布。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="JSONL 文件路径（UTF-8）")
        parser.add_argument("--publish", action="store_true", help="导入后直接发布（视为已确认脱敏）")
        parser.add_argument("--index", type=int, default=None, help="案例库页面 ID（默认第一个案例库）")

    def handle(self, *args, file: str, publish: bool, index: int | None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        index_page = None
        if index is not None:
            index_page = CaseIndexPage.objects.filter(pk=index).first()
            if index_page is None:
                raise CommandError(f"找不到 ID 为 {index} 的案例库页面。")
        try:
            result = services.case_import_file(data=path.read_bytes(), publish=publish, index=index_page)
        except services.CaseImportError as exc:
            lines = [f"第 {line} 行：{msg}" if line else msg for line, msg in exc.errors]
            raise CommandError("导入失败，未写入任何数据。\n" + "\n".join(lines)) from exc
        self.stdout.write(self.style.SUCCESS(result.summary))
