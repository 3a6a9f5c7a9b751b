"""The segmenting backend on PostgreSQL (modelsearch 1.3.2's PostgreSQL backend, subclassed)."""

from django.db.models import F, IntegerField
from modelsearch.backends.database.postgres import postgres as pg
from modelsearch.query import Fuzzy, MatchAll, Not
from modelsearch.utils import get_content_type_pk, get_descendants_content_types_pks

from search.backends.base import SegmentingPrepareMixin, SegmentingSearchMixin
from search.models import IndexEntryVector


class PostgresObjectIndexer(SegmentingPrepareMixin, pg.ObjectIndexer):
    pass


class SegmentingPostgresIndex(pg.PostgresIndex):
    indexer_class = PostgresObjectIndexer

    def add_items(self, model, objs):
        """modelsearch 1.3.2's PostgresIndex.add_items with our indexer class, and each entry
        written once, title norm included.

        modelsearch inserts entries with a title norm of 1.0 and then updates them to
        `average title length / title length`, averaged over every entry (the new ones too):
        every entry was written twice, and the triggers copied it twice, leaving a dead row
        version per entry in both tables until a vacuum. Here the average is computed in the
        INSERT itself, over the entries kept and the ones written, with the same result.
        """
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
            rows_sql.append(f"(%s, %s, {vector_sql[0]}, {vector_sql[1]}, {vector_sql[2]}, %s, %s)")
            params.extend(row_params)

        table = pg.IndexEntry._meta.db_table
        with self.write_connection.cursor() as cursor:
            cursor.execute(
                f"WITH new (content_type_id, object_id, title, autocomplete, body, title_text, body_text) AS "  # noqa: S608 - table name from the model, values are parameters
                f"(VALUES {', '.join(rows_sql)}), "
                # Titles of the entries this statement keeps as they are, then of all entries.
                f"kept AS (SELECT COALESCE(SUM(length(e.title)), 0) AS total, COUNT(*) AS n FROM {table} e "
                "WHERE length(e.title) > 0 AND NOT EXISTS (SELECT 1 FROM new "
                "WHERE new.content_type_id = e.content_type_id AND new.object_id = e.object_id)), "
                "average AS (SELECT (kept.total + COALESCE(SUM(length(new.title)), 0))::float8 "
                "/ NULLIF(kept.n + COUNT(new.title), 0) AS length FROM kept "
                "LEFT JOIN new ON length(new.title) > 0 GROUP BY kept.total, kept.n) "
                f"INSERT INTO {table} (content_type_id, object_id, title, autocomplete, body, title_norm, "
                "title_text, body_text) "
                "SELECT new.content_type_id, new.object_id, new.title, new.autocomplete, new.body, "
                "CASE WHEN length(new.title) > 0 THEN average.length / length(new.title) ELSE 1.0 END, "
                "new.title_text, new.body_text FROM new, average "
                "ON CONFLICT (content_type_id, object_id) DO UPDATE SET title = EXCLUDED.title, "
                "title_norm = EXCLUDED.title_norm, autocomplete = EXCLUDED.autocomplete, body = EXCLUDED.body, "
                "title_text = EXCLUDED.title_text, body_text = EXCLUDED.body_text",
                params,
            )


def _integer_pk(model) -> bool:
    """Whether the model's primary key is a number (a page's is; a child page's is a link to one)."""
    field = model._meta.pk
    while field.is_relation:
        field = field.target_field
    return isinstance(field, IntegerField)


class SegmentingPostgresSearchQueryCompiler(pg.PostgresSearchQueryCompiler):
    """Matches and ranks on the narrow copy of the index (`IndexEntryVector`), then filters the
    caller's queryset by id.

    modelsearch 1.3.2 joins every page to its index entry on `object_id = id::varchar` and
    matches `title || body` in the same query; the planner estimates one matching row for
    phrases and AND queries and picks a nested loop over the cast (14 s for "集体决策" over
    12,000 pages). Here the match is a subquery of ids on `IndexEntryVector` (the page id as a
    number, `title || body` stored and GIN-indexed, rows narrow enough to stay out of TOAST),
    and ranking (`ranked_ids`, `scored_matches`) reads the same rows.
    """

    def _uses_own_path(self) -> bool:
        return (
            self.fields is None
            and not isinstance(self.query, (MatchAll, Fuzzy, Not))
            and _integer_pk(self.queryset.model)
        )

    def _matching_vectors(self, config):
        search_query = self.build_tsquery(self.query, config=config)
        vectors = IndexEntryVector.objects.filter(
            content_type_id__in=get_descendants_content_types_pks(self.queryset.model), vector=search_query
        )
        return vectors, search_query

    def _rank(self, search_query):
        # The title (scaled by its length norm, as modelsearch does) and the whole text, one
        # ts_rank each over the whole query (modelsearch computes one per term and field).
        return pg.SearchRank(F("title"), search_query, weights=self.sql_weights) * F("title_norm") + pg.SearchRank(
            F("vector"), search_query, weights=self.sql_weights
        )

    def search(self, config, start, stop, score_field=None, backend=None):
        if not self._uses_own_path() or self.order_by_relevance or score_field is not None:
            # Ranked pages come from `ranked_ids`; scores as a field from modelsearch's own query.
            return super().search(config, start, stop, score_field=score_field, backend=backend)
        vectors, _query = self._matching_vectors(config)
        return self.queryset.filter(pk__in=vectors.values("object_id")).order_by("-pk")[start:stop]

    def ranked_ids(self, config, start, stop) -> list[int] | None:
        if not self._uses_own_path():
            return None
        vectors, search_query = self._matching_vectors(config)
        allowed = self.queryset.order_by().values("pk")
        rows = (
            vectors.filter(object_id__in=allowed)
            .annotate(_score=self._rank(search_query))
            .order_by("-_score", "-object_id")
            .values_list("object_id", flat=True)
        )
        return list(rows[start:stop])

    def scored_matches(self, config) -> tuple[str, list] | None:
        """SQL and parameters of `(object_id, content_type_id, score)` rows, one per index entry
        of the queryset's model that matches (a higher score ranks first), whatever the queryset
        itself allows; None when the query needs modelsearch's own path."""
        if not self._uses_own_path():
            return None
        vectors, search_query = self._matching_vectors(config)
        rows = (
            vectors.annotate(score=self._rank(search_query))
            .values_list("object_id", "content_type_id", "score")
            .order_by()
        )
        return rows.query.sql_with_params()


class SegmentingPostgresSearchResults(pg.PostgresSearchResults):
    """Results of our compiler use its ranking and count; autocomplete's (stock) do not."""

    def _own(self) -> bool:
        return isinstance(self.query_compiler, SegmentingPostgresSearchQueryCompiler)

    def _do_search(self):
        compiler = self.query_compiler
        if self._own() and compiler.order_by_relevance and self._score_field is None:
            ids = compiler.ranked_ids(compiler.get_config(self.backend), self.start, self.stop)
            if ids is not None:
                objects = compiler.queryset.in_bulk(ids)
                return [objects[pk] for pk in ids if pk in objects]
        return super()._do_search()

    def _do_count(self):
        compiler = self.query_compiler
        if self._own() and compiler._uses_own_path() and self._score_field is None:
            vectors, _query = compiler._matching_vectors(compiler.get_config(self.backend))
            count = compiler.queryset.filter(pk__in=vectors.values("object_id")).count()
            return max(0, min(count, self.stop or count) - self.start)
        return super()._do_count()

    def scored_matches(self) -> tuple[str, list] | None:
        """See `SegmentingPostgresSearchQueryCompiler.scored_matches`."""
        if not self._own():
            return None
        return self.query_compiler.scored_matches(self.query_compiler.get_config(self.backend))


class SegmentingPostgresSearchBackend(SegmentingSearchMixin, pg.PostgresSearchBackend):
    database_backed = True  # results are querysets: facets and counts can join other tables
    index_class = SegmentingPostgresIndex
    query_compiler_class = SegmentingPostgresSearchQueryCompiler
    results_class = SegmentingPostgresSearchResults

    def __init__(self, params):
        # The text is already cut into words: no stemming or stop words, just lower-casing.
        params = {"SEARCH_CONFIG": "simple", **params}
        super().__init__(params)


SearchBackend = SegmentingPostgresSearchBackend
