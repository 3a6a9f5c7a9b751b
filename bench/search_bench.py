"""Search benchmark: 10,000 generated cases and 2,000 lessons, indexing rate, API latency, segmentation.

Usage (a throw-away database is migrated and filled; never point it at real data):

    SQLITE_PATH=/tmp/search-bench.sqlite3 .venv/bin/python bench/search_bench.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/search_bench .venv/bin/python bench/search_bench.py
    ... bench/search_bench.py --skip-generate [--profile]   # reuse the generated database

Pages are inserted in bulk (tree paths computed here, one INSERT per 500 pages) and then indexed
through the search backend's `add_bulk`, which is what is timed as the indexing rate; on
PostgreSQL a VACUUM ANALYZE follows, as autovacuum would after a bulk load. Requests go through
Django's test client in this process with bench/settings.py (production settings), as a 乡科级
cadre, so every search filters out the rank-restricted cases: the API (`GET /api/v1/search`,
which returns the total and one page of results) for the 12 queries, their second pages and
`type=lesson`, then the search page (`GET /search/`), which also counts the facets, shows each
case's taxonomy and renders HTML. Latency is reported with ratios to GET /bench/bare/ (a view
that does nothing, same middleware) measured in the same run, with this process's CPU time per
request (on SQLite that is all of the work; on PostgreSQL the server's share is not in it) and
the load average, since the machine is shared; segmentation throughput with the time of
str.split over the same text. Results are cached (issue 18: per query, filters, visibility class and
generation): the warm figures are cache hits after the warm-up; the cold lines empty every cache first.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

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


def case_body(paragraphs: list[str]) -> list[tuple]:
    return [("section", {"section": "facts", "content": [("paragraph", "".join(f"<p>{p}。</p>" for p in paragraphs))]})]


def lesson_body(paragraphs: list[str]) -> list[tuple]:
    return [("text", "".join(f"<p>{p}。</p>" for p in paragraphs))]


def bulk_add_children(parent, objs: list, batch_size: int = 500) -> None:
    """Insert unsaved pages of one specific type as the next children of `parent`, in bulk.

    `add_child` costs a dozen queries a page (path lookup, full_clean, parent update); here the
    tree paths are computed once and the `wagtailcore_page` rows and the type's own rows are
    inserted with one statement per batch. Only for generated data: no revisions, no signals.
    """
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Page

    model = type(objs[0])
    content_type = ContentType.objects.get_for_model(model)
    parent.refresh_from_db()
    now = timezone.now()
    page_fields = [f for f in Page._meta.concrete_fields if not f.primary_key]
    own_fields = model._meta.local_concrete_fields
    step = parent.numchild
    for start in range(0, len(objs), batch_size):
        batch = objs[start : start + batch_size]
        for obj in batch:
            step += 1
            obj.depth = parent.depth + 1
            obj.path = Page._get_path(parent.path, obj.depth, step)
            obj.numchild = 0
            obj.url_path = f"{parent.url_path}{obj.slug}/"
            obj.content_type = content_type
            obj.locale_id = parent.locale_id
            obj.draft_title = obj.title
            obj.live = True
            obj.has_unpublished_changes = False
            obj.first_published_at = obj.last_published_at = obj.latest_revision_created_at = now
        rows = Page.objects.bulk_create(
            [Page(**{f.attname: getattr(obj, f.attname) for f in page_fields}) for obj in batch]
        )
        for obj, row in zip(batch, rows, strict=True):
            obj.page_ptr_id = obj.pk = obj.id = row.pk
        model._base_manager._insert(batch, fields=own_fields, using=connection.alias)
    Page.objects.filter(pk=parent.pk).update(numchild=step)
    parent.numchild = step


def generate(cases: int, lessons: int, seed: int) -> None:
    """Generated cases (with taxonomy) and courses of 20 lessons each, live, not yet indexed."""
    from cases import services
    from cases.models import CaseStudyPage, Sector, SupervisionFailure, ViolationType
    from core.models import HomePage
    from learning.models import CourseIndexPage, CoursePage, LessonPage, Topic

    rng = random.Random(seed)
    home = HomePage.objects.get(depth=2)
    started = time.perf_counter()
    with transaction.atomic():
        case_index = services.case_index_ensure(parent=home, title="警示教育案例库", slug="cases")
        sectors = list(Sector.objects.all())
        violations = list(ViolationType.objects.all())
        failures = list(SupervisionFailure.objects.all())
        pages = []
        for n in range(cases):
            data = case_text(rng)
            pages.append(
                CaseStudyPage(
                    title=data["title"], slug=f"bench-case-{n}", summary=data["summary"], year=rng.randint(2015, 2025),
                    region=rng.choice(PLACES), sector=rng.choice(sectors), subject_rank=rng.choice([10, 20, 30]),
                    is_top_leader=rng.random() < 0.3, is_anonymised=True, body=case_body(data["sections"]),
                    # One case in ten is for 县处级 and above: the cadre in the bench must not see it.
                    min_rank=30 if n % 10 == 0 else None,
                )
            )  # fmt: skip
        bulk_add_children(case_index, pages)
        violation_through = CaseStudyPage.violation_types.through
        failure_through = CaseStudyPage.supervision_failures.through
        violation_through.objects.bulk_create(
            [
                violation_through(casestudypage_id=p.pk, violationtype_id=v.pk)
                for p in pages
                for v in rng.sample(violations, 2)
            ],
            batch_size=2000,
        )
        failure_through.objects.bulk_create(
            [
                failure_through(casestudypage_id=p.pk, supervisionfailure_id=f.pk)
                for p in pages
                for f in rng.sample(failures, 2)
            ],
            batch_size=2000,
        )
        print(f"  {cases} cases in {time.perf_counter() - started:.0f} s", flush=True)

        course_index = CourseIndexPage.objects.first()
        if course_index is None:
            course_index = CourseIndexPage(title="课程中心", slug="courses")
            home.add_child(instance=course_index)
        per_course = 20
        courses = []
        for n in range(max(1, lessons // per_course)):
            topic = Topic.objects.get_or_create(name=rng.choice(LESSON_TOPICS))[0]
            courses.append(
                CoursePage(
                    title=f"专题课程{n + 1}：树立正确的{topic.name}", slug=f"bench-course-{n}", topic=topic,
                    credit_hours=1, introduction=f"<p>本课程围绕{topic.name}展开。</p>", learning_goals="",
                )
            )  # fmt: skip
        bulk_add_children(course_index, courses)
        made = 0
        for course in courses:
            batch = []
            for _k in range(per_course):
                if made == lessons:
                    break
                made += 1
                data = lesson_text(rng, made)
                batch.append(
                    LessonPage(title=data["title"], slug=f"bench-lesson-{made}", estimated_minutes=10,
                               body=lesson_body([data["summary"], *data["sections"]]))
                )  # fmt: skip
            if batch:
                bulk_add_children(course, batch)
    print(
        f"  {cases} cases, {len(courses)} courses, {made} lessons created in {time.perf_counter() - started:.0f} s",
        flush=True,
    )


def index_all() -> tuple[int, float]:
    """Rebuild the search index of every page the bench made; returns (pages, seconds)."""
    from wagtail.search.backends import get_search_backend

    from cases.models import CaseStudyPage
    from learning.models import CoursePage, LessonPage

    backend = get_search_backend()
    started = time.perf_counter()
    total = 0
    for model, queryset in (
        (CaseStudyPage, CaseStudyPage.objects.select_related("sector").prefetch_related(
            "violation_types", "supervision_failures", "countermeasures", "tags")),
        (CoursePage, CoursePage.objects.all()),
        (LessonPage, LessonPage.objects.all()),
    ):  # fmt: skip
        ids = list(queryset.values_list("pk", flat=True).order_by("pk"))
        for start in range(0, len(ids), 500):
            batch = list(queryset.filter(pk__in=ids[start : start + 500]))
            backend.add_bulk(model, batch)
            total += len(batch)
    return total, time.perf_counter() - started


CPU_MS: list[float] = []  # this process's CPU time per request, in the order of the timings


def timed_get(client: Client, url: str, params: dict) -> float:
    cpu = time.process_time()
    started = time.perf_counter()
    response = client.get(url, params)
    elapsed = time.perf_counter() - started
    CPU_MS.append((time.process_time() - cpu) * 1000)
    assert response.status_code == 200, (url, params, response.status_code, response.content[:200])
    return elapsed * 1000


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def measure(
    client: Client, url: str, params_list: list[dict], rounds: int, *, cold: bool = False
) -> tuple[list[float], list[float]]:
    """(wall-clock ms, CPU ms of this process) per request; `cold`: every cache emptied before each request
    (as after a publish: the result cache, the synonym map, the session's cached copy)."""
    from django.core.cache import caches

    del CPU_MS[:]
    wall = []
    for _ in range(rounds):
        for params in params_list:
            if cold:
                for cache in caches.all(initialized_only=True):
                    cache.clear()
            wall.append(timed_get(client, url, params))
    return wall, list(CPU_MS)


def profile(client: Client, query: str) -> None:
    """Queries and the top of a cProfile for one API search (run with --profile)."""
    import cProfile
    import pstats

    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        timed_get(client, "/api/v1/search", {"q": query})
    print(f"profile {query!r}: {len(ctx.captured_queries)} SQL queries")
    for q in ctx.captured_queries:
        print(f"  {float(q['time']) * 1000:7.1f} ms  {q['sql'][:300]}")
    profiler = cProfile.Profile()
    profiler.enable()
    timed_get(client, "/api/v1/search", {"q": query})
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--lessons", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=10, help="times each query is run")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--skip-generate", action="store_true", help="reuse the pages and index of an earlier run")
    parser.add_argument("--generate-only", action="store_true", help="generate and index, measure nothing")
    parser.add_argument("--profile", action="store_true", help="print the SQL and a cProfile of one search")
    args = parser.parse_args()

    from accounts.factories import cadre
    from accounts.roles import Rank
    from cases.models import CaseStudyPage
    from learning.models import LessonPage
    from search import segmentation

    call_command("migrate", verbosity=0)
    if not args.skip_generate:
        if CaseStudyPage.objects.exists():
            sys.exit("the database already has cases: use a fresh database or --skip-generate")
        generate(args.cases, args.lessons, args.seed)
        pages, seconds = index_all()
        print(f"indexing: {pages} pages in {seconds:.1f} s = {pages / seconds:.0f} pages/s")
        if connection.vendor == "postgresql":
            # What autovacuum does after a bulk load, done now (it may not have run yet, and it
            # is off on the server here): statistics for the planner, and the dead row versions
            # that indexing leaves (each new entry is written, then updated with its title norm).
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
    if args.generate_only:
        return
    print(f"database: {connection.vendor}; {CaseStudyPage.objects.count()} cases, {LessonPage.objects.count()} lessons")

    # A 乡科级 cadre: the rank-restricted cases (one in ten) must be filtered out in every search.
    from accounts.models import User

    user = User.objects.filter(cadre_profile__rank=Rank.TOWNSHIP).first() or cadre(rank=Rank.TOWNSHIP)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    for query in QUERIES:  # warm caches and connections
        timed_get(client, "/api/v1/search", {"q": query})
    timed_get(client, "/search/", {"q": QUERIES[0]})  # and the page's templates
    if args.profile:
        profile(client, "监督")
    params = [{"q": q} for q in QUERIES]
    load_before = os.getloadavg()[0]
    bare, bare_cpu = measure(client, "/bench/bare/", [{}], args.rounds * len(QUERIES))
    me, me_cpu = measure(client, "/api/v1/me", [{}], args.rounds * len(QUERIES))
    # Each round runs every query once, so consecutive requests are always for different words.
    latencies, cpu = measure(client, "/api/v1/search", params, args.rounds)
    page2, page2_cpu = measure(client, "/api/v1/search", [{**p, "page": 2} for p in params], max(1, args.rounds // 2))
    typed, typed_cpu = measure(
        client, "/api/v1/search", [{**p, "type": "lesson"} for p in params], max(1, args.rounds // 2)
    )
    # The search page also counts the facets (type, 领域, 违纪违法类型, 专题, 年份), shows each
    # case's taxonomy and renders the template; the API returns only the total and the results.
    html, html_cpu = measure(client, "/search/", params, max(1, args.rounds // 2))
    # The same with every cache emptied before each request: what the first search after a publish costs.
    html_cold, html_cold_cpu = measure(client, "/search/", params, max(1, args.rounds // 2), cold=True)
    api_cold, api_cold_cpu = measure(client, "/api/v1/search", params, max(1, args.rounds // 2), cold=True)
    b50 = statistics.median(bare)

    def line(name: str, values: list[float], cpu_values: list[float]) -> str:
        p50, p95 = statistics.median(values), percentile(values, 95)
        c50, c95 = statistics.median(cpu_values), percentile(cpu_values, 95)
        return (
            f"{name}: p50 {p50:.1f} ms ({p50 / b50:.0f}x bare), p95 {p95:.1f} ms ({p95 / b50:.0f}x bare); "
            f"CPU of this process p50 {c50:.1f} ms, p95 {c95:.1f} ms; {len(values)} requests"
        )

    print(f"load average (1 min) before / after the timed requests: {load_before:.1f} / {os.getloadavg()[0]:.1f}")
    print(f"baseline GET /bench/bare/: p50 {b50:.2f} ms, p95 {percentile(bare, 95):.2f} ms")
    print(line("GET /api/v1/me", me, me_cpu))
    print(line("GET /api/v1/search", latencies, cpu))
    print(line("GET /api/v1/search page=2", page2, page2_cpu))
    print(line("GET /api/v1/search type=lesson", typed, typed_cpu))
    print(line("GET /search/ (the search page, with facets)", html, html_cpu))
    print(line("GET /search/ cold (caches emptied before each)", html_cold, html_cold_cpu))
    print(line("GET /api/v1/search cold (caches emptied before each)", api_cold, api_cold_cpu))
    for n, query in enumerate(QUERIES):
        times = latencies[n :: len(QUERIES)]
        total = client.get("/api/v1/search", {"q": query}).json()["total"]
        print(f"  {query:<12} median {statistics.median(times):6.1f} ms  total {total}")

    rng = random.Random(args.seed)
    text = "".join("".join(case_text(rng)["sections"]) + "。" for _ in range(2000))  # ~100,000 characters
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
