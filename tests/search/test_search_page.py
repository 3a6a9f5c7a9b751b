"""The cadres' search page and API: visibility, highlighting, facets, suggestions, autocomplete."""

import pytest
from django.urls import reverse

from accounts.factories import cadre
from accounts.roles import Rank
from search import selectors, services
from search.models import SearchQueryLog

pytestmark = pytest.mark.django_db

SEARCH_URL = "/search/"


def test_search_page_needs_login(client):
    response = client.get(SEARCH_URL, {"q": "监督"})
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_header_search_box_on_every_page_for_signed_in_users(client, home_page, reader):
    client.force_login(reader)
    html = client.get("/").content.decode()
    assert 'class="site-search"' in html and 'action="/search/"' in html
    assert "js/search.js" in html
    assert "<script>" not in html and "style=" not in html  # strict CSP: no inline script or style


def test_results_have_highlighted_snippet_type_and_taxonomy(client, corpus, reader):
    client.force_login(reader)
    response = client.get(SEARCH_URL, {"q": "四个不直接分管"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "某县医院原院长赵某某贪污挪用公款案" in html
    assert "<mark>四个不直接分管</mark>" in html
    assert "警示教育案例" in html  # the type
    assert "医疗卫生" in html and "挪用公款" in html and "自身不愿接受监督" in html  # the taxonomy
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_snippet_is_escaped_before_marking(corpus, editor, make_case_with_summary):
    make_case_with_summary('某局“A&B”项目 "监督" 一把手 x<y')
    outcome = selectors.site_search(user=editor, query="监督 一把手")
    snippet = next(str(hit.snippet) for hit in outcome.hits if "A&amp;B" in str(hit.snippet))
    assert "&quot;<mark>监督</mark>&quot;" in snippet
    assert "<mark>一把手</mark>" in snippet
    assert "x&lt;y" in snippet


def test_snippet_shows_a_word_found_only_in_a_related_name(corpus, editor, make_case_with_summary):
    """Snippets come from a page's own text; a page matched through a taxonomy name alone
    gets its related names in the text, so the snippet still shows the word."""
    from cases.factories import ViolationTypeFactory

    case = make_case_with_summary(
        "某某在任期间严重违反组织纪律。", violation_types=[ViolationTypeFactory(name="围猎甚欢")]
    )
    case.save_revision().publish()  # indexed with its taxonomy, as an editor's publish does
    outcome = selectors.site_search(user=editor, query="围猎甚欢")
    assert outcome.total == 1
    assert "<mark>" in str(outcome.hits[0].snippet) and "围猎" in str(outcome.hits[0].snippet)
    assert outcome.hits[0].taxonomy  # the search page shows the case taxonomy …
    api_outcome = selectors.site_search(user=editor, query="围猎甚欢", details=False)
    assert api_outcome.hits[0].taxonomy == []  # … the API does not return it, so it is not loaded
    assert str(api_outcome.hits[0].snippet) == str(outcome.hits[0].snippet)


def test_a_page_number_past_the_end_shows_the_last_page(corpus, editor):
    last = selectors.site_search(user=editor, query="监督", page=2)
    past = selectors.site_search(user=editor, query="监督", page=selectors.MAX_PAGE)
    assert last.num_pages == 2 and past.page == 2
    assert [hit.id for hit in past.hits] == [hit.id for hit in last.hits]


def test_highlight_never_marks_inside_an_entity():
    from search.snippets import highlight, snippet

    assert str(highlight("<b>amp</b> & amp", ["amp"])) == ("&lt;b&gt;<mark>amp</mark>&lt;/b&gt; &amp; <mark>amp</mark>")
    long_text = "前言" * 100 + "同级监督弱化" + "结尾" * 100
    text = str(snippet(long_text, ["监督"]))
    assert text.startswith("…") and text.endswith("…") and "<mark>监督</mark>" in text


def test_rank_restricted_case_is_hidden_even_from_counts(corpus, reader):
    # S25 is visible from 厅局级 up; it is the only case about 高校.
    assert selectors.site_search(user=reader, query="高校").total == 0
    outcome = selectors.site_search(user=reader, query="同级监督")
    assert corpus["S25"].pk not in {hit.id for hit in outcome.hits}
    bureau = cadre(rank=Rank.BUREAU)
    bureau_outcome = selectors.site_search(user=bureau, query="同级监督")
    assert bureau_outcome.total == outcome.total + 1
    counts = {f.name: {o.label: o.count for o in f.options} for f in outcome.facets}
    bureau_counts = {f.name: {o.label: o.count for o in f.options} for f in bureau_outcome.facets}
    assert counts["sector"].get("教育", 0) + 1 == bureau_counts["sector"]["教育"]
    assert counts["type"]["警示教育案例"] + 1 == bureau_counts["type"]["警示教育案例"]


def test_unpublished_case_never_appears(corpus, editor):
    corpus["S14"].unpublish()
    assert selectors.site_search(user=editor, query="保护伞").total == 0
    assert all(
        f.name != "sector" or "政法" not in [o.label for o in f.options]
        for f in selectors.site_search(user=editor, query="滥用职权").facets
    )


def test_facets_narrow_the_results(client, corpus, editor):
    client.force_login(editor)
    outcome = selectors.site_search(user=editor, query="受贿")
    sector = next(f for f in outcome.facets if f.name == "sector")
    education = next(o for o in sector.options if o.label == "教育")
    narrowed = selectors.site_search(user=editor, query="受贿", filters={"sector": education.value})
    assert narrowed.total == education.count == 2  # S03 and S25
    assert {hit.title for hit in narrowed.hits} == {corpus["S03"].title, corpus["S25"].title}
    by_year = selectors.site_search(user=editor, query="受贿", filters={"year": 2021})
    assert {hit.id for hit in by_year.hits} == {corpus[x].pk for x in ("S01", "S07", "S13", "S25")}
    violation = next(f for f in outcome.facets if f.name == "violation")
    assert {o.label for o in violation.options} >= {"受贿", "违规决策"}
    # The page renders the facet links and keeps the query in them.
    html = client.get(SEARCH_URL, {"q": "受贿", "sector": education.value}).content.decode()
    assert "?q=%E5%8F%97%E8%B4%BF" in html
    assert 'aria-current="true"' in html


def test_type_facet_and_filter(corpus, editor):
    outcome = selectors.site_search(user=editor, query="警示教育")
    types = next(f for f in outcome.facets if f.name == "type")
    assert {o.value for o in types.options} >= {"case"}
    only_cases = selectors.site_search(user=editor, query="警示教育", type="case")
    assert all(hit.type == "case" for hit in only_cases.hits)


def test_empty_result_suggests_related_terms_and_popular_searches(client, corpus, reader):
    services.query_log_record(query="一把手", result_count=5)
    services.query_log_record(query="一把手", result_count=5)
    services.query_log_record(query="受贿", result_count=9)
    outcome = selectors.site_search(user=reader, query="督导机制建设")
    assert outcome.total == 0
    assert "完善监督机制" in outcome.suggestions  # a dictionary neighbour that finds cases
    assert outcome.popular[:2] == ["一把手", "受贿"]
    client.force_login(reader)
    html = client.get(SEARCH_URL, {"q": "督导机制建设"}).content.decode()
    assert "完善监督机制" in html and "大家都在搜" in html


def test_searches_are_logged_only_when_they_find_something(client, corpus, reader):
    client.force_login(reader)
    client.get(SEARCH_URL, {"q": "末位表态"})
    client.get(SEARCH_URL, {"q": "末位表态"})
    client.get(SEARCH_URL, {"q": "不存在的词语组合"})
    assert SearchQueryLog.objects.get(query="末位表态").hits == 2
    assert not SearchQueryLog.objects.filter(query="不存在的词语组合").exists()


def test_pagination(corpus, editor):
    first = selectors.site_search(user=editor, query="监督")
    assert first.total > selectors.PER_PAGE
    second = selectors.site_search(user=editor, query="监督", page=2)
    assert second.page == 2
    assert not {h.id for h in first.hits} & {h.id for h in second.hits}
    assert len(first.hits) + len(second.hits) == first.total


# API ------------------------------------------------------------------------------------------


def test_api_search_shape_and_visibility(client, corpus, reader):
    client.force_login(reader)
    data = client.get("/api/v1/search", {"q": "同级监督"}).json()
    assert set(data) == {"total", "results"}
    assert data["total"] == selectors.site_search(user=reader, query="同级监督").total
    first = data["results"][0]
    assert set(first) == {"id", "type", "title", "url", "snippet"}
    assert first["type"] == "case"
    assert corpus["S25"].pk not in {r["id"] for r in data["results"]}
    assert "<mark>" in " ".join(r["snippet"] for r in data["results"])


def test_api_type_and_page(client, corpus, editor):
    client.force_login(editor)
    assert client.get("/api/v1/search", {"q": "监督", "type": "case", "page": 2}).status_code == 200
    response = client.get("/api/v1/search", {"q": "监督", "type": "nonsense"})
    assert response.status_code == 400 and "未知的内容类型" in response.json()["detail"]
    assert client.get("/api/v1/search", {"q": "监督", "page": 0}).status_code == 400


def test_api_rejects_empty_query_and_anonymous_users(client, corpus, reader):
    assert client.get("/api/v1/search", {"q": "监督"}).status_code == 401
    client.force_login(reader)
    response = client.get("/api/v1/search", {"q": "  ，。 "})
    assert response.status_code == 400
    assert response.json()["detail"]


def test_api_with_bearer_token(client, corpus, reader):
    from wagtail.models import APIToken

    _instance, token = APIToken.create_token(user=reader, name="test")
    response = client.get("/api/v1/search", {"q": "四公开"}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert {r["id"] for r in response.json()["results"]} == {corpus["S07"].pk, corpus["S17"].pk}


def test_autocomplete_suggests_visible_titles(client, corpus, reader):
    client.force_login(reader)
    data = client.get("/api/v1/search/suggest", {"q": "述责"}).json()
    assert [r["title"] for r in data["results"]] == [corpus["S11"].title]
    partial = client.get("/api/v1/search/suggest", {"q": "督导检"}).json()
    assert corpus["S06"].title in [r["title"] for r in partial["results"]]
    hidden = client.get("/api/v1/search/suggest", {"q": "高校"}).json()
    assert hidden["results"] == []  # S25 is above this cadre's rank


def test_query_count_does_not_grow_with_the_results(corpus, editor):
    """Facets and the total come from one statement and the results of a page are loaded in
    bulk: ten results cost the same queries as two."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    selectors.site_search(user=editor, query="四公开")  # warm per-process caches (content types)
    with CaptureQueriesContext(connection) as two:
        assert len(selectors.site_search(user=editor, query="四公开").hits) == 2
    with CaptureQueriesContext(connection) as ten:
        assert len(selectors.site_search(user=editor, query="监督").hits) == 10
    assert len(ten) == len(two), [q["sql"][:120] for q in ten.captured_queries]


def test_a_facet_value_that_matches_nothing_gives_no_results(corpus, editor):
    outcome = selectors.site_search(user=editor, query="受贿", filters={"sector": "不是编号"})
    assert (outcome.total, outcome.hits) == (0, [])
    assert {f.name for f in outcome.facets} == {"type"}  # the type facet still counts every match
