"""The API fuzzed where its operations chain (issue 16): start an attempt, save answers to its questions,
read it, submit it, submit again; heartbeats and attention answers on a lesson; token create, list and
revoke. Hypothesis drives the order and the inputs (values from the OpenAPI schemas, sometimes raw bytes
or other users' ids); every answer must be below 500, whatever came before it.
"""

import json
from collections import Counter

import pytest
from django.test import Client
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, multiple, rule, run_state_machine_as_test

from accounts import factories as af
from accounts.factories import TEST_PASSWORD
from learning import factories as lf
from quizzes import factories as qf
from tests.security import test_api_fuzz as fuzz

pytestmark = pytest.mark.django_db

API = "/api/v1"


def _body(schema_name: str):
    schema = {"$ref": f"#/components/schemas/{schema_name}"}
    as_json = fuzz.from_schema(schema).map(lambda v: json.dumps(v).encode())
    return st.one_of(as_json, as_json, as_json, st.binary(max_size=48), st.just(b"{}"), st.just(b"null"))


def _checked(response, what):
    assert response.status_code < 500, (what, response.status_code, response.content[:300])
    return response


def _json(response) -> dict:
    try:
        data = json.loads(response.content or b"null")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def test_chained_api_operations_never_answer_5xx():
    fuzz.SCHEMA = fuzz.SCHEMA or fuzz._schema()
    cadre = af.cadre(unit="某省/甲市/东山县/局")
    other = af.cadre(unit="某省/乙市/局")
    questions = [qf.single(), qf.multiple(), qf.truefalse(), qf.blank(), qf.essay()]
    # The database outlives each generated run: the first quiz never runs out of attempts (so every run can
    # chain), the others are timed or allow one attempt (so refusals are chained too).
    quizzes = [
        qf.quiz(*questions),
        qf.quiz(qf.single(), time_limit_minutes=1),
        qf.quiz(qf.truefalse(), max_attempts=1),
    ]
    course = lf.course(lessons=1, minutes=1)
    lesson = course.lessons().first()
    lf.enrol(user=cadre, course=course)
    owner = Client()
    owner.force_login(other)
    foreign_attempt = _json(owner.post(f"{API}/quizzes/{quizzes[0].pk}/attempts"))["id"]  # another cadre's
    quiz_ids = [q.pk for q in quizzes] + [0, 2**63]
    lesson_ids = [lesson.pk, course.pk, 2**63]

    seen: Counter[tuple[str, str, int]] = Counter()  # (method, last path word, status class) -> answers

    class ChainedApi(RuleBasedStateMachine):
        attempts = Bundle("attempts")

        def __init__(self):
            super().__init__()
            self.client = Client(raise_request_exception=False)
            self.client.force_login(cadre)
            self.nonce = None

        def call(self, method, url, body=b"", content_type="application/json"):
            response = _checked(self.client.generic(method, url, body, content_type=content_type), (method, url, body))
            words = [w for w in url.split("/") if w and not w.isdigit()]
            seen[(method, words[-1], response.status_code // 100)] += 1
            return response

        @rule(target=attempts, quiz=st.sampled_from(quiz_ids))
        def start(self, quiz):
            data = _json(self.call("POST", f"{API}/quizzes/{quiz}/attempts"))
            if "id" not in data:
                return multiple()
            # question id -> the save sequence the client last saw (a valid save must send it)
            attempt = (
                data["id"],
                {q["id"]: q.get("sequence", 0) for q in data.get("questions", []) if isinstance(q, dict)},
            )
            if data.get("state") == "in_progress":  # as the page does: the first question answered at once
                first = min(attempt[1])
                self._save(attempt, first, json.dumps({"answer": None, "sequence": attempt[1][first]}).encode())
            return attempt

        def _save(self, attempt, question, body):
            attempt_id, sequences = attempt
            data = _json(self.call("PUT", f"{API}/attempts/{attempt_id}/answers/{question}", body))
            if question in sequences and isinstance(data.get("sequence"), int):
                sequences[question] = data["sequence"]

        @rule(
            attempt=attempts,
            pick=st.integers(min_value=0, max_value=6),
            valid=st.booleans(),
            answer=st.one_of(
                st.none(), st.integers(-1, 5), st.lists(st.integers(0, 5), max_size=3), st.text(max_size=8)
            ),
            body=_body("AnswerIn"),
        )
        def save(self, attempt, pick, valid, answer, body):
            _attempt_id, sequences = attempt
            question_ids = sorted(sequences)
            question = question_ids[pick] if pick < len(question_ids) else 2**63 if pick == 6 else 0
            if not valid:
                self._save(attempt, question, body)
                return
            # Well formed, with the sequence last seen, on every question of the sheet (each type meets
            # the drawn answer), then once more with the old sequence: the real save and the stale path.
            for qid in [*question_ids, question]:
                self._save(attempt, qid, json.dumps({"answer": answer, "sequence": sequences.get(qid, 0)}).encode())
            self._save(attempt, question, json.dumps({"answer": answer, "sequence": 0}).encode())

        @rule(attempt=st.one_of(attempts, st.just((foreign_attempt, {}))))
        def read(self, attempt):
            self.call("GET", f"{API}/attempts/{attempt[0]}")

        @rule(attempt=st.one_of(attempts, st.just((foreign_attempt, {}))))
        def submit(self, attempt):
            self.call("POST", f"{API}/attempts/{attempt[0]}/submit")

        @rule(lesson_id=st.sampled_from(lesson_ids), body=_body("HeartbeatIn"))
        def heartbeat(self, lesson_id, body):
            data = _json(self.call("POST", f"{API}/lessons/{lesson_id}/heartbeat", body))
            prompt = data.get("attention")
            if isinstance(prompt, dict):
                self.nonce = prompt.get("nonce")

        @rule(lesson_id=st.sampled_from(lesson_ids), body=_body("AttentionAnswerIn"), answer=st.integers(0, 999))
        def attention(self, lesson_id, body, answer):
            if self.nonce and answer % 2:
                body = json.dumps({"nonce": self.nonce, "answer": answer}).encode()
            self.call("POST", f"{API}/lessons/{lesson_id}/attention", body)

        @rule(password=st.sampled_from([TEST_PASSWORD, "wrong", ""]), body=_body("TokenIn"))
        def token(self, password, body):
            if password:
                body = json.dumps({"username": cadre.username, "password": password}).encode()
            self.call("POST", f"{API}/auth/token", body)

        @rule(everything=st.booleans())
        def revoke(self, everything):
            if everything:
                self.call("DELETE", f"{API}/auth/tokens")
                return
            listed = json.loads(self.call("GET", f"{API}/auth/tokens").content or b"[]")
            token_id = listed[0]["id"] if isinstance(listed, list) and listed else 2**63
            self.call("DELETE", f"{API}/auth/tokens/{token_id}")
            self.call("DELETE", f"{API}/auth/tokens/{token_id}")  # again: already revoked

        @rule()
        def listing(self):
            self.call("GET", f"{API}/auth/tokens")
            self.call("GET", f"{API}/me/courses")

    run_state_machine_as_test(
        ChainedApi,
        settings=settings(
            max_examples=30,
            stateful_step_count=50,
            deadline=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],  # a failure is reported as found: shrinking one costs minutes
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    # The chains really happened: attempts started and answered, beats accepted, tokens issued.
    for key in [
        ("POST", "attempts", 2),
        ("PUT", "answers", 2),
        ("POST", "submit", 2),
        ("POST", "heartbeat", 2),
        ("POST", "token", 2),
    ]:
        assert seen.get(key), (key, sorted(seen.items()))
