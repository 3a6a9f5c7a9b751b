from django.contrib.admin.utils import unquote
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.users.views import users as user_views
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
        """Exports mask the phone number and e-mail address unless the user may see personal data."""
        from accounts.personal_data import can_see_personal_data, mask_email, mask_phone

        row = super().to_row_dict(item)
        if not can_see_personal_data(self.request.user):
            if "phone" in row:
                row["phone"] = mask_phone(row["phone"])
            if "user.email" in row:
                row["user.email"] = mask_email(row["user.email"])
        return row


# ---------------------------------------------------------------- audit of account and cadre record edits

# Field names only (no values): a phone number or e-mail address must not be copied into the log.
UNAUDITED_FIELDS = {"password1", "password2", "groups"}


def _audit_account_change(view, instance, change: str, fields=()) -> None:
    from audit.models import Action
    from audit.services import audit_record

    profile = instance if isinstance(instance, CadreProfile) else getattr(instance, "cadre_profile", None)
    audit_record(
        action=Action.ACCOUNT_CHANGE,
        request=view.request,
        target=instance,
        unit_path=profile.org_unit.full_path if profile is not None else None,
        detail={"change": change, "fields": sorted(fields)},
    )


class AuditedCreateMixin:
    def save_instance(self):
        instance = super().save_instance()
        _audit_account_change(self, instance, "create", set(self.form.changed_data) - UNAUDITED_FIELDS)
        return instance


class AuditedEditMixin:
    """Edits of an account or a cadre record (干部档案) in the admin: who changed which fields; a password
    set here is recorded as a reset, role changes by the m2m signal (audit.signals)."""

    def save_instance(self):
        instance = super().save_instance()
        changed = set(self.form.changed_data)
        if changed - UNAUDITED_FIELDS:
            _audit_account_change(self, instance, "edit", changed - UNAUDITED_FIELDS)
        if "password1" in changed:
            from audit.models import Action
            from audit.services import audit_record

            audit_record(action=Action.PASSWORD_RESET, request=self.request, target=instance, detail={"by": "admin"})
        return instance


class AuditedDeleteMixin:
    def delete_action(self):
        instance = self.object
        _audit_account_change(self, instance, "delete")
        return super().delete_action()


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


class CadreEditView(AuditedEditMixin, ScopedEditView):
    pass


class CadreCreateView(AuditedCreateMixin, generic.CreateView):
    pass


class ScopedInspectView(generic.InspectView):
    def get_phone_display_value(self):
        from accounts.personal_data import can_see_personal_data, mask_phone

        phone = getattr(self.object, "phone", "")
        return phone if can_see_personal_data(self.request.user) else mask_phone(phone)

    def get_object(self, queryset=None):
        return get_object_or_404(_scoped(self, self.model._default_manager.all()), pk=unquote(str(self.pk)))


class CadreInspectView(ScopedInspectView):
    """A cadre record with the account's e-mail address, masked like the phone number."""

    def get_fields(self):
        return [*super().get_fields(), "email"]

    def get_field_label(self, field_name, field):
        if field_name == "email":
            return _("邮箱")
        return super().get_field_label(field_name, field)

    def get_email_display_value(self):
        from accounts.personal_data import can_see_personal_data, mask_email

        email = self.object.user.email
        return (email if can_see_personal_data(self.request.user) else mask_email(email)) or "-"


class ScopedDeleteView(ScopedObjectMixin, generic.DeleteView):
    pass


class CadreDeleteView(AuditedDeleteMixin, ScopedDeleteView):
    pass


class UserCreateView(AuditedCreateMixin, user_views.CreateView):
    pass


class UserEditView(AuditedEditMixin, user_views.EditView):
    pass


class UserDeleteView(AuditedDeleteMixin, user_views.DeleteView):
    pass


class MingjianUserViewSet(UserViewSet):
    template_prefix = "wagtailusers/users/"
    add_view_class = UserCreateView
    edit_view_class = UserEditView
    delete_view_class = UserDeleteView

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
    add_view_class = CadreCreateView
    edit_view_class = CadreEditView
    inspect_view_class = CadreInspectView
    delete_view_class = CadreDeleteView
    inspect_view_enabled = True
    menu_label = _("干部档案")
    list_display = ["employee_no", "user", "org_unit", "rank", "position", "is_principal"]
    list_filter = ["rank", "is_principal"]
    search_fields = ["employee_no", "user__name", "user__username", "org_unit__full_path", "position"]
    ordering = ["employee_no"]
    list_export = ["employee_no", "user", "org_unit", "rank", "position", "is_principal", "phone", "user.email"]
    export_headings = {"user.email": _("邮箱")}
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
