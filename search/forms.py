from django import forms
from django.utils.translation import gettext_lazy as _

from search.selectors import query_too_long

FACET_PARAMS = ("topic", "sector", "violation", "year")


class SearchForm(forms.Form):
    """The search box and its facet filters, as query-string parameters."""

    q = forms.CharField(label=_("搜索"), required=False, strip=True)
    type = forms.SlugField(label=_("类型"), required=False, max_length=50)
    page = forms.IntegerField(label=_("页码"), required=False, min_value=1, max_value=10_000)
    topic = forms.CharField(required=False, max_length=100)
    sector = forms.CharField(required=False, max_length=100)
    violation = forms.CharField(required=False, max_length=100)
    year = forms.IntegerField(required=False, min_value=1949, max_value=2100)

    def clean_q(self) -> str:
        message = query_too_long(self.cleaned_data["q"])
        if message:
            raise forms.ValidationError(message, code="max_length")
        return self.cleaned_data["q"]

    def filters(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in FACET_PARAMS if data.get(name) not in (None, "")}
