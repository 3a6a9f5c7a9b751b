"""Keeping the report counters current.

Each cadre's contribution (enrolments, completions, 学时, quiz grades, completions per day) is
recomputed from the source rows whenever an event touches that cadre, compared with the
contribution stored in ``CadreTally`` (the old value), and only the difference is added to
the counter rows of the old and new unit and all their ancestors as increments (``_upsert``).
So a re-completion changes nothing, a deletion subtracts exactly what was added, and a cadre
moved to another unit is subtracted from the old branch and added to the new one.

The snapshot row is locked (``select_for_update``; SQLite serialises writers with IMMEDIATE
transactions), so two simultaneous events for one cadre cannot both apply the same delta.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import CadreProfile, OrgUnit
from learning.models import CreditLedger, Enrolment
from quizzes.models import Attempt, AttemptState
from quizzes.selectors import grade_from_attempts
from reports.models import NO_DUE, CadreCounter, CadreTally, CompletionMonth, CourseCounter, QuizCounter

CHUNK = 500
ZERO = Decimal("0")
BANDS = ("band0", "band1", "band2", "band3", "band4")


def score_band(percent: Decimal) -> int:
    """0: below 60, 1: 60–69, 2: 70–79, 3: 80–89, 4: 90 and above."""
    if percent < 60:
        return 0
    return min(4, int(percent // 10) - 5)


@dataclass
class Contribution:
    units: list[int]
    rank: int
    courses: dict = field(default_factory=dict)  # "course:year:due" -> [enrolled, completed, "hours"]
    quizzes: dict = field(default_factory=dict)  # "quiz:year" -> "percent"
    days: dict = field(default_factory=dict)  # "YYYY-MM-01" -> completions in that month

    def as_data(self) -> dict:
        return {"c": self.courses, "q": self.quizzes, "d": self.days}

    @classmethod
    def from_tally(cls, tally: CadreTally) -> "Contribution | None":
        if not tally.units:
            return None
        data = tally.data or {}
        return cls(list(tally.units), tally.rank, data.get("c", {}), data.get("q", {}), data.get("d", {}))


class Deltas:
    """Summed changes per counter key; zero changes are dropped before writing."""

    def __init__(self):
        self.cadres: dict = defaultdict(int)
        self.courses: dict = defaultdict(lambda: [0, 0, ZERO])
        self.quizzes: dict = defaultdict(lambda: [0, ZERO, 0, 0, 0, 0, 0])
        self.days: dict = defaultdict(int)

    def add(self, contribution: Contribution | None, sign: int) -> None:
        if contribution is None:
            return
        rank = contribution.rank
        # Parse the keys once, then add them to every unit on the branch.
        courses = []
        for key, (enrolled, completed, hours) in contribution.courses.items():
            course, year, due = key.split(":")
            courses.append(
                (
                    int(year),
                    int(course),
                    date.fromisoformat(due),
                    sign * enrolled,
                    sign * completed,
                    sign * Decimal(hours),
                )
            )
        quizzes = []
        for key, percent in contribution.quizzes.items():
            quiz, year = key.split(":")
            pct = Decimal(percent)
            quizzes.append((int(year), int(quiz), sign * pct, 2 + score_band(pct)))
        days = [(date.fromisoformat(day), sign * n) for day, n in contribution.days.items()]
        for unit in contribution.units:
            self.cadres[(unit, rank)] += sign
            for year, course, due, enrolled, completed, hours in courses:
                row = self.courses[(unit, year, course, due, rank)]
                row[0] += enrolled
                row[1] += completed
                row[2] += hours
            for year, quiz, pct, band in quizzes:
                row = self.quizzes[(unit, year, quiz, rank)]
                row[0] += sign
                row[1] += pct
                row[band] += sign
            for day, n in days:
                self.days[(unit, day)] += n

    def nonzero(self):
        cadres = {k: v for k, v in self.cadres.items() if v}
        courses = {k: v for k, v in self.courses.items() if any(v)}
        quizzes = {k: v for k, v in self.quizzes.items() if any(v)}
        days = {k: v for k, v in self.days.items() if v}
        return cadres, courses, quizzes, days


# --- computing contributions from the source rows ---------------------------------------------


def _ancestor_ids(paths: Iterable[str]) -> dict[str, int]:
    step = OrgUnit.steplen
    prefixes = {p[:i] for p in paths for i in range(step, len(p) + 1, step)}
    found: dict[str, int] = {}
    prefixes = sorted(prefixes)
    for i in range(0, len(prefixes), 2000):
        found.update(OrgUnit.objects.filter(path__in=prefixes[i : i + 2000]).values_list("path", "pk"))
    return found


def _units_of(path: str, ids: dict[str, int]) -> list[int]:
    step = OrgUnit.steplen
    return [ids[path[:i]] for i in range(step, len(path) + 1, step) if path[:i] in ids]


def compute_contributions(user_ids: list[int]) -> dict[int, Contribution]:
    """Contributions of the given users computed from source rows; users without a cadre profile get none."""
    profiles = list(CadreProfile.objects.filter(user_id__in=user_ids).values_list("user_id", "rank", "org_unit__path"))
    if not profiles:
        return {}
    ids = _ancestor_ids(p[2] for p in profiles)
    result = {uid: Contribution(_units_of(path, ids), rank) for uid, rank, path in profiles}
    tz = timezone.get_current_timezone()
    cadre_ids = list(result)
    for uid, course, year, due, completed_at in Enrolment.objects.filter(user_id__in=cadre_ids).values_list(
        "user_id", "course_id", "year", "due_date", "completed_at"
    ):
        c = result[uid]
        key = f"{course}:{year}:{(due or NO_DUE).isoformat()}"
        row = c.courses.setdefault(key, [0, 0, "0"])
        row[0] += 1
        if completed_at is not None:
            row[1] += 1
            day = completed_at.astimezone(tz).date().replace(day=1).isoformat()
            c.days[day] = c.days.get(day, 0) + 1
    for uid, course, year, hours in CreditLedger.objects.filter(user_id__in=cadre_ids).values_list(
        "user_id", "course_id", "year", "hours"
    ):
        row = result[uid].courses.setdefault(f"{course}:{year}:{NO_DUE.isoformat()}", [0, 0, "0"])
        row[2] = str(Decimal(row[2]) + hours)
    attempts: dict = defaultdict(list)
    for a in (
        Attempt.objects.filter(user_id__in=cadre_ids, state=AttemptState.FINISHED, score__isnull=False)
        .select_related(None)
        .only("user_id", "quiz_id", "number", "state", "score", "max_score", "finished_at")
        .annotate(method=F("quiz__grading_method"))
        .order_by("user_id", "quiz_id", "number")
    ):
        attempts[(a.user_id, a.quiz_id, a.method)].append(a)
    for (uid, quiz, method), items in attempts.items():
        grade = grade_from_attempts(method, items)
        if grade is None:
            continue
        year = timezone.localdate(max(a.finished_at for a in items)).year
        result[uid].quizzes[f"{quiz}:{year}"] = str(grade)
    return result


# --- writing ----------------------------------------------------------------------------------


def _upsert(model, keys: list[str], values: list[str], rows: list[tuple]) -> None:
    """Add each row's values to the counter row with its key, creating missing ones: set-based
    (INSERT … ON CONFLICT DO UPDATE SET v = v + excluded.v, PostgreSQL and SQLite alike), a few
    hundred keys per statement, in the given (sorted) order."""
    if not rows:
        return
    from django.db import connection

    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    columns = [model._meta.get_field(name).column for name in keys + values]
    key_columns = columns[: len(keys)]
    sets = ", ".join(f"{qn(c)} = {table}.{qn(c)} + excluded.{qn(c)}" for c in columns[len(keys) :])
    row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cur:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            cur.execute(
                f"INSERT INTO {table} ({', '.join(qn(c) for c in columns)}) VALUES "  # noqa: S608 - model names
                f"{', '.join([row_sql] * len(chunk))} "
                f"ON CONFLICT ({', '.join(qn(c) for c in key_columns)}) DO UPDATE SET {sets}",
                [v for row in chunk for v in row],
            )


def apply_deltas(deltas: Deltas) -> int:
    """Write the summed changes, in key order (a fixed lock order avoids deadlocks). Returns rows touched."""
    cadres, courses, quizzes, days = deltas.nonzero()
    _upsert(CadreCounter, ["org_unit", "rank"], ["cadres"], [(*k, n) for k, n in sorted(cadres.items())])
    _upsert(
        CourseCounter,
        ["org_unit", "year", "course", "due_date", "rank"],
        ["enrolled", "completed", "hours"],
        [(*k, *v) for k, v in sorted(courses.items())],
    )
    _upsert(
        QuizCounter,
        ["org_unit", "year", "quiz", "rank"],
        ["graded", "score_sum", *BANDS],
        [(*k, *v) for k, v in sorted(quizzes.items())],
    )
    _upsert(CompletionMonth, ["org_unit", "month"], ["completed"], [(*k, n) for k, n in sorted(days.items())])
    return len(cadres) + len(courses) + len(quizzes) + len(days)


def refresh_cadres(user_ids: Iterable[int]) -> int:
    """Bring the counters up to date for these users (any event that may have changed them). Returns rows touched."""
    ids = sorted({int(i) for i in user_ids if i is not None})
    touched = 0
    for i in range(0, len(ids), CHUNK):
        touched += _refresh_chunk(ids[i : i + CHUNK])
    return touched


@transaction.atomic
def _refresh_chunk(ids: list[int]) -> int:
    # Lock the snapshots first (creating empty ones for new users), then read the sources.
    CadreTally.objects.bulk_create([CadreTally(user_id=i, units=[], rank=0) for i in ids], ignore_conflicts=True)
    tallies = {t.user_id: t for t in CadreTally.objects.select_for_update().filter(user_id__in=ids).order_by("user_id")}
    new = compute_contributions(ids)
    deltas = Deltas()
    changed, gone = [], []
    for uid in ids:
        tally = tallies[uid]
        old = Contribution.from_tally(tally)
        now = new.get(uid)
        if old == now:
            continue
        deltas.add(old, -1)
        deltas.add(now, +1)
        if now is None:
            gone.append(uid)
        else:
            tally.units, tally.rank, tally.data = now.units, now.rank, now.as_data()
            changed.append(tally)
    touched = apply_deltas(deltas)
    if touched:
        # The trainers' dashboards show their scope's overdue work: theirs changed with these counters.
        from accounts.selectors import bump_trainers_of

        bump_trainers_of(unit_ids={key[0] for part in deltas.nonzero() for key in part})
    if changed:
        # The rows exist (locked above): an upsert writes them in one plain statement per chunk, where
        # bulk_update's CASE WHEN per field costs seconds per thousand rows (a roster import's batches).
        CadreTally.objects.bulk_create(
            changed,
            update_conflicts=True,
            unique_fields=["user_id"],
            update_fields=["units", "rank", "data"],
            batch_size=CHUNK,
        )
    # Users without a profile keep no snapshot (includes the empty ones created above).
    CadreTally.objects.filter(user_id__in=[uid for uid in ids if uid not in new]).delete()
    return touched


# --- rebuild and check ------------------------------------------------------------------------


def expected_totals(*, on_chunk=None) -> Deltas:
    """Every counter as the source rows say it should be, summed in memory chunk by chunk.

    ``on_chunk(contributions)`` sees each chunk's per-cadre contributions (the rebuild stores
    them as snapshots); they are not kept, so memory holds only the counter totals.
    """
    deltas = Deltas()
    user_ids = list(CadreProfile.objects.order_by("user_id").values_list("user_id", flat=True))
    for i in range(0, len(user_ids), 2000):
        chunk = compute_contributions(user_ids[i : i + 2000])
        for c in chunk.values():
            deltas.add(c, +1)
        if on_chunk is not None:
            on_chunk(chunk)
    return deltas


def stored_totals() -> Deltas:
    stored = Deltas()
    for unit, rank, n in CadreCounter.objects.values_list("org_unit_id", "rank", "cadres").iterator(chunk_size=5000):
        stored.cadres[(unit, rank)] = n
    for row in CourseCounter.objects.values_list(
        "org_unit_id", "year", "course_id", "due_date", "rank", "enrolled", "completed", "hours"
    ).iterator(chunk_size=5000):
        stored.courses[row[:5]] = [row[5], row[6], row[7]]
    for row in QuizCounter.objects.values_list(
        "org_unit_id", "year", "quiz_id", "rank", "graded", "score_sum", *BANDS
    ).iterator(chunk_size=5000):
        stored.quizzes[row[:4]] = list(row[4:])
    for unit, day, n in CompletionMonth.objects.values_list("org_unit_id", "month", "completed").iterator(
        chunk_size=5000
    ):
        stored.days[(unit, day)] = n
    return stored


def check() -> list[str]:
    """Mismatches between the stored counters and the source rows, as readable lines (empty when right)."""
    exp = expected_totals().nonzero()
    got = stored_totals().nonzero()
    problems = []
    for name, e, g in zip(("干部数", "课程", "测验", "每月完成"), exp, got, strict=True):
        for key in sorted(set(e) | set(g), key=str):
            ev, gv = e.get(key), g.get(key)
            if ev != gv:
                problems.append(f"{name} {key}: 应为 {ev}，实为 {gv}")
    return problems


@transaction.atomic
def rebuild(*, python: bool = False, timings: dict | None = None) -> int:
    """Recompute every counter and snapshot from the source rows. Returns the number of counter rows.

    On PostgreSQL this is set-based SQL (`reports.counters_sql`, minutes for a million cadres);
    elsewhere, or with `python=True`, the contributions are computed in Python chunk by chunk."""
    from django.db import connection

    if connection.vendor == "postgresql" and not python:
        from reports import counters_sql

        return counters_sql.rebuild(timings=timings)
    for model in (CadreCounter, CourseCounter, QuizCounter, CompletionMonth, CadreTally):
        model.objects.all().delete()
    batch = 5000

    def store_snapshots(chunk: dict[int, Contribution]) -> None:
        CadreTally.objects.bulk_create(
            [CadreTally(user_id=uid, units=c.units, rank=c.rank, data=c.as_data()) for uid, c in chunk.items()],
            batch_size=batch,
        )

    cadres, courses, quizzes, days = expected_totals(on_chunk=store_snapshots).nonzero()
    CadreCounter.objects.bulk_create(
        [CadreCounter(org_unit_id=u, rank=r, cadres=n) for (u, r), n in cadres.items()], batch_size=batch
    )
    CourseCounter.objects.bulk_create(
        (
            CourseCounter(
                org_unit_id=u, year=y, course_id=c, due_date=d, rank=r, enrolled=v[0], completed=v[1], hours=v[2]
            )
            for (u, y, c, d, r), v in courses.items()
        ),
        batch_size=batch,
    )
    QuizCounter.objects.bulk_create(
        (
            QuizCounter(
                org_unit_id=u,
                year=y,
                quiz_id=q,
                rank=r,
                graded=v[0],
                score_sum=v[1],
                **{b: v[2 + i] for i, b in enumerate(BANDS)},
            )
            for (u, y, q, r), v in quizzes.items()
        ),
        batch_size=batch,
    )
    CompletionMonth.objects.bulk_create(
        (CompletionMonth(org_unit_id=u, month=d, completed=n) for (u, d), n in days.items()), batch_size=batch
    )
    return len(cadres) + len(courses) + len(quizzes) + len(days)
