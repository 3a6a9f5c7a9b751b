"""Round-trip a generated JSONL file of cases through `import_cases` and time it.

    .venv/bin/python bench/import_cases.py [--lines 1000] [--publish]

Runs on a fresh SQLite file in a temporary directory (or on DATABASE_URL if set, which must
then point at a scratch database). Prints the seconds for: validating the file only (the
baseline), the first import (creates every case), a re-import of the same file (all
unchanged) and a re-import where every case changed (one new revision each), each also as a
ratio to the baseline and per line.
"""

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cases.vocabulary import SECTORS  # noqa: E402

VIOLATIONS = ["受贿", "贪污", "挪用公款", "滥用职权", "玩忽职守", "违规选人用人", "违规决策（三重一大）"]
FAILURES = ["上级监督不到位", "同级监督弱化", "下级不敢监督", "自身不愿接受监督", "思想认知问题", "执行操作漏洞"]
MEASURES = ["注重提醒防范", "强化权力监督", "做实办事公开", "完善监督机制", "强化分权制衡", "强化制度执行"]
RANKS = ["乡科级", "县处级", "其他"]
PARAGRAPH = "某某利用职务便利，在项目审批、资金拨付等方面为他人谋取利益，收受财物。班子成员对其决策不敢提出异议，集体研究流于形式。"


def generate(path: Path, count: int, *, variant: str = "") -> None:
    rng = random.Random(2026)
    with path.open("w", encoding="utf-8") as out:
        for n in range(1, count + 1):
            row = {
                "external_id": f"BENCH-{n:05d}",
                "title": f"某县某局原局长某某违纪违法案（{n}）{variant}",
                "summary": "某某利用职务便利为他人谋取利益，收受财物，班子监督缺位。",
                "year": rng.randint(2015, 2025),
                "region": "某省某县",
                "sector": rng.choice(SECTORS),
                "subject_rank": rng.choice(RANKS),
                "is_top_leader": rng.random() < 0.4,
                "violation_types": rng.sample(VIOLATIONS, 2),
                "supervision_failures": rng.sample(FAILURES, 2),
                "countermeasures": rng.sample(MEASURES, 2),
                "tags": ["批量导入"],
                "sections": {
                    label: "\n\n".join([PARAGRAPH] * 3)
                    for label in ("基本案情", "主要问题", "原因剖析", "警示启示", "对策建议")
                },
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--publish", action="store_true", help="import with --publish (also indexes for search)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-cases-"))
    if not os.environ.get("DATABASE_URL"):
        os.environ["SQLITE_PATH"] = str(workdir / "bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    import django

    django.setup()
    from django.core.management import call_command

    from cases import services
    from cases.models import CaseStudyPage
    from core.models import HomePage

    call_command("migrate", verbosity=0)
    index = services.case_index_ensure(parent=HomePage.objects.order_by("path").first())

    first = workdir / "cases.jsonl"
    changed = workdir / "cases-changed.jsonl"
    generate(first, args.lines)
    generate(changed, args.lines, variant="（修订）")
    publish = ["--publish"] if args.publish else []

    cpu: dict[str, float] = {}

    def timed(fn, name: str = "") -> float:
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        cpu[name] = time.process_time() - start_cpu
        return time.perf_counter() - start

    lines = first.read_text(encoding="utf-8").splitlines()
    baseline = timed(lambda: services.case_import_parse(lines=lines), "validate only (baseline)")
    create = timed(lambda: call_command("import_cases", str(first), *publish, index=index.pk), "first import (create)")
    assert CaseStudyPage.objects.count() == args.lines
    same = timed(lambda: call_command("import_cases", str(first), *publish, index=index.pk), "re-import, unchanged")
    update = timed(
        lambda: call_command("import_cases", str(changed), *publish, index=index.pk), "re-import, all changed"
    )
    assert CaseStudyPage.objects.count() == args.lines

    print(
        f"{args.lines} lines, publish={args.publish}, database={'DATABASE_URL' if os.environ.get('DATABASE_URL') else 'SQLite'}"
    )
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (wall time grows with other load; CPU time less so)")
    print(f"{'step':<28}{'seconds':>10}{'cpu s':>10}{'ms/line':>10}{'× baseline':>12}")
    for name, seconds in (
        ("validate only (baseline)", baseline),
        ("first import (create)", create),
        ("re-import, unchanged", same),
        ("re-import, all changed", update),
    ):
        print(
            f"{name:<28}{seconds:>10.2f}{cpu[name]:>10.2f}{seconds / args.lines * 1000:>10.2f}{seconds / baseline:>12.1f}"
        )


if __name__ == "__main__":
    main()
