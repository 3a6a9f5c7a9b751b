"""Search benchmark: generated cases and lesson-length pages, indexing rate, API latency, segmentation.

Usage (a throw-away database is migrated and filled; never point it at real data):

    SQLITE_PATH=/tmp/bench.sqlite3 .venv/bin/python bench/search_bench.py --cases 10000 --lessons 2000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/search_bench .venv/bin/python bench/search_bench.py

Figures are printed with a baseline measured in the same run: API search latency against
GET /api/v1/me (the cheapest authenticated API call), segmentation against str.split over the
same text. "Lessons" are CaseStudyPage rows with lesson-like text while the learning app is not
in this branch (same indexing path, comparable text length).
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("DJANGO_DEBUG", "false")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

PLACES = ["某省某县", "某省某市", "某省某市某区", "某省某县某镇"]
UNITS = [
    "交通运输局",
    "教育局",
    "卫生健康局",
    "自然资源局",
    "财政局",
    "住建局",
    "开发区管委会",
    "国有集团公司",
    "街道办事处",
    "农商银行",
]
ACTS = [
    "利用职务便利在工程招投标中为他人谋取利益，收受财物",
    "违反“三重一大”集体决策制度，擅自决定大额度资金使用",
    "在干部选拔任用中搞带病提拔，收受红包礼金",
    "违反中央八项规定精神，公款吃喝、违规收受礼品",
    "对分管领域监督不力，一岗双责落实不到位",
    "将集体资产低价转让给亲属控制的公司",
    "隐瞒不报个人有关事项，资产转移到亲属名下",
]
CAUSES = [
    "班子内部同级监督弱化，副职对一把手不愿监督、不敢监督",
    "上级监督不到位，年度检查走过场",
    "下级不敢监督，干部群众敢怒不敢言",
    "自身不愿接受监督，把组织提醒当耳旁风",
    "制度执行操作存在漏洞，集体决策流于形式",
]
MEASURES = [
    "落实末位表态制度，推行权力运行流程图",
    "落实四个不直接分管，强化分权制衡",
    "推行党务、政务、财务、服务四公开",
    "开好民主生活会，认真开展批评与自我批评",
    "以案促改，一体推进不敢腐、不能腐、不想腐",
]
LESSON_TOPICS = ["权力观", "政绩观", "监督观", "民主集中制", "党的纪律"]
QUERIES = [
    "监督",
    "一把手",
    "三重一大",
    "同级监督",
    "末位表态",
    "受贿 工程",
    "带病提拔",
    "四公开",
    '"集体决策"',
    "督导",
    "民主生活会",
    "以案促改",
]


def case_text(rng: random.Random) -> dict:
    unit = rng.choice(UNITS)
    return {
        "title": f"{rng.choice(PLACES)}{unit}原负责人某某{rng.choice(['受贿', '滥用职权', '违规决策', '贪污'])}案",
        "summary": f"某某担任{unit}主要负责人期间，{rng.choice(ACTS)}。",
        "sections": [rng.choice(ACTS), rng.choice(CAUSES), rng.choice(MEASURES), rng.choice(CAUSES)],
    }


def lesson_text(rng: random.Random, n: int) -> dict:
    topic = rng.choice(LESSON_TOPICS)
    return {
        "title": f"第{n}课 树立正确的{topic}",
        "summary": f"本课围绕{topic}，结合典型案例讲解领导干部如何正确用权、自觉接受监督。",
        "sections": [
            rng.choice(MEASURES),
            rng.choice(CAUSES),
            f"学习{topic}，要做到学思用贯通、知信行统一。",
            rng.choice(MEASURES),
        ],
    }


def body(paragraphs: list[str]) -> list[tuple]:
    return [("section", {"section": "facts", "content": [("paragraph", "".join(f"<p>{p}。</p>" for p in paragraphs))]})]


def build(cases: int, lessons: int, seed: int) -> tuple[int, float]:
    """Create the pages without indexing them, then index everything; returns (pages, seconds)."""
    from wagtail.search.backends import get_search_backend

    from cases import services
    from cases.models import CaseStudyPage, Sector
    from core.models import HomePage

    rng = random.Random(seed)
    home = HomePage.objects.get(depth=2)
    index = services.case_index_ensure(parent=home, title="警示教育案例库", slug="cases")
    sectors = list(Sector.objects.all())
    started = time.perf_counter()
    with override_settings(
        WAGTAILSEARCH_BACKENDS={"default": {"BACKEND": "search.backends.database", "AUTO_UPDATE": False}}
    ):
        for n in range(cases + lessons):
            data = case_text(rng) if n < cases else lesson_text(rng, n - cases + 1)
            page = CaseStudyPage(
                title=data["title"], slug=f"bench-{n}", summary=data["summary"], year=rng.randint(2015, 2025),
                region=rng.choice(PLACES), sector=rng.choice(sectors), subject_rank=rng.choice([10, 20, 30]),
                is_anonymised=True, body=body(data["sections"]), live=True,
            )  # fmt: skip
            with transaction.atomic():
                index.add_child(instance=page)
            if n and n % 1000 == 0:
                print(f"  created {n} pages ({time.perf_counter() - started:.0f} s)", flush=True)
    print(f"  created {cases + lessons} pages in {time.perf_counter() - started:.0f} s", flush=True)

    backend = get_search_backend()
    pages = CaseStudyPage.objects.filter(slug__startswith="bench-").select_related("sector")
    started = time.perf_counter()
    batch: list = []
    for page in pages.iterator(chunk_size=500):
        batch.append(page)
        if len(batch) == 500:
            backend.add_bulk(CaseStudyPage, batch)
            batch = []
    if batch:
        backend.add_bulk(CaseStudyPage, batch)
    return cases + lessons, time.perf_counter() - started


def timed_get(client: Client, url: str, params: dict) -> float:
    started = time.perf_counter()
    response = client.get(url, params)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (url, params, response.status_code, response.content[:200])
    return elapsed * 1000


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--lessons", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=10, help="times each query is run")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    from accounts import roles
    from accounts.factories import staff
    from search import segmentation

    print(f"database: {connection.vendor}; {args.cases} cases + {args.lessons} lesson-length pages")
    call_command("migrate", verbosity=0)
    pages, seconds = build(args.cases, args.lessons, args.seed)
    print(f"indexing: {pages} pages in {seconds:.1f} s = {pages / seconds:.0f} pages/s")

    user = staff(roles.EDITOR)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    for query in QUERIES:  # warm caches and connections
        timed_get(client, "/api/v1/search", {"q": query})
    baseline = [timed_get(client, "/api/v1/me", {}) for _ in range(args.rounds * len(QUERIES))]
    latencies = []
    per_query = {}
    for query in QUERIES:
        times = [timed_get(client, "/api/v1/search", {"q": query}) for _ in range(args.rounds)]
        per_query[query] = statistics.median(times)
        latencies += times
    b50 = statistics.median(baseline)
    p50, p95 = statistics.median(latencies), percentile(latencies, 95)
    print(f"baseline GET /api/v1/me: p50 {b50:.1f} ms, p95 {percentile(baseline, 95):.1f} ms")
    print(
        f"GET /api/v1/search: p50 {p50:.1f} ms ({p50 / b50:.1f}x baseline), p95 {p95:.1f} ms ({p95 / b50:.1f}x baseline), {len(latencies)} requests"
    )
    for query, median in per_query.items():
        print(f"  {query:<12} median {median:.1f} ms")

    rng = random.Random(args.seed)
    text = "".join(
        "".join(case_text(rng)["sections"]) + "。" for _ in range(2000)
    )  # about 100,000 characters of case text
    segmentation.get_segmenter()
    started = time.perf_counter()
    segmentation.segment_for_index(text)
    seg_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(10):
        text.split("，")
    split_seconds = (time.perf_counter() - started) / 10
    print(
        f"segmentation: {len(text):,} characters in {seg_seconds * 1000:.0f} ms = {len(text) / seg_seconds:,.0f} characters/s "
        f"({seg_seconds / split_seconds:.0f}x the time of str.split on the same text)"
    )


if __name__ == "__main__":
    main()
