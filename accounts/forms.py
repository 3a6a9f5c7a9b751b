from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm
from wagtail.users.forms import UserCreationForm, UserEditForm

from accounts.models import PATH_SEPARATOR, CadreProfile, OrgUnit
from core.uploads import check_size


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码错误。连续多次错误后，该账号在本机将被暂时锁定。"),
        "inactive": _("该账号已停用，请联系系统管理员。"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("用户名 / 工号")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].label = _("密码")


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form with Chinese labels and the policy shown under the new password."""

    error_messages = {
        **auth_forms.PasswordChangeForm.error_messages,
        "password_incorrect": _("原密码不正确，请重新输入。"),
        "password_mismatch": _("两次输入的新密码不一致。"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("原密码")
        self.fields["new_password1"].label = _("新密码")
        self.fields["new_password2"].label = _("确认新密码")


class AdminLoginForm(WagtailLoginForm):
    """The admin's sign-in form (WAGTAILADMIN_USER_LOGIN_FORM): Wagtail's password field has no label,
    so Django shows the untranslated field name "Password"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("用户名 / 工号")
        self.fields["password"].label = _("密码")


class _NameFieldMixin(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50, required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Chinese names are not split into first and last names; cadres often have no email.
        for field in ("first_name", "last_name", "email"):
            self.fields[field].required = False
        if self.instance and self.instance.pk:
            self.fields["name"].initial = self.instance.name

    def clean(self):
        cleaned = super().clean()
        groups = cleaned.get("groups")
        if groups is not None:
            from accounts.services import roles_check_separation

            try:
                roles_check_separation([g.name for g in groups])
            except ValidationError as exc:
                self.add_error("groups", exc)
        return cleaned

    def save(self, commit=True):
        user = super().save(commit=False)
        user.name = self.cleaned_data["name"]
        if commit:
            user.save()
            self.save_m2m()
        return user


class MingjianUserCreationForm(_NameFieldMixin, UserCreationForm):
    pass


class MingjianUserEditForm(_NameFieldMixin, UserEditForm):
    pass


class OrgUnitForm(WagtailAdminModelForm):
    parent = forms.ModelChoiceField(
        label=_("上级单位"),
        queryset=OrgUnit.objects.order_by("path"),
        required=False,
        help_text=_("留空则为顶级单位（如省）。"),
    )

    class Meta:
        model = OrgUnit
        fields = ["name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].label_from_instance = lambda unit: unit.full_path
        if self.instance.pk:
            self.fields["parent"].initial = self.instance.get_parent()
            self.fields["parent"].queryset = OrgUnit.objects.exclude(path__startswith=self.instance.path).order_by(
                "path"
            )

    def clean(self):
        cleaned = super().clean()
        name = (cleaned.get("name") or "").strip()
        parent = cleaned.get("parent")
        if PATH_SEPARATOR in name:
            self.add_error("name", _("单位名称不能包含“/”。"))
            return cleaned
        full_path = f"{parent.full_path}{PATH_SEPARATOR}{name}" if parent else name
        clash = OrgUnit.objects.filter(full_path=full_path)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            self.add_error("name", _("该上级单位下已有同名单位。"))
        return cleaned


class RosterUploadForm(forms.Form):
    file = forms.FileField(label=_("花名册文件"), help_text=_("Excel（.xlsx）或 CSV，第一行为表头。"))
    initial_password = forms.CharField(
        label=_("新账号初始密码"),
        required=False,
        widget=forms.PasswordInput,
        help_text=_("留空则新账号暂不能登录，需管理员另行设置密码。"),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise ValidationError(_("只支持 .xlsx 和 .csv 文件。"))
        check_size(upload, settings.ROSTER_MAX_UPLOAD_BYTES)
        return upload

    def clean_initial_password(self):
        password = self.cleaned_data.get("initial_password")
        if password:
            from django.contrib.auth.password_validation import validate_password

            validate_password(password)
        return password


class CadreProfileForm(WagtailAdminModelForm):
    """The admin form for a cadre record: unit and rank changes follow `selectors.cadre_write_refusal`,
    the same rule as the roster import."""

    class Meta:
        model = CadreProfile
        fields = ["user", "employee_no", "org_unit", "rank", "position", "is_principal", "phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts import selectors

        if self.for_user is not None and "org_unit" in self.fields:
            self.fields["org_unit"].queryset = selectors.org_units_for_accounts(self.for_user).order_by("path")
        self._before = CadreProfile.objects.select_related("org_unit").filter(pk=self.instance.pk).first()

    def clean(self):
        from accounts import selectors

        cleaned = super().clean()
        unit, rank = cleaned.get("org_unit"), cleaned.get("rank")
        if unit is not None and rank is not None:
            refusal = selectors.cadre_write_refusal(
                self.for_user, profile=self._before, unit_path=unit.full_path, rank=rank
            )
            if refusal:
                raise ValidationError(refusal)
        return cleaned


class OTPTokenForm(forms.Form):
    """One code: six digits from the authenticator app, or a recovery code."""

    token = forms.CharField(
        label=_("验证码"),
        max_length=16,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True, "spellcheck": "false"}
        ),
        error_messages={"required": _("请输入验证码。")},
    )
