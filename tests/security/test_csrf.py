"""CSRF is enforced on every state-changing form and session-authenticated API call."""

import re

import pytest
from django.test import Client

from accounts import factories, roles
from accounts.models import CadreProfile


def _csrf_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def _token_from(client, path) -> str:
    html = client.get(path).content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


@pytest.mark.django_db
def test_logout_needs_csrf_token():
    client = _csrf_client(factories.cadre())
    assert client.post("/accounts/logout/").status_code == 403
    assert client.get("/api/v1/me").status_code == 200  # still signed in

    token = _token_from(client, "/")
    assert client.post("/accounts/logout/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert client.get("/api/v1/me").status_code == 401


ROSTER = "工号,姓名,单位,职级\nCSRF01,张三,某省/甲市/东山县/交通运输局,其他\n".encode()


@pytest.mark.django_db
def test_roster_upload_needs_csrf_token():
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = _csrf_client(factories.staff(roles.SECURITY_ADMINISTRATOR))
    response = client.post("/admin/roster/import/", {"file": SimpleUploadedFile("r.csv", ROSTER, "text/csv")})
    assert response.status_code == 403
    assert not CadreProfile.objects.filter(employee_no="CSRF01").exists()

    token = _token_from(client, "/admin/roster/import/")
    response = client.post(
        "/admin/roster/import/",
        {"file": SimpleUploadedFile("r.csv", ROSTER, "text/csv"), "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert CadreProfile.objects.filter(employee_no="CSRF01").exists()


@pytest.mark.django_db
def test_wagtail_admin_forms_need_csrf_token():
    client = _csrf_client(factories.staff(roles.SECURITY_ADMINISTRATOR))
    response = client.post("/admin/orgunits/new/", {"name": "CSRF测试局"})
    assert response.status_code == 403


def _session_api_operations():
    """Every state-changing API operation that accepts a browser session (found in the OpenAPI schema)."""
    from config.api import api

    schema = api.get_openapi_schema()
    ops = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if method.upper() in ("GET", "HEAD", "OPTIONS"):
                continue
            schemes = {name for item in operation.get("security", []) for name in item}
            if "SessionAuth" in schemes:
                ops.append((method.upper(), "/api/v1" + re.sub(r"\{[^}]+\}", "1", path.removeprefix("/api/v1"))))
    return ops


SESSION_API_OPS = _session_api_operations()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method,url",
    SESSION_API_OPS
    or [
        pytest.param(
            None, None, marks=pytest.mark.skip(reason="no session-authenticated state-changing API operation yet")
        )
    ],
)
def test_session_api_calls_need_csrf(method, url):
    """A state-changing API call with only a session cookie (no CSRF token, no bearer token) is refused with 403."""
    client = _csrf_client(factories.cadre())
    response = client.generic(method, url, data="{}", content_type="application/json")
    assert response.status_code == 403, f"{method} {url} answered {response.status_code} without a CSRF token"


@pytest.mark.django_db
def test_api_session_reads_need_no_token():
    client = _csrf_client(factories.cadre())
    assert client.get("/api/v1/me").status_code == 200


def test_api_session_auth_checks_csrf():
    """The API's session authentication is the CSRF-checking kind (django-ninja's default)."""
    from ninja.security import SessionAuth

    from config.api import api

    sessions = [a for a in api.auth if isinstance(a, SessionAuth)]
    assert sessions and all(a.csrf for a in sessions)
