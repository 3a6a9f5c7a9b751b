"""Time the Word import of a .zip of 20 case documents, against the JSONL import of the same 20 cases.

    .venv/bin/python bench/word_import.py [--documents 20]

Runs on a fresh SQLite file and media directory in a temporary directory (or on DATABASE_URL if
set, which must then point at a scratch database). The documents are written by tests/docx_factory.py
(python-docx, a dev dependency): each has a title, a lead paragraph, five sections with bold and
italic runs, two lists, a table and an image. Steps, each timed on its own:

- baseline: `case_import` of 20 JSONL lines with the same sections as plain text (creates 20 drafts);
- upload: check the upload, parse every document and keep the result as JSON (what the editor waits for
  after pressing 上传, before the preview shows);
- create: read that JSON back and write the 20 drafts with their images (what "创建草稿" does).
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=20)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-word-"))
    if not os.environ.get("DATABASE_URL"):
        os.environ["SQLITE_PATH"] = str(workdir / "bench.sqlite3")
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    import django

    django.setup()
    from django.core.management import call_command

    from accounts import roles
    from cases import docx_import, services
    from cases.models import CaseStudyPage, Sector
    from core.models import HomePage
    from tests import docx_factory

    call_command("migrate", verbosity=0)
    index = services.case_index_ensure(parent=HomePage.objects.order_by("path").first())
    n = args.documents
    archive = docx_factory.zip_of(
        {f"案例{i:02d}.docx": docx_factory.case_docx(title=f"某县交通局局长收受贿赂案（{i}）") for i in range(n)}
    )
    section = "某某利用职务便利，在公路工程招投标中为他人谋取利益，收受他人财物。\n\n违规干预工程招投标三次。"
    lines = [
        json.dumps(
            {
                "external_id": f"WORD-BENCH-{i:03d}",
                "title": f"某县交通局局长收受贿赂案（JSONL {i}）",
                "summary": "本案是一起交通领域“一把手”利用工程审批权收受贿赂的典型案例。",
                "year": 2023,
                "region": "某省某县",
                "sector": "交通",
                "subject_rank": "县处级",
                "is_top_leader": True,
                "sections": dict.fromkeys(("基本案情", "主要问题", "警示启示", "对策建议", "相关规定"), section),
            },
            ensure_ascii=False,
        )
        for i in range(n)
    ]
    sector = Sector.objects.get(name="交通")

    kept = {}

    def upload():
        documents = docx_import.read_upload(name="batch.zip", data=archive)
        kept["json"] = docx_import.documents_to_json(docx_import.parse_documents(documents=documents, kind="case"))

    def create():
        parsed = docx_import.documents_from_json(kept["json"])
        choices = [
            docx_import.CaseChoices(
                title=doc.title, year=2023, region="某省某县", subject_rank=int(roles.Rank.COUNTY), sector=sector
            )
            for doc in parsed
        ]
        docx_import.create_case_drafts(documents=parsed, choices=choices, index=index, user=None)

    def timed(fn) -> tuple[float, float]:
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        return time.perf_counter() - start, time.process_time() - start_cpu

    results = [
        ("JSONL import (baseline)", timed(lambda: services.case_import(lines=lines, index=index))),
        ("Word: upload (check+parse)", timed(upload)),
        ("Word: create drafts", timed(create)),
    ]
    assert CaseStudyPage.objects.count() == 2 * n
    baseline = results[0][1][0]
    print(
        f"{n} documents, zip of {len(archive) / 1024:.0f} KB, database={'DATABASE_URL' if os.environ.get('DATABASE_URL') else 'SQLite'}"
    )
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    print(f"{'step':<28}{'seconds':>10}{'cpu s':>10}{'ms/doc':>10}{'× baseline':>12}")
    for name, (seconds, cpu) in results:
        print(f"{name:<28}{seconds:>10.2f}{cpu:>10.2f}{seconds / n * 1000:>10.0f}{seconds / baseline:>12.1f}")


if __name__ == "__main__":
    main()
