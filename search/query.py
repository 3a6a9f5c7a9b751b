"""Turns what a user typed into a search query over segmented text, for every backend.

- Several words mean all of them (AND), whatever operator the caller asked for inside a word.
- Each word matches itself, its synonyms (一把手 → 主要负责人, 党政正职, 主要领导 …) and, for
  words rjieba may have cut differently in context, its finer parts together.
- Quoted text is a phrase: its words in order, adjacent.
"""

from collections.abc import Mapping

from modelsearch.query import (
    And,
    Boost,
    MatchAll,
    Not,
    Or,
    Phrase,
    PlainText,
    SearchQuery,
)

from search import segmentation


def _words_query(words: list[str]) -> SearchQuery:
    if len(words) == 1:
        return PlainText(words[0], operator="and")
    return And([PlainText(w, operator="and") for w in words])


def _term_query(term: str) -> SearchQuery | None:
    """A synonym term: one word, or its words as a phrase."""
    words = segmentation.phrase_words(term)
    if len(words) == 1:
        return PlainText(words[0], operator="and")
    return Phrase(" ".join(words)) if words else None


def _synonym_group_query(term: str, synonyms: Mapping[str, frozenset[str]]) -> SearchQuery:
    options = [q for q in (_term_query(t) for t in [term, *sorted(synonyms.get(term, ()))]) if q is not None]
    return options[0] if len(options) == 1 else Or(options)


def word_query(
    word: str, synonyms: Mapping[str, frozenset[str]] | None = None, *, alternatives: bool = True
) -> SearchQuery:
    """A query for one word: the word, its alternative cuts and its synonyms, any of them."""
    options: list[SearchQuery] = [PlainText(word, operator="and")]
    for alternative in segmentation.word_alternatives(word) if alternatives else ():
        options.append(_words_query(alternative))
    for synonym in sorted((synonyms or {}).get(word, ())):
        if synonym != word and (option := _term_query(synonym)) is not None:
            options.append(option)
    return options[0] if len(options) == 1 else Or(options)


def rewrite(
    query: SearchQuery | str, synonyms: Mapping[str, frozenset[str]] | None = None, *, partial: bool = False
) -> SearchQuery | None:
    """The segmented form of a query, or None when nothing searchable is left (only punctuation).

    `partial` is for autocomplete: the last word may be unfinished, so it is kept as typed.
    """
    if isinstance(query, str):
        query = PlainText(query, operator="and")

    if isinstance(query, PlainText):
        # Synonym terms editors typed may be several words (账外资金 = 账外 + 资金): take them out
        # of the query whole, longest first, before cutting the rest into words.
        text = query.query_string.lower()
        parts: list[SearchQuery] = []
        for term in sorted(synonyms or {}, key=len, reverse=True):
            if len(term) > 1 and term in text and len(segmentation.phrase_words(term)) > 1:
                text = text.replace(term, " ")
                parts.append(_synonym_group_query(term, synonyms))
        words = segmentation.query_terms(text, partial=partial)
        if not words and not parts:
            return None
        word_parts = [word_query(w, synonyms) for w in words]
        if partial and words:
            # The word being typed: no alternative cuts of an unfinished word, synonyms still apply.
            word_parts[-1] = word_query(words[-1], synonyms, alternatives=False)
        parts += word_parts
        if len(parts) == 1:
            return parts[0]
        return Or(parts) if query.operator == "or" else And(parts)

    if isinstance(query, Phrase):
        words = segmentation.phrase_words(query.query_string)
        if not words:
            return None
        if len(words) == 1:
            return PlainText(words[0], operator="and")
        return Phrase(" ".join(words))

    if isinstance(query, (And, Or)):
        parts = [
            part for part in (rewrite(sub, synonyms, partial=partial) for sub in query.subqueries) if part is not None
        ]
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0]
        return And(parts) if isinstance(query, And) else Or(parts)

    if isinstance(query, Not):
        inner = rewrite(query.subquery, synonyms, partial=partial)
        return Not(inner) if inner is not None else None

    if isinstance(query, Boost):
        inner = rewrite(query.subquery, synonyms, partial=partial)
        return Boost(inner, query.boost) if inner is not None else None

    # MatchAll and anything we do not understand (Fuzzy) pass through unchanged.
    return query


def is_match_all(query: SearchQuery | None) -> bool:
    return isinstance(query, MatchAll)
