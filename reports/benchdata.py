"""Synthetic province for benchmarks: ~N/50 units over 4 levels, N cadres, 20 assigned courses each.

Rows are written with bulk_create (no per-row signals) and the counters are rebuilt once at the end.
On PostgreSQL every step is set-based SQL (INSERT … SELECT, and `reports.counters_sql` for the
counters): a million cadres in minutes. `generate` returns the seconds each step took.
"""

import random
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from accounts import services as account_services
from accounts.models import CadreProfile, OrgUnit, User
from accounts.roles import Rank
from learning.models import (
    CourseAssignment,
    CourseIndexPage,
    CourseKind,
    CoursePage,
    CreditLedger,
    Enrolment,
    EnrolmentSource,
    Topic,
)
from quizzes.models import Attempt, AttemptState, Quiz
from reports import counters

PROVINCE = "基准省"
COURSES = 20
TZ = ZoneInfo("Asia/Shanghai")
RANK_WEIGHTS = [(Rank.OTHER, 30), (Rank.TOWNSHIP, 45), (Rank.COUNTY, 20), (Rank.BUREAU, 4), (Rank.PROVINCIAL, 1)]


def _courses(year: int) -> list[CoursePage]:
    from core.models import HomePage

    index = CourseIndexPage.objects.first()
    if index is None:
        index = CourseIndexPage(title="课程中心", slug="courses")
        HomePage.objects.get(depth=2).add_child(instance=index)
    topics = [Topic.objects.get_or_create(name=n)[0] for n in ("权力观", "政绩观", "监督观", "民主集中制")]
    courses = []
    for i in range(COURSES):
        slug = f"bench-course-{i + 1}"
        course = CoursePage.objects.filter(slug=slug).first()
        if course is None:
            course = CoursePage(
                title=f"基准课程{i + 1:02d}",
                slug=slug,
                topic=topics[i % len(topics)],
                kind=CourseKind.REQUIRED,
                credit_hours=Decimal("1.5") if i % 3 else Decimal("2"),
                introduction="<p>基准测试课程</p>",
            )
            index.add_child(instance=course)
        courses.append(course)
    return courses


def _tree(n_cadres: int, rng: random.Random) -> list[OrgUnit]:
    """Province → cities → counties → units, bulk inserted with treebeard paths. Returns the leaf units."""
    leaves_total = max(1, round(n_cadres / 50))
    counties_total = max(1, round(leaves_total / 13))
    cities_total = max(1, round(counties_total / 10))
    root = account_services.org_unit_get_or_create_by_path(PROVINCE)
    if root.numchild:
        raise ValueError(f"{PROVINCE} 已有下级单位，请先清空基准数据库。")
    get_path = OrgUnit._get_path

    def children(parent: OrgUnit, count: int, label: str) -> list[OrgUnit]:
        nodes = [
            OrgUnit(
                path=get_path(parent.path, parent.depth + 1, i + 1),
                depth=parent.depth + 1,
                numchild=0,
                name=f"{label}{i + 1}",
                full_path=f"{parent.full_path}/{label}{i + 1}",
            )
            for i in range(count)
        ]
        OrgUnit.objects.bulk_create(nodes, batch_size=2000)
        OrgUnit.objects.filter(pk=parent.pk).update(numchild=count)
        return nodes

    def spread(total: int, parts: int) -> list[int]:
        base, extra = divmod(total, parts)
        return [base + (1 if i < extra else 0) for i in range(parts)]

    cities = children(root, cities_total, "市")
    cities = list(OrgUnit.objects.filter(path__in=[c.path for c in cities]).order_by("path"))
    counties = []
    for city, k in zip(cities, spread(counties_total, len(cities)), strict=True):
        counties += children(city, max(1, k), "县")
    counties = list(OrgUnit.objects.filter(path__in=[c.path for c in counties]).order_by("path"))
    leaves = []
    for county, k in zip(counties, spread(leaves_total, len(counties)), strict=True):
        leaves += children(county, max(1, k), "局")
    return list(OrgUnit.objects.filter(path__in=[u.path for u in leaves]).order_by("path"))


@transaction.atomic
def generate(*, cadres: int, seed: int = 2026, stdout=None) -> dict:
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not security
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    year = timezone.localdate().year
    courses = _courses(year)
    leaves = _tree(cadres, rng)
    timings["units"] = time.perf_counter() - clock
    admin = User.objects.filter(username="bench_admin").first() or User.objects.create_superuser(
        "bench_admin", "", "bench-Admin-2026", name="基准管理员"
    )
    province = OrgUnit.objects.get(full_path=PROVINCE)
    due_past, due_future = date(year, 1, 31), date(year, 12, 31)
    assignments = []
    for i, course in enumerate(courses):
        a = CourseAssignment.objects.create(
            course=course, ranks=[], year=year, due_date=due_past if i % 2 else due_future, created_by=admin
        )
        a.org_units.set([province])
        assignments.append(a)
    quizzes = [Quiz.objects.get_or_create(title=f"基准测验{i}")[0] for i in (1, 2)]
    password = make_password(None)
    if connection.vendor == "postgresql":
        with _bulk_load(BULK_TABLES, timings):
            made, rows = (
                _rows_sql(
                    cadres=cadres,
                    leaves=leaves,
                    assignments=assignments,
                    quizzes=quizzes,
                    year=year,
                    password=password,
                    seed=seed,
                    timings=timings,
                ),
                None,
            )
            clock = time.perf_counter()
            rows = counters.rebuild(timings=timings)
            timings["counters (all)"] = time.perf_counter() - clock
    else:
        made = _rows_orm(
            cadres=cadres,
            leaves=leaves,
            assignments=assignments,
            courses=courses,
            quizzes=quizzes,
            year=year,
            password=password,
            rng=rng,
            stdout=stdout,
        )
        rows = counters.rebuild()
    if connection.vendor == "postgresql":
        # Fresh statistics after a bulk load, as autovacuum would give them a little later.
        with connection.cursor() as cur:
            for table in (
                "reports_coursecounter",
                "reports_cadrecounter",
                "reports_quizcounter",
                "reports_completionmonth",
                "accounts_orgunit",
                "accounts_cadreprofile",
                "learning_enrolment",
            ):
                cur.execute(f"ANALYZE {table}")
    return {
        "cadres": made,
        "units": OrgUnit.objects.filter(path__startswith=province.path).count(),
        "counter_rows": rows,
        "province_id": province.pk,
        "timings": timings,
    }


# Tables the PostgreSQL path fills with millions of rows: their foreign keys, unique constraints and
# secondary indexes are dropped for the load and recreated after it (as pg_restore does), so each is
# built or validated once, set-based, instead of row by row (and FK checks are not queued to COMMIT).
BULK_TABLES = (
    "accounts_cadreprofile",
    "learning_enrolment",
    "learning_creditledger",
    "quizzes_attempt",
    "reports_cadretally",
    "reports_coursecounter",
)


@contextmanager
def _bulk_load(tables, timings: dict):
    with connection.cursor() as cur:
        cur.execute(
            """SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype
               FROM pg_constraint c WHERE c.conrelid::regclass::text = ANY(%s) AND c.contype IN ('f', 'u')""",
            [list(tables)],
        )
        constraints = cur.fetchall()
        cur.execute(
            """SELECT i.tablename, i.indexname, i.indexdef FROM pg_indexes i
               WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""",
            [list(tables)],
        )
        indexes = cur.fetchall()
        # Checks already queued (the courses and assignments just made) run now: a table with pending
        # trigger events cannot be altered.
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, name, _definition, _kind in constraints:
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for _table, name, _definition in indexes:
            cur.execute(f'DROP INDEX "{name}"')
    yield
    clock = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for _table, _name, definition in indexes:
            cur.execute(definition)
        for table, name, definition, _kind in sorted(constraints, key=lambda c: c[3] == "f"):
            cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        cur.execute("SET CONSTRAINTS ALL DEFERRED")
    timings["indexes and constraints rebuilt"] = time.perf_counter() - clock


def _rows_orm(*, cadres, leaves, assignments, courses, quizzes, year, password, rng, stdout) -> int:
    """Portable (slow) path: ORM bulk_create in chunks."""
    ranks = [r for r, w in RANK_WEIGHTS for _ in range(w)]
    start = datetime(year, 1, 5, 9, tzinfo=TZ)
    span = max(1, (min(timezone.now(), datetime(year, 12, 31, tzinfo=TZ)) - start).days)
    stamp = timezone.now()
    made = 0
    for offset in range(0, cadres, 5000):
        size = min(5000, cadres - offset)
        users = User.objects.bulk_create(
            [
                User(username=f"bench{offset + i:07d}", name=f"干部{offset + i}", password=password, date_joined=stamp)
                for i in range(size)
            ],
            batch_size=5000,
        )
        CadreProfile.objects.bulk_create(
            [
                CadreProfile(
                    user=u,
                    org_unit=leaves[(offset + i) % len(leaves)],
                    employee_no=f"B{offset + i:07d}",
                    rank=rng.choice(ranks),
                )
                for i, u in enumerate(users)
            ],
            batch_size=5000,
        )
        enrolments, attempts = [], []
        for u in users:
            skill = rng.random()
            for a in assignments:
                done = rng.random() < 0.35 + 0.6 * skill
                completed_at = start + timedelta(days=rng.randrange(span), minutes=rng.randrange(600)) if done else None
                enrolments.append(
                    Enrolment(
                        user=u,
                        course_id=a.course_id,
                        year=year,
                        source=EnrolmentSource.ASSIGNED,
                        assignment=a,
                        due_date=a.due_date,
                        completed_at=completed_at,
                    )
                )
            quiz = quizzes[u.pk % 2]
            score = Decimal(min(100, max(0, round(rng.gauss(60 + 30 * skill, 10)))))
            finished = start + timedelta(days=rng.randrange(span))
            attempts.append(
                Attempt(
                    quiz=quiz,
                    user=u,
                    number=1,
                    state=AttemptState.FINISHED,
                    started_at=finished - timedelta(minutes=20),
                    finished_at=finished,
                    score=score,
                    max_score=Decimal(100),
                    passed=score >= 60,
                )
            )
        Enrolment.objects.bulk_create(enrolments, batch_size=5000)
        hours = {c.pk: c.credit_hours for c in courses}
        CreditLedger.objects.bulk_create(
            [
                CreditLedger(
                    user_id=e.user_id,
                    course_id=e.course_id,
                    year=timezone.localtime(e.completed_at).year,
                    hours=hours[e.course_id],
                    enrolment=e,
                )
                for e in enrolments
                if e.completed_at
            ],
            batch_size=5000,
        )
        Attempt.objects.bulk_create(attempts, batch_size=5000)
        made += size
        if stdout:
            stdout.write(f"  {made}/{cadres} 名干部")
    return made


def _rows_sql(*, cadres, leaves, assignments, quizzes, year, password, seed, timings) -> int:
    """PostgreSQL path: set-based INSERT ... SELECT, a few statements for millions of rows."""
    leaf_ids = [u.pk for u in leaves]
    start = datetime(year, 1, 5, 9, tzinfo=TZ)
    span_days = max(1, (min(timezone.now(), datetime(year, 12, 31, tzinfo=TZ)) - start).days)
    with connection.cursor() as raw:
        cur = _Timed(raw, timings)
        cur.execute("SELECT setseed(%s)", [(seed % 1000) / 1000])
        cur.execute(
            """INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email, is_staff,
                   is_active, date_joined, name, must_change_password)
               SELECT %s, false, 'bench' || lpad(g::text, 7, '0'), '', '', '', false, true, now(), '干部' || g, false
               FROM generate_series(0, %s - 1) g""",
            [password, cadres],
        )
        cur.execute(
            """INSERT INTO accounts_cadreprofile (user_id, org_unit_id, employee_no, rank, position, is_principal, phone)
               SELECT u.id, (%s::bigint[])[1 + (substr(u.username, 6)::int %% %s)], 'B' || substr(u.username, 6),
                      CASE WHEN r < 0.30 THEN 10 WHEN r < 0.75 THEN 20 WHEN r < 0.95 THEN 30 WHEN r < 0.99 THEN 40 ELSE 50 END,
                      '', false, ''
               FROM (SELECT id, username, random() AS r FROM accounts_user WHERE username LIKE 'bench0%%') u""",
            [leaf_ids, len(leaf_ids)],
        )
        # Enrolments and, from the rows just inserted, the credits of the completed ones: one statement.
        cur.execute(
            """WITH e AS (
                   INSERT INTO learning_enrolment (user_id, course_id, year, source, assignment_id, due_date,
                       enrolled_at, completed_at)
                   SELECT p.user_id, a.course_id, %s, 'assigned', a.id, a.due_date, now(),
                          CASE WHEN random() < 0.35 + 0.6 * ((p.user_id * 2654435761) %% 1000) / 1000.0
                               THEN %s::timestamptz + (random() * %s) * interval '1 day' END
                   FROM accounts_cadreprofile p JOIN accounts_user u ON u.id = p.user_id AND u.username LIKE 'bench0%%'
                   CROSS JOIN unnest(%s::bigint[], %s::bigint[], %s::date[]) AS a(id, course_id, due_date)
                   RETURNING id, user_id, course_id, completed_at)
               INSERT INTO learning_creditledger (user_id, course_id, year, hours, enrolment_id, created_at)
               SELECT e.user_id, e.course_id, extract(year FROM e.completed_at AT TIME ZONE 'Asia/Shanghai')::int,
                      c.credit_hours, e.id, now()
               FROM e JOIN learning_coursepage c ON c.page_ptr_id = e.course_id
               WHERE e.completed_at IS NOT NULL""",
            [
                year,
                start,
                span_days,
                [a.pk for a in assignments],
                [a.course_id for a in assignments],
                [a.due_date for a in assignments],
            ],
        )
        cur.execute(
            """INSERT INTO quizzes_attempt (quiz_id, user_id, number, state, started_at, finished_at,
                   finished_by_deadline, score, max_score, passed, sequence)
               SELECT CASE WHEN u.id %% 2 = 0 THEN %s ELSE %s END, u.id, 1, 'finished', f - interval '20 minutes', f,
                      false, s, 100, s >= 60, 0
               FROM (SELECT id, %s::timestamptz + (random() * %s) * interval '1 day' AS f,
                            least(100, greatest(0, round(60 + 30 * ((id * 2654435761) %% 1000) / 1000.0
                                                          + (random() - 0.5) * 30))) AS s
                     FROM accounts_user WHERE username LIKE 'bench0%%') u""",
            [quizzes[0].pk, quizzes[1].pk, start, span_days],
        )
    return cadres


class _Timed:
    """A cursor wrapper adding each statement's seconds to `timings` under its first words."""

    def __init__(self, cursor, timings: dict):
        self.cursor, self.timings = cursor, timings

    def execute(self, sql, params=None):
        clock = time.perf_counter()
        self.cursor.execute(sql, params)
        key = " ".join(sql.split()[:3])
        self.timings[key] = self.timings.get(key, 0) + time.perf_counter() - clock
