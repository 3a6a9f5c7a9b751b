"""Finish every quiz attempt whose deadline has passed, with the answers saved so far.

Attempts are also finished lazily on the next request; run this from cron (or enqueue
`quizzes.tasks.close_overdue_attempts`) so results and 学时 do not wait for the cadre.
"""

import logging

from django.core.management.base import BaseCommand

from quizzes import services

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "结束所有已超过截止时间的测验作答（按已保存的答案评分）。"

    def handle(self, *args, **options):
        count = services.attempts_close_overdue()
        logger.info("closed %d overdue attempts", count)
        self.stdout.write(self.style.SUCCESS(f"已结束 {count} 个超时作答。"))
