"""Generate a synthetic province for benchmarks (use an empty database: bulk rows, counters rebuilt at the end)."""

import logging
import time

from django.core.management.base import BaseCommand, CommandError

from reports import benchdata

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "生成基准测试数据：约 N/50 个单位（4 级）、N 名干部、每人 20 门指派课程，最后重建报表计数。"

    def add_arguments(self, parser):
        parser.add_argument("--cadres", type=int, required=True, help="干部人数")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, cadres: int, seed: int, **options):
        if cadres < 1 or cadres > 2_000_000:
            raise CommandError("--cadres 应在 1 到 2000000 之间。")
        started = time.monotonic()
        try:
            result = benchdata.generate(cadres=cadres, seed=seed, stdout=self.stdout)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for step, seconds in result["timings"].items():
            self.stdout.write(f"  {seconds:8.1f} s  {step}")
        self.stdout.write(
            self.style.SUCCESS(
                f"基准数据已生成：{result['cadres']} 名干部，{result['units']} 个单位，"
                f"{result['counter_rows']} 行计数，用时 {time.monotonic() - started:.1f} 秒（省级单位 id={result['province_id']}）。"
            )
        )
