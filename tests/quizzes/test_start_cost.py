"""A start and the first read are cheap (issue 20): the quiz's plan and the questions come from the cache,
the slots are written in one statement, the attempt page carries no site navigation — and nothing served
from the cache is ever older than the question bank."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.factories import cadre
from quizzes import factories as qf
from quizzes import selectors, services
from quizzes.models import AcceptedAnswer, Choice, QuizQuestion

pytestmark = pytest.mark.django_db


@pytest.fixture
def exam():
    cat = qf.category("统考/题库")
    questions = [qf.single(cat, stem=f"单选{i}") for i in range(12)] + [qf.multiple(cat), qf.truefalse(cat)]
    questions += [qf.blank(cat), qf.essay(cat)]
    return qf.quiz(*questions, title="统一考试", time_limit_minutes=60, shuffle_choices=True), questions


def test_a_start_writes_the_attempt_and_all_slots_and_reads_no_question(exam):
    quiz, questions = exam
    services.attempt_start(user=cadre(), quiz=quiz)  # computes and caches the plan
    user = cadre()
    with CaptureQueriesContext(connection) as queries:
        attempt = services.attempt_start(user=user, quiz=quiz)
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum(s.startswith('INSERT INTO "quizzes_attemptslot"') for s in sql) == 1
    assert not [s for s in sql if '"quizzes_question"' in s or '"quizzes_choice"' in s or "quizzes_quizquestion" in s]
    assert len([s for s in sql if not s.startswith(("SAVEPOINT", "RELEASE"))]) <= 4
    slots = list(attempt.slots.order_by("position"))
    assert [s.question_id for s in slots] == [q.pk for q in questions]
    for slot, question in zip(slots, questions, strict=True):
        assert sorted(slot.choice_order) == sorted(c.pk for c in question.choices.all())
    assert attempt.max_score == sum(q.default_mark for q in questions)


def test_the_cached_plan_follows_every_change_to_the_quiz_and_the_bank(exam):
    quiz, questions = exam
    first = services.attempt_start(user=cadre(), quiz=quiz)
    assert first.slots.count() == 16
    # A question added to the quiz, and an option added to a question.
    extra = qf.single(qf.category("统考/补充"), stem="新增题")
    QuizQuestion.objects.create(quiz=quiz, question=extra, sort_order=99)
    new_choice = Choice.objects.create(question=questions[0], sort_order=9, text="新选项", is_correct=False)
    second = services.attempt_start(user=cadre(), quiz=quiz)
    assert second.slots.count() == 17
    assert new_choice.pk in second.slots.get(question=questions[0]).choice_order
    # A question taken out of the quiz and an option deleted.
    QuizQuestion.objects.filter(quiz=quiz, question=extra).get().delete()
    new_choice.delete()
    third = services.attempt_start(user=cadre(), quiz=quiz)
    assert third.slots.count() == 16
    assert new_choice.pk not in third.slots.get(question=questions[0]).choice_order
    # A random draw sees questions added to its category, and the quiz's own settings count.
    pool = qf.category("统考/抽题")
    drawn = [qf.single(pool, stem=f"抽{i}") for i in range(2)]
    quiz.random_draws.create(category=pool, count=3)
    quiz.save()
    with pytest.raises(Exception, match="题库不足"):
        services.attempt_start(user=cadre(), quiz=quiz)
    drawn.append(qf.single(pool, stem="抽2"))
    fourth = services.attempt_start(user=cadre(), quiz=quiz)
    assert {q.pk for q in drawn} <= set(fourth.slots.values_list("question_id", flat=True))
    quiz.max_attempts = 1
    quiz.save()
    user = fourth.user
    services.attempt_submit(attempt=fourth)
    with pytest.raises(PermissionDenied, match="最多"):
        services.attempt_start(user=user, quiz=quiz)


def test_the_attempt_page_shows_the_bank_as_it_is_now(exam):
    quiz, questions = exam
    user = cadre()
    client = Client()
    client.force_login(user)
    attempt = services.attempt_start(user=user, quiz=quiz)
    page = client.get(f"/quizzes/attempts/{attempt.pk}/").content.decode()
    assert "单选0" in page and "选项1" in page
    question = questions[0]
    question.stem = "<p>改过的题干</p>"
    question.save()
    choice = question.choices.first()
    choice.text = "改过的选项"
    choice.save()
    page = client.get(f"/quizzes/attempts/{attempt.pk}/").content.decode()
    assert "改过的题干" in page and "改过的选项" in page and "单选0" not in page


def test_review_after_submit_shows_answers_from_the_bank(exam):
    quiz, questions = exam
    user = cadre()
    attempt = services.attempt_start(user=user, quiz=quiz)
    blank = questions[14]
    AcceptedAnswer.objects.create(question=blank, sort_order=5, text="第二答案")
    services.attempt_save_answer(attempt=attempt, question=blank, answer="第二答案", sequence=0)
    result = services.attempt_submit(attempt=attempt)
    from quizzes import presenters

    items = presenters.slot_items(result, review=selectors.attempt_review(result))
    item = next(i for i in items if i["id"] == blank.pk)
    assert item["accepted_answers"] == ["三重一大", "第二答案"] and item["score"] == blank.default_mark
    single = next(i for i in items if i["id"] == questions[0].pk)
    assert [c["is_correct"] for c in single["choices"]].count(True) == 1


def test_the_attempt_page_has_no_site_navigation_and_reads_little(exam):
    quiz, _questions = exam
    user, other = cadre(), cadre()  # (a new cadre's unit bumps `global`, under which stems are cached)
    client = Client()
    client.force_login(user)
    detail = client.get(f"/quizzes/{quiz.pk}/").content.decode()
    assert 'class="main-nav"' in detail and "16 题" in detail  # every other page keeps the navigation
    response = client.post(f"/quizzes/{quiz.pk}/start/")
    client.get(response["Location"])  # the question views are cached now
    client.force_login(other)
    start = client.post(f"/quizzes/{quiz.pk}/start/")
    with CaptureQueriesContext(connection) as queries:
        page = client.get(start["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and 'class="main-nav"' not in html and "js/search.js" not in html
    assert html.count('class="card question"') == 16
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "wagtailcore_page" not in sql and '"quizzes_choice"' not in sql and '"quizzes_question"' not in sql


def test_an_answer_save_answers_what_is_stored_without_reading_it_again(exam):
    """The dominant request of an exam (16 per cadre): the user, one read of the attempt with the slot, one
    transaction of two UPDATEs; the answer returned is the stored one, and a stale save still returns the newest."""
    import json

    from quizzes.models import AttemptSlot

    quiz, questions = exam
    user = cadre()
    client = Client()
    client.force_login(user)
    attempt = services.attempt_start(user=user, quiz=quiz)
    multi = questions[12]
    slot = attempt.slots.get(question=multi)
    wanted = sorted(slot.choice_order[:2], reverse=True)
    url = f"/api/v1/attempts/{attempt.pk}/answers/{multi.pk}"
    with CaptureQueriesContext(connection) as queries:
        response = client.put(url, data=json.dumps({"answer": wanted, "sequence": 0}), content_type="application/json")
    assert response.status_code == 200
    stored = AttemptSlot.objects.get(pk=slot.pk)
    body = response.json()
    assert body["answer"] == stored.answer == sorted(wanted) and body["sequence"] == stored.sequence == 1
    assert body["saved_at"] is not None
    sql = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(sql) <= 4, sql
    stale = client.put(url, data=json.dumps({"answer": [], "sequence": 0}), content_type="application/json")
    assert stale.status_code == 409 and stale.json()["answer"] == sorted(wanted) and stale.json()["sequence"] == 1


def test_an_answer_save_tells_someone_elses_attempt_from_a_question_not_in_it(exam):
    """The save's single read finds nothing in both cases; the answer still differs: 404 for another's
    attempt (nothing is revealed), 400 with the reason for a question that is not in one's own."""
    import json

    quiz, questions = exam
    owner, intruder = cadre(), cadre()
    attempt = services.attempt_start(user=owner, quiz=quiz)
    slot = attempt.slots.get(question=questions[0])
    body = json.dumps({"answer": slot.choice_order[0], "sequence": 0})
    client = Client()
    client.force_login(intruder)
    url = f"/api/v1/attempts/{attempt.pk}/answers/{questions[0].pk}"
    assert client.put(url, data=body, content_type="application/json").status_code == 404
    client.force_login(owner)
    outside = qf.single(qf.category("统考/题库外"), stem="题库外")
    missing = client.put(
        f"/api/v1/attempts/{attempt.pk}/answers/{outside.pk}", data=body, content_type="application/json"
    )
    assert missing.status_code == 400 and "没有这道题" in missing.json()["detail"]
    assert client.put(url, data=body, content_type="application/json").status_code == 200
    slot.refresh_from_db()
    assert slot.sequence == 1 and slot.answer == slot.choice_order[0]
