"""Security headers on every public page, the API, the admin and the error pages."""

import re

import pytest
from django.test import Client

from accounts import factories

PUBLIC_PAGES = ["/", "/accounts/login/", "/no-such-page/"]


def assert_site_headers(response):
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["script-src"] == "'self'", csp
    assert directives["style-src"] == "'self'", csp
    assert directives["object-src"] == "'none'", csp
    assert directives["frame-ancestors"] == "'none'", csp
    assert directives["base-uri"] == "'self'", csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def assert_no_inline_code(response):
    """What the strict CSP would block: inline scripts, inline styles, inline event handlers."""
    if "text/html" not in response.get("Content-Type", ""):
        return
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script> on a public page"
    assert not re.search(r"\sstyle\s*=", html), "style= attribute on a public page"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler on a public page"


@pytest.mark.django_db
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_anonymous(path):
    response = Client().get(path)
    assert response.status_code in (200, 404)
    assert_site_headers(response)
    assert_no_inline_code(response)


@pytest.mark.django_db
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_signed_in(client, path):
    client.force_login(factories.cadre())
    response = client.get(path)
    assert response.status_code in (200, 302, 404)
    assert_site_headers(response)
    assert_no_inline_code(response)


@pytest.mark.django_db
def test_api_answers_carry_headers(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert_site_headers(response)


@pytest.mark.django_db
def test_403_page_has_headers():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
    assert_site_headers(response)


@pytest.mark.django_db
def test_500_page_has_headers_and_no_traceback(monkeypatch):
    from accounts import views

    def boom(self, request, *args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(views.LoginView, "get", boom)
    client = Client(raise_request_exception=False)
    response = client.get("/accounts/login/")
    assert response.status_code == 500
    assert_site_headers(response)
    assert "secret internal detail" not in response.content.decode()


@pytest.mark.django_db
def test_admin_has_csp_and_frame_protection(client):
    from accounts import roles

    client.force_login(factories.staff(roles.ADMINISTRATOR))
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
