from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from core.navigation import DashboardPanel, NavItem
from learning import selectors


@hooks.register("register_site_nav_item")
def courses_nav():
    return NavItem(label=_("课程中心"), url_name="learning:course_center", order=30, section=_course_center_path)


def _course_center_path() -> str | None:
    """课程中心 is current anywhere below the course index page (its menu link only redirects there)."""
    from learning.models import CourseIndexPage

    index = CourseIndexPage.objects.live().first()
    return index.url if index else None


@hooks.register("register_site_nav_item")
def archive_nav():
    return NavItem(
        label=_("学习档案"),
        url_name="learning:archive",
        order=60,
        show=lambda request: selectors.cadre_profile_cached(request) is not None,
    )


@hooks.register("register_site_nav_item")
def assignments_nav():
    return NavItem(
        label=_("课程指派"),
        url_name="learning:assignment_list",
        order=70,
        show=lambda request: selectors.is_trainer(request.user),
    )


@hooks.register("register_site_nav_item")
def review_nav():
    return NavItem(
        label=_("心得审阅"),
        url_name="learning:reflection_review_list",
        order=75,
        show=lambda request: selectors.is_trainer(request.user),
    )


@hooks.register("credit_hours_for_year")
def credit_hours(user, year):
    return selectors.credit_hours_for_year(user=user, year=year)


@hooks.register("register_dashboard_panel")
def my_courses_panel(request):
    """Assigned and chosen courses with deadlines, overdue marks and progress; where to continue."""
    if selectors.cadre_profile_cached(request) is None:
        return None
    return DashboardPanel(
        template_name="learning/panels/my_courses.html",
        context={
            "courses": selectors.dashboard_courses(user=request.user),
            "continue": selectors.continue_lesson(user=request.user),
            "today": timezone.localdate(),
        },
        order=20,
    )


@hooks.register("case_used_in_courses")
def courses_using_case(request, case_page):
    """Live lessons that reference this case, as {"title", "url"} for the case page (one query)."""
    return selectors.lessons_using_case(case=case_page, request=request)


@hooks.register("case_page_sections")
def case_reflection_section(request, case_page):
    """The 以案促改 心得体会 form on the case page itself (posts to learning:case_reflection)."""
    from learning.forms import ReflectionForm
    from learning.models import Reflection
    from learning.views import CASE_PROMPT

    if not request.user.is_authenticated or selectors.cadre_profile_cached(request) is None:
        return None
    reflection = Reflection.objects.filter(user=request.user, page_id=case_page.pk).first()
    return {
        "template": "learning/includes/case_reflection_form.html",
        "context": {
            "case": case_page,
            "reflection": reflection,
            "prompt": CASE_PROMPT,
            "form": ReflectionForm(initial={"body": reflection.body if reflection else ""}),
        },
    }
