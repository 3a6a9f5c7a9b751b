from django.contrib.admin.utils import unquote
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.users.views.users import UserViewSet

from accounts import selectors, services
from accounts.forms import CadreProfileForm, MingjianUserCreationForm, MingjianUserEditForm, OrgUnitForm
from accounts.models import CadreProfile, OrgUnit, TrainerScope
from core.spreadsheets import safe_cell


def _scoped(view, queryset):
    """Limit an admin queryset to what the signed-in user may see (trainers: their subtrees; 安全管理员: all)."""
    user = view.request.user
    if selectors.user_sees_all_units(user) or selectors.user_manages_all_accounts(user):
        return queryset
    units = selectors.org_units_for_accounts(user)
    if queryset.model is OrgUnit:
        return queryset.filter(pk__in=units.values("pk"))
    return queryset.filter(org_unit__in=units)


class CadreIndexView(generic.IndexView):
    def to_row_dict(self, item):
        """Exports mask the phone number unless the user may see personal data."""
        from accounts.personal_data import can_see_personal_data, mask_phone

        row = super().to_row_dict(item)
        if "phone" in row and not can_see_personal_data(self.request.user):
            row["phone"] = mask_phone(row["phone"])
        return row


class ScopedIndexView(CadreIndexView):
    def get_base_queryset(self):
        return _scoped(self, super().get_base_queryset())

    def preprocess_field_value(self, field, value, export_format):
        # Spreadsheet exports of the listing: no cell may be read as a formula (core.spreadsheets).
        return safe_cell(super().preprocess_field_value(field, value, export_format))


class ScopedObjectMixin:
    def get_queryset(self):
        return _scoped(self, super().get_queryset())


class ScopedEditView(ScopedObjectMixin, generic.EditView):
    pass


class ScopedInspectView(generic.InspectView):
    def get_phone_display_value(self):
        from accounts.personal_data import can_see_personal_data, mask_phone

        phone = getattr(self.object, "phone", "")
        return phone if can_see_personal_data(self.request.user) else mask_phone(phone)

    def get_object(self, queryset=None):
        return get_object_or_404(_scoped(self, self.model._default_manager.all()), pk=unquote(str(self.pk)))


class ScopedDeleteView(ScopedObjectMixin, generic.DeleteView):
    pass


class MingjianUserViewSet(UserViewSet):
    template_prefix = "wagtailusers/users/"

    def get_form_class(self, for_update=False):
        return MingjianUserEditForm if for_update else MingjianUserCreationForm


class OrgUnitCreateView(generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.org_unit_create(name=data["name"], parent=data.get("parent"))


class OrgUnitEditView(ScopedEditView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.org_unit_update(unit=self.object, name=data["name"], parent=data.get("parent"))


class OrgUnitViewSet(ModelViewSet):
    model = OrgUnit
    icon = "site"
    menu_label = _("组织单位")
    index_view_class = ScopedIndexView
    add_view_class = OrgUnitCreateView
    edit_view_class = OrgUnitEditView
    inspect_view_class = ScopedInspectView
    delete_view_class = ScopedDeleteView
    list_display = [Column("indented_name", label=_("单位")), Column("full_path", label=_("完整路径"))]
    search_fields = ["name", "full_path"]
    ordering = ["path"]
    list_per_page = 100
    inspect_view_enabled = True
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return OrgUnitForm


class CadreProfileViewSet(ModelViewSet):
    model = CadreProfile
    icon = "user"
    index_view_class = ScopedIndexView
    edit_view_class = ScopedEditView
    inspect_view_class = ScopedInspectView
    delete_view_class = ScopedDeleteView
    inspect_view_enabled = True
    menu_label = _("干部档案")
    list_display = ["employee_no", "user", "org_unit", "rank", "position", "is_principal"]
    list_filter = ["rank", "is_principal"]
    search_fields = ["employee_no", "user__name", "user__username", "org_unit__full_path", "position"]
    ordering = ["employee_no"]
    list_export = ["employee_no", "user", "org_unit", "rank", "position", "is_principal", "phone"]
    export_filename = "cadres"
    copy_view_enabled = False

    @property
    def edit_handler(self):
        # The model's panels, on a form that applies the unit/rank rule (selectors.cadre_write_refusal).
        return ObjectList(CadreProfile.panels, base_form_class=CadreProfileForm)


class TrainerScopeViewSet(ModelViewSet):
    model = TrainerScope
    icon = "group"
    menu_label = _("培训管理范围")
    list_display = ["user", "org_unit"]
    ordering = ["user__username"]
    copy_view_enabled = False


class PeopleViewSetGroup(ModelViewSetGroup):
    menu_label = _("干部与组织")
    menu_icon = "group"
    menu_order = 250
    items = [OrgUnitViewSet("orgunits"), CadreProfileViewSet("cadres"), TrainerScopeViewSet("trainer_scopes")]
