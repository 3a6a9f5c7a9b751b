from datetime import datetime

from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from accounts import selectors, tokens
from accounts.lockout import lockout_message

router = Router(tags=["账号"])


class TokenIn(Schema):
    username: str
    password: str
    # Required when the account uses a second factor (staff; cadres who enrolled): a TOTP or recovery code.
    otp: str | None = None


class TokenOut(Schema):
    token: str
    expires_at: datetime
    expires_in: int  # seconds


class TokenInfo(Schema):
    id: int
    name: str
    prefix: str
    created: datetime
    last_used_at: datetime | None = None
    expires_at: datetime
    revoked_at: datetime | None = None
    active: bool


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
            raise HttpError(429, lockout_message(request))
        raise HttpError(401, _("用户名或密码错误。"))
    if not user.is_active:
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
    instance, token = tokens.token_create(user=user, name=_("API 登录"))
    return {
        "token": token,
        "expires_at": tokens.expires_at(instance),
        "expires_in": int(tokens.lifetime().total_seconds()),
    }


def _token_info(token, now) -> dict:
    expires = tokens.expires_at(token)
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "created": token.created,
        "last_used_at": token.last_used_at,
        "expires_at": expires,
        "revoked_at": token.revoked_at,
        "active": token.revoked_at is None and expires > now,
    }


@router.get("/auth/tokens", response=list[TokenInfo], summary="我的访问令牌（创建、最近使用、到期时间）")
def token_list(request):
    now = timezone.now()
    return [_token_info(t, now) for t in tokens.tokens_for(request.user)[:100]]


@router.delete("/auth/tokens/{token_id}", response={204: None}, summary="吊销我的一个访问令牌")
def token_revoke(request, token_id: int):
    if token_id > 2**62 or not tokens.token_revoke(user=request.user, token_id=token_id):
        raise HttpError(404, _("令牌不存在或已失效。"))
    return Status(204, None)


@router.delete("/auth/tokens", response={204: None}, summary="吊销我的全部访问令牌")
def token_revoke_all(request):
    tokens.tokens_revoke_all(user=request.user)
    return Status(204, None)


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
