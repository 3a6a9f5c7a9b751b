"""Writes: the question bank, and the attempt engine (start, save, submit, expire, grade).

Integrity rests on the database, not on Python checks:
- one attempt in progress per (user, quiz) and gap-free numbers: two unique constraints;
  a start that loses a race retries and returns the winner's attempt;
- submit and expiry begin with a conditional ``UPDATE … WHERE state='in_progress'``; only the
  caller whose update changed a row grades, every other caller reads that result;
- an answer save first bumps the attempt's sequence with a conditional UPDATE (which takes
  the attempt row lock, so it queues behind or ahead of a submit, never interleaves), then
  updates the slot only if the client's sequence is the current one.
"""

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from core import cache
from quizzes import scoring, selectors
from quizzes.models import (
    PATH_SEPARATOR,
    AcceptedAnswer,
    Attempt,
    AttemptSlot,
    AttemptState,
    Choice,
    Question,
    QuestionCategory,
    QuestionType,
    Quiz,
)
from quizzes.signals import attempt_graded

logger = logging.getLogger(__name__)

START_RETRIES = 10


class StaleAnswer(ValidationError):
    """The client saved with a sequence number that is no longer current (second tab, replay)."""

    def __init__(self, message: str, *, slot: AttemptSlot):
        super().__init__(message)
        self.slot = slot


class AttemptClosed(ValidationError):
    """The attempt no longer accepts answers (submitted or past its deadline)."""


# ---------------------------------------------------------------- categories


def _split_path(path: str) -> list[str]:
    return [p.strip() for p in (path or "").replace("\\", PATH_SEPARATOR).split(PATH_SEPARATOR) if p.strip()]


# Deeper trees than this do not fit the tree's path column (4 characters a level) nor make sense.
CATEGORY_MAX_DEPTH = 12
CATEGORY_FULL_PATH_MAX = 500
CATEGORY_NAME_MAX = 100


def category_path_problem(parts: list[str]) -> str | None:
    """Why a category path cannot be stored (too deep, too long, a name too long), or None."""
    if len(parts) > CATEGORY_MAX_DEPTH:
        return _("分类层级过深：最多 %(max)d 级，实际 %(n)d 级。") % {"max": CATEGORY_MAX_DEPTH, "n": len(parts)}
    if any(len(p) > CATEGORY_NAME_MAX for p in parts):
        return _("分类名称过长：每级最多 %(max)d 个字符。") % {"max": CATEGORY_NAME_MAX}
    if len(PATH_SEPARATOR.join(parts)) > CATEGORY_FULL_PATH_MAX:
        return _("分类路径过长：最多 %(max)d 个字符。") % {"max": CATEGORY_FULL_PATH_MAX}
    return None


def category_create(*, name: str, parent: QuestionCategory | None = None, description: str = "") -> QuestionCategory:
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("分类名称不能为空。"))
    if PATH_SEPARATOR in name:
        raise ValidationError(_("分类名称不能包含“/”。"))
    full_path = f"{parent.full_path}{PATH_SEPARATOR}{name}" if parent else name
    problem = category_path_problem(full_path.split(PATH_SEPARATOR))
    if problem:
        raise ValidationError(problem)
    if QuestionCategory.objects.filter(full_path=full_path).exists():
        raise ValidationError(_("已存在同名分类：%(path)s") % {"path": full_path})
    if parent is None:
        return QuestionCategory.add_root(name=name, full_path=full_path, description=description)
    parent.refresh_from_db()
    return parent.add_child(name=name, full_path=full_path, description=description)


@transaction.atomic
def category_update(
    *, category: QuestionCategory, name: str, parent: QuestionCategory | None, description: str = ""
) -> QuestionCategory:
    name = (name or "").strip()
    if not name or PATH_SEPARATOR in name:
        raise ValidationError(_("分类名称不能为空，也不能包含“/”。"))
    subtree_depth = max((c.depth for c in category.get_descendants()), default=category.depth) - category.depth
    problem = category_path_problem(
        (parent.full_path.split(PATH_SEPARATOR) if parent else []) + [name] + ["x"] * subtree_depth
    )
    if problem:
        raise ValidationError(problem)
    if parent is not None and (parent.pk == category.pk or parent.path.startswith(category.path)):
        raise ValidationError(_("不能把分类移到它自己或它的下级分类之下。"))
    new_full_path = f"{parent.full_path}{PATH_SEPARATOR}{name}" if parent else name
    if QuestionCategory.objects.filter(full_path=new_full_path).exclude(pk=category.pk).exists():
        raise ValidationError(_("已存在同名分类：%(path)s") % {"path": new_full_path})
    current_parent = category.get_parent()
    if (current_parent.pk if current_parent else None) != (parent.pk if parent else None):
        if parent is None:
            category.move(QuestionCategory.get_last_root_node(), "last-sibling")
        else:
            category.move(parent, "last-child")
        category.refresh_from_db()
    old_full_path = category.full_path
    category.name = name
    category.description = description
    category.full_path = new_full_path
    category.save(update_fields=["name", "full_path", "description"])
    if old_full_path != new_full_path:
        for child in category.get_descendants():
            child.full_path = new_full_path + child.full_path[len(old_full_path) :]
            child.save(update_fields=["full_path"])
    return category


def category_get_or_create_by_path(path: str, *, created: list[str] | None = None) -> QuestionCategory:
    """The category at a "/" path, creating missing levels (listed in `created`)."""
    parts = _split_path(path)
    if not parts:
        raise ValidationError(_("分类路径为空。"))
    problem = category_path_problem(parts)
    if problem:
        raise ValidationError(problem)
    parent = None
    for depth in range(1, len(parts) + 1):
        full_path = PATH_SEPARATOR.join(parts[:depth])
        category = QuestionCategory.objects.filter(full_path=full_path).first()
        if category is None:
            category = category_create(name=parts[depth - 1], parent=parent)
            if created is not None:
                created.append(full_path)
        parent = category
    return parent


# ---------------------------------------------------------------- questions


@dataclass
class ChoiceData:
    text: str
    is_correct: bool
    fraction: Decimal | None = None


def question_check(*, qtype: str, choices: list[ChoiceData], accepted: list[str]) -> None:
    """The rules a question's options must follow, per type; raises ValidationError in Chinese."""
    correct = sum(1 for c in choices if c.is_correct)
    if qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE) and len(choices) < 2:
        raise ValidationError(_("选择题至少需要两个选项。"))
    if any(not (c.text or "").strip() for c in choices):
        raise ValidationError(_("选项内容不能为空。"))
    if qtype == QuestionType.SINGLE and correct != 1:
        raise ValidationError(_("单选题必须恰好有一个正确选项（当前 %(n)d 个）。") % {"n": correct})
    if qtype == QuestionType.MULTIPLE and correct < 1:
        raise ValidationError(_("多选题至少要有一个正确选项。"))
    if qtype == QuestionType.TRUE_FALSE and (len(choices) != 2 or correct != 1):
        raise ValidationError(_("判断题必须有“正确”“错误”两个选项，其中一个为正确答案。"))
    if qtype == QuestionType.FILL_BLANK and not [a for a in accepted if a.strip()]:
        raise ValidationError(_("填空题至少需要一个参考答案。"))
    if qtype in (QuestionType.FILL_BLANK, QuestionType.ESSAY) and choices:
        raise ValidationError(_("填空题和简答题不设选项。"))
    if qtype != QuestionType.FILL_BLANK and [a for a in accepted if a.strip()]:
        raise ValidationError(_("只有填空题可以设置参考答案。"))
    for c in choices:
        if c.fraction is not None and not (Decimal(-1) <= c.fraction <= Decimal(1)):
            raise ValidationError(_("选项得分比例必须在 -1 到 1 之间。"))


def truefalse_choices(correct: bool) -> list[ChoiceData]:
    return [ChoiceData(_("正确"), correct), ChoiceData(_("错误"), not correct)]


@transaction.atomic
def question_create(
    *,
    category: QuestionCategory,
    qtype: str,
    stem: str,
    choices: list[ChoiceData] | None = None,
    accepted: list[str] | None = None,
    explanation: str = "",
    default_mark: Decimal = Decimal("1"),
    partial_credit: bool = False,
    name: str = "",
    tags: list[str] | None = None,
    source_id: str = "",
) -> Question:
    choices = choices or []
    accepted = [a.strip() for a in (accepted or []) if a.strip()]
    question_check(qtype=qtype, choices=choices, accepted=accepted)
    question = Question(
        category=category,
        qtype=qtype,
        stem=stem,
        explanation=explanation,
        default_mark=Decimal(default_mark),
        partial_credit=partial_credit,
        name=name[:255],
        source_id=source_id[:255],
    )
    question.full_clean()
    question.save()
    for i, c in enumerate(choices):
        Choice.objects.create(
            question=question, sort_order=i, text=c.text, is_correct=c.is_correct, fraction=c.fraction
        )
    for i, text in enumerate(accepted):
        AcceptedAnswer.objects.create(question=question, sort_order=i, text=text[:255])
    if tags:
        question.tags.add(*tags)
        question.save()
    return question


# ---------------------------------------------------------------- attempts


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _layout(plan: selectors.QuizPlan, *, shuffle_questions: bool, shuffle_choices: bool, rng: random.Random):
    """The attempt's questions (ids), marks and option order, decided once at the start from the quiz's plan."""
    picked: list[tuple[int, Decimal]] = list(plan.fixed)
    seen = {qid for qid, _m in picked}
    for draw in plan.draws:
        candidates = [qid for qid in draw.pool if qid not in seen]
        if len(candidates) < draw.count:
            raise ValidationError(
                _("题库不足：分类“%(cat)s”只有 %(have)d 道可抽的题，需要 %(need)d 道。")
                % {"cat": draw.category_path, "have": len(candidates), "need": draw.count}
            )
        for qid in rng.sample(candidates, draw.count):
            picked.append((qid, draw.mark or plan.default_marks[qid]))
            seen.add(qid)
    if not picked:
        raise ValidationError(_("该测验还没有题目。"))
    if shuffle_questions:
        rng.shuffle(picked)
    layout = []
    for qid, mark in picked:
        order = list(plan.choice_ids.get(qid, ()))
        if shuffle_choices and plan.qtypes[qid] in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            rng.shuffle(order)
        layout.append((qid, mark, order))
    return layout


def attempt_start(*, user, quiz: Quiz, now: datetime | None = None) -> Attempt:
    """The user's attempt in progress at this quiz, or a new one if they may start one.

    A new start costs one read of the user's attempts at the quiz, the attempt's INSERT and one INSERT
    of all its slots; what it draws from (`selectors.quiz_plan`) comes from the cache.
    """
    for _try in range(START_RETRIES):
        current = now or timezone.now()
        try:
            with transaction.atomic():
                # Inside the transaction: on SQLite (IMMEDIATE) this is serialised with every other
                # writer; on PostgreSQL a racing insert hits the unique constraints.
                mine = list(Attempt.objects.filter(user=user, quiz=quiz).select_related("quiz"))
                existing = next((a for a in mine if a.state == AttemptState.IN_PROGRESS), None)
                if existing is None:
                    return _attempt_create(user=user, quiz=quiz, attempts=mine, now=current)
        except IntegrityError:
            # Another request started an attempt at the same moment; return that one.
            continue
        existing = attempt_finish_if_overdue(attempt=existing, now=current)
        if existing.state == AttemptState.IN_PROGRESS:
            return existing
    raise ValidationError(_("系统繁忙，请稍后重试。"))


def _attempt_create(*, user, quiz: Quiz, attempts: list[Attempt], now: datetime) -> Attempt:
    allowed, reason = selectors.quiz_can_attempt(user, quiz, now=now, attempts=attempts)
    if not allowed:
        raise PermissionDenied(reason)
    deadline = None
    if quiz.time_limit_minutes:
        deadline = now + timedelta(minutes=quiz.time_limit_minutes)
    if quiz.close_at and (deadline is None or quiz.close_at < deadline):
        deadline = quiz.close_at
    layout = _layout(
        selectors.quiz_plan(quiz),
        shuffle_questions=quiz.shuffle_questions,
        shuffle_choices=quiz.shuffle_choices,
        rng=random.Random(),  # noqa: S311 - shuffling, not security
    )
    attempt = Attempt.objects.create(
        quiz=quiz,
        user=user,
        number=max((a.number for a in attempts), default=0) + 1,
        started_at=now,
        deadline=deadline,
        max_score=sum((mark for _q, mark, _o in layout), Decimal("0")),
    )
    AttemptSlot.objects.bulk_create(
        AttemptSlot(attempt=attempt, position=i + 1, question_id=qid, mark=mark, choice_order=order)
        for i, (qid, mark, order) in enumerate(layout)
    )
    if attempt.deadline:
        from quizzes.tasks import schedule_close

        transaction.on_commit(lambda attempt=attempt: schedule_close(attempt))
    return attempt


def _clean_answer(slot: AttemptSlot, answer):
    """The answer in its stored form, or ValidationError if it does not fit the question."""
    qtype = slot.question.qtype
    if answer is None or answer == "" or answer == []:
        return None
    if qtype in (QuestionType.SINGLE, QuestionType.TRUE_FALSE):
        if isinstance(answer, list) and len(answer) == 1:
            answer = answer[0]
        if (
            isinstance(answer, bool)
            or not isinstance(answer, int | str)
            or str(answer) not in {str(c) for c in slot.choice_order}
        ):
            raise ValidationError(_("所选选项不属于本题。"))
        return int(answer)
    if qtype == QuestionType.MULTIPLE:
        if not isinstance(answer, list):
            raise ValidationError(_("多选题的答案应为选项列表。"))
        valid = {str(c): c for c in slot.choice_order}
        if any(isinstance(a, bool) or not isinstance(a, int | str) or str(a) not in valid for a in answer):
            raise ValidationError(_("所选选项不属于本题。"))
        return sorted({valid[str(a)] for a in answer})
    if not isinstance(answer, str):
        raise ValidationError(_("答案应为文字。"))
    limit = 255 if qtype == QuestionType.FILL_BLANK else 20000
    if len(answer) > limit:
        raise ValidationError(_("答案过长（上限 %(n)d 字）。") % {"n": limit})
    return answer


def attempt_save_answer(
    *,
    attempt: Attempt,
    question: Question | int,
    answer,
    sequence: int,
    now: datetime | None = None,
    slot: AttemptSlot | None = None,
) -> AttemptSlot:
    """Save one answer if `sequence` is the one the slot has now; returns the slot with its new sequence.

    `slot`, when the caller has read it already (with its question: `selectors.own_slot`), saves a read.
    """
    current = _now(now)
    attempt = attempt_finish_if_overdue(attempt=attempt, now=current)
    if attempt.state != AttemptState.IN_PROGRESS:
        raise AttemptClosed(_("本次作答已结束，不能再保存答案。"))
    question_id = question if isinstance(question, int) else question.pk
    if slot is None or slot.attempt_id != attempt.pk or slot.question_id != question_id:
        slot = AttemptSlot.objects.select_related("question").filter(attempt=attempt, question_id=question_id).first()
    if slot is None:
        raise ValidationError(_("本次作答中没有这道题。"))
    value = _clean_answer(slot, answer)
    with transaction.atomic():
        open_attempt = Attempt.objects.filter(pk=attempt.pk, state=AttemptState.IN_PROGRESS).filter(
            Q(deadline__isnull=True) | Q(deadline__gt=current)
        )
        if not open_attempt.update(sequence=F("sequence") + 1):
            raise AttemptClosed(_("本次作答已结束，不能再保存答案。"))
        saved = AttemptSlot.objects.filter(pk=slot.pk, sequence=sequence).update(
            answer=value, sequence=F("sequence") + 1, answered_at=current
        )
        if not saved:
            # Undo the attempt's sequence bump; the newest answer stays as it is.
            transaction.set_rollback(True)
    if not saved:
        slot.refresh_from_db()  # the newest answer, for the page to offer
        raise StaleAnswer(_("答案已在其他页面或更早的请求中更新，本次保存被拒绝；已保留最新答案。"), slot=slot)
    # Saved: the row holds exactly what this UPDATE wrote (no second read).
    slot.answer, slot.sequence, slot.answered_at = value, sequence + 1, current
    return slot


def _slot_fraction(slot: AttemptSlot) -> Decimal | None:
    """Fraction of the mark earned, or None when a trainer must grade it."""
    question = slot.question
    if question.qtype == QuestionType.ESSAY:
        return Decimal("0") if not (slot.answer or "").strip() else None
    if question.qtype == QuestionType.FILL_BLANK:
        return scoring.fraction_blank([a.text for a in question.accepted_answers.all()], slot.answer)
    specs = [scoring.ChoiceSpec(c.pk, c.is_correct, c.fraction) for c in question.choices.all()]
    if question.qtype == QuestionType.MULTIPLE:
        return scoring.fraction_multiple(specs, set(slot.answer or []), partial=question.partial_credit)
    return scoring.fraction_single(specs, slot.answer)


def _passed(quiz: Quiz, score: Decimal, max_score: Decimal) -> bool:
    if not max_score:
        return True
    return score * 100 >= quiz.pass_percent * max_score


def _announce(attempt: Attempt) -> None:
    transaction.on_commit(
        lambda: attempt_graded.send(
            sender=Attempt, attempt=attempt, user=attempt.user, quiz=attempt.quiz, passed=bool(attempt.passed)
        )
    )


def _finish(*, attempt_id: int, finished_at: datetime, by_deadline: bool) -> tuple[Attempt, bool]:
    """Close and grade an attempt once. Returns (attempt, whether this call did it)."""
    with transaction.atomic():
        # First statement: only one caller changes the row; the others wait for its commit.
        won = Attempt.objects.filter(pk=attempt_id, state=AttemptState.IN_PROGRESS).update(
            state=AttemptState.NEEDS_GRADING, finished_at=finished_at, finished_by_deadline=by_deadline
        )
        attempt = Attempt.objects.select_related("quiz", "user").get(pk=attempt_id)
        if not won:
            return attempt, False
        slots = list(
            attempt.slots.select_related("question").prefetch_related("question__choices", "question__accepted_answers")
        )
        pending = False
        for slot in slots:
            fraction = _slot_fraction(slot)
            if fraction is None:
                pending = True
                slot.score = None
            else:
                slot.score = scoring.points(slot.mark, fraction)
        _store_scores(slots)
        if not pending:
            _complete(attempt, slots)
        # The dashboard's 继续答题 entry goes (update() sends no signal); essays wait for the trainers.
        cache.bump_users([attempt.user_id])
        if pending:
            account_selectors.bump_trainers_of(user_ids=[attempt.user_id])
        return attempt, True


def _store_scores(slots: list[AttemptSlot]) -> None:
    """Write the slots' scores at the finish: one UPDATE per distinct score (a few: 0, full marks, partial
    credit), which costs far less to build than bulk_update's CASE over every slot. An unfinished attempt's
    slots have no score yet, so the essays waiting for a trainer need no write."""
    by_score: dict[Decimal, list[int]] = {}
    for slot in slots:
        if slot.score is not None:
            by_score.setdefault(slot.score, []).append(slot.pk)
    for score, pks in by_score.items():
        AttemptSlot.objects.filter(pk__in=pks).update(score=score)


def _complete(attempt: Attempt, slots: list[AttemptSlot]) -> None:
    attempt.score = min(attempt.max_score, sum((s.score or Decimal("0") for s in slots), Decimal("0")))
    attempt.passed = _passed(attempt.quiz, attempt.score, attempt.max_score)
    attempt.state = AttemptState.FINISHED
    attempt.save(update_fields=["score", "passed", "state"])
    _announce(attempt)


def attempt_submit(*, attempt: Attempt, now: datetime | None = None) -> Attempt:
    """Submit: idempotent, every caller gets the same graded attempt. Late submits close at the deadline."""
    current = _now(now)
    if attempt.deadline and current >= attempt.deadline:
        result, _did = _finish(attempt_id=attempt.pk, finished_at=attempt.deadline, by_deadline=True)
    else:
        result, _did = _finish(attempt_id=attempt.pk, finished_at=current, by_deadline=False)
    return result


def attempt_finish_if_overdue(*, attempt: Attempt, now: datetime | None = None) -> Attempt:
    """Finish an attempt past its deadline with the answers saved so far; otherwise return it unchanged."""
    current = _now(now)
    if attempt.state == AttemptState.IN_PROGRESS and attempt.deadline and current >= attempt.deadline:
        result, _did = _finish(attempt_id=attempt.pk, finished_at=attempt.deadline, by_deadline=True)
        return result
    return attempt


def attempts_close_overdue(*, now: datetime | None = None) -> int:
    """Finish every attempt whose deadline has passed; returns how many this call finished."""
    current = _now(now)
    count = 0
    overdue = Attempt.objects.filter(state=AttemptState.IN_PROGRESS, deadline__lte=current).values_list(
        "pk", "deadline"
    )
    for pk, deadline in list(overdue):
        _attempt, did = _finish(attempt_id=pk, finished_at=deadline, by_deadline=True)
        count += did
    return count


def slot_grade(
    *, slot: AttemptSlot, grader, score: Decimal, feedback: str = "", now: datetime | None = None
) -> AttemptSlot:
    """A trainer marks an essay answer; the last one completes the attempt and announces it."""
    from accounts.selectors import can_view_cadre

    if not grader.has_perm("quizzes.grade_attempts"):
        raise PermissionDenied(_("您没有批改权限。"))
    attempt = slot.attempt
    if not can_view_cadre(grader, attempt.user) or grader.pk == attempt.user_id:
        raise PermissionDenied(_("该学员不在您的管理范围内。"))
    try:
        score = Decimal(str(score))
    except ArithmeticError as exc:
        raise ValidationError(_("分数格式不正确。")) from exc
    if not (Decimal("0") <= score <= slot.mark):
        raise ValidationError(_("分数必须在 0 到 %(mark)s 之间。") % {"mark": slot.mark})
    if slot.question.qtype != QuestionType.ESSAY:
        raise ValidationError(_("只有简答题需要人工批改。"))
    with transaction.atomic():
        updated = AttemptSlot.objects.filter(pk=slot.pk, attempt__state=AttemptState.NEEDS_GRADING).update(
            score=score.quantize(Decimal("0.01")), feedback=feedback, graded_by=grader, graded_at=_now(now)
        )
        if not updated:
            raise ValidationError(_("该作答已完成批改，不能再修改。"))
        slots = list(attempt.slots.all())
        done = all(s.score is not None for s in slots)
        if done and Attempt.objects.filter(pk=attempt.pk, state=AttemptState.NEEDS_GRADING).update(
            state=AttemptState.FINISHED
        ):
            attempt = Attempt.objects.select_related("quiz", "user").get(pk=attempt.pk)
            _complete(attempt, slots)
            account_selectors.bump_trainers_of(user_ids=[attempt.user_id])  # one essay fewer to grade
        from audit.models import Action
        from audit.services import audit_record

        audit_record(
            action=Action.GRADE_CHANGE,
            actor=grader,
            target=attempt.user,
            detail={"attempt": attempt.pk, "slot": slot.pk, "score": str(score.quantize(Decimal("0.01")))},
        )
    slot.refresh_from_db()
    return slot
