"""Synonym groups editors maintain, and a log of what people search for."""

import re

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.search import index

TERM_SPLIT_RE = re.compile(r"[\s,，、;；/|]+")
MAX_TERM_LENGTH = 30


def split_terms(text: str) -> list[str]:
    """Distinct terms of a synonym group in the order typed."""
    terms: list[str] = []
    for term in TERM_SPLIT_RE.split(text or ""):
        term = term.strip().lower()
        if term and term not in terms:
            terms.append(term)
    return terms


class Synonym(index.Indexed, models.Model):
    """A group of words that mean the same to a searcher (一把手、主要负责人、党政正职、主要领导)."""

    terms = models.TextField(
        _("同义词"),
        help_text=_("用顿号、逗号或换行分隔，至少两个词。搜索其中任一个词时，含有其他词的内容也会被找到。"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    search_fields = [index.SearchField("terms"), index.AutocompleteField("terms")]

    class Meta:
        verbose_name = _("同义词组")
        verbose_name_plural = _("同义词组")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(terms=""), name="search_synonym_terms_not_empty"),
        ]

    def __str__(self):
        return "、".join(self.term_list)

    @property
    def term_list(self) -> list[str]:
        return split_terms(self.terms)

    def clean(self):
        terms = self.term_list
        if len(terms) < 2:
            raise ValidationError({"terms": _("同义词组至少需要两个不同的词。")})
        too_long = [t for t in terms if len(t) > MAX_TERM_LENGTH]
        if too_long:
            raise ValidationError(
                {
                    "terms": _("每个词不能超过 %(n)d 个字：%(terms)s")
                    % {"n": MAX_TERM_LENGTH, "terms": "、".join(too_long)}
                }
            )
        self.terms = "、".join(terms)


class SearchQueryLog(models.Model):
    """How often a query that found something was searched; feeds the popular-searches list."""

    query = models.CharField(_("搜索词"), max_length=100, unique=True)
    hits = models.PositiveIntegerField(_("搜索次数"), default=0)
    last_result_count = models.PositiveIntegerField(_("最近结果数"), default=0)
    last_searched_at = models.DateTimeField(_("最近搜索时间"), auto_now=True)

    class Meta:
        verbose_name = _("搜索记录")
        verbose_name_plural = _("搜索记录")
        indexes = [models.Index(fields=["-hits"], name="search_log_hits_idx")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(query=""), name="search_log_query_not_empty"),
        ]

    def __str__(self):
        return self.query


class IndexEntryVector(models.Model):
    """PostgreSQL only: each search index entry's words in one narrow row, for matching and ranking.

    Wagtail's index table (`wagtailsearch_indexentry`) keeps the title and body vectors next to
    the plain text and the autocomplete vector; its rows outgrow PostgreSQL's 2 kB TOAST
    threshold and most body vectors live out of line, so reading them for every match of a
    common word costs three buffer reads a row and dominated the search. This table holds what
    a search reads: the page id as a number, the content type, the title vector and title norm
    (for ranking) and `title || body` (matched, with a GIN index). Triggers on the index table
    write it (migration `mingjian_search.0004`), so every path that changes the index (our
    backend, Wagtail's deletes, `update_index`, a TRUNCATE) keeps it in step. No table on SQLite.
    """

    entry_id = models.IntegerField(primary_key=True)
    content_type_id = models.IntegerField()
    object_id = models.BigIntegerField(null=True)  # the entry's object_id when it is a number (page ids)
    title_norm = models.FloatField()
    title = SearchVectorField()
    vector = SearchVectorField()  # title || body

    class Meta:
        managed = False
        db_table = "mingjian_search_entryvector"

    def __str__(self):
        return f"{self.content_type_id}:{self.object_id}"
