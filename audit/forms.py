from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from audit.models import Action
from audit.selectors import AuditFilter


class AuditFilterForm(forms.Form):
    start = forms.DateField(label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    account = forms.CharField(label=_("账号或姓名"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("操作"), required=False, choices=[("", _("全部"))] + list(Action.choices))
    unit = forms.CharField(label=_("单位"), required=False, max_length=500, help_text=_("含下级单位，如“某省/甲市”。"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["start"] > cleaned["end"]:
            raise ValidationError(_("开始日期不能晚于结束日期。"))
        return cleaned

    def to_filter(self) -> AuditFilter:
        data = self.cleaned_data if self.is_valid() else {}
        return AuditFilter(
            start=data.get("start"),
            end=data.get("end"),
            account=(data.get("account") or "").strip(),
            action=data.get("action") or "",
            unit=(data.get("unit") or "").strip(),
        )
