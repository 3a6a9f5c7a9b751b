"""The segmenting backend on PostgreSQL (modelsearch 1.3.2's PostgreSQL backend, subclassed)."""

from modelsearch.backends.database.postgres import postgres as pg
from modelsearch.utils import get_content_type_pk

from search.backends.base import SegmentingPrepareMixin, SegmentingSearchMixin


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
    database_backed = True  # results are querysets: facets and counts can join other tables
    index_class = SegmentingPostgresIndex

    def __init__(self, params):
        # The text is already cut into words: no stemming or stop words, just lower-casing.
        params = {"SEARCH_CONFIG": "simple", **params}
        super().__init__(params)


SearchBackend = SegmentingPostgresSearchBackend
