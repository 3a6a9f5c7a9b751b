"""What an attempt looks like to its cadre: shared by the JSON API and the quiz page.

Correct answers, explanations and per-question scores are included only when the quiz's
review option allows them for a finished attempt.
"""

from django.utils import timezone
from django.utils.html import strip_tags
from wagtail.rich_text import expand_db_html

from quizzes import selectors
from quizzes.models import Attempt, AttemptState, QuestionType


def result_payload(attempt: Attempt, *, review: selectors.Review) -> dict:
    show = review.show_score and attempt.state == AttemptState.FINISHED
    return {
        "state": attempt.state,
        "score": attempt.score if show else None,
        "max_score": attempt.max_score if review.show_score else None,
        "passed": attempt.passed if show else None,
    }


def slot_items(attempt: Attempt, *, review: selectors.Review) -> list[dict]:
    slots = list(
        attempt.slots.select_related("question").prefetch_related("question__choices", "question__accepted_answers")
    )
    items = []
    for slot in slots:
        question = slot.question
        by_id = {c.pk: c for c in question.choices.all()}
        choices = []
        for cid in slot.choice_order:
            choice = by_id.get(cid)
            if choice is None:
                continue
            entry = {"id": choice.pk, "text": strip_tags(choice.text)}
            if review.show_answers:
                entry["is_correct"] = choice.is_correct
            choices.append(entry)
        item = {
            "id": question.pk,
            "position": slot.position,
            "type": question.qtype,
            "type_label": str(QuestionType(question.qtype).label),
            "stem": expand_db_html(question.stem),
            "mark": slot.mark,
            "choices": choices,
            "answer": slot.answer,
            "sequence": slot.sequence,
        }
        if review.show_answers:
            item["score"] = slot.score
            item["explanation"] = expand_db_html(question.explanation) if question.explanation else ""
            item["feedback"] = slot.feedback
            if question.qtype == QuestionType.FILL_BLANK:
                item["accepted_answers"] = [a.text for a in question.accepted_answers.all()]
        items.append(item)
    return items


def attempt_payload(attempt: Attempt) -> dict:
    now = timezone.now()
    review = selectors.attempt_review(attempt, now=now)
    seconds_left = None
    if attempt.state == AttemptState.IN_PROGRESS and attempt.deadline:
        seconds_left = max(0, int((attempt.deadline - now).total_seconds()))
    return {
        "id": attempt.pk,
        "quiz_id": attempt.quiz_id,
        "quiz_title": attempt.quiz.title,
        "number": attempt.number,
        "state": attempt.state,
        "state_label": str(AttemptState(attempt.state).label),
        "started_at": attempt.started_at,
        "deadline": attempt.deadline,
        "finished_at": attempt.finished_at,
        "server_now": now,
        "seconds_left": seconds_left,
        "sequence": attempt.sequence,
        "result": result_payload(attempt, review=review),
        "questions": slot_items(attempt, review=review),
    }
