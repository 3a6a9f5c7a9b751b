"""Item analysis (facility, discrimination) and quiz results over attempts in the trainer's scope."""

from decimal import Decimal

import pytest

from accounts.factories import cadre, trainer
from quizzes import factories as qf
from quizzes import selectors, services

pytestmark = pytest.mark.django_db


def take(user, quiz, right: set[int]):
    attempt = services.attempt_start(user=user, quiz=quiz)
    for slot in attempt.slots.select_related("question"):
        q = slot.question
        pick = next(c.pk for c in q.choices.all() if c.is_correct == (q.pk in right))
        services.attempt_save_answer(attempt=attempt, question=q, answer=pick, sequence=0)
    return services.attempt_submit(attempt=attempt)


def test_facility_and_discrimination():
    cat = qf.category("分析")
    good, bad, easy = qf.single(cat, stem="好题"), qf.single(cat, stem="坏题"), qf.single(cat, stem="送分题")
    filler = [qf.single(cat, stem=f"其他{i}") for i in range(3)]
    quiz = qf.quiz(good, bad, easy, *filler)
    strong = [cadre(unit="某省/甲市/甲局") for _ in range(3)]
    weak = [cadre(unit="某省/甲市/甲局") for _ in range(3)]
    outsider = cadre(unit="某省/乙市/乙局")
    for user in strong:  # strong cadres get the good item and the fillers right, the bad item wrong
        take(user, quiz, {good.pk, easy.pk, *(f.pk for f in filler)})
    for user in weak:  # weak cadres get the bad item right and little else
        take(user, quiz, {bad.pk, easy.pk})
    take(outsider, quiz, set())
    rows = {r["question"].pk: r for r in selectors.item_analysis(trainer("某省/甲市"), quiz)}
    assert rows[good.pk]["count"] == 6 and rows[good.pk]["facility"] == 50.0
    assert rows[easy.pk]["facility"] == 100.0 and rows[easy.pk]["discrimination"] is None
    assert rows[good.pk]["discrimination"] > 90
    assert rows[bad.pk]["discrimination"] < -90
    results = selectors.quiz_results_for(trainer("某省/甲市"), quiz)
    assert len(results) == 6 and sum(r["passed"] for r in results) == 3
    assert {r["grade"] for r in results} == {Decimal("83.3"), Decimal("33.3")}
