"""The project's URLs plus media files, for the live server of the browser journeys only."""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from config.urls import handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    *project_urlpatterns,
]
