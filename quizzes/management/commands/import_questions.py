"""Import a question bank file (Moodle XML, GIFT or the Excel template) into a category.

    python manage.py import_questions FILE --category 党纪法规/中央八项规定

Prints one summary line; any bad question or row stops the import, lists every problem
with its question number or row, writes nothing and exits non-zero.
"""

import logging
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from quizzes import importers

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "导入题库文件（Moodle XML、GIFT 或 Excel 模板）到指定分类；任何一题有误则全部不导入。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="题库文件路径（.xml、.txt/.gift 或 .xlsx）")
        parser.add_argument("--category", required=True, help="导入到的分类路径，如 党纪法规/中央八项规定")

    def handle(self, *args, file: str, category: str, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        try:
            result = importers.import_questions(data=path.read_bytes(), filename=path.name, category_path=category)
        except importers.ImportFailed as exc:
            for where, reason in exc.errors:
                self.stderr.write(f"{where}：{reason}")
            raise CommandError(f"导入失败，未写入任何题目（{len(exc.errors)} 处问题）。") from exc
        except ValidationError as exc:
            raise CommandError("导入失败，未写入任何题目：" + "；".join(exc.messages)) from exc
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(warning))
        logger.info("imported %d questions from %s", result.total, path.name)
        self.stdout.write(self.style.SUCCESS(result.summary))
