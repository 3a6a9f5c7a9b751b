"""What an attempt looks like to its cadre: shared by the JSON API and the quiz page.

Correct answers, explanations and per-question scores are included only when the quiz's
review option allows them for a finished attempt.
"""

from django.utils import timezone

from quizzes import selectors
from quizzes.models import Attempt, AttemptSlot, AttemptState, QuestionType


def result_payload(attempt: Attempt, *, review: selectors.Review) -> dict:
    show = review.show_score and attempt.state == AttemptState.FINISHED
    return {
        "state": attempt.state,
        "score": attempt.score if show else None,
        "max_score": attempt.max_score if review.show_score else None,
        "passed": attempt.passed if show else None,
    }


def slot_items(attempt: Attempt, *, review: selectors.Review) -> list[dict]:
    """The attempt's questions in order: one query for the slots, the questions from the cache."""
    slots = list(
        AttemptSlot.objects.filter(attempt=attempt)
        .order_by("position")
        .values_list("question_id", "position", "mark", "choice_order", "answer", "sequence", "score", "feedback")
    )
    views = selectors.question_views([s[0] for s in slots])
    items = []
    for question_id, position, mark, choice_order, answer, sequence, score, feedback in slots:
        view = views[question_id]
        choices = []
        for cid in choice_order:
            choice = view.choices.get(cid)
            if choice is None:
                continue
            entry = {"id": cid, "text": choice[0]}
            if review.show_answers:
                entry["is_correct"] = choice[1]
            choices.append(entry)
        item = {
            "id": question_id,
            "position": position,
            "type": view.qtype,
            "type_label": str(QuestionType(view.qtype).label),
            "stem": view.stem_html,
            "mark": mark,
            "choices": choices,
            "answer": answer,
            "sequence": sequence,
        }
        if review.show_answers:
            item["score"] = score
            item["explanation"] = view.explanation_html
            item["feedback"] = feedback
            if view.qtype == QuestionType.FILL_BLANK:
                item["accepted_answers"] = list(view.accepted)
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
