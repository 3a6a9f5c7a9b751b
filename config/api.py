"""The JSON API under /api/v1/. Each app contributes a router; auth is session (with CSRF) or bearer token."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.security import SessionAuth

from accounts.api import router as accounts_router
from accounts.tokens import ExpiringBearerTokenAuth
from cases.api import router as cases_router
from learning.api import router as learning_router
from quizzes.api import router as quizzes_router
from reports.api import router as reports_router
from search.api import router as search_router

api = NinjaAPI(
    title="明鉴 API",
    version="1",
    urls_namespace="api",
    auth=[ExpiringBearerTokenAuth(), SessionAuth()],
    docs_url="/docs",
)


@api.exception_handler(ValidationError)
def validation_error(request, exc):
    return api.create_response(request, {"detail": "；".join(exc.messages)}, status=400)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, {"detail": str(exc) or _("无权访问。")}, status=403)


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def out_of_range(request, exc):
    # A number too large for the database (a 128-bit path id on SQLite, "integer out of range" on
    # PostgreSQL) names nothing that can exist: a client error for every operation of the API.
    return api.create_response(request, {"detail": _("参数超出范围。")}, status=400)


api.add_router("/", accounts_router)
api.add_router("/", cases_router)
api.add_router("/", quizzes_router)
api.add_router("/", learning_router)
api.add_router("/", reports_router)
api.add_router("/", search_router)
