from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from wagtail.models import APIToken

from accounts import selectors

router = Router(tags=["账号"])


class TokenIn(Schema):
    username: str
    password: str
    # Required when the account uses a second factor (staff; cadres who enrolled): a TOTP or recovery code.
    otp: str | None = None


class TokenOut(Schema):
    token: str


class MeOut(Schema):
    id: int
    username: str
    name: str
    roles: list[str]
    org_unit: str | None = None
    rank: str | None = None
    employee_no: str | None = None
    is_principal: bool = False


@router.post("/auth/token", auth=None, response=TokenOut, summary="用用户名和密码换取访问令牌")
def create_token(request, payload: TokenIn):
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            raise HttpError(429, _("登录失败次数过多，请稍后再试。"))
        raise HttpError(401, _("用户名或密码错误。"))
    from accounts import otp

    if otp.second_factor_required(user):
        if not otp.has_second_factor(user):
            raise HttpError(403, _("工作人员账号须先在网站上绑定双因素认证。"))
        try:
            verified = otp.second_factor_verify(user=user, token=payload.otp or "", request=request)
        except otp.OTPError as exc:
            raise HttpError(403, str(exc)) from exc
        if not verified:
            raise HttpError(403, _("须提供正确的双因素认证验证码（otp）。"))
    _instance, token = APIToken.create_token(user=user, name=_("API 登录"))
    return {"token": token}


@router.get("/me", response=MeOut, summary="当前用户")
def me(request):
    user = request.user
    profile = selectors.cadre_profile_for(user)
    return {
        "id": user.pk,
        "username": user.username,
        "name": user.get_full_name(),
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "org_unit": profile.org_unit.full_path if profile else None,
        "rank": profile.get_rank_display() if profile else None,
        "employee_no": profile.employee_no if profile else None,
        "is_principal": profile.is_principal if profile else False,
    }
