"""A Wagtail search backend for SQLite FTS5 and PostgreSQL that understands Chinese words.

Configure with ``WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "search.backends.database"}}``;
like modelsearch's own ``database`` backend it picks the implementation for the database vendor
(see `search.backends.base` for what it changes).
"""

from django.db import connection


def SearchBackend(params):  # noqa: N802 - the name Wagtail looks for in a backend module
    """The segmenting backend for the default database's vendor."""
    if connection.vendor == "postgresql":
        from search.backends.postgres import SegmentingPostgresSearchBackend

        return SegmentingPostgresSearchBackend(params)
    if connection.vendor == "sqlite":
        from modelsearch.backends.database.sqlite.utils import fts5_available

        if not fts5_available():  # pragma: no cover - every supported SQLite has FTS5
            raise RuntimeError("SQLite FTS5 is required for Chinese search.")
        from search.backends.sqlite import SegmentingSQLiteSearchBackend

        return SegmentingSQLiteSearchBackend(params)
    raise RuntimeError(f"The segmenting search backend supports SQLite and PostgreSQL, not {connection.vendor}.")
