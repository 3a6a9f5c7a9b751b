"""attempt_start / attempt_save_answer / attempt_submit / expiry / essay grading, directly on the services."""

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts import roles
from accounts.factories import cadre, staff, trainer
from quizzes import factories as qf
from quizzes import selectors, services
from quizzes.models import Attempt, AttemptState, GradingMethod, ReviewOption
from quizzes.permissions import grant_role_permissions
from quizzes.signals import attempt_graded

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def bank():
    cat = qf.category("党纪/八项规定")
    return {
        "single": qf.single(cat),
        "multi": qf.multiple(cat),
        "tf": qf.truefalse(cat, answer=False),
        "blank": qf.blank(cat, accepted=["三重一大", "ＡＢＣ"]),
    }


def correct_ids(question):
    return [c.pk for c in question.choices.all() if c.is_correct]


def answer_all(attempt, bank, right=True):
    for key, question in bank.items():
        if key == "blank":
            value = " abc " if right else "错"
        elif key == "multi":
            value = correct_ids(question) if right else correct_ids(question)[:1]
        else:
            ids = correct_ids(question)
            value = ids[0] if right else next(c.pk for c in question.choices.all() if not c.is_correct)
        slot = attempt.slots.get(question=question)
        services.attempt_save_answer(attempt=attempt, question=question, answer=value, sequence=slot.sequence)


def test_start_resumes_the_attempt_in_progress(bank):
    user = cadre()
    quiz = qf.quiz(*bank.values())
    first = services.attempt_start(user=user, quiz=quiz)
    again = services.attempt_start(user=user, quiz=quiz)
    assert first.pk == again.pk and first.number == 1
    assert first.max_score == Decimal("5")
    assert first.slots.count() == 4


def test_full_marks_and_signal(bank):
    user = cadre()
    quiz = qf.quiz(*bank.values(), pass_percent=Decimal("80"))
    attempt = services.attempt_start(user=user, quiz=quiz)
    answer_all(attempt, bank, right=True)
    received = []
    attempt_graded.connect(lambda **kw: received.append(kw), weak=False, dispatch_uid="t1")
    try:
        with mock.patch("django.db.transaction.on_commit", side_effect=lambda fn, *a, **k: fn()):
            result = services.attempt_submit(attempt=attempt)
    finally:
        attempt_graded.disconnect(dispatch_uid="t1")
    assert result.state == AttemptState.FINISHED
    assert result.score == Decimal("5") and result.passed is True
    assert len(received) == 1 and received[0]["passed"] is True and received[0]["quiz"] == quiz
    # Submitting again changes nothing and announces nothing.
    again = services.attempt_submit(attempt=attempt)
    assert (again.score, again.state, again.finished_at) == (result.score, result.state, result.finished_at)


def test_wrong_answers_fail(bank):
    user = cadre()
    quiz = qf.quiz(*bank.values())
    attempt = services.attempt_start(user=user, quiz=quiz)
    answer_all(attempt, bank, right=False)
    result = services.attempt_submit(attempt=attempt)
    assert result.score == Decimal("0") and result.passed is False


def test_stale_and_replayed_saves_are_rejected(bank):
    user = cadre()
    quiz = qf.quiz(bank["single"])
    attempt = services.attempt_start(user=user, quiz=quiz)
    ids = [c.pk for c in bank["single"].choices.all()]
    slot = services.attempt_save_answer(attempt=attempt, question=bank["single"], answer=ids[0], sequence=0)
    assert slot.sequence == 1
    newer = services.attempt_save_answer(attempt=attempt, question=bank["single"], answer=ids[1], sequence=1)
    assert newer.sequence == 2
    with pytest.raises(services.StaleAnswer) as exc:  # the old tab, still at sequence 1
        services.attempt_save_answer(attempt=attempt, question=bank["single"], answer=ids[2], sequence=1)
    assert exc.value.slot.answer == ids[1]
    with pytest.raises(services.StaleAnswer):  # replay of the very first request
        services.attempt_save_answer(attempt=attempt, question=bank["single"], answer=ids[0], sequence=0)
    assert attempt.slots.get().answer == ids[1]


def test_answers_that_do_not_fit_are_refused(bank):
    user = cadre()
    quiz = qf.quiz(bank["single"], bank["multi"])
    attempt = services.attempt_start(user=user, quiz=quiz)
    other = qf.single(qf.category("别处"))
    with pytest.raises(ValidationError):
        services.attempt_save_answer(
            attempt=attempt, question=bank["single"], answer=other.choices.first().pk, sequence=0
        )
    with pytest.raises(ValidationError):
        services.attempt_save_answer(attempt=attempt, question=bank["multi"], answer="x", sequence=0)
    with pytest.raises(ValidationError):
        services.attempt_save_answer(attempt=attempt, question=other, answer=1, sequence=0)


def test_expiry_with_frozen_clock_keeps_saved_answers(bank):
    user = cadre()
    quiz = qf.quiz(bank["single"], bank["tf"], time_limit_minutes=10)
    start = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=start):
        attempt = services.attempt_start(user=user, quiz=quiz)
    assert attempt.deadline == start + timedelta(minutes=10)
    with mock.patch("django.utils.timezone.now", return_value=start + timedelta(minutes=9, seconds=59)):
        services.attempt_save_answer(
            attempt=attempt, question=bank["single"], answer=correct_ids(bank["single"])[0], sequence=0
        )
    with mock.patch("django.utils.timezone.now", return_value=start + timedelta(minutes=10)):
        with pytest.raises(services.AttemptClosed):
            services.attempt_save_answer(
                attempt=attempt, question=bank["tf"], answer=correct_ids(bank["tf"])[0], sequence=0
            )
        attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED
    assert attempt.finished_at == attempt.deadline and attempt.finished_by_deadline
    assert attempt.score == Decimal("1")
    assert attempt.slots.get(question=bank["tf"]).answer is None


def test_close_overdue_task_and_command(bank):
    from django.core.management import call_command

    user, other = cadre(), cadre()
    quiz = qf.quiz(bank["single"], time_limit_minutes=5)
    a = services.attempt_start(user=user, quiz=quiz)
    b = services.attempt_start(user=other, quiz=quiz)
    Attempt.objects.filter(pk=a.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    from quizzes.tasks import close_overdue_attempts

    close_overdue_attempts.enqueue()
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.state == AttemptState.FINISHED and b.state == AttemptState.IN_PROGRESS
    Attempt.objects.filter(pk=b.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    call_command("close_overdue_attempts")
    b.refresh_from_db()
    assert b.state == AttemptState.FINISHED


def test_quiz_window_attempts_and_delay(bank):
    user = cadre()
    now = timezone.now()
    closed = qf.quiz(bank["single"], title="关", open_at=now - timedelta(days=2), close_at=now - timedelta(days=1))
    with pytest.raises(PermissionDenied):
        services.attempt_start(user=user, quiz=closed)
    later = qf.quiz(bank["single"], title="未开", open_at=now + timedelta(days=1))
    assert selectors.quiz_can_attempt(user, later)[0] is False
    limited = qf.quiz(bank["single"], title="限次", max_attempts=2, attempt_delay_minutes=30)
    first = services.attempt_start(user=user, quiz=limited)
    services.attempt_submit(attempt=first)
    ok, reason = selectors.quiz_can_attempt(user, limited)
    assert not ok and "30" in reason
    with mock.patch("django.utils.timezone.now", return_value=now + timedelta(minutes=31)):
        second = services.attempt_start(user=user, quiz=limited)
        assert second.number == 2
        services.attempt_submit(attempt=second)
    with mock.patch("django.utils.timezone.now", return_value=now + timedelta(hours=2)):
        assert "最多" in selectors.quiz_can_attempt(user, limited)[1]
    assert selectors.quiz_can_attempt(staff(roles.EDITOR), limited)[0] is False


def test_deadline_capped_by_close_time(bank):
    now = timezone.now()
    quiz = qf.quiz(bank["single"], time_limit_minutes=60, close_at=now + timedelta(minutes=5))
    attempt = services.attempt_start(user=cadre(), quiz=quiz)
    assert attempt.deadline <= now + timedelta(minutes=5)


def test_essay_needs_grading_by_trainer_in_scope(bank):
    grant_role_permissions()
    user = cadre(unit="某省/甲市/东山县/教育局")
    essay = qf.essay(mark="4")
    quiz = qf.quiz(bank["single"], essay, pass_percent=Decimal("50"))
    attempt = services.attempt_start(user=user, quiz=quiz)
    services.attempt_save_answer(
        attempt=attempt, question=bank["single"], answer=correct_ids(bank["single"])[0], sequence=0
    )
    services.attempt_save_answer(attempt=attempt, question=essay, answer="要把权力关进制度的笼子里。", sequence=0)
    result = services.attempt_submit(attempt=attempt)
    assert result.state == AttemptState.NEEDS_GRADING and result.score is None
    slot = result.slots.get(question=essay)
    outsider = trainer("某省/乙市")
    assert not selectors.grading_queue_for(outsider).exists()
    with pytest.raises(PermissionDenied):
        services.slot_grade(slot=slot, grader=outsider, score=Decimal("3"))
    inside = trainer("某省/甲市")
    assert list(selectors.grading_queue_for(inside)) == [slot]
    with pytest.raises(ValidationError):
        services.slot_grade(slot=slot, grader=inside, score=Decimal("5"))
    services.slot_grade(slot=slot, grader=inside, score=Decimal("1.5"), feedback="可再具体些")
    result.refresh_from_db()
    assert result.state == AttemptState.FINISHED and result.score == Decimal("2.5") and result.passed is True
    assert not selectors.grading_queue_for(inside).exists()


def test_blank_essay_scores_zero_without_trainer(bank):
    quiz = qf.quiz(bank["single"], qf.essay())
    attempt = services.attempt_start(user=cadre(), quiz=quiz)
    assert services.attempt_submit(attempt=attempt).state == AttemptState.FINISHED


def test_random_draws_freeze_layout_and_shuffle(bank):
    cat = qf.category("随机/子类")
    drawn = [qf.single(cat, stem=f"题{i}") for i in range(6)]
    parent = qf.category("随机")
    quiz = qf.quiz(bank["single"], shuffle_questions=True, shuffle_choices=True)
    quiz.random_draws.create(category=parent, count=3, include_subcategories=True)
    quiz.save()  # a cluster's children reach the database (and every start) when the quiz is saved
    attempt = services.attempt_start(user=cadre(), quiz=quiz)
    slots = list(attempt.slots.all())
    assert len(slots) == 4
    assert {s.question_id for s in slots} - {bank["single"].pk} <= {q.pk for q in drawn}
    layout = [(s.question_id, s.choice_order) for s in slots]
    again = services.attempt_start(user=attempt.user, quiz=quiz)
    assert [(s.question_id, s.choice_order) for s in again.slots.all()] == layout
    quiz.random_draws.create(category=parent, count=10, include_subcategories=False)
    quiz.save()
    with pytest.raises(ValidationError):
        services.attempt_start(user=cadre(), quiz=quiz)


def test_grading_methods():
    quiz = qf.quiz(qf.single(), grading_method=GradingMethod.HIGHEST)
    user = cadre()
    scores = []
    for right in (False, True, False):
        attempt = services.attempt_start(user=user, quiz=quiz)
        if right:
            q = attempt.slots.get().question
            services.attempt_save_answer(attempt=attempt, question=q, answer=correct_ids(q)[0], sequence=0)
        scores.append(services.attempt_submit(attempt=attempt).percent)
    attempts = list(selectors.attempts_for_user(user, quiz))
    assert selectors.grade_from_attempts(GradingMethod.HIGHEST, attempts) == Decimal("100")
    assert selectors.grade_from_attempts(GradingMethod.FIRST, attempts) == Decimal("0")
    assert selectors.grade_from_attempts(GradingMethod.LAST, attempts) == Decimal("0")
    assert selectors.grade_from_attempts(GradingMethod.AVERAGE, attempts) == Decimal("33.3")
    assert selectors.quiz_passed_by_user(user, quiz)


def test_review_options(bank):
    now = timezone.now()
    quiz = qf.quiz(bank["single"], review=ReviewOption.AFTER_CLOSE, close_at=now + timedelta(days=1))
    attempt = services.attempt_submit(attempt=services.attempt_start(user=cadre(), quiz=quiz))
    assert selectors.attempt_review(attempt, now=now) == selectors.Review(False, False)
    assert selectors.attempt_review(attempt, now=now + timedelta(days=2)) == selectors.Review(True, True)
    attempt.quiz.review = ReviewOption.SCORE
    assert selectors.attempt_review(attempt, now=now) == selectors.Review(True, False)


def test_timed_attempt_schedules_its_close_when_the_backend_can_defer(bank):
    from quizzes import tasks

    quiz = qf.quiz(bank["single"], time_limit_minutes=5)
    with (
        mock.patch("quizzes.tasks.close_attempt_at_deadline") as fake,
        mock.patch("django.db.transaction.on_commit", side_effect=lambda fn, *a, **k: fn()),
    ):
        fake.get_backend.return_value.supports_defer = True
        attempt = services.attempt_start(user=cadre(), quiz=quiz)
    using = fake.using
    using.assert_called_once_with(run_after=attempt.deadline)
    using.return_value.enqueue.assert_called_once_with(attempt.pk)
    # The immediate backend used in tests cannot defer: nothing is enqueued, nothing fails.
    assert services.attempt_start(user=cadre(), quiz=quiz).state == AttemptState.IN_PROGRESS
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    assert tasks.close_attempt_at_deadline.enqueue(attempt.pk).return_value is True


def test_each_slot_keeps_its_own_score_after_the_finish(bank):
    """The finish writes one UPDATE per distinct score: every slot must still end with its own."""
    essay = qf.essay(mark="4")
    quiz = qf.quiz(*bank.values(), essay)
    attempt = services.attempt_start(user=cadre(), quiz=quiz)
    single, multi, tf = bank["single"], bank["multi"], bank["tf"]
    wrong_single = next(c.pk for c in single.choices.all() if not c.is_correct)
    saves = {single: wrong_single, multi: correct_ids(multi), tf: correct_ids(tf)[0], essay: "把纪律挺在前面。"}
    for question, value in saves.items():
        services.attempt_save_answer(attempt=attempt, question=question, answer=value, sequence=0)
    result = services.attempt_submit(attempt=attempt)
    stored = dict(result.slots.values_list("question_id", "score"))
    assert stored[single.pk] == Decimal("0") and stored[bank["blank"].pk] == Decimal("0")  # wrong, unanswered
    assert stored[multi.pk] == multi.default_mark and stored[tf.pk] == tf.default_mark
    assert stored[essay.pk] is None and result.state == AttemptState.NEEDS_GRADING
