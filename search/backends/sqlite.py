"""The segmenting backend on SQLite FTS5 (modelsearch 1.3.2's SQLite backend, subclassed)."""

from modelsearch.backends.database.sqlite import sqlite as lite
from modelsearch.utils import get_content_type_pk

from search.backends.base import SegmentingPrepareMixin, SegmentingSearchMixin


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
    database_backed = True  # results are querysets: facets and counts can join other tables
    index_class = SegmentingSQLiteIndex


SearchBackend = SegmentingSQLiteSearchBackend
