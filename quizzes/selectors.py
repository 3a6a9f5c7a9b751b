"""Reads: who may take which quiz, what an attempt may show, grades, grading queue, item analysis."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from accounts.selectors import cadres_visible_to, user_has_role
from quizzes.models import Attempt, AttemptSlot, AttemptState, GradingMethod, Quiz, ReviewOption


def quiz_is_open(quiz: Quiz, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return (quiz.open_at is None or quiz.open_at <= now) and (quiz.close_at is None or now < quiz.close_at)


def quiz_can_attempt(
    user, quiz: Quiz, *, now: datetime | None = None, attempts: list[Attempt] | None = None
) -> tuple[bool, str]:
    """Whether `user` may start a new attempt now, and if not, why (in Chinese).

    The one place for the access rule: today any signed-in cadre may take an open quiz;
    a course may later restrict this. `attempts`: the user's attempts at the quiz when the caller
    has already read them (the start does), to save the queries.
    """
    now = now or timezone.now()
    if not user or not user.is_authenticated:
        return False, _("请先登录。")
    if not user_has_role(user, roles.CADRE):
        return False, _("只有学员可以参加测验。")
    if quiz.open_at and now < quiz.open_at:
        return False, _("测验尚未开放（开放时间：%(t)s）。") % {
            "t": timezone.localtime(quiz.open_at).strftime("%Y-%m-%d %H:%M")
        }
    if quiz.close_at and now >= quiz.close_at:
        return False, _("测验已关闭。")
    if attempts is not None:
        finished = [a.finished_at for a in attempts if a.state != AttemptState.IN_PROGRESS]
        done_count, last_finished = len(finished), max((t for t in finished if t), default=None)
    else:
        done = Attempt.objects.filter(user=user, quiz=quiz).exclude(state=AttemptState.IN_PROGRESS)
        done_count = done.count() if quiz.max_attempts else 0
        last_finished = done.aggregate(t=Max("finished_at"))["t"] if quiz.attempt_delay_minutes else None
    if quiz.max_attempts and done_count >= quiz.max_attempts:
        return False, _("已达到最多作答次数（%(n)d 次）。") % {"n": quiz.max_attempts}
    if quiz.attempt_delay_minutes:
        last = last_finished
        if last and now < last + timedelta(minutes=quiz.attempt_delay_minutes):
            wait = last + timedelta(minutes=quiz.attempt_delay_minutes)
            return False, _("两次作答须间隔 %(m)d 分钟，请于 %(t)s 之后再试。") % {
                "m": quiz.attempt_delay_minutes,
                "t": timezone.localtime(wait).strftime("%H:%M"),
            }
    return True, ""


@dataclass(frozen=True)
class Review:
    show_score: bool
    show_answers: bool


def attempt_review(attempt: Attempt, *, now: datetime | None = None) -> Review:
    """What the cadre may see of a finished attempt under the quiz's review option."""
    if attempt.state == AttemptState.IN_PROGRESS:
        return Review(False, False)
    now = now or timezone.now()
    option = attempt.quiz.review
    if option == ReviewOption.FULL:
        return Review(True, True)
    if option == ReviewOption.SCORE:
        return Review(True, False)
    closed = attempt.quiz.close_at is not None and now >= attempt.quiz.close_at
    return Review(closed, closed)


def own_slot(user, *, attempt_id: int, question_id: int) -> AttemptSlot | None:
    """The slot of this question in the user's own attempt, with its attempt and question, in one query;
    None when the attempt is not theirs or has no such question (an answer save's only read)."""
    found = AttemptSlot.objects.select_related("attempt", "question").filter(
        attempt_id=attempt_id, attempt__user=user, question_id=question_id
    )[:1]
    return next(iter(found), None)


def attempts_for_user(user, quiz: Quiz) -> QuerySet[Attempt]:
    return Attempt.objects.filter(user=user, quiz=quiz).order_by("number")


def grade_from_attempts(method: str, attempts: list[Attempt]) -> Decimal | None:
    """The quiz grade (percent) from finished attempts, in number order, by the grading method."""
    percents = [a.percent for a in attempts if a.state == AttemptState.FINISHED and a.percent is not None]
    if not percents:
        return None
    if method == GradingMethod.HIGHEST:
        return max(percents)
    if method == GradingMethod.FIRST:
        return percents[0]
    if method == GradingMethod.LAST:
        return percents[-1]
    return (sum(percents) / len(percents)).quantize(Decimal("0.1"))


def quiz_grade_for_user(user, quiz: Quiz) -> Decimal | None:
    return grade_from_attempts(quiz.grading_method, list(attempts_for_user(user, quiz)))


def quiz_passed_by_user(user, quiz: Quiz) -> bool:
    grade = quiz_grade_for_user(user, quiz)
    return grade is not None and grade >= quiz.pass_percent


def grading_queue_for(user) -> QuerySet[AttemptSlot]:
    """Essay answers waiting for a mark, by cadres in the trainer's scope only."""
    visible_users = cadres_visible_to(user).values("user_id")
    return (
        AttemptSlot.objects.filter(
            attempt__state=AttemptState.NEEDS_GRADING, score__isnull=True, attempt__user_id__in=visible_users
        )
        .select_related("attempt__quiz", "attempt__user__cadre_profile__org_unit", "question")
        .order_by("attempt__finished_at", "position")
    )


def quiz_results_for(user, quiz: Quiz) -> list[dict]:
    """One row per cadre in scope who attempted the quiz: attempts, grade, passed."""
    profiles = {p.user_id: p for p in cadres_visible_to(user)}
    attempts = (
        Attempt.objects.filter(quiz=quiz, user_id__in=list(profiles))
        .select_related("user")
        .order_by("user_id", "number")
    )
    by_user: dict[int, list[Attempt]] = {}
    for a in attempts:
        by_user.setdefault(a.user_id, []).append(a)
    rows = []
    for uid, items in by_user.items():
        grade = grade_from_attempts(quiz.grading_method, items)
        rows.append(
            {
                "profile": profiles[uid],
                "attempts": items,
                "grade": grade,
                "passed": grade is not None and grade >= quiz.pass_percent,
                "pending": any(a.state == AttemptState.NEEDS_GRADING for a in items),
            }
        )
    rows.sort(key=lambda r: (r["profile"].org_unit.full_path, r["profile"].employee_no))
    return rows


def _pearson(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def item_analysis(user, quiz: Quiz) -> list[dict]:
    """Per question, over finished attempts by cadres in scope (first attempts only, as Moodle's default):

    facility = mean of (item score / item mark), in percent;
    discrimination = Pearson correlation between the item's score fraction and the score
    fraction of the rest of the test (total minus this item), in percent, as Moodle's
    discrimination index. None when fewer than two attempts or no variance.
    """
    visible_users = cadres_visible_to(user).values("user_id")
    attempts = list(
        Attempt.objects.filter(
            quiz=quiz, state=AttemptState.FINISHED, number=1, user_id__in=visible_users
        ).prefetch_related("slots__question")
    )
    per_question: dict[int, dict] = {}
    for attempt in attempts:
        slots = list(attempt.slots.all())
        total = sum((s.score or Decimal(0) for s in slots), Decimal(0))
        for slot in slots:
            entry = per_question.setdefault(slot.question_id, {"question": slot.question, "items": [], "rests": []})
            item = float((slot.score or 0) / slot.mark) if slot.mark else 0.0
            rest_max = attempt.max_score - slot.mark
            rest = float((total - (slot.score or 0)) / rest_max) if rest_max else 0.0
            entry["items"].append(item)
            entry["rests"].append(rest)
    rows = []
    for entry in per_question.values():
        items = entry["items"]
        disc = _pearson(items, entry["rests"])
        rows.append(
            {
                "question": entry["question"],
                "count": len(items),
                "facility": round(100 * sum(items) / len(items), 1) if items else None,
                "discrimination": round(100 * disc, 1) if disc is not None else None,
            }
        )
    rows.sort(key=lambda r: r["facility"] if r["facility"] is not None else 101)
    return rows


def quizzes_for_results(user) -> QuerySet[Quiz]:
    return Quiz.objects.all().order_by("title")


def attempts_in_progress(user):
    """The cadre's open attempts (one per quiz at most), newest first, for 继续答题 on the dashboard."""
    from django.db.models import Q
    from django.utils import timezone

    return (
        Attempt.objects.filter(user=user, state=AttemptState.IN_PROGRESS)
        .filter(Q(deadline__isnull=True) | Q(deadline__gt=timezone.now()))
        .select_related("quiz")
        .order_by("-started_at")
    )


# ---------------------------------------------------------------- what a start and an attempt page read
#
# At an exam's start every cadre draws from the same quiz and reads the same questions: both are
# computed once and kept in Django's cache, under the generation `quizbank` (bumped when any quiz,
# draw rule, question, option, accepted answer or category is saved or deleted, see quizzes.apps) —
# never stale, and nothing is written per cadre but the attempt and its slots.

BANK = "quizbank"


@dataclass(frozen=True)
class Draw:
    category_path: str
    pool: tuple[int, ...]  # question ids, ascending
    count: int
    mark: Decimal | None


@dataclass(frozen=True)
class QuizPlan:
    """What every attempt at a quiz draws from: fixed questions with their marks, the draw rules with
    their candidate pools, and each reachable question's type, default mark and option ids in order."""

    fixed: tuple[tuple[int, Decimal], ...]
    draws: tuple[Draw, ...]
    default_marks: dict[int, Decimal]
    qtypes: dict[int, str]
    choice_ids: dict[int, tuple[int, ...]]

    @property
    def question_count(self) -> int:
        return len(self.fixed) + sum(d.count for d in self.draws)


def _quiz_plan_compute(quiz_id: int) -> QuizPlan:
    from quizzes.models import Choice, Question, QuizQuestion, QuizRandomDraw

    fixed: list[tuple[int, Decimal]] = []
    seen: set[int] = set()
    marks: dict[int, Decimal] = {}
    qtypes: dict[int, str] = {}
    for question_id, mark, default_mark, qtype in (
        QuizQuestion.objects.filter(quiz_id=quiz_id)
        .order_by("sort_order", "pk")
        .values_list("question_id", "mark", "question__default_mark", "question__qtype")
    ):
        marks[question_id], qtypes[question_id] = default_mark, qtype
        if question_id not in seen:
            fixed.append((question_id, mark or default_mark))
            seen.add(question_id)
    draws = []
    for draw in QuizRandomDraw.objects.filter(quiz_id=quiz_id).select_related("category").order_by("sort_order", "pk"):
        if draw.include_subcategories:
            pool = Question.objects.filter(category__path__startswith=draw.category.path)
        else:
            pool = Question.objects.filter(category=draw.category)
        ids = []
        for pk, default_mark, qtype in pool.order_by("pk").values_list("pk", "default_mark", "qtype"):
            marks[pk], qtypes[pk] = default_mark, qtype
            ids.append(pk)
        draws.append(Draw(draw.category.full_path, tuple(ids), draw.count, draw.mark))
    choice_ids: dict[int, list[int]] = {}
    for question_id, pk in (
        Choice.objects.filter(question_id__in=list(qtypes))
        .order_by("sort_order", "pk")
        .values_list("question_id", "pk")
    ):
        choice_ids.setdefault(question_id, []).append(pk)
    return QuizPlan(
        fixed=tuple(fixed),
        draws=tuple(draws),
        default_marks=marks,
        qtypes=qtypes,
        choice_ids={k: tuple(v) for k, v in choice_ids.items()},
    )


def quiz_plan(quiz: Quiz) -> QuizPlan:
    """The quiz's plan from the cache (computed on a miss: three or four queries)."""
    from core import cache

    token = cache.generations(BANK)[BANK]
    return cache.data(("quizplan", quiz.pk, token), lambda: _quiz_plan_compute(quiz.pk))


@dataclass(frozen=True)
class QuestionView:
    """A question as an attempt shows it: stem and explanation as HTML, options as (id, text, correct)."""

    id: int
    qtype: str
    stem_html: str
    explanation_html: str
    choices: dict[int, tuple[str, bool]]
    accepted: tuple[str, ...]


def _question_views_compute(ids: list[int]) -> dict[int, QuestionView]:
    from django.utils.html import strip_tags
    from wagtail.rich_text import expand_db_html

    from quizzes.models import AcceptedAnswer, Choice, Question

    choices: dict[int, dict[int, tuple[str, bool]]] = {}
    for question_id, pk, text, is_correct in (
        Choice.objects.filter(question_id__in=ids)
        .order_by("sort_order", "pk")
        .values_list("question_id", "pk", "text", "is_correct")
    ):
        choices.setdefault(question_id, {})[pk] = (strip_tags(text), is_correct)
    accepted: dict[int, list[str]] = {}
    for question_id, text in (
        AcceptedAnswer.objects.filter(question_id__in=ids)
        .order_by("sort_order", "pk")
        .values_list("question_id", "text")
    ):
        accepted.setdefault(question_id, []).append(text)
    return {
        pk: QuestionView(
            id=pk,
            qtype=qtype,
            stem_html=expand_db_html(stem),
            explanation_html=expand_db_html(explanation) if explanation else "",
            choices=choices.get(pk, {}),
            accepted=tuple(accepted.get(pk, ())),
        )
        for pk, qtype, stem, explanation in Question.objects.filter(pk__in=ids)
        .order_by()
        .values_list("pk", "qtype", "stem", "explanation")
    }


def question_views(ids: list[int]) -> dict[int, QuestionView]:
    """The questions' views from the cache (one round trip), the missing ones computed in three queries.

    Keyed by the bank generation and by `global` and `media` (a stem's links and images are rendered
    into its HTML)."""
    from django.core.cache import cache as django_cache

    from core import cache

    tokens = cache.generations(BANK, cache.GLOBAL, cache.MEDIA)
    stamp = f"{tokens[BANK]}.{tokens[cache.GLOBAL]}.{tokens[cache.MEDIA]}"
    keys = {f"quizzes:qview:{stamp}:{pk}": pk for pk in ids}
    found = {keys[k]: v for k, v in django_cache.get_many(list(keys)).items()}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        computed = _question_views_compute(missing)
        django_cache.set_many({f"quizzes:qview:{stamp}:{pk}": view for pk, view in computed.items()})
        found.update(computed)
    return found
