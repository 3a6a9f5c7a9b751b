"""No URL escapes the authorisation matrix.

Every URL pattern whose view lives in this project (config/urls.py, each app's urls.py, the admin
URLs our apps register), every API operation (method + path) under /api/v1/ and every page type
must be exercised by at least one matrix row in tests/security/test_authz_*.py, or be listed in
NOT_PERSONAL below with the reason it shows no one's data. A new view or API operation fails
this test until someone decides which it is.
"""

import importlib
import inspect
import re
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from wagtail.models import get_page_models

PROJECT_APPS = {"core", "accounts", "cases", "quizzes", "learning", "reports", "search", "config"}
API_PREFIX = "api/v1/"

# Routes (as Django prints them) that touch nobody's data, each with the reason.
NOT_PERSONAL = {
    "accounts/logout/": "ends the caller's own session (tests/security/test_session.py)",
    "search/": "published pages only, filtered by search.selectors.pages_visible_to (tests/search)",
    "admin/cases/import/": "imports case pages (content, editors); tested in tests/cases and tests/security/test_uploads.py",
    "admin/orgunits/results/": "the org unit tree (no people); its index has rows",
    "admin/orgunits/inspect/<int:pk>/": "one org unit (no people)",
    "admin/question_categories/new/": "question bank (content)",
    "admin/question_categories/edit/<int:pk>/": "question bank (content)",
    "admin/quizzes/import/": "question bank import (content); tests/security/test_uploads.py",
    "admin/quizzes/import/template.xlsx": "an empty Excel template",
    "admin/quizzes/export/<int:category_id>/<str:fmt>/": "question bank export (content)",
    "api/v1/openapi.json": "the API schema",
    "api/v1/docs": "the API documentation page",
    "api/v1/": "the API root",
}
NOT_PERSONAL_API = {
    ("POST", "api/v1/auth/token"): "exchanges the caller's own password for a token (tests/accounts)",
    ("GET", "api/v1/search"): "published pages only, filtered per user (tests/search)",
    ("GET", "api/v1/search/suggest"): "titles of pages the user may see (tests/search)",
}
# Page types: rows reach them through `{..._url}` values; this maps each to the world key used.
PAGE_ROWS = {
    "core.HomePage": "/",
    "cases.CaseIndexPage": "{case_index}",
    "cases.CaseStudyPage": "{open_case_url}",
    "learning.CourseIndexPage": "{course_index_url}",
    "learning.CoursePage": "{assigned_course_url}",
    "learning.LessonPage": "{lesson_url}",
}


def _matrix_rows():
    rows = []
    for path in sorted(Path(__file__).parent.glob("test_authz_*.py")):
        module = importlib.import_module(f"tests.security.{path.stem}")
        rows.extend(getattr(module, "ROWS", []))
    return rows


def _patterns(patterns=None, prefix=""):
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern), p


def _project_routes() -> dict[str, URLPattern]:
    routes = {}
    for route, pattern in _patterns():
        view = getattr(pattern.callback, "view_class", pattern.callback)
        if route.startswith(API_PREFIX) or view.__module__.split(".")[0] in PROJECT_APPS:
            routes[route] = pattern
    return routes


def _api_operations(routes) -> set[tuple[str, str]]:
    operations = set()
    for route, pattern in routes.items():
        # ninja's URL views are closures over their PathView, which lists the operations per method.
        if not inspect.isfunction(pattern.callback):
            continue  # the schema and docs views (functools.partial)
        path_view = inspect.getclosurevars(pattern.callback).nonlocals.get("self")
        for operation in getattr(path_view, "operations", []):
            operations.update((method, route) for method in operation.methods)
    return operations


def _covered() -> tuple[set[str], set[tuple[str, str]], set[str]]:
    routes, operations, page_templates = set(), set(), set()
    for row in _matrix_rows():
        if row.url.startswith("{"):
            page_templates.add(row.url)
            continue
        path = re.sub(r"\{[^}]+\}", "1", row.url.split("?", 1)[0])
        match = resolve(path)
        routes.add(match.route)
        operations.add((row.method, match.route))
        if row.url == "/":
            page_templates.add("/")
    return routes, operations, page_templates


def test_every_project_url_is_in_the_matrix_or_declared_not_personal():
    routes = _project_routes()
    covered_routes, covered_operations, _pages = _covered()
    api = _api_operations(routes)
    site_routes = {r for r in routes if not any(r == op_route for _m, op_route in api)}
    missing = sorted(site_routes - covered_routes - set(NOT_PERSONAL))
    assert not missing, f"URL patterns in no matrix row and not declared NOT_PERSONAL: {missing}"
    missing_api = sorted(api - covered_operations - set(NOT_PERSONAL_API))
    assert not missing_api, f"API operations in no matrix row and not declared NOT_PERSONAL_API: {missing_api}"
    stale = sorted((set(NOT_PERSONAL) - set(routes)) | {op for op in NOT_PERSONAL_API if op not in api})
    assert not stale, f"allow-list entries that match no URL any more: {stale}"


def test_every_page_type_is_in_the_matrix():
    _routes, _operations, page_templates = _covered()
    models = {
        f"{m._meta.app_label}.{m.__name__}" for m in get_page_models() if m.__module__.split(".")[0] in PROJECT_APPS
    }
    assert models == set(PAGE_ROWS), f"page types without a matrix row: {models - set(PAGE_ROWS)}"
    missing = {name: url for name, url in PAGE_ROWS.items() if url not in page_templates}
    assert not missing, f"page rows missing from the matrix: {missing}"


def test_the_coverage_check_sees_the_routes_it_should():
    """Guards the walker itself: if it stopped seeing routes, the tests above would pass vacuously."""
    routes = _project_routes()
    assert {
        "learning/archive/<int:user_id>/",
        "reports/exports/<int:export_id>/download/",
        "verify/<str:code>/",
        "admin/quizzes/grading/<int:slot_id>/",
    } <= set(routes)
    assert ("POST", "api/v1/lessons/<lesson_id>/heartbeat") in _api_operations(routes)
    assert ("PUT", "api/v1/attempts/<attempt_id>/answers/<question_id>") in _api_operations(routes)
