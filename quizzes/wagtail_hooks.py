from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from core.navigation import NavItem
from quizzes.viewsets import QuizzesViewSetGroup


@hooks.register("register_admin_viewset")
def register_quiz_admin():
    return QuizzesViewSetGroup()


@hooks.register("register_site_nav_item")
def quizzes_nav():
    return NavItem(label=_("测验"), url_name="quizzes:index", order=40)
