"""Integrity under concurrency: a file database, real transactions, 50 threads at once."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from accounts.factories import cadre
from quizzes import factories as qf
from quizzes import services
from quizzes.models import Attempt, AttemptSlot, AttemptState

# Migration data (home page, seeded taxonomies) must survive the flushes of earlier transactional tests.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

THREADS = 50


def run_concurrently(fn, n=THREADS):
    barrier = threading.Barrier(n)
    results, errors = [None] * n, []

    def worker(i):
        try:
            barrier.wait()
            results[i] = fn(i)
        except Exception as exc:  # noqa: BLE001 - every failure is collected and asserted on
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


@pytest.fixture
def setup():
    if connection.vendor == "sqlite":
        assert connection.settings_dict["NAME"] != ":memory:" and "memory" not in str(connection.settings_dict["NAME"])
    question = qf.single()
    essay_free = qf.multiple()
    quiz = qf.quiz(question, essay_free)
    return cadre(), quiz, question


def test_50_concurrent_submits_grade_once(setup):
    user, quiz, question = setup
    attempt = services.attempt_start(user=user, quiz=quiz)
    right = next(c.pk for c in question.choices.all() if c.is_correct)
    services.attempt_save_answer(attempt=attempt, question=question, answer=right, sequence=0)
    from quizzes.signals import attempt_graded

    announced = []
    attempt_graded.connect(lambda **kw: announced.append(kw["attempt"].pk), weak=False, dispatch_uid="conc")
    try:
        results, errors = run_concurrently(
            lambda i: services.attempt_submit(attempt=Attempt.objects.get(pk=attempt.pk))
        )
    finally:
        attempt_graded.disconnect(dispatch_uid="conc")
    assert errors == []
    outcomes = {(r.state, r.score, r.max_score, r.passed, r.finished_at) for r in results}
    assert len(outcomes) == 1
    state, score, max_score, _passed, _t = outcomes.pop()
    assert state == AttemptState.FINISHED and score == Decimal("1") and max_score == Decimal("3")
    assert announced == [attempt.pk]
    assert Attempt.objects.count() == 1


def test_50_concurrent_starts_make_one_attempt(setup):
    user, quiz, _question = setup
    results, errors = run_concurrently(lambda i: services.attempt_start(user=user, quiz=quiz).pk)
    assert errors == []
    assert len(set(results)) == 1
    assert Attempt.objects.filter(user=user, quiz=quiz).count() == 1
    # Then alternate submit/start from many threads: numbers stay gap-free.
    for _round in range(3):
        current = Attempt.objects.get(user=user, quiz=quiz, state=AttemptState.IN_PROGRESS)
        services.attempt_submit(attempt=current)
        results, errors = run_concurrently(lambda i: services.attempt_start(user=user, quiz=quiz).pk, n=20)
        assert errors == [] and len(set(results)) == 1
    numbers = sorted(Attempt.objects.filter(user=user, quiz=quiz).values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4]


def test_concurrent_saves_with_one_sequence_keep_exactly_one(setup):
    user, quiz, question = setup
    attempt = services.attempt_start(user=user, quiz=quiz)
    ids = [c.pk for c in question.choices.all()]

    def save(i):
        try:
            services.attempt_save_answer(attempt=attempt, question=question, answer=ids[i % len(ids)], sequence=0)
            return ids[i % len(ids)]
        except services.StaleAnswer:
            return None

    results, errors = run_concurrently(save, n=20)
    assert errors == []
    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    slot = AttemptSlot.objects.get(attempt=attempt, question=question)
    assert slot.sequence == 1 and slot.answer == winners[0]
    assert Attempt.objects.get(pk=attempt.pk).sequence == 1


def test_save_racing_submit_is_either_graded_or_refused(setup):
    user, quiz, question = setup
    attempt = services.attempt_start(user=user, quiz=quiz)
    right = next(c.pk for c in question.choices.all() if c.is_correct)

    def act(i):
        if i == 0:
            try:
                services.attempt_save_answer(attempt=attempt, question=question, answer=right, sequence=0)
                return "saved"
            except services.AttemptClosed:
                return "refused"
        return services.attempt_submit(attempt=Attempt.objects.get(pk=attempt.pk)).score

    results, errors = run_concurrently(act, n=10)
    assert errors == []
    final = Attempt.objects.get(pk=attempt.pk)
    expected = Decimal("1") if results[0] == "saved" else Decimal("0")
    assert final.score == expected
    assert set(results[1:]) == {expected}
