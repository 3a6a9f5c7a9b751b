"""A Wagtail search backend for SQLite FTS5 and PostgreSQL that understands Chinese words.

Stock database backends keep an unbroken run of Chinese characters as one token, so 监督 finds
nothing in 加强对一把手监督. This backend subclasses modelsearch's database backends and

- segments every indexed value (`ObjectIndexer.prepare_value`) into space-separated words;
- rewrites every query (`search.query.rewrite`): words cut the same way, joined with AND,
  synonyms from the editors' Synonym snippets, quoted text kept as a phrase.

Configure with ``WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "search.backends.database"}}``;
like modelsearch's own ``database`` backend it picks the implementation for the database vendor.
"""

from django.db import connection
from django.utils.encoding import force_str
from modelsearch.backends.base import EmptySearchResults
from modelsearch.backends.database.postgres import postgres as pg
from modelsearch.backends.database.sqlite import sqlite as lite
from modelsearch.utils import get_content_type_pk

from search import segmentation
from search.query import rewrite


def _synonyms():
    from search.selectors import synonym_map

    return synonym_map()


class SegmentingPrepareMixin:
    """Segments every string value once per indexed object (title, body and autocomplete reuse it)."""

    def prepare_value(self, value):
        if isinstance(value, str):
            cache = self.__dict__.setdefault("_segmented", {})
            if value not in cache:
                cache[value] = segmentation.segment_for_index(value)
            return cache[value]
        if isinstance(value, list):
            return ", ".join(self.prepare_value(item) for item in value)
        if isinstance(value, dict):
            return ", ".join(self.prepare_value(item) for item in value.values())
        return self.prepare_value(force_str(value))


class SegmentingSearchMixin:
    """Rewrites queries into segmented words before the vendor's query compiler sees them."""

    def _search(self, query_compiler_class, query, model_or_queryset, **kwargs):
        if query == "":
            return EmptySearchResults()
        operator = kwargs.get("operator")
        if isinstance(query, str):
            from modelsearch.query import PlainText

            query = PlainText(query, operator=operator or "and")
        rewritten = rewrite(query, _synonyms())
        if rewritten is None:
            return EmptySearchResults()
        return super()._search(query_compiler_class, rewritten, model_or_queryset, **kwargs)


# SQLite FTS5 ---------------------------------------------------------------------------------


class SQLiteObjectIndexer(SegmentingPrepareMixin, lite.ObjectIndexer):
    pass


class SegmentingSQLiteIndex(lite.SQLiteIndex):
    indexer_class = SQLiteObjectIndexer

    def add_items(self, model, objs):
        # modelsearch 1.3.2's SQLiteIndex.add_items, with our indexer class.
        if not model.get_search_fields():
            return
        indexers = [self.indexer_class(obj, self.backend) for obj in objs]
        if not indexers:
            return
        content_type_pk = get_content_type_pk(model)
        data = {ix.id: (ix.title, ix.autocomplete, ix.body) for ix in indexers}

        entries_for_ct = self.entries.filter(content_type_id=content_type_pk)
        indexed_ids = frozenset(entries_for_ct.filter(object_id__in=data.keys()).values_list("object_id", flat=True))
        for object_id in indexed_ids:
            title, autocomplete, body = data[object_id]
            entries_for_ct.filter(object_id=object_id).update(title=title, autocomplete=autocomplete, body=body)
        self.entries.bulk_create(
            [
                lite.IndexEntry(
                    content_type_id=content_type_pk,
                    object_id=object_id,
                    title=title,
                    autocomplete=autocomplete,
                    body=body,
                )
                for object_id, (title, autocomplete, body) in data.items()
                if object_id not in indexed_ids
            ]
        )
        self._refresh_title_norms()


class SegmentingSQLiteSearchBackend(SegmentingSearchMixin, lite.SQLiteSearchBackend):
    index_class = SegmentingSQLiteIndex


# PostgreSQL ----------------------------------------------------------------------------------


class PostgresObjectIndexer(SegmentingPrepareMixin, pg.ObjectIndexer):
    pass


class SegmentingPostgresIndex(pg.PostgresIndex):
    indexer_class = PostgresObjectIndexer

    def add_items(self, model, objs):
        # modelsearch 1.3.2's PostgresIndex.add_items, with our indexer class.
        if not model.get_search_fields():
            return
        indexers = [self.indexer_class(obj, self.backend) for obj in objs]
        if not indexers:
            return
        content_type_pk = get_content_type_pk(model)
        compiler = pg.InsertQuery(pg.IndexEntry).get_compiler(connection=self.write_connection)
        rows_sql = []
        params = []
        for ix in indexers:
            row_params = [content_type_pk, ix.id]
            vector_sql = []
            for field_name, value in (("title", ix.title), ("autocomplete", ix.autocomplete), ("body", ix.body)):
                prepared = compiler.prepare_value(pg.IndexEntry._meta.get_field(field_name), value)
                sql, sql_params = prepared.as_sql(compiler, self.write_connection)
                vector_sql.append(sql)
                row_params.extend(sql_params)
            row_params.extend([ix.title_text, ix.body_text])
            rows_sql.append(f"(%s, %s, {vector_sql[0]}, {vector_sql[1]}, {vector_sql[2]}, 1.0, %s, %s)")
            params.extend(row_params)

        table = pg.IndexEntry._meta.db_table
        with self.write_connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (content_type_id, object_id, title, autocomplete, body, title_norm, "  # noqa: S608 - table name from the model, values are parameters
                f"title_text, body_text) (VALUES {', '.join(rows_sql)}) "
                "ON CONFLICT (content_type_id, object_id) DO UPDATE SET title = EXCLUDED.title, "
                "title_norm = 1.0, autocomplete = EXCLUDED.autocomplete, body = EXCLUDED.body, "
                "title_text = EXCLUDED.title_text, body_text = EXCLUDED.body_text",
                params,
            )
        self._refresh_title_norms()


class SegmentingPostgresSearchBackend(SegmentingSearchMixin, pg.PostgresSearchBackend):
    index_class = SegmentingPostgresIndex

    def __init__(self, params):
        # The text is already cut into words: no stemming or stop words, just lower-casing.
        params = {"SEARCH_CONFIG": "simple", **params}
        super().__init__(params)


def SearchBackend(params):  # noqa: N802 - the name Wagtail looks for in a backend module
    """The segmenting backend for the default database's vendor."""
    if connection.vendor == "postgresql":
        return SegmentingPostgresSearchBackend(params)
    if connection.vendor == "sqlite":
        from modelsearch.backends.database.sqlite.utils import fts5_available

        if not fts5_available():  # pragma: no cover - every supported SQLite has FTS5
            raise RuntimeError("SQLite FTS5 is required for Chinese search.")
        return SegmentingSQLiteSearchBackend(params)
    raise RuntimeError(f"The segmenting search backend supports SQLite and PostgreSQL, not {connection.vendor}.")
