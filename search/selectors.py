"""Reads for search: synonyms, suggestions, popular searches, and the pages a user may find."""

from collections import defaultdict

from search.models import SearchQueryLog, Synonym


def synonym_map() -> dict[str, frozenset[str]]:
    """Each term editors put in a synonym group, mapped to every term it is grouped with."""
    groups: dict[str, set[str]] = defaultdict(set)
    for synonym in Synonym.objects.only("terms"):
        terms = synonym.term_list
        for term in terms:
            groups[term].update(terms)
    return {term: frozenset(others - {term}) for term, others in groups.items()}


def popular_queries(*, limit: int = 8) -> list[str]:
    return list(SearchQueryLog.objects.order_by("-hits", "query").values_list("query", flat=True)[:limit])
