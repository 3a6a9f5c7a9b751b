"""The demo bank, quizzes and attempts load, cover every state, and re-running duplicates nothing."""

import pytest

from accounts import demo as accounts_demo
from quizzes import demo
from quizzes.demo_bank import BANK
from quizzes.models import Attempt, AttemptState, Question, Quiz

pytestmark = pytest.mark.django_db


def test_demo_is_complete_and_idempotent():
    accounts_demo.load(password="demo-pass-2026")
    demo.load(password="demo-pass-2026")
    assert Question.objects.count() == sum(len(v) for v in BANK.values()) >= 80
    titles = set(Quiz.objects.values_list("title", flat=True))
    for theme in ("权力观", "政绩观", "监督观", "民主集中制与三重一大", "中央八项规定精神", "以案促改"):
        assert f"{theme}测验" in titles
    states = set(Attempt.objects.values_list("state", flat=True))
    assert states == {AttemptState.IN_PROGRESS, AttemptState.FINISHED, AttemptState.NEEDS_GRADING}
    passed = set(Attempt.objects.filter(state=AttemptState.FINISHED).values_list("passed", flat=True))
    assert passed == {True, False}
    counts = (Question.objects.count(), Quiz.objects.count(), Attempt.objects.count())
    demo.load(password="demo-pass-2026")
    assert (Question.objects.count(), Quiz.objects.count(), Attempt.objects.count()) == counts
    # Every quiz can be started by a fresh demo cadre (enough questions for its random draws).
    from accounts.models import User
    from quizzes import services

    fresh = User.objects.get(username="D0070")
    for quiz in Quiz.objects.all():
        assert services.attempt_start(user=fresh, quiz=quiz).slots.count() >= 10
