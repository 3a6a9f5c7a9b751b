"""Thin views: enrolment, certificates and verification, archive, reflections, assignments."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from accounts import selectors as account_selectors
from core import access
from learning import pdf, selectors, services
from learning.forms import AssignmentForm, ReflectionForm, ReviewForm
from learning.models import CourseIndexPage, CoursePage, LessonPage, Reflection, ReflectionStatus


def _require_trainer(user):
    if not selectors.is_trainer(user):
        raise PermissionDenied(_("仅培训管理员可以访问。"))


def course_center(request):
    index = CourseIndexPage.objects.live().first()
    if index is None:
        raise Http404(_("课程中心尚未建立。"))
    return redirect(index.url)


@login_required
@require_POST
def course_enrol(request, course_id: int):
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    if not access.page_visible_to(request.user, course, request=request):
        raise Http404(_("课程不存在。"))
    try:
        services.enrolment_self_create(user=request.user, course=course, request=request)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("已选学《%(title)s》。") % {"title": course.title})
    # Enrolling from one of its lessons returns there (the lesson then starts counting).
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect(course.url)


@login_required
def certificate_pdf(request, code: str):
    certificate = selectors.certificate_by_code(code)
    if certificate is None or not account_selectors.can_view_cadre(request.user, certificate.user):
        raise Http404(_("证书不存在。"))
    response = HttpResponse(
        pdf.certificate_pdf(certificate, base_url=pdf.public_base_url(request)), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="certificate-{certificate.code}.pdf"'
    return response


def certificate_verify(request, code: str):
    """Public: name, course and date of a certificate, nothing else."""
    certificate = selectors.certificate_by_code(code)
    response = render(request, "learning/certificate_verify.html", {"certificate": certificate, "code": code})
    if certificate is None:
        response.status_code = 404
    return response


def _archive_user(request, user_id: int | None):
    if user_id is None:
        return request.user
    cadre = get_object_or_404(get_user_model(), pk=user_id)
    if cadre.pk != request.user.pk and not (
        selectors.is_trainer(request.user) and account_selectors.can_view_cadre(request.user, cadre)
    ):
        raise Http404(_("学员不存在。"))
    return cadre


@login_required
def archive(request, user_id: int | None = None):
    cadre = _archive_user(request, user_id)
    return render(
        request, "learning/archive.html", {"archive": selectors.archive_for(user=cadre), "own": cadre == request.user}
    )


@login_required
def archive_pdf(request, user_id: int | None = None):
    cadre = _archive_user(request, user_id)
    response = HttpResponse(pdf.archive_pdf(selectors.archive_for(user=cadre)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="archive-{cadre.username}.pdf"'
    return response


@login_required
@require_POST
def reflection_submit(request, page_id: int):
    lesson = get_object_or_404(LessonPage.objects.live(), pk=page_id)
    if not access.page_visible_to(request.user, lesson, request=request):
        raise Http404(_("课时不存在。"))
    form = ReflectionForm(request.POST)
    if form.is_valid():
        try:
            services.reflection_submit(
                user=request.user,
                page=lesson,
                body=form.cleaned_data["body"],
                prompt=lesson.reflection_prompt,
                request=request,
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("心得体会已提交，等待培训管理员审阅。"))
    else:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return redirect(lesson.url + "#reflection")


CASE_PROMPT = _lazy(
    "以案促改：结合本案例，对照检查本人和本单位在权力运行、监督制约、制度执行等方面存在的问题，提出整改措施。"
)


@login_required
def case_reflection(request, case_id: int):
    """以案促改 on a case: the cadre writes or revises a reflection; the trainer reviews it like a lesson's."""
    from cases.models import CaseStudyPage
    from cases.selectors import can_view_case

    case = get_object_or_404(CaseStudyPage.objects.live(), pk=case_id)
    if not can_view_case(request.user, case, request=request):
        raise Http404(_("案例不存在。"))
    reflection = Reflection.objects.filter(user=request.user, page_id=case.pk).first()
    form = ReflectionForm(request.POST or None, initial={"body": reflection.body if reflection else ""})
    if request.method == "POST" and form.is_valid():
        try:
            services.reflection_submit(
                user=request.user, page=case, body=form.cleaned_data["body"], prompt=str(CASE_PROMPT), request=request
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("心得体会已提交，等待培训管理员审阅。"))
            if request.POST.get("from_case"):  # the form on the case page: back to the case
                return redirect(f"{case.url}#case-reflection")
            return redirect("learning:case_reflection", case_id=case.pk)
    return render(
        request,
        "learning/case_reflection.html",
        {
            "case": case,
            "form": form,
            "reflection": reflection,
            "prompt": CASE_PROMPT,
        },
    )


@login_required
def my_reflections(request):
    reflections = Reflection.objects.filter(user=request.user).select_related("page", "reviewed_by")
    return render(request, "learning/my_reflections.html", {"reflections": reflections})


@login_required
def reflection_review_list(request):
    _require_trainer(request.user)
    status = request.GET.get("status", ReflectionStatus.SUBMITTED)
    if status not in ReflectionStatus.values:
        status = ReflectionStatus.SUBMITTED
    page = Paginator(selectors.reflections_for_review(by=request.user, status=status), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "learning/reflection_review_list.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": ReflectionStatus.choices,
        },
    )


@login_required
def reflection_review(request, reflection_id: int):
    _require_trainer(request.user)
    reflection = get_object_or_404(selectors.reflections_for_review(by=request.user, status=None), pk=reflection_id)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reflection_review(
                by=request.user,
                reflection=reflection,
                accept=form.cleaned_data["decision"] == "accept",
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("审阅结果已保存。"))
            return redirect("learning:reflection_review_list")
    return render(request, "learning/reflection_review.html", {"reflection": reflection, "form": form})


@login_required
def assignment_list(request):
    _require_trainer(request.user)
    page = Paginator(selectors.assignments_visible_to(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "learning/assignment_list.html", {"page_obj": page})


@login_required
def assignment_create(request):
    _require_trainer(request.user)
    form = AssignmentForm(request.POST or None, user=request.user)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if "preview" in request.POST:
            reach = services.assignment_reach(org_units=list(data["org_units"]), ranks=data["ranks"])
            preview = {"count": reach.count(), "cadres": reach[:200]}
        else:
            try:
                assignment = services.assignment_create(
                    by=request.user,
                    course=data["course"],
                    org_units=list(data["org_units"]),
                    ranks=data["ranks"],
                    year=data["year"],
                    due_date=data["due_date"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("已指派，覆盖 %(n)s 名学员。") % {"n": assignment.enrolments.count()})
                return redirect("learning:assignment_detail", assignment_id=assignment.pk)
    return render(request, "learning/assignment_form.html", {"form": form, "preview": preview})


@login_required
def assignment_detail(request, assignment_id: int):
    _require_trainer(request.user)
    assignment = get_object_or_404(selectors.assignments_visible_to(user=request.user), pk=assignment_id)
    visible_units = account_selectors.org_units_visible_to(request.user)
    enrolments = selectors.assignment_enrolments(assignment=assignment).filter(
        user__cadre_profile__org_unit__in=visible_units
    )
    page = Paginator(enrolments, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "learning/assignment_detail.html",
        {
            "assignment": assignment,
            "page_obj": page,
            "reached": page.paginator.count,
            "today": timezone.localdate(),
        },
    )
