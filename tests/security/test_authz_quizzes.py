"""Authorisation matrix rows for quizzes and attempts, with attempt ids swapped between cadres."""

import json

import pytest

from tests.security.authz import FORBIDDEN, LOGIN, NOT_FOUND, OK, Outcome, Row, build_world, check_row, expect

# Saving an answer may answer 409 (stale sequence) for the owner; what matters is that it is not refused.
OWNER_ACCEPTED = Outcome("OWNER_ACCEPTED", lambda r: r.status_code in (200, 409))


def quizzes_world():
    from quizzes import factories as qf
    from quizzes import services

    world = build_world()
    question = qf.single(stem="授权测试题")
    quiz = qf.quiz(question, title="授权测验AUTHZ")
    mine = services.attempt_start(user=world.users["cadre"], quiz=quiz)
    theirs = services.attempt_start(user=world.users["cadre_other_unit"], quiz=quiz)
    services.attempt_submit(attempt=theirs)
    world.values.update(quiz=quiz.pk, question=question.pk, cadre_attempt=mine.pk, other_attempt=theirs.pk)
    return world


def only(role: str, outcome=OK):
    """Only `role` may reach it; anonymous is sent to log in; everyone else gets 404 (the attempt is not revealed)."""
    return expect(NOT_FOUND, anonymous=LOGIN, **{role: outcome})


JSON = {"content_type": "application/json"}
STAFF_CANNOT_START = expect(FORBIDDEN, anonymous=LOGIN, cadre=OK, cadre_other_unit=OK)

ROWS = [
    Row("GET", "/quizzes/", expect(OK, anonymous=LOGIN)),
    Row("GET", "/quizzes/{quiz}/", expect(OK, anonymous=LOGIN)),
    Row("GET", "/quizzes/attempts/{cadre_attempt}/", only("cadre")),
    Row("GET", "/quizzes/attempts/{other_attempt}/result/", only("cadre_other_unit")),
    Row("GET", "/api/v1/attempts/{cadre_attempt}", only("cadre"), present={"cadre": ("授权测试题",)}),
    Row("GET", "/api/v1/attempts/{other_attempt}", only("cadre_other_unit")),
    Row("PUT", "/api/v1/attempts/{cadre_attempt}/answers/{question}", only("cadre", OWNER_ACCEPTED),
        data=json.dumps({"answer": None, "sequence": 0}), **JSON),
    Row("POST", "/api/v1/attempts/{other_attempt}/submit", only("cadre_other_unit"), data="{}", **JSON),
    Row("POST", "/api/v1/attempts/{cadre_attempt}/submit", only("cadre"), data="{}", **JSON),
    Row("POST", "/api/v1/quizzes/{quiz}/attempts", STAFF_CANNOT_START, data="{}", **JSON),
]


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_quizzes_authorisation_matrix(row):
    check_row(row, quizzes_world())
