"""API tokens (Wagtail's `APIToken`: only an HMAC digest of the token is stored) with a lifetime,
a limit per account, and revocation on password change, deactivation and sign-out everywhere.

- A token expires ``API_TOKEN_LIFETIME_DAYS`` after it was created (`expires_at`).
- An account holds at most ``API_TOKEN_MAX_PER_USER`` live tokens: minting another revokes the oldest.
- A new password, deactivation (``is_active`` off) and 退出所有设备 revoke every token of the account.
- Users see their tokens (created, last used, expiry) at /accounts/tokens/ and revoke them there or
  through ``GET/DELETE /api/v1/auth/tokens``.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.api.v3.auth import BearerTokenAuth
from wagtail.models import APIToken


def lifetime() -> timedelta:
    return timedelta(days=getattr(settings, "API_TOKEN_LIFETIME_DAYS", 30))


def max_per_user() -> int:
    return max(1, int(getattr(settings, "API_TOKEN_MAX_PER_USER", 5)))


def expires_at(token: APIToken) -> datetime:
    return token.created + lifetime()


def live_tokens(user, *, now: datetime | None = None) -> QuerySet[APIToken]:
    """The user's tokens that still work: not revoked, not expired; newest first."""
    now = now or timezone.now()
    return APIToken.objects.filter(user=user, revoked_at__isnull=True, created__gt=now - lifetime()).order_by(
        "-created", "-pk"
    )


def tokens_for(user) -> QuerySet[APIToken]:
    """Every token of the user (revoked and expired ones too, for the tokens page), newest first."""
    return APIToken.objects.filter(user=user).order_by("-created", "-pk")


@transaction.atomic
def token_create(*, user, name: str = "") -> tuple[APIToken, str]:
    """Mint a token; beyond the per-account limit the oldest live tokens are revoked. Returns (token, plaintext)."""
    instance, plaintext = APIToken.create_token(user=user, name=name or _("API 登录"))
    keep = list(live_tokens(user).values_list("pk", flat=True)[: max_per_user()])
    live_tokens(user).exclude(pk__in=keep).update(revoked_at=timezone.now())
    return instance, plaintext


def token_revoke(*, user, token_id: int) -> bool:
    """Revoke one of the user's own tokens. False when there is no such live token of theirs."""
    return bool(
        APIToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    )


def tokens_revoke_all(*, user) -> int:
    """Revoke every token of the account (new password, deactivation, sign-out everywhere)."""
    return APIToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


class ExpiringBearerTokenAuth(BearerTokenAuth):
    """Wagtail's bearer-token check, refusing tokens past their lifetime."""

    def authenticate(self, request, token: str):
        api_token = (
            APIToken.objects.select_related("user")
            .filter(
                key_hash__in=APIToken.candidate_key_hashes(token),
                revoked_at__isnull=True,
                created__gt=timezone.now() - lifetime(),
            )
            .first()
        )
        user = api_token.user if api_token is not None else None
        if not (user and user.is_active):
            request.user = AnonymousUser()
            return None
        request.user = user
        self._touch_last_used(api_token)
        return api_token


def _revoke_on_password_or_deactivation(sender, instance, raw=False, **kwargs):
    """Before a user row is saved: a new password hash or deactivation revokes every token."""
    if raw or instance.pk is None:
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return  # e.g. last_login on every sign-in
    before = sender.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if before is None:
        return
    if before["password"] != instance.password or (before["is_active"] and not instance.is_active):
        tokens_revoke_all(user=instance)


def connect():
    from django.db.models.signals import pre_save

    from accounts.models import User

    pre_save.connect(_revoke_on_password_or_deactivation, sender=User, dispatch_uid="accounts_tokens_revoke")


def sign_out_everywhere(*, user) -> None:
    """End every browser session of the user signed in before now (accounts.middleware ends them at their
    next request, whatever the session engine) and revoke all their tokens."""
    from django.utils import timezone

    from accounts.models import User

    User.objects.filter(pk=user.pk).update(sessions_ended_at=timezone.now())
    tokens_revoke_all(user=user)
