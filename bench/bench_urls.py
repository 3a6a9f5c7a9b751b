"""The site's URLs plus /bench/bare/, a view that does nothing, as the throughput baseline."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def bare(request):
    return HttpResponse(b'{"ok":true}', content_type="application/json")


urlpatterns = [path("bench/bare/", bare), *site_urlpatterns]
