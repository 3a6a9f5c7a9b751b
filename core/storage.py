"""Where uploaded files live.

Public media (Wagtail images and renditions) under MEDIA_ROOT, served at MEDIA_URL by nginx. Private
files under PRIVATE_MEDIA_ROOT, outside MEDIA_ROOT, where no URL maps to them: they are served only by
a Django view after its permission check (core.private_files, X-Accel-Redirect behind nginx).

Wagtail documents (case attachments, lesson videos) are saved by Wagtail's own model to the default
storage under `documents/`; `MediaStorage` keeps that prefix in the private root and gives it no URL,
so a document is reachable only through Wagtail's serve view and its `before_serve_document` check.
"""

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.utils._os import safe_join

PRIVATE_PREFIXES = ("documents/",)


def is_private_name(name: str) -> bool:
    return str(name).replace("\\", "/").lstrip("/").startswith(PRIVATE_PREFIXES)


class MediaStorage(FileSystemStorage):
    """The default storage: public media under MEDIA_ROOT, `documents/…` under PRIVATE_MEDIA_ROOT (no URL)."""

    def path(self, name):
        if is_private_name(name):
            return safe_join(settings.PRIVATE_MEDIA_ROOT, name)
        return super().path(name)

    def url(self, name):
        if is_private_name(name):
            raise NotImplementedError("Private files have no URL; serve them through their view.")
        return super().url(name)

    def _save(self, name, content):
        if is_private_name(name):
            # Saved by a storage rooted at the private directory, so the returned name stays `documents/…`.
            return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)._save(name, content)
        return super()._save(name, content)


class PrivateStorage(FileSystemStorage):
    """Files under PRIVATE_MEDIA_ROOT: no URL at all (asking for one is a programming error)."""

    def __init__(self, location=None, **kwargs):
        kwargs.pop("base_url", None)
        super().__init__(location=location or settings.PRIVATE_MEDIA_ROOT, base_url=None, **kwargs)

    def url(self, name):
        raise NotImplementedError("Private files have no URL; serve them through their view.")


def private_storage():
    """The storage of private files such as report exports (a callable, so migrations stay stable)."""
    return storages["private"]
