"""Writes for search: the query log behind popular searches, and synonym groups."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from search.models import SearchQueryLog, Synonym
from search.selectors import MAX_QUERY_LENGTH, clean_query


def query_log_record(*, query: str, result_count: int) -> SearchQueryLog | None:
    """Count one search for `query` that found something; queries that found nothing are not kept."""
    query = clean_query(query).lower()[:MAX_QUERY_LENGTH]
    if not query or result_count <= 0:
        return None
    # A conditional UPDATE first: concurrent searches for the same words each add exactly one hit.
    updated = SearchQueryLog.objects.filter(query=query).update(
        hits=F("hits") + 1, last_result_count=result_count, last_searched_at=timezone.now()
    )
    if not updated:
        try:
            with transaction.atomic():
                log = SearchQueryLog(query=query, hits=1, last_result_count=result_count)
                log.full_clean()
                log.save()
                return log
        except IntegrityError:
            SearchQueryLog.objects.filter(query=query).update(
                hits=F("hits") + 1, last_result_count=result_count, last_searched_at=timezone.now()
            )
    return SearchQueryLog.objects.get(query=query)


@transaction.atomic
def synonym_create(*, terms: str, note: str = "") -> Synonym:
    synonym = Synonym(terms=terms, note=note)
    synonym.full_clean()
    synonym.save()
    return synonym
