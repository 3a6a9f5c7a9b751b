"""The counter rebuild as set-based SQL (PostgreSQL): the same figures and snapshots as
``reports.counters.rebuild``'s Python path, in a handful of statements, for millions of cadres.

Steps, all inside the caller's transaction:

1. ``rb_anc``: every unit with each of its ancestors (itself included), from the materialised paths.
2. ``rb_course``, ``rb_quiz``, ``rb_day``: each cadre's contribution from the source rows, exactly
   as ``counters.compute_contributions`` computes it (enrolments keyed by course, year and deadline
   or ``NO_DUE``; 学时 credits on the ``NO_DUE`` key; quiz grade by the quiz's grading method, percent
   rounded half-even to 0.1 like ``Decimal.quantize``; completions per local month).
3. ``CadreTally`` rows built from those (JSON in the shape ``Contribution.as_data`` writes), so later
   events subtract exactly what the rebuild added.
4. Counters summed per leaf unit first, then rolled up to every ancestor (a few hundred thousand rows
   instead of tens of millions), keeping only non-zero rows as the Python path does.

``tests/reports/test_counters_sql.py`` proves on PostgreSQL that the result equals the Python path
(``counters.check()`` and the snapshots compared with ``compute_contributions``).
"""

from django.conf import settings
from django.db import connection

from accounts.models import OrgUnit
from reports.models import NO_DUE


def _half_even_1(expr: str) -> str:
    """SQL: round a non-negative numeric expression to one decimal place, ties to even (Decimal.quantize)."""
    return (
        f"(CASE WHEN ({expr}) * 10 - floor(({expr}) * 10) = 0.5 "
        f"THEN (floor(({expr}) * 10) + mod(floor(({expr}) * 10), 2)) / 10 "
        f"ELSE round(({expr}), 1) END)::numeric(14, 1)"
    )


def _statements() -> list[tuple[str, list]]:
    step = OrgUnit.steplen
    no_due = NO_DUE.isoformat()
    tz = settings.TIME_ZONE
    percent = _half_even_1("a.score / a.max_score * 100")
    average = _half_even_1("avg(percent)")
    return [
        ("SET LOCAL work_mem = '256MB'", []),
        # ON COMMIT DROP ends them with the transaction; a second rebuild inside one outer transaction
        # (load_demo in a test, an import that recounts twice) must not find the first one's tables.
        (
            "DROP TABLE IF EXISTS pg_temp.rb_anc, pg_temp.rb_cadre, pg_temp.rb_course, pg_temp.rb_day, pg_temp.rb_quiz",
            [],
        ),
        (
            """CREATE TEMP TABLE rb_anc ON COMMIT DROP AS
               SELECT u.id AS unit_id, a.id AS anc_id, a.depth AS anc_depth
               FROM accounts_orgunit u
               CROSS JOIN LATERAL generate_series(1, length(u.path) / %s) AS d(n)
               JOIN accounts_orgunit a ON a.path = substr(u.path, 1, d.n * %s)""",
            [step, step],
        ),
        ("CREATE INDEX ON rb_anc (unit_id)", []),
        (
            """CREATE TEMP TABLE rb_cadre ON COMMIT DROP AS
               SELECT user_id, org_unit_id AS unit_id, rank FROM accounts_cadreprofile""",
            [],
        ),
        ("CREATE UNIQUE INDEX ON rb_cadre (user_id)", []),
        ("ANALYZE rb_anc", []),
        ("ANALYZE rb_cadre", []),
        # One row per (cadre, course, year, deadline): an enrolment, a credit, or a self enrolment
        # and the credit of the same course and year (both on the NO_DUE key).
        (
            f"""CREATE TEMP TABLE rb_course ON COMMIT DROP AS
               SELECT coalesce(e.user_id, l.user_id) AS user_id, coalesce(e.course_id, l.course_id) AS course_id,
                      coalesce(e.year, l.year) AS year, coalesce(e.due, DATE '{no_due}') AS due,
                      (e.user_id IS NOT NULL)::int AS enrolled, coalesce(e.done, 0) AS completed,
                      coalesce(l.hours, 0) AS hours, l.user_id IS NOT NULL AS credited
               FROM (SELECT en.user_id, en.course_id, en.year, en.due_date AS due,
                            (en.completed_at IS NOT NULL)::int AS done,
                            CASE WHEN en.due_date IS NULL THEN en.year ELSE -1 END AS credit_year
                     FROM learning_enrolment en JOIN rb_cadre c ON c.user_id = en.user_id) e
               FULL JOIN (SELECT cl.user_id, cl.course_id, cl.year, cl.hours
                          FROM learning_creditledger cl JOIN rb_cadre c ON c.user_id = cl.user_id) l
                 ON l.user_id = e.user_id AND l.course_id = e.course_id AND l.year = e.credit_year""",  # noqa: S608
            [],
        ),
        (
            """CREATE TEMP TABLE rb_day ON COMMIT DROP AS
               SELECT en.user_id, date_trunc('month', en.completed_at AT TIME ZONE %s)::date AS month,
                      count(*)::int AS n
               FROM learning_enrolment en JOIN rb_cadre c ON c.user_id = en.user_id
               WHERE en.completed_at IS NOT NULL
               GROUP BY 1, 2""",
            [tz],
        ),
        # The quiz grade per cadre and quiz, by the quiz's grading method (quizzes.selectors.grade_from_attempts).
        (
            f"""CREATE TEMP TABLE rb_quiz ON COMMIT DROP AS
               WITH fin AS (
                   SELECT a.user_id, a.quiz_id, a.number, a.finished_at, q.grading_method AS method,
                          CASE WHEN a.max_score IS NOT NULL AND a.max_score <> 0 THEN {percent} END AS percent
                   FROM quizzes_attempt a JOIN rb_cadre c ON c.user_id = a.user_id
                   JOIN quizzes_quiz q ON q.id = a.quiz_id
                   WHERE a.state = 'finished' AND a.score IS NOT NULL
               ), g AS (
                   SELECT user_id, quiz_id, min(method) AS method, max(finished_at) AS last_finished,
                          max(percent) AS highest, {average} AS average,
                          (array_agg(percent ORDER BY number) FILTER (WHERE percent IS NOT NULL))[1] AS first,
                          (array_agg(percent ORDER BY number DESC) FILTER (WHERE percent IS NOT NULL))[1] AS last
                   FROM fin GROUP BY user_id, quiz_id
               )
               SELECT user_id, quiz_id, extract(year FROM last_finished AT TIME ZONE %s)::int AS year,
                      CASE method WHEN 'highest' THEN highest WHEN 'first' THEN first
                                  WHEN 'last' THEN last ELSE average END AS grade
               FROM g WHERE highest IS NOT NULL""",  # noqa: S608 - constant expressions
            [tz],
        ),
        ("ANALYZE rb_course", []),
        ("ANALYZE rb_quiz", []),
        ("ANALYZE rb_day", []),
        # Snapshots, in the shape Contribution.as_data writes.
        (
            """INSERT INTO reports_cadretally (user_id, units, rank, data)
               SELECT c.user_id, u.units, c.rank,
                      jsonb_build_object('c', coalesce(cc.c, '{}'::jsonb), 'q', coalesce(qq.q, '{}'::jsonb),
                                         'd', coalesce(dd.d, '{}'::jsonb))
               FROM rb_cadre c
               JOIN (SELECT unit_id, jsonb_agg(anc_id ORDER BY anc_depth) AS units FROM rb_anc GROUP BY unit_id) u
                 ON u.unit_id = c.unit_id
               LEFT JOIN (SELECT user_id, jsonb_object_agg(
                                     course_id || ':' || year || ':' || to_char(due, 'YYYY-MM-DD'),
                                     jsonb_build_array(enrolled, completed,
                                                       CASE WHEN credited THEN hours::text ELSE '0' END)) AS c
                          FROM rb_course GROUP BY user_id) cc ON cc.user_id = c.user_id
               LEFT JOIN (SELECT user_id, jsonb_object_agg(quiz_id || ':' || year, grade::text) AS q
                          FROM rb_quiz GROUP BY user_id) qq ON qq.user_id = c.user_id
               LEFT JOIN (SELECT user_id, jsonb_object_agg(to_char(month, 'YYYY-MM-DD'), n) AS d
                          FROM rb_day GROUP BY user_id) dd ON dd.user_id = c.user_id""",
            [],
        ),
        (
            """INSERT INTO reports_cadrecounter (org_unit_id, rank, cadres)
               SELECT a.anc_id, l.rank, sum(l.n)
               FROM (SELECT unit_id, rank, count(*) AS n FROM rb_cadre GROUP BY 1, 2) l
               JOIN rb_anc a ON a.unit_id = l.unit_id
               GROUP BY 1, 2""",
            [],
        ),
        (
            """INSERT INTO reports_coursecounter (org_unit_id, year, course_id, due_date, rank, enrolled, completed, hours)
               SELECT a.anc_id, l.year, l.course_id, l.due, l.rank, sum(l.enrolled), sum(l.completed), sum(l.hours)
               FROM (SELECT c.unit_id, r.year, r.course_id, r.due, c.rank, sum(r.enrolled) AS enrolled,
                            sum(r.completed) AS completed, sum(r.hours) AS hours
                     FROM rb_course r JOIN rb_cadre c ON c.user_id = r.user_id
                     GROUP BY 1, 2, 3, 4, 5) l
               JOIN rb_anc a ON a.unit_id = l.unit_id
               GROUP BY 1, 2, 3, 4, 5
               HAVING sum(l.enrolled) <> 0 OR sum(l.completed) <> 0 OR sum(l.hours) <> 0""",
            [],
        ),
        (
            """INSERT INTO reports_quizcounter (org_unit_id, year, quiz_id, rank, graded, score_sum,
                                                band0, band1, band2, band3, band4)
               SELECT a.anc_id, l.year, l.quiz_id, l.rank, sum(l.graded), sum(l.score_sum),
                      sum(l.b0), sum(l.b1), sum(l.b2), sum(l.b3), sum(l.b4)
               FROM (SELECT c.unit_id, q.year, q.quiz_id, c.rank, count(*) AS graded, sum(q.grade) AS score_sum,
                            count(*) FILTER (WHERE q.grade < 60) AS b0,
                            count(*) FILTER (WHERE q.grade >= 60 AND q.grade < 70) AS b1,
                            count(*) FILTER (WHERE q.grade >= 70 AND q.grade < 80) AS b2,
                            count(*) FILTER (WHERE q.grade >= 80 AND q.grade < 90) AS b3,
                            count(*) FILTER (WHERE q.grade >= 90) AS b4
                     FROM rb_quiz q JOIN rb_cadre c ON c.user_id = q.user_id
                     GROUP BY 1, 2, 3, 4) l
               JOIN rb_anc a ON a.unit_id = l.unit_id
               GROUP BY 1, 2, 3, 4""",
            [],
        ),
        (
            """INSERT INTO reports_completionmonth (org_unit_id, month, completed)
               SELECT a.anc_id, l.month, sum(l.n)
               FROM (SELECT c.unit_id, d.month, sum(d.n) AS n FROM rb_day d JOIN rb_cadre c ON c.user_id = d.user_id
                     GROUP BY 1, 2) l
               JOIN rb_anc a ON a.unit_id = l.unit_id
               GROUP BY 1, 2""",
            [],
        ),
    ]


def rebuild(*, timings: dict | None = None) -> int:
    """Replace every counter and snapshot (PostgreSQL, inside the caller's transaction). Returns counter rows.

    `timings`, when given, receives seconds per statement (the benchmark prints them)."""
    import time

    assert connection.vendor == "postgresql"  # noqa: S101 - callers choose the path by vendor
    assert connection.in_atomic_block  # noqa: S101 - temp tables drop at commit
    with connection.cursor() as cur:
        for table in (
            "reports_cadrecounter",
            "reports_coursecounter",
            "reports_quizcounter",
            "reports_completionmonth",
            "reports_cadretally",
        ):
            cur.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
        rows = 0
        for sql, params in _statements():
            t = time.perf_counter()
            cur.execute(sql, params)
            if sql.lstrip().startswith("INSERT INTO reports_") and "cadretally" not in sql:
                rows += cur.rowcount
            if timings is not None:
                key = " ".join(sql.split()[:4])
                timings[key] = timings.get(key, 0) + time.perf_counter() - t
        for table in (
            "reports_cadretally",
            "reports_cadrecounter",
            "reports_coursecounter",
            "reports_quizcounter",
            "reports_completionmonth",
        ):
            cur.execute(f"ANALYZE {table}")
    return rows
