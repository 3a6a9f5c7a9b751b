from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.models import Page

from quizzes.models import QuestionCategory
from quizzes.services import ChoiceData, question_check

# Questions link to cases, courses and lessons without importing those apps.
LINKABLE_PAGE_APPS = ("cases", "learning")


class QuestionCategoryForm(WagtailAdminModelForm):
    parent = forms.ModelChoiceField(
        label=_("上级分类"),
        queryset=QuestionCategory.objects.order_by("path"),
        required=False,
        help_text=_("留空则为顶级分类。"),
    )

    class Meta:
        model = QuestionCategory
        fields = ["name", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance and self.instance.pk:
            self.fields["parent"].initial = self.instance.get_parent()
            self.fields["parent"].queryset = QuestionCategory.objects.exclude(
                path__startswith=self.instance.path
            ).order_by("path")
        self.fields["parent"].label_from_instance = lambda c: c.full_path


class QuestionForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "linked_pages" in self.fields:
            self.fields["linked_pages"].queryset = (
                Page.objects.live().filter(content_type__app_label__in=LINKABLE_PAGE_APPS).order_by("title")
            )
        if "category" in self.fields:
            self.fields["category"].queryset = QuestionCategory.objects.order_by("path")
            self.fields["category"].label_from_instance = lambda c: c.full_path

    def is_valid(self):
        if not super().is_valid():
            return False

        def rows(name):
            formset = self.formsets[name]
            return [f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]

        choices = [ChoiceData(c.get("text", ""), bool(c.get("is_correct")), c.get("fraction")) for c in rows("choices")]
        accepted = [a.get("text", "") for a in rows("accepted_answers")]
        try:
            question_check(qtype=self.cleaned_data["qtype"], choices=choices, accepted=accepted)
        except ValidationError as exc:
            self.add_error(None, exc)
            return False
        return True


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("题库文件"), help_text=_("Moodle XML（.xml）、GIFT（.txt/.gift）或 Excel 模板（.xlsx）")
    )
    category = forms.CharField(
        label=_("导入到分类"), max_length=400, help_text=_("如 党纪法规/中央八项规定；不存在的分类会自动创建")
    )


class GradeForm(forms.Form):
    score = forms.DecimalField(label=_("得分"), min_value=0, decimal_places=2, max_digits=6)
    feedback = forms.CharField(label=_("评语"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
