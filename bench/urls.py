"""The project's URLs plus a bare Django view, the baseline every figure is compared with."""

from django.http import HttpResponse
from django.urls import path

from config.urls import handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as project_urlpatterns


def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *project_urlpatterns]
