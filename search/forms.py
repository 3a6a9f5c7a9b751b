from django import forms
from django.utils.translation import gettext_lazy as _

from search.selectors import MAX_QUERY_LENGTH

FACET_PARAMS = ("topic", "sector", "violation", "year")


class SearchForm(forms.Form):
    """The search box and its facet filters, as query-string parameters."""

    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=MAX_QUERY_LENGTH * 2,
        strip=True,
        error_messages={
            "max_length": _(
                "搜索词太长：最多 %(limit_value)d 个字，您输入了 %(show_value)d 个字。请只输入关键词（如案例名称、人名、违纪类型）后重试。"
            )
        },
    )
    type = forms.SlugField(label=_("类型"), required=False, max_length=50)
    page = forms.IntegerField(label=_("页码"), required=False, min_value=1, max_value=10_000)
    topic = forms.CharField(required=False, max_length=100)
    sector = forms.CharField(required=False, max_length=100)
    violation = forms.CharField(required=False, max_length=100)
    year = forms.IntegerField(required=False, min_value=1949, max_value=2100)

    def filters(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in FACET_PARAMS if data.get(name) not in (None, "")}
