"""Cadre pages: quiz overview, attempt form (no inline script), form submit fallback, result."""

import re

import pytest
from django.test import Client

from accounts.factories import cadre
from quizzes import factories as qf
from quizzes.models import Attempt, AttemptState

pytestmark = pytest.mark.django_db


@pytest.fixture
def journey():
    cat = qf.category("页面")
    single, multi, blank = qf.single(cat), qf.multiple(cat), qf.blank(cat, accepted=["一岗双责"])
    quiz = qf.quiz(
        single, multi, blank, time_limit_minutes=20, pass_text="<p>恭喜通过</p>", fail_text="<p>请再学习</p>"
    )
    user = cadre()
    client = Client()
    client.force_login(user)
    return quiz, user, client, single, multi, blank


def test_take_quiz_in_browser_without_javascript(journey):
    quiz, user, client, single, multi, blank = journey
    page = client.get(f"/quizzes/{quiz.pk}/")
    assert page.status_code == 200 and "开始作答" in page.content.decode()
    r = client.post(f"/quizzes/{quiz.pk}/start/")
    attempt = Attempt.objects.get(user=user)
    assert r.status_code == 302 and r.url == f"/quizzes/attempts/{attempt.pk}/"
    take = client.get(r.url)
    html = take.content.decode()
    assert take.status_code == 200
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script breaks the CSP"
    assert " style=" not in html
    assert "js/quiz.js" in html and f'data-answer-url="/api/v1/attempts/{attempt.pk}/answers/"' in html
    assert "data-seconds-left" in html
    right = next(c.pk for c in single.choices.all() if c.is_correct)
    multi_right = [str(c.pk) for c in multi.choices.all() if c.is_correct]
    r = client.post(
        f"/quizzes/attempts/{attempt.pk}/submit/",
        {
            f"q{single.pk}": str(right),
            f"seq{single.pk}": "0",
            f"q{multi.pk}": multi_right,
            f"present{multi.pk}": "1",
            f"seq{multi.pk}": "0",
            f"q{blank.pk}": "一岗双责",
            f"seq{blank.pk}": "0",
        },
    )
    assert r.status_code == 302
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED and attempt.passed and attempt.score == attempt.max_score
    result = client.get(f"/quizzes/attempts/{attempt.pk}/result/").content.decode()
    assert "恭喜通过" in result and "正确答案" in result
    # The attempt page of a finished attempt leads to the result.
    assert client.get(f"/quizzes/attempts/{attempt.pk}/").status_code == 302


def test_resume_shows_saved_answers(journey):
    quiz, user, client, single, *_ = journey
    client.post(f"/quizzes/{quiz.pk}/start/")
    attempt = Attempt.objects.get(user=user)
    right = next(c.pk for c in single.choices.all() if c.is_correct)
    client.put(
        f"/api/v1/attempts/{attempt.pk}/answers/{single.pk}",
        data={"answer": right, "sequence": 0},
        content_type="application/json",
    )
    # Tab closed; the cadre comes back through the quiz page.
    page = client.get(f"/quizzes/{quiz.pk}/").content.decode()
    assert "继续作答" in page
    client.post(f"/quizzes/{quiz.pk}/start/")
    html = client.get(f"/quizzes/attempts/{attempt.pk}/").content.decode()
    assert re.search(rf'value="{right}"\s+checked', html)
    assert f'name="seq{single.pk}" value="1"' in html


def test_others_cannot_open_an_attempt(journey):
    quiz, user, client, *_ = journey
    client.post(f"/quizzes/{quiz.pk}/start/")
    attempt = Attempt.objects.get(user=user)
    other = Client()
    other.force_login(cadre())
    for url in (f"/quizzes/attempts/{attempt.pk}/", f"/quizzes/attempts/{attempt.pk}/result/"):
        assert other.get(url).status_code == 404
    assert other.post(f"/quizzes/attempts/{attempt.pk}/submit/").status_code == 404
    assert Client().get(f"/quizzes/{quiz.pk}/").status_code == 302


def test_list_page(journey):
    quiz, user, client, *_ = journey
    html = client.get("/quizzes/").content.decode()
    assert quiz.title in html


def test_answering_page_is_never_stored_and_after_submitting_redirects_to_the_result(journey):
    """Back after submitting must not show a live answering page: the page is sent with no-store (so the
    browser asks again) and the server then redirects to the result; quiz.js checks pages from history too."""
    quiz, user, client, *_questions = journey
    client.post(f"/quizzes/{quiz.pk}/start/")
    attempt = Attempt.objects.get(user=user)
    take = client.get(f"/quizzes/attempts/{attempt.pk}/")
    cache_control = take["Cache-Control"]
    assert "no-store" in cache_control and "no-cache" in cache_control and "private" in cache_control
    html = take.content.decode()
    assert f'data-attempt-url="/api/v1/attempts/{attempt.pk}"' in html
    assert f'data-result-url="/quizzes/attempts/{attempt.pk}/result/"' in html
    client.post(f"/quizzes/attempts/{attempt.pk}/submit/")
    again = client.get(f"/quizzes/attempts/{attempt.pk}/")
    assert again.status_code == 302 and again.url == f"/quizzes/attempts/{attempt.pk}/result/"
