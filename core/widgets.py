"""Admin form widgets shared by the page and snippet edit forms."""

from django import forms
from django.utils.translation import gettext_lazy as _


class FilterableCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """Checkboxes with a filter box above them (static/js/checkbox_filter.js) instead of a Ctrl-click list.

    Without JavaScript it is a plain list of checkboxes; the filter only hides the options that do not
    match, so hidden ticked options are still posted. Ticked options always stay visible.
    """

    template_name = "core/widgets/filterable_checkbox_select.html"

    class Media:
        js = ["js/checkbox_filter.js"]
        css = {"all": ["css/checkbox_filter.css"]}

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["filter_label"] = _("筛选选项")
        context["widget"]["filter_placeholder"] = _("输入文字筛选…")
        return context
