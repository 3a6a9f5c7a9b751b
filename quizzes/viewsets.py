from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from quizzes import services
from quizzes.forms import QuestionCategoryForm, QuestionForm
from quizzes.models import Question, QuestionCategory, Quiz


class CategoryCreateView(generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.category_create(
            name=data["name"], parent=data.get("parent"), description=data.get("description", "")
        )


class CategoryEditView(generic.EditView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.category_update(
            category=self.object, name=data["name"], parent=data.get("parent"), description=data.get("description", "")
        )


class QuestionCategoryViewSet(ModelViewSet):
    model = QuestionCategory
    icon = "folder-open-inverse"
    menu_label = _("题目分类")
    add_view_class = CategoryCreateView
    edit_view_class = CategoryEditView
    list_display = [Column("indented_name", label=_("分类")), Column("full_path", label=_("完整路径"))]
    search_fields = ["name", "full_path"]
    ordering = ["path"]
    list_per_page = 100
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return QuestionCategoryForm


class QuestionViewSet(SnippetViewSet):
    model = Question
    icon = "help"
    menu_label = _("题库")
    edit_handler = ObjectList(Question.panels, base_form_class=QuestionForm)
    list_display = ["__str__", "qtype", "category", "default_mark", "updated_at"]
    list_filter = ["qtype", "category"]
    search_fields = ["name", "stem", "category__full_path"]
    ordering = ["category__path", "pk"]
    copy_view_enabled = False


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "tasks"
    menu_label = _("测验")
    list_display = ["title", "open_at", "close_at", "time_limit_minutes", "pass_percent"]
    search_fields = ["title"]
    ordering = ["-created_at"]


class QuizzesViewSetGroup(SnippetViewSetGroup):
    menu_label = _("题库与测验")
    menu_icon = "help"
    menu_order = 230
    items = [QuestionCategoryViewSet("question_categories"), QuestionViewSet, QuizViewSet]
