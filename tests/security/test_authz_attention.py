"""Authorisation matrix rows for 防挂机 (learning/attention.py): answering an attention check, and the
trainer report sections that show checks.

Each cadre of the learning world has one pending check in the same lesson, with a fixed nonce and
answer (JSON bodies are sent as written): only its cadre can settle it; the other cadre's answer
finds nothing (404), staff are not cadres (403).
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from learning.models import AttentionCheck
from tests.security.authz import FORBIDDEN, LOGIN, NOT_FOUND, OK, Row, check_row, expect
from tests.security.learning_world import learning_world

NONCE_A = "AUTHZNONCEA00000000000"
NONCE_B = "AUTHZNONCEB00000000000"
JSON = {"content_type": "application/json"}
IN_A = expect(FORBIDDEN, anonymous=LOGIN, trainer_in_scope=OK, trainer_out_of_scope=NOT_FOUND, administrator=OK)

ROWS = [
    Row(
        "POST",
        "/api/v1/lessons/{lesson}/attention",
        expect(FORBIDDEN, anonymous=LOGIN, cadre=OK, cadre_other_unit=NOT_FOUND),
        data=f'{{"nonce": "{NONCE_A}", "answer": 42}}',
        **JSON,
        probe="attention_checks",
        changes=frozenset({"cadre"}),
    ),
    Row(
        "POST",
        "/api/v1/lessons/{lesson}/attention",
        expect(FORBIDDEN, anonymous=LOGIN, cadre=NOT_FOUND, cadre_other_unit=OK),
        data=f'{{"nonce": "{NONCE_B}", "answer": 42}}',
        **JSON,
        probe="attention_checks",
        changes=frozenset({"cadre_other_unit"}),
    ),
    Row(
        "POST",
        "/api/v1/lessons/{draft_lesson}/attention",
        expect(NOT_FOUND, anonymous=LOGIN),
        data=f'{{"nonce": "{NONCE_A}", "answer": 42}}',
        **JSON,
        probe="attention_checks",
    ),
    # The trainer's view of one cadre's checks (per lesson) follows the cadre report's scope.
    Row(
        "GET",
        "/reports/cadres/{cadre_user}/",
        IN_A,
        present={"trainer_in_scope": ("在线确认（防挂机）", "授权课时AUTHZ"), "administrator": ("授权课时AUTHZ",)},
    ),
    # The unit summary: the trainer of the other subtree never sees unit A's figures.
    Row(
        "GET",
        "/reports/units/{root_a}/",
        IN_A,
        present={"trainer_in_scope": ("在线确认（防挂机）",)},
        absent={"trainer_in_scope": ("乙市",)},
    ),
]


def attention_world():
    world = learning_world()
    now = timezone.now()
    lesson_id = world.values["lesson"]
    for role, nonce in (("cadre", NONCE_A), ("cadre_other_unit", NONCE_B)):
        AttentionCheck.objects.create(
            user=world.users[role],
            lesson_id=lesson_id,
            nonce=nonce,
            answer=42,
            choices=[17, 42, 63, 88],
            issued_at=now - timedelta(seconds=10),
            deadline=now + timedelta(seconds=50),
        )
    world.probes["attention_checks"] = lambda: sorted(
        AttentionCheck.objects.values_list("nonce", "outcome", "answered_at")
    )
    return world


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=[f"{r.id} {r.probe or ''}".rstrip() for r in ROWS])
def test_attention_authorisation_matrix(row):
    check_row(row, attention_world())
