"""The site's URLs plus /bench/bare/: a view that does nothing, behind the same middleware and
server, as the throughput baseline."""

from django.http import HttpResponse
from django.urls import path

from config.urls import handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as site_urlpatterns


def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


def bare_signed_in(request):
    """For context only, never the baseline: the same plus loading the session and the user."""
    return HttpResponse(b"ok" if request.user.is_authenticated else b"anonymous", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), path("bench/bare-signed-in/", bare_signed_in), *site_urlpatterns]
