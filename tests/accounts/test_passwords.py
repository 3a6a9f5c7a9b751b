"""Password lifecycle: policy validators, history, forced change (site, admin, API), change page, roster."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from accounts import services
from accounts.factories import TEST_PASSWORD, cadre
from accounts.models import PasswordHistory, User

pytestmark = pytest.mark.django_db

CHANGE = reverse("accounts:password_change")
NEW = "Qing-Lian-2027"


def change(client, old, new, **extra):
    return client.post(CHANGE, {"old_password": old, "new_password1": new, "new_password2": new, **extra})


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Ab-1234", "password_too_short"),
        ("abcdefghijk1", "password_too_simple"),
        ("ABCDEFGHIJK-", "password_too_simple"),
    ],
)
def test_policy_refuses_short_and_simple_passwords(password, code):
    with pytest.raises(ValidationError) as exc:
        validate_password(password)
    assert code in [e.code for e in exc.value.error_list]


def test_policy_refuses_employee_number_and_name():
    user = cadre(employee_no="GZ2026001")
    user.name = "zhangsan"
    with pytest.raises(ValidationError) as exc:
        validate_password("Xx-gz2026001!", user)
    assert "password_contains_identity" in [e.code for e in exc.value.error_list]
    with pytest.raises(ValidationError):
        validate_password("Zhangsan-2026", user)
    validate_password(NEW, user)


def test_policy_refuses_the_last_five_but_not_the_sixth():
    user = cadre()
    passwords = [f"Qing-Lian-{n}x7" for n in range(6)]
    for password in passwords:
        user.set_password(password)
        user.save()
    assert PasswordHistory.objects.filter(user=user).count() == 5
    for recent in passwords[1:]:
        with pytest.raises(ValidationError) as exc:
            validate_password(recent, user)
        assert exc.value.error_list[0].code == "password_reused"
    validate_password(passwords[0], user)  # six changes ago: allowed again


def test_forced_change_blocks_site_admin_and_api_until_changed(client):
    user = cadre()
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    client.force_login(user)

    response = client.get("/learning/")
    assert response.status_code == 302 and response.url.startswith(CHANGE + "?next=")
    assert client.get("/admin/").url.startswith(CHANGE)
    api = client.get("/api/v1/search/suggest?q=a")
    assert api.status_code == 403 and api.json()["code"] == "must_change_password"

    page = client.get(CHANGE)
    html = page.content.decode()
    assert page.status_code == 200 and "须先修改密码" in html and "原密码" in html and "确认新密码" in html

    bad = change(client, TEST_PASSWORD, TEST_PASSWORD)
    assert bad.status_code == 200 and "最近 5 次" in bad.content.decode()
    assert change(client, "wrong", NEW).status_code == 200

    done = change(client, TEST_PASSWORD, NEW, next="/learning/")
    assert done.status_code == 302 and done.url == "/learning/"
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password(NEW)
    from audit.models import Action, AuditEntry

    assert AuditEntry.objects.filter(action=Action.PASSWORD_CHANGE, actor_id=user.pk).count() == 1
    assert client.get("/learning/").status_code != 302 or not client.get("/learning/").url.startswith(CHANGE)


def test_change_page_refuses_offsite_next(client):
    user = cadre()
    client.force_login(user)
    response = change(client, TEST_PASSWORD, NEW, next="https://evil.example/")
    assert response.status_code == 302 and response.url == reverse("accounts:password_change_done")


def test_change_page_requires_sign_in(client):
    assert client.get(CHANGE).url.startswith(reverse("accounts:login"))


@override_settings(PASSWORD_MAX_AGE_DAYS=90)
def test_expired_password_forces_a_change(client):
    user = cadre()
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    client.force_login(user)
    assert client.get("/learning/").url.startswith(CHANGE)
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=89))
    client.force_login(User.objects.get(pk=user.pk))
    response = client.get("/learning/")
    assert not (response.status_code == 302 and response.url.startswith(CHANGE))


def _xlsx(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


ROSTER = _xlsx(
    [
        ["工号", "姓名", "单位", "职级"],
        ["B001", "赵某", "某省/某市", "乡科级"],
        ["B002", "钱某", "某省/某市", "其他"],
    ]
)


def test_roster_initial_password_must_pass_the_policy():
    with pytest.raises(services.RosterError) as exc:
        services.roster_import_file(data=ROSTER, filename="r.xlsx", initial_password="12345678")
    assert "密码策略" in str(exc.value)
    assert not User.objects.filter(username="B001").exists()


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])
def test_roster_accounts_must_change_and_keep_an_argon2_hash():
    services.roster_import_file(data=ROSTER, filename="r.xlsx", initial_password="Chu-Shi-2026")
    first, second = User.objects.get(username="B001"), User.objects.get(username="B002")
    assert first.must_change_password and second.must_change_password
    assert first.password.startswith("argon2$") and first.check_password("Chu-Shi-2026")
    assert second.check_password("Chu-Shi-2026") and first.password_changed_at is not None


def test_roster_form_refuses_a_weak_initial_password(client):
    from accounts.forms import RosterUploadForm

    form = RosterUploadForm(data={"initial_password": "abc"}, files={})
    assert not form.is_valid() and "initial_password" in form.errors
