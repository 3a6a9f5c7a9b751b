"""The cadres' search page."""

from django.contrib.auth.decorators import login_required
from django.http import QueryDict
from django.shortcuts import render

from search import selectors, services
from search.forms import SearchForm


def _url_with(params: QueryDict, **changes) -> str:
    query = params.copy()
    if "page" not in changes:
        query.pop("page", None)  # a new filter starts again at page 1
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = str(value)
    return "?" + query.urlencode()


@login_required
def search(request):
    form = SearchForm(request.GET or None)
    outcome = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        outcome = selectors.site_search_cached(
            user=request.user,
            query=data["q"],
            type=data["type"] or "",
            page=data["page"] or 1,
            filters=form.filters(),
        )
        if outcome.query and outcome.page == 1 and not form.filters() and not data["type"]:
            services.query_log_record(query=outcome.query, result_count=outcome.total)
    elif not form.is_bound:
        outcome = selectors.SearchOutcome(query="", popular=selectors.popular_queries())
    params = request.GET
    facet_links = []
    if outcome:
        for facet in outcome.facets:
            options = [
                {
                    "label": option.label,
                    "count": option.count,
                    "selected": option.selected,
                    "url": _url_with(params, **{facet.name: "" if option.selected else option.value}),
                }
                for option in facet.options
            ]
            facet_links.append({"name": facet.name, "label": facet.label, "options": options})
    # The filters in force, each with the link that removes it (shown above the results on every screen).
    chosen = [
        {"facet": facet["label"], "label": option["label"], "url": option["url"]}
        for facet in facet_links
        for option in facet["options"]
        if option["selected"]
    ]
    pages = {}
    if outcome and outcome.num_pages > 1:
        if outcome.has_previous:
            pages["previous"] = _url_with(params, page=outcome.page - 1)
        if outcome.has_next:
            pages["next"] = _url_with(params, page=outcome.page + 1)
    return render(
        request,
        "search/search.html",
        {
            "form": form,
            "outcome": outcome,
            "facets": facet_links,
            "chosen": chosen,
            "pages": pages,
            "search_query": params.get("q", ""),
        },
    )
