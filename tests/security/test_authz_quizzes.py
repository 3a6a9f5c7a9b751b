"""Authorisation matrix rows for quizzes and attempts, with attempt ids swapped between cadres."""

import json

import pytest

from tests.security.authz import (
    DENIED,
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    OK,
    REDIRECT,
    Outcome,
    Row,
    build_world,
    check_row,
    expect,
)

# Saving an answer may answer 409 (stale sequence) for the owner; what matters is that it is not refused.
OWNER_ACCEPTED = Outcome("OWNER_ACCEPTED", lambda r: r.status_code in (200, 409))


def quizzes_world():
    from quizzes import factories as qf
    from quizzes import services
    from quizzes.models import Attempt

    world = build_world()
    question = qf.single(stem="授权测试题")
    quiz = qf.quiz(question, title="授权测验AUTHZ")
    mine = services.attempt_start(user=world.users["cadre"], quiz=quiz)
    theirs = services.attempt_start(user=world.users["cadre_other_unit"], quiz=quiz)
    services.attempt_submit(attempt=theirs)
    # An essay answer by each cadre, waiting for the trainer in whose scope the cadre is.
    essay = qf.essay(stem="简答授权题")
    essay_quiz = qf.quiz(essay, title="简答测验AUTHZ")
    slots = {}
    for role in ("cadre", "cadre_other_unit"):
        attempt = services.attempt_start(user=world.users[role], quiz=essay_quiz)
        services.attempt_save_answer(attempt=attempt, question=essay.pk, answer=f"{role}的简答AUTHZ", sequence=0)
        slots[role] = services.attempt_submit(attempt=attempt).slots.get().pk
    world.values.update(
        quiz=quiz.pk,
        question=question.pk,
        cadre_attempt=mine.pk,
        other_attempt=theirs.pk,
        essay_quiz=essay_quiz.pk,
        cadre_slot=slots["cadre"],
        other_slot=slots["cadre_other_unit"],
    )
    world.probes["attempts"] = lambda: list(
        Attempt.objects.order_by("pk").values_list("pk", "user_id", "state", "score")
    )
    return world


def only(role: str, outcome=OK):
    """Only `role` may reach it; anonymous is sent to log in; everyone else gets 404 (the attempt is not revealed)."""
    return expect(NOT_FOUND, anonymous=LOGIN, **{role: outcome})


JSON = {"content_type": "application/json"}
NO_ADMIN = {"anonymous": LOGIN, "cadre": LOGIN, "cadre_other_unit": LOGIN}
GRADERS = expect(FORBIDDEN, **NO_ADMIN, trainer_in_scope=OK, trainer_out_of_scope=OK, administrator=OK)
SLOT_A = expect(DENIED, **NO_ADMIN, trainer_in_scope=OK, administrator=OK)
SLOT_B = expect(DENIED, **NO_ADMIN, trainer_out_of_scope=OK, administrator=OK)
STAFF_CANNOT_START = expect(FORBIDDEN, anonymous=LOGIN, cadre=OK, cadre_other_unit=OK)

ROWS = [
    Row("GET", "/quizzes/", expect(OK, anonymous=LOGIN)),
    Row("GET", "/quizzes/{quiz}/", expect(OK, anonymous=LOGIN)),
    Row("GET", "/quizzes/attempts/{cadre_attempt}/", only("cadre")),
    Row("GET", "/quizzes/attempts/{other_attempt}/result/", only("cadre_other_unit")),
    Row("GET", "/api/v1/attempts/{cadre_attempt}", only("cadre"), present={"cadre": ("授权测试题",)}),
    Row("GET", "/api/v1/attempts/{other_attempt}", only("cadre_other_unit")),
    Row(
        "PUT",
        "/api/v1/attempts/{cadre_attempt}/answers/{question}",
        only("cadre", OWNER_ACCEPTED),
        data=json.dumps({"answer": None, "sequence": 0}),
        **JSON,
    ),
    Row("POST", "/api/v1/attempts/{other_attempt}/submit", only("cadre_other_unit"), data="{}", **JSON),
    Row("POST", "/api/v1/attempts/{cadre_attempt}/submit", only("cadre"), data="{}", **JSON),
    Row("POST", "/api/v1/quizzes/{quiz}/attempts", STAFF_CANNOT_START, data="{}", **JSON),
    # The form views (browsers without JavaScript): start for oneself; submit only one's own attempt.
    Row(
        "POST",
        "/quizzes/{quiz}/start/",
        expect(REDIRECT, anonymous=LOGIN),
        probe="attempts",
        changes=frozenset({"cadre", "cadre_other_unit"}),
    ),
    Row(
        "POST",
        "/quizzes/attempts/{cadre_attempt}/submit/",
        only("cadre", REDIRECT),
        probe="attempts",
        changes=frozenset({"cadre"}),
    ),
    Row("GET", "/quizzes/attempts/{other_attempt}/", only("cadre_other_unit", REDIRECT)),
    # Trainers' admin pages: essay grading and results, only for cadres in scope.
    Row(
        "GET",
        "/admin/quizzes/grading/",
        GRADERS,
        present={"trainer_in_scope": ("{cadre_name}",), "trainer_out_of_scope": ("{other_name}",)},
        absent={"trainer_in_scope": ("{other_name}",), "trainer_out_of_scope": ("{cadre_name}",)},
    ),
    Row("GET", "/admin/quizzes/grading/{cadre_slot}/", SLOT_A, present={"trainer_in_scope": ("cadre的简答AUTHZ",)}),
    Row("GET", "/admin/quizzes/grading/{other_slot}/", SLOT_B),
    Row(
        "POST",
        "/admin/quizzes/grading/{cadre_slot}/",
        expect(DENIED, **NO_ADMIN, trainer_in_scope=REDIRECT, administrator=REDIRECT),
        data={"score": "3", "feedback": "好"},
        probe="attempts",
        changes=frozenset({"trainer_in_scope", "administrator"}),
    ),
    Row("GET", "/admin/quizzes/results/", GRADERS),
    Row(
        "GET",
        "/admin/quizzes/results/{essay_quiz}/",
        GRADERS,
        present={"trainer_in_scope": ("{cadre_name}",), "trainer_out_of_scope": ("{other_name}",)},
        absent={"trainer_in_scope": ("{other_name}",), "trainer_out_of_scope": ("{cadre_name}",)},
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_quizzes_authorisation_matrix(row):
    check_row(row, quizzes_world())
