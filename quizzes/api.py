"""Quiz attempts over JSON: start or resume, read, save one answer with its sequence, submit.

Only the attempt's owner may read or change it (anyone else gets 404). Correct answers and
explanations appear only once the quiz's review option allows them.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from quizzes import presenters, selectors, services
from quizzes.models import Attempt, Quiz

router = Router(tags=["测验"])


class ChoiceOut(Schema):
    id: int
    text: str
    is_correct: bool | None = None


class QuestionOut(Schema):
    id: int
    position: int
    type: str
    type_label: str
    stem: str
    mark: Decimal
    choices: list[ChoiceOut]
    answer: Any = None
    sequence: int
    score: Decimal | None = None
    accepted_answers: list[str] | None = None
    explanation: str | None = None
    feedback: str | None = None


class ResultOut(Schema):
    state: str
    score: Decimal | None = None
    max_score: Decimal | None = None
    passed: bool | None = None


class AttemptOut(Schema):
    id: int
    quiz_id: int
    quiz_title: str
    number: int
    state: str
    state_label: str
    started_at: datetime
    deadline: datetime | None = None
    finished_at: datetime | None = None
    server_now: datetime
    seconds_left: int | None = None
    sequence: int
    result: ResultOut
    questions: list[QuestionOut]


class AnswerIn(Schema):
    answer: Any = None
    sequence: int


class AnswerOut(Schema):
    question_id: int
    sequence: int
    answer: Any = None
    saved_at: datetime | None = None


class StaleOut(Schema):
    detail: str
    question_id: int
    sequence: int
    answer: Any = None


class ErrorOut(Schema):
    detail: str


def _own_attempt(request, attempt_id: int) -> Attempt:
    return get_object_or_404(Attempt.objects.select_related("quiz", "user"), pk=attempt_id, user=request.user)


@router.post(
    "/quizzes/{quiz_id}/attempts",
    response={200: AttemptOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="开始或继续作答（返回进行中的作答）",
)
def start_attempt(request, quiz_id: int):
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    attempt = services.attempt_start(user=request.user, quiz=quiz)
    return presenters.attempt_payload(attempt)


@router.get(
    "/attempts/{attempt_id}", response={200: AttemptOut, 404: ErrorOut}, summary="读取作答（作答中不含正确答案）"
)
def get_attempt(request, attempt_id: int):
    attempt = services.attempt_finish_if_overdue(attempt=_own_attempt(request, attempt_id))
    return presenters.attempt_payload(attempt)


@router.put(
    "/attempts/{attempt_id}/answers/{question_id}",
    response={200: AnswerOut, 400: ErrorOut, 404: ErrorOut, 409: StaleOut},
    summary="保存一道题的答案（须附上最近看到的保存序号）",
)
def save_answer(request, attempt_id: int, question_id: int, payload: AnswerIn):
    # One read for the attempt, the slot and its question; the 404 or 400 is told apart only when it fails.
    slot = selectors.own_slot(request.user, attempt_id=attempt_id, question_id=question_id)
    attempt = slot.attempt if slot is not None else _own_attempt(request, attempt_id)
    try:
        slot = services.attempt_save_answer(
            attempt=attempt, question=question_id, answer=payload.answer, sequence=payload.sequence, slot=slot
        )
    except services.StaleAnswer as exc:
        return Status(
            409,
            {
                "detail": exc.messages[0],
                "question_id": question_id,
                "sequence": exc.slot.sequence,
                "answer": exc.slot.answer,
            },
        )
    except services.AttemptClosed as exc:
        raise HttpError(409, exc.messages[0]) from exc
    return {"question_id": question_id, "sequence": slot.sequence, "answer": slot.answer, "saved_at": slot.answered_at}


@router.post(
    "/attempts/{attempt_id}/submit", response={200: ResultOut, 404: ErrorOut}, summary="交卷（重复提交返回同一结果）"
)
def submit_attempt(request, attempt_id: int):
    attempt = services.attempt_submit(attempt=_own_attempt(request, attempt_id))
    return presenters.result_payload(attempt, review=selectors.attempt_review(attempt, now=timezone.now()))
