"""Search over the JSON API: the same results and visibility rules as the search page."""

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from search import selectors

router = Router(tags=["搜索"])


class SearchParams(Schema):
    q: str = ""
    type: str = ""
    page: int = 1


class SearchResultOut(Schema):
    id: int
    type: str
    title: str
    url: str
    snippet: str


class SearchOut(Schema):
    total: int
    results: list[SearchResultOut]


class SuggestionOut(Schema):
    id: int
    type: str
    title: str
    url: str


class SuggestOut(Schema):
    results: list[SuggestionOut]


@router.get(
    "/search", response=SearchOut, url_name="search", summary="全文搜索（中文分词，结果只含当前用户可见的内容）"
)
def search(request, params: Query[SearchParams]):
    """`snippet` is HTML: the text is escaped and the matched words are wrapped in `<mark>`."""
    too_long = selectors.query_too_long(params.q)
    if too_long:
        raise HttpError(400, too_long)
    query = selectors.clean_query(params.q)
    if not query:
        raise HttpError(400, _("请输入要搜索的词语。"))
    if params.page < 1 or params.page > selectors.MAX_PAGE:
        raise HttpError(400, _("页码应在 1 到 %(max)d 之间。") % {"max": selectors.MAX_PAGE})
    known = {t.slug for t in selectors.search_types()}
    if params.type and params.type not in known:
        raise HttpError(
            400,
            _("未知的内容类型：%(type)s。可用类型：%(known)s")
            % {"type": params.type, "known": "、".join(sorted(known)) or "—"},
        )
    outcome = selectors.site_search_cached(
        user=request.user, query=query, type=params.type, page=params.page, details=False
    )
    if outcome.error:
        raise HttpError(400, outcome.error)
    return {
        "total": outcome.total,
        "results": [
            {"id": h.id, "type": h.type, "title": h.title, "url": h.url, "snippet": str(h.snippet)}
            for h in outcome.hits
        ],
    }


@router.get("/search/suggest", response=SuggestOut, url_name="search_suggest", summary="标题联想（输入时提示）")
def suggest(request, q: str = ""):
    return {"results": selectors.autocomplete_titles(user=request.user, query=q)}
