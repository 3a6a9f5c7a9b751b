"""Wagtail admin pages beyond the viewsets: import/export, essay grading queue, results and item analysis."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.selectors import can_view_cadre
from quizzes import importers, selectors, services
from quizzes.forms import GradeForm, ImportForm
from quizzes.models import AttemptSlot, QuestionCategory, Quiz

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@permission_required("quizzes.import_questions", raise_exception=True)
@require_http_methods(["GET", "POST"])
def import_upload(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > importers.MAX_UPLOAD_BYTES:
            form.add_error("file", _("文件过大，上限 %(m)d MB。") % {"m": importers.MAX_UPLOAD_BYTES // 1048576})
        else:
            try:
                result = importers.import_questions(
                    data=upload.read(), filename=upload.name, category_path=form.cleaned_data["category"]
                )
            except importers.ImportFailed as exc:
                errors = exc.errors
                messages.error(request, _("导入失败，未写入任何题目。请修正以下问题后重新上传。"))
            except ValidationError as exc:
                errors = [(_("文件"), m) for m in exc.messages]
                messages.error(request, _("导入失败，未写入任何题目。"))
            else:
                messages.success(request, result.summary)
                for warning in result.warnings:
                    messages.warning(request, warning)
                return redirect("quizzes_import")
    categories = QuestionCategory.objects.order_by("path")
    return render(request, "quizzes/admin/import.html", {"form": form, "errors": errors, "categories": categories})


@permission_required("quizzes.import_questions", raise_exception=True)
@require_GET
def import_template(request):
    return _download(importers.xlsx_template(), "题库导入模板.xlsx", XLSX)


@permission_required("quizzes.import_questions", raise_exception=True)
@require_GET
def export_category(request, category_id: int, fmt: str):
    category = get_object_or_404(QuestionCategory, pk=category_id)
    name = category.full_path.replace("/", "-")
    if fmt == "xml":
        return _download(importers.export_moodle_xml(category), f"{name}.xml", "application/xml")
    return _download(importers.export_xlsx(category), f"{name}.xlsx", XLSX)


@permission_required("quizzes.grade_attempts", raise_exception=True)
@require_GET
def grading_queue(request):
    slots = selectors.grading_queue_for(request.user)[:200]
    return render(request, "quizzes/admin/grading_queue.html", {"slots": slots})


@permission_required("quizzes.grade_attempts", raise_exception=True)
@require_http_methods(["GET", "POST"])
def grade_slot(request, slot_id: int):
    slot = get_object_or_404(
        AttemptSlot.objects.select_related("attempt__quiz", "attempt__user", "question"), pk=slot_id
    )
    if not can_view_cadre(request.user, slot.attempt.user):
        # Never reveal that an attempt outside the trainer's scope exists.
        from django.http import Http404

        raise Http404
    form = GradeForm(request.POST or None, initial={"score": slot.score, "feedback": slot.feedback})
    if request.method == "POST" and form.is_valid():
        try:
            services.slot_grade(
                slot=slot, grader=request.user, score=form.cleaned_data["score"], feedback=form.cleaned_data["feedback"]
            )
        except ValidationError as exc:
            form.add_error("score", exc.messages[0])
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已批改。"))
            return redirect("quizzes_grading")
    return render(request, "quizzes/admin/grade_slot.html", {"slot": slot, "form": form})


@permission_required("quizzes.view_results", raise_exception=True)
@require_GET
def results_index(request):
    return render(request, "quizzes/admin/results_index.html", {"quizzes": selectors.quizzes_for_results(request.user)})


@permission_required("quizzes.view_results", raise_exception=True)
@require_GET
def quiz_results(request, quiz_id: int):
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    rows = selectors.quiz_results_for(request.user, quiz)
    analysis = selectors.item_analysis(request.user, quiz)
    return render(
        request,
        "quizzes/admin/quiz_results.html",
        {
            "quiz": quiz,
            "rows": rows,
            "analysis": analysis,
            "now": timezone.now(),
            "passed": sum(1 for r in rows if r["passed"]),
        },
    )
