import sys

from django.conf import settings
from django.db import DataError, OperationalError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

BUSY_MARKERS = ("database is locked", "database table is locked")


def is_database_busy(exc: BaseException | None) -> bool:
    """SQLite's "database is locked" (a writer held the lock past the busy timeout)."""
    return isinstance(exc, OperationalError) and any(m in str(exc).lower() for m in BUSY_MARKERS)


def busy_response(request):
    """503 with Retry-After: the database is busy; the request did nothing and may be repeated."""
    retry = str(getattr(settings, "BUSY_RETRY_AFTER_SECONDS", 5))
    message = _("系统繁忙，请稍后重试。")
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=503, json_dumps_params={"ensure_ascii": False})
    else:
        response = render(request, "503.html", {"retry_after": retry}, status=503)
    response["Retry-After"] = retry
    return response


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    """handler500: Django calls it inside its `except` for any uncaught exception, from a view or a
    middleware (a session save included), so this is the one place a lock becomes a 503."""
    exc = sys.exc_info()[1]
    if is_database_busy(exc):
        return busy_response(request)
    if isinstance(exc, OverflowError | DataError):
        # An id or number too large for the database names nothing: the client's error, not ours.
        return render(request, "404.html", status=404)
    return render(request, "500.html", status=500)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)
