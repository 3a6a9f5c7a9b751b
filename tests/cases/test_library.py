"""The case library: filters, sorting, pagination, related cases and the case page's query count."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.factories import cadre
from accounts.roles import Rank
from cases import selectors
from cases.factories import CaseStudyPageFactory

pytestmark = pytest.mark.django_db

UNIT = "某省/甲市/东山县/交通运输局"


@pytest.fixture
def reader(client):
    user = cadre(unit=UNIT, rank=Rank.COUNTY)
    client.force_login(user)
    return user


@pytest.fixture
def library(make_case, terms):
    s, v, f = terms["sector"], terms["violation"], terms["failure"]
    return {
        "traffic_bribe": make_case(
            title="交通受贿案",
            sector=s["交通"],
            year=2023,
            subject_rank=Rank.TOWNSHIP,
            violation_types=[v["受贿"]],
            supervision_failures=[f["同级监督弱化"]],
        ),
        "school_leader": make_case(
            title="教育一把手案",
            sector=s["教育"],
            year=2024,
            subject_rank=Rank.COUNTY,
            is_top_leader=True,
            violation_types=[v["违规决策（三重一大）"]],
            supervision_failures=[f["自身不愿接受监督"]],
        ),
        "hospital": make_case(
            title="医院挪用案",
            sector=s["医疗卫生"],
            year=2024,
            subject_rank=Rank.TOWNSHIP,
            violation_types=[v["挪用公款"], v["受贿"]],
            supervision_failures=[f["下级不敢监督"]],
        ),
    }


def _titles(response):
    return [case.title for case in response.context["cases"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"交通受贿案", "教育一把手案", "医院挪用案"}),
        ({"sector": "教育"}, {"教育一把手案"}),
        ({"violation": "受贿"}, {"交通受贿案", "医院挪用案"}),
        ({"failure": "下级不敢监督"}, {"医院挪用案"}),
        ({"rank": Rank.COUNTY}, {"教育一把手案"}),
        ({"year": 2024}, {"教育一把手案", "医院挪用案"}),
        ({"top_leader": "on"}, {"教育一把手案"}),
        ({"year": 2024, "violation": "受贿"}, {"医院挪用案"}),
    ],
)
def test_filters(client, reader, index, library, terms, params, expected):
    query = dict(params)
    lookup = {"sector": terms["sector"], "violation": terms["violation"], "failure": terms["failure"]}
    for key, names in lookup.items():
        if key in query:
            query[key] = names[query[key]].pk
    response = client.get(index.url, query)
    assert response.status_code == 200
    assert set(_titles(response)) == expected


def test_bad_filter_values_are_ignored(client, reader, index, library):
    response = client.get(index.url, {"sector": "abc", "year": "x", "page": "999"})
    assert response.status_code == 200


def test_newest_first_and_paginated(client, reader, index, make_case):
    cases = [make_case(title=f"分页案例{n:02d}") for n in range(14)]
    response = client.get(index.url)
    assert response.context["cases"].paginator.count == 14
    assert len(response.context["cases"]) == selectors.PAGE_SIZE
    assert _titles(response)[0] == cases[-1].title
    second = client.get(index.url, {"page": 2})
    assert len(second.context["cases"]) == 2
    assert _titles(second)[-1] == cases[0].title


def test_filter_form_is_chinese(client, reader, index, library):
    html = client.get(index.url).content.decode()
    for label in ("领域", "违纪违法类型", "监督问题", "当事人职级", "年份", "只看一把手案例"):
        assert label in html


def test_related_cases_ordered_by_shared_terms(make_case, terms, reader):
    s, v, f, m = terms["sector"], terms["violation"], terms["failure"], terms["measure"]
    base = make_case(
        sector=s["交通"],
        violation_types=[v["受贿"], v["滥用职权"]],
        supervision_failures=[f["同级监督弱化"]],
        countermeasures=[m["强化分权制衡"]],
    )
    three = make_case(
        title="三个共同词",
        sector=s["教育"],
        violation_types=[v["受贿"], v["滥用职权"]],
        countermeasures=[m["强化分权制衡"]],
    )
    two = make_case(title="两个共同词", sector=s["交通"], violation_types=[v["受贿"]])
    one = make_case(title="一个共同词", sector=s["教育"], supervision_failures=[f["同级监督弱化"]])
    make_case(title="无共同词", sector=s["金融"], violation_types=[v["贪污"]])
    related = selectors.related_cases(case=base, user=reader)
    assert [c.title for c in related] == [three.title, two.title, one.title]
    assert [c.shared_terms for c in related] == [3, 2, 1]


def test_case_page_shows_toc_terms_as_links_and_courses_hook(client, reader, library, index):
    from wagtail import hooks

    case = library["hospital"]
    html = client.get(case.url).content.decode()
    assert 'href="#section-1"' in html and 'id="section-1"' in html
    assert f"?violation={case.violation_types.first().pk}" in html
    assert "使用本案例的课程" not in html

    def courses(request, case_page):
        return [{"title": "以案促改专题课", "url": "/learning/1/"}]

    with hooks.register_temporarily("case_used_in_courses", courses):
        html = client.get(case.url).content.decode()
    assert "使用本案例的课程" in html and "以案促改专题课" in html


def test_case_page_without_terms_has_no_empty_taxonomy_card(client, reader, library, make_case, terms):
    bare = make_case(title="无分类案", sector=terms["sector"]["交通"])
    assert "案例分类" not in client.get(bare.url).content.decode()
    assert "案例分类" in client.get(library["hospital"].url).content.decode()


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_case_page_queries_do_not_grow_with_data(client, reader, index, make_case, terms, django_assert_num_queries):
    s, v, f, m = terms["sector"], terms["violation"], terms["failure"], terms["measure"]
    case = make_case(
        sector=s["交通"],
        violation_types=[v["受贿"]],
        supervision_failures=[f["同级监督弱化"]],
        countermeasures=[m["强化分权制衡"]],
    )
    make_case(sector=s["交通"], violation_types=[v["受贿"]])
    case.save_revision().publish()  # a published revision: its parts are cached (cases.selectors.case_page_context)
    client.get(case.url)  # warm caches (site root paths)
    few = _count_queries(client, case.url)
    cache.clear()
    few_cold = _count_queries(client, case.url)

    for n in range(15):
        CaseStudyPageFactory(
            parent=index,
            title=f"更多案例{n}",
            sector=s["交通"],
            violation_types=list(v.values())[: 3 + n % 5],
            supervision_failures=list(f.values()),
            countermeasures=list(m.values())[: n % 8 + 1],
        )
    case.violation_types.set(list(v.values()))
    case.supervision_failures.set(list(f.values()))
    case.countermeasures.set(list(m.values()))
    case.tags.set(["三重一大", "一把手", "以案促改"])
    case.save_revision().publish()
    cache.clear()
    with django_assert_num_queries(few_cold):
        client.get(case.url)
    with django_assert_num_queries(few):
        client.get(case.url)


def test_listing_queries_do_not_grow_with_cases_per_page(
    client, reader, index, make_case, terms, django_assert_num_queries
):
    v = list(terms["violation"].values())
    for n in range(2):
        make_case(title=f"少量{n}", violation_types=v[:2])
    client.get(index.url)
    few = _count_queries(client, index.url)
    for n in range(20):
        make_case(title=f"大量{n}", violation_types=v[: 1 + n % 6])
    client.get(index.url)  # publishing bumped the global generation: warm the caches again, as above
    with django_assert_num_queries(few):
        response = client.get(index.url)
    assert response.content.decode().count('class="card case-card"') == selectors.PAGE_SIZE
