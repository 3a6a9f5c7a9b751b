"""The attempt JSON API: owner only, no answers before review, sequence checks, idempotent submit."""

import json

import pytest
from django.test import Client

from accounts.factories import cadre
from quizzes import factories as qf
from quizzes.models import Attempt, ReviewOption

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    cat = qf.category("API")
    single = qf.single(cat)
    blank = qf.blank(cat, accepted=["民主集中制"])
    quiz = qf.quiz(single, blank, time_limit_minutes=30)
    user = cadre()
    client = Client()
    client.force_login(user)
    return {"quiz": quiz, "single": single, "blank": blank, "user": user, "client": client}


def put(client, url, data):
    return client.put(url, data=json.dumps(data), content_type="application/json")


def test_start_read_save_submit(setup):
    c = setup["client"]
    r = c.post(f"/api/v1/quizzes/{setup['quiz'].pk}/attempts")
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["state"] == "in_progress" and 0 < data["seconds_left"] <= 1800
    assert len(data["questions"]) == 2
    body = r.content.decode()
    assert "is_correct" not in body or all(
        "is_correct" not in ch or ch["is_correct"] is None for q in data["questions"] for ch in q["choices"]
    )
    assert "民主集中制" not in body and "解析" not in body
    again = c.post(f"/api/v1/quizzes/{setup['quiz'].pk}/attempts").json()
    assert again["id"] == data["id"]

    aid = data["id"]
    right = next(ch.pk for ch in setup["single"].choices.all() if ch.is_correct)
    r = put(c, f"/api/v1/attempts/{aid}/answers/{setup['single'].pk}", {"answer": right, "sequence": 0})
    assert r.status_code == 200 and r.json()["sequence"] == 1
    r = put(c, f"/api/v1/attempts/{aid}/answers/{setup['single'].pk}", {"answer": right, "sequence": 0})
    assert r.status_code == 409 and r.json()["sequence"] == 1 and r.json()["answer"] == right
    r = put(c, f"/api/v1/attempts/{aid}/answers/{setup['blank'].pk}", {"answer": "民主集中制 ", "sequence": 0})
    assert r.status_code == 200
    r = put(c, f"/api/v1/attempts/{aid}/answers/{setup['blank'].pk}", {"answer": ["x"], "sequence": 1})
    assert r.status_code == 400 and r.json()["detail"]

    read = c.get(f"/api/v1/attempts/{aid}").json()
    saved = {q["id"]: q["answer"] for q in read["questions"]}
    assert saved[setup["single"].pk] == right and saved[setup["blank"].pk] == "民主集中制 "

    first = c.post(f"/api/v1/attempts/{aid}/submit")
    second = c.post(f"/api/v1/attempts/{aid}/submit")
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() == {
        "state": "finished",
        "score": "2.00",
        "max_score": "2.00",
        "passed": True,
    } or (first.json() == second.json() and first.json()["passed"] is True)
    after = c.get(f"/api/v1/attempts/{aid}").json()
    assert any(ch.get("is_correct") for q in after["questions"] for ch in q["choices"])
    r = put(c, f"/api/v1/attempts/{aid}/answers/{setup['single'].pk}", {"answer": right, "sequence": 1})
    assert r.status_code == 409


def test_other_users_get_404(setup):
    attempt = setup["client"].post(f"/api/v1/quizzes/{setup['quiz'].pk}/attempts").json()
    other = Client()
    other.force_login(cadre())
    assert other.get(f"/api/v1/attempts/{attempt['id']}").status_code == 404
    assert other.post(f"/api/v1/attempts/{attempt['id']}/submit").status_code == 404
    assert (
        put(
            other, f"/api/v1/attempts/{attempt['id']}/answers/{setup['single'].pk}", {"answer": None, "sequence": 0}
        ).status_code
        == 404
    )
    assert Client().get(f"/api/v1/attempts/{attempt['id']}").status_code == 401
    assert Attempt.objects.get().state == "in_progress"


def test_review_after_close_hides_score_and_answers(setup):
    quiz = setup["quiz"]
    quiz.review = ReviewOption.AFTER_CLOSE
    quiz.save()
    c = setup["client"]
    aid = c.post(f"/api/v1/quizzes/{quiz.pk}/attempts").json()["id"]
    result = c.post(f"/api/v1/attempts/{aid}/submit").json()
    assert result["state"] == "finished" and result["score"] is None and result["passed"] is None
    body = c.get(f"/api/v1/attempts/{aid}").content.decode()
    assert "民主集中制" not in body and '"is_correct": true' not in body


def test_bad_requests_are_4xx_with_reason(setup):
    c = setup["client"]
    assert c.post("/api/v1/quizzes/999999/attempts").status_code == 404
    aid = c.post(f"/api/v1/quizzes/{setup['quiz'].pk}/attempts").json()["id"]
    r = c.put(f"/api/v1/attempts/{aid}/answers/{setup['single'].pk}", data="not json", content_type="application/json")
    assert 400 <= r.status_code < 500
    r = put(c, f"/api/v1/attempts/{aid}/answers/999999", {"answer": 1, "sequence": 0})
    assert r.status_code == 400 and "没有这道题" in r.json()["detail"]


def test_csrf_is_enforced_for_session_clients(setup):
    c = Client(enforce_csrf_checks=True)
    c.force_login(setup["user"])
    assert c.post(f"/api/v1/quizzes/{setup['quiz'].pk}/attempts").status_code == 403
    assert not Attempt.objects.exists()


def test_non_cadre_is_refused(setup):
    from accounts import roles
    from accounts.factories import staff

    c = Client()
    c.force_login(staff(roles.EDITOR))
    r = c.post(f"/api/v1/quizzes/{setup['quiz'].pk}/attempts")
    assert r.status_code == 403 and "学员" in r.json()["detail"]


def test_openapi_lists_the_quiz_paths():
    schema = Client().get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/quizzes/{quiz_id}/attempts",
        "/api/v1/attempts/{attempt_id}",
        "/api/v1/attempts/{attempt_id}/answers/{question_id}",
        "/api/v1/attempts/{attempt_id}/submit",
    ):
        assert path in schema["paths"]


def test_expired_attempt_is_finished_on_next_read(setup):
    from datetime import timedelta
    from unittest import mock

    from django.utils import timezone

    c = setup["client"]
    aid = c.post(f"/api/v1/quizzes/{setup['quiz'].pk}/attempts").json()["id"]
    right = next(ch.pk for ch in setup["single"].choices.all() if ch.is_correct)
    put(c, f"/api/v1/attempts/{aid}/answers/{setup['single'].pk}", {"answer": right, "sequence": 0})
    later = timezone.now() + timedelta(minutes=31)
    with mock.patch("django.utils.timezone.now", return_value=later):
        data = c.get(f"/api/v1/attempts/{aid}").json()
        assert data["state"] == "finished" and data["result"]["score"] == "1.00"
        r = put(c, f"/api/v1/attempts/{aid}/answers/{setup['blank'].pk}", {"answer": "民主集中制", "sequence": 0})
        assert r.status_code == 409 and "结束" in r.json()["detail"]
    attempt = Attempt.objects.get(pk=aid)
    assert attempt.finished_at == attempt.deadline and attempt.finished_by_deadline
