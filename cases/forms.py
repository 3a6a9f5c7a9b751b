from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.roles import Rank
from cases.models import Countermeasure, Sector, SupervisionFailure, ViolationType


class CaseFilterForm(forms.Form):
    """The filters of the case library (GET); every field optional, bad values are ignored."""

    sector = forms.ModelChoiceField(Sector.objects.all(), required=False, label=_("领域"), empty_label=_("全部领域"))
    violation = forms.ModelChoiceField(
        ViolationType.objects.all(), required=False, label=_("违纪违法类型"), empty_label=_("全部类型")
    )
    failure = forms.ModelChoiceField(
        SupervisionFailure.objects.all(), required=False, label=_("监督问题"), empty_label=_("全部监督问题")
    )
    measure = forms.ModelChoiceField(
        Countermeasure.objects.all(), required=False, label=_("对策"), empty_label=_("全部对策")
    )
    rank = forms.TypedChoiceField(
        choices=[("", _("全部职级")), *Rank.choices],
        coerce=int,
        required=False,
        empty_value=None,
        label=_("当事人职级"),
    )
    year = forms.TypedChoiceField(choices=[], coerce=int, required=False, empty_value=None, label=_("年份"))
    top_leader = forms.BooleanField(required=False, label=_("只看一把手案例"))

    def __init__(self, *args, years: list[int] | None = None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("全部年份")), *((y, str(y)) for y in (years or []))]

    def active_filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}


class CaseImportForm(forms.Form):
    """Admin upload of a JSONL file of cases."""

    file = forms.FileField(label=_("JSONL 文件"), help_text=_("每行一个案例，UTF-8 编码"))
    publish = forms.BooleanField(label=_("导入后直接发布"), required=False)

    def __init__(self, *args, can_publish: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_publish:
            del self.fields["publish"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = getattr(settings, "CASE_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
        if upload.size > limit:
            raise forms.ValidationError(_("文件过大：最大 %(mb)d MB。") % {"mb": limit // (1024 * 1024)})
        return upload
