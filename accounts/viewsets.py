from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.users.views.users import UserViewSet

from accounts import selectors, services
from accounts.forms import MingjianUserCreationForm, MingjianUserEditForm, OrgUnitForm
from accounts.models import CadreProfile, OrgUnit, TrainerScope


class MingjianUserViewSet(UserViewSet):
    template_prefix = "wagtailusers/users/"

    def get_form_class(self, for_update=False):
        return MingjianUserEditForm if for_update else MingjianUserCreationForm


class OrgUnitCreateView(generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.org_unit_create(name=data["name"], parent=data.get("parent"))


class OrgUnitEditView(generic.EditView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.org_unit_update(unit=self.object, name=data["name"], parent=data.get("parent"))


class OrgUnitViewSet(ModelViewSet):
    model = OrgUnit
    icon = "site"
    menu_label = _("组织单位")
    add_view_class = OrgUnitCreateView
    edit_view_class = OrgUnitEditView
    list_display = [Column("indented_name", label=_("单位")), Column("full_path", label=_("完整路径"))]
    search_fields = ["name", "full_path"]
    ordering = ["path"]
    list_per_page = 100
    inspect_view_enabled = True
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return OrgUnitForm


class CadreScopeMixin:
    """A cadre profile is visible in the admin only to people who may see its unit (trainers: their subtrees)."""

    def get_base_queryset(self):
        return super().get_base_queryset().filter(pk__in=selectors.cadres_visible_to(self.request.user).values("pk"))

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not selectors.can_view_unit(self.request.user, obj.org_unit):
            raise PermissionDenied
        return obj


class CadreIndexView(CadreScopeMixin, generic.IndexView):
    pass


class CadreEditView(CadreScopeMixin, generic.EditView):
    pass


class CadreDeleteView(CadreScopeMixin, generic.DeleteView):
    pass


class CadreProfileViewSet(ModelViewSet):
    model = CadreProfile
    index_view_class = CadreIndexView
    edit_view_class = CadreEditView
    delete_view_class = CadreDeleteView
    icon = "user"
    menu_label = _("干部档案")
    list_display = ["employee_no", "user", "org_unit", "rank", "position", "is_principal"]
    list_filter = ["rank", "is_principal"]
    search_fields = ["employee_no", "user__name", "user__username", "org_unit__full_path", "position"]
    ordering = ["employee_no"]
    list_export = ["employee_no", "user", "org_unit", "rank", "position", "is_principal", "phone"]
    export_filename = "cadres"
    copy_view_enabled = False


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
