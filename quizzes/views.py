"""Cadre pages: quiz overview, the attempt form (autosaved by static/js/quiz.js), the result."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from quizzes import presenters, selectors, services
from quizzes.models import Attempt, AttemptState, Quiz


def _own_attempt(request, attempt_id: int) -> Attempt:
    return get_object_or_404(Attempt.objects.select_related("quiz"), pk=attempt_id, user=request.user)


@login_required
@require_GET
def quiz_list(request):
    now = timezone.now()
    mine = Attempt.objects.filter(user=request.user).select_related("quiz").order_by("-started_at")[:50]
    open_quizzes = [q for q in Quiz.objects.order_by("title") if selectors.quiz_is_open(q, now=now)]
    return render(request, "quizzes/quiz_list.html", {"quizzes": open_quizzes, "attempts": mine})


@login_required
@require_GET
def quiz_detail(request, quiz_id: int):
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    now = timezone.now()
    attempts = list(selectors.attempts_for_user(request.user, quiz))
    for attempt in attempts:
        services.attempt_finish_if_overdue(attempt=attempt, now=now)
    attempts = list(selectors.attempts_for_user(request.user, quiz))
    in_progress = next((a for a in attempts if a.state == AttemptState.IN_PROGRESS), None)
    allowed, reason = selectors.quiz_can_attempt(request.user, quiz, now=now)
    rows = [(a, selectors.attempt_review(a, now=now)) for a in attempts]
    grade = selectors.grade_from_attempts(quiz.grading_method, attempts)
    return render(
        request,
        "quizzes/quiz_detail.html",
        {
            "quiz": quiz,
            "attempt_rows": rows,
            "in_progress": in_progress,
            "can_start": allowed,
            "reason": reason,
            "grade": grade,
            "grade_visible": all(r.show_score for _a, r in rows),
            "question_count": selectors.quiz_plan(quiz).question_count,
        },
    )


@login_required
@require_POST
def quiz_start(request, quiz_id: int):
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    try:
        attempt = services.attempt_start(user=request.user, quiz=quiz)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
        return redirect("quizzes:detail", quiz_id=quiz.pk)
    return redirect("quizzes:attempt", attempt_id=attempt.pk)


@never_cache  # no-store: after submitting, Back asks the server again and lands on the result
@login_required
@require_GET
def attempt_take(request, attempt_id: int):
    attempt = services.attempt_finish_if_overdue(attempt=_own_attempt(request, attempt_id))
    if attempt.state != AttemptState.IN_PROGRESS:
        return redirect("quizzes:result", attempt_id=attempt.pk)
    payload = presenters.attempt_payload(attempt)
    return render(
        request,
        "quizzes/attempt_take.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "data": payload,
            "answer_url": f"{reverse('api:get_attempt', args=[attempt.pk])}/answers/",
        },
    )


def _form_answer(request, item: dict):
    key = f"q{item['id']}"
    if item["type"] == "multiple":
        return request.POST.getlist(key) if key in request.POST or f"present{item['id']}" in request.POST else None
    return request.POST.get(key)


@login_required
@require_POST
def attempt_submit(request, attempt_id: int):
    """Save what the form carries (for browsers without JavaScript), then submit once."""
    attempt = services.attempt_finish_if_overdue(attempt=_own_attempt(request, attempt_id))
    if attempt.state == AttemptState.IN_PROGRESS:
        for item in presenters.slot_items(attempt, review=selectors.Review(False, False)):
            value = _form_answer(request, item)
            if value is None:
                continue
            if item["type"] == "multiple":
                value = [int(v) for v in value if str(v).isdigit()]
            elif item["type"] in ("single", "truefalse"):
                value = int(value) if str(value).isdigit() else None
            if value == item["answer"] or (value in ("", []) and item["answer"] is None):
                continue
            try:
                sequence = int(request.POST.get(f"seq{item['id']}", item["sequence"]))
                services.attempt_save_answer(attempt=attempt, question=item["id"], answer=value, sequence=sequence)
            except (ValueError, ValidationError):
                # A newer answer (another tab) or a closed attempt: the saved answer stands.
                continue
        attempt = services.attempt_submit(attempt=attempt)
    return redirect("quizzes:result", attempt_id=attempt.pk)


@login_required
@require_GET
def attempt_result(request, attempt_id: int):
    attempt = services.attempt_finish_if_overdue(attempt=_own_attempt(request, attempt_id))
    if attempt.state == AttemptState.IN_PROGRESS:
        return redirect("quizzes:attempt", attempt_id=attempt.pk)
    review = selectors.attempt_review(attempt)
    items = presenters.slot_items(attempt, review=review) if review.show_answers else []
    return render(
        request,
        "quizzes/attempt_result.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "review": review,
            "items": items,
            "result": presenters.result_payload(attempt, review=review),
        },
    )
