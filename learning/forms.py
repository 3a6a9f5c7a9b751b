from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import selectors as account_selectors
from accounts.models import OrgUnit
from accounts.roles import Rank
from learning.models import CourseKind, CoursePage


class UnitChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.indented_name


class AssignmentForm(forms.Form):
    course = forms.ModelChoiceField(label=_("必修课程"), queryset=CoursePage.objects.none())
    org_units = UnitChoiceField(
        label=_("单位（含下级单位）"), queryset=OrgUnit.objects.none(), widget=forms.SelectMultiple(attrs={"size": 10})
    )
    ranks = forms.TypedMultipleChoiceField(
        label=_("限定职级"),
        choices=Rank.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示所有职级"),
    )
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    due_date = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = CoursePage.objects.live().filter(kind=CourseKind.REQUIRED).order_by("path")
        # Only units in the trainer's scope are offered; the service checks again.
        self.fields["org_units"].queryset = account_selectors.org_units_visible_to(user).order_by("path")
        self.fields["year"].initial = timezone.localdate().year

    def clean(self):
        data = super().clean()
        if data.get("due_date") and data.get("year") and data["due_date"].year < data["year"]:
            self.add_error("due_date", _("截止日期不能早于指派年度。"))
        return data


class ReflectionForm(forms.Form):
    body = forms.CharField(
        label=_("心得体会"),
        min_length=20,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("结合本人岗位和工作实际，谈认识、查问题、提措施（至少 20 字）"),
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("审阅结果"), choices=[("accept", _("通过")), ("return", _("退回修改"))])
    comment = forms.CharField(
        label=_("审阅意见"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
