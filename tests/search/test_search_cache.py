"""The search result cache (search.selectors.site_search_cached): results are shared only between users who
may see the same pages, and every publish, privacy setting or synonym change shows on the next search."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import PageViewRestriction

from accounts import roles
from accounts.factories import cadre, staff
from accounts.roles import Rank
from cases.factories import CaseStudyPageFactory
from search import selectors
from search.models import Synonym

pytestmark = pytest.mark.django_db

SEARCH_URL = "/search/"


@pytest.fixture
def cases(case_index):
    case_index.save_revision().publish()
    open_case = CaseStudyPageFactory(parent=case_index, title="某局长挪用公款案", summary="挪用公款用于炒股。")
    restricted = CaseStudyPageFactory(
        parent=case_index, title="某市长挪用公款案", summary="挪用公款数额特别巨大。", min_rank=Rank.COUNTY
    )
    for page in (open_case, restricted):
        page.save_revision().publish()  # indexed as an editor's publish does
    return open_case, restricted


def titles(client, **params) -> str:
    response = client.get(SEARCH_URL, params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("higher_first", [True, False])
def test_a_cached_result_never_shows_a_restricted_case_to_a_lower_rank(client, cases, higher_first):
    township, county = cadre(rank=Rank.TOWNSHIP), cadre(rank=Rank.COUNTY)
    order = [county, township] if higher_first else [township, county]
    for _round in range(2):  # the second round is answered from the cache
        for user in order:
            client.force_login(user)
            html = titles(client, q="挪用公款")
            assert "某局长挪用公款案" in html
            assert ("某市长挪用公款案" in html) == (user is county)
            api = client.get("/api/v1/search", {"q": "挪用公款"}).json()
            assert {r["title"] for r in api["results"]} == (
                {"某局长挪用公款案", "某市长挪用公款案"} if user is county else {"某局长挪用公款案"}
            )


def test_users_of_the_same_class_share_results_others_do_not(cases):
    a, b, c = cadre(rank=Rank.TOWNSHIP), cadre(rank=Rank.TOWNSHIP), cadre(rank=Rank.COUNTY)
    assert selectors.search_visibility_key(a) == selectors.search_visibility_key(b)
    assert selectors.search_visibility_key(a) != selectors.search_visibility_key(c)
    assert selectors.search_visibility_key(staff(roles.EDITOR)) != selectors.search_visibility_key(c)
    b.groups.add(Group.objects.create(name="专班"))
    assert selectors.search_visibility_key(a) != selectors.search_visibility_key(b)


def test_a_cached_result_is_answered_without_running_the_search(cases, django_assert_max_num_queries):
    user, other = cadre(rank=Rank.TOWNSHIP), cadre(rank=Rank.TOWNSHIP)
    first = selectors.site_search_cached(user=user, query="挪用公款")
    assert first.total == 1
    with django_assert_max_num_queries(4):  # the user's groups, roles and rank for the key; no search
        again = selectors.site_search_cached(user=other, query="挪用公款")
    assert [h.title for h in again.hits] == [h.title for h in first.hits]


def test_publish_shows_on_the_next_search(client, cases):
    open_case, _restricted = cases
    client.force_login(cadre(rank=Rank.TOWNSHIP))
    assert "某局长挪用公款案" in titles(client, q="挪用公款")
    open_case.title = "某局长挪用公款炒股案"
    revision = open_case.save_revision()
    assert "某局长挪用公款炒股案" not in titles(client, q="挪用公款")  # a draft shows to nobody
    revision.publish()
    assert "某局长挪用公款炒股案" in titles(client, q="挪用公款")
    open_case.unpublish()
    assert "某局长挪用公款" not in titles(client, q="挪用公款")


def test_privacy_setting_shows_on_the_next_search(client, cases):
    open_case, _restricted = cases
    client.force_login(cadre(rank=Rank.TOWNSHIP))
    assert "某局长挪用公款案" in titles(client, q="挪用公款")
    restriction = PageViewRestriction.objects.create(page=open_case, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set([Group.objects.create(name="专班")])
    assert "某局长挪用公款案" not in titles(client, q="挪用公款")


def test_rank_restriction_published_shows_on_the_next_search(client, cases):
    open_case, _restricted = cases
    client.force_login(cadre(rank=Rank.TOWNSHIP))
    assert "某局长挪用公款案" in titles(client, q="挪用公款")
    open_case.min_rank = Rank.BUREAU
    open_case.save_revision().publish()
    assert "某局长挪用公款案" not in titles(client, q="挪用公款")


def test_new_synonyms_show_on_the_next_search(client, cases):
    client.force_login(cadre(rank=Rank.TOWNSHIP))
    assert "某局长挪用公款案" not in titles(client, q="炒股票")
    Synonym.objects.create(terms="炒股票, 炒股")
    assert "某局长挪用公款案" in titles(client, q="炒股票")


def test_popular_searches_are_not_cached(client, cases):
    client.force_login(cadre(rank=Rank.TOWNSHIP))
    assert "挪用公款" not in titles(client, q="无此内容词语")
    titles(client, q="挪用公款")  # logged as a search
    assert 'href="?q=%E6%8C%AA%E7%94%A8%E5%85%AC%E6%AC%BE"' in titles(client, q="无此内容词语")
