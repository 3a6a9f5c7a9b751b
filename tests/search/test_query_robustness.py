"""Any query string gives 200 (or a clear 400), never a 500: the page, the API and suggestions."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search import selectors

pytestmark = pytest.mark.django_db

NASTY = [
    "a:b",
    "title:监督",
    "foo:bar",
    ":",
    "a:",
    ":b",
    '"',
    '""',
    '"a:b"',
    "监督 a:b",
    "a:b 监督",
    "-a",
    "a OR b",
    "NOT 监督",
    "(监督",
    "监督)",
    "*",
    "a:b:c",
    '"title:监督"',
    "\x00",
    "监督\x00",
    "%",
    "_",
    "\\",
    "'",
]


def _check(client, q):
    page = client.get("/search/", {"q": q})
    assert page.status_code in (200, 400), (q, page.status_code)
    api = client.get("/api/v1/search", {"q": q})
    assert api.status_code in (200, 400), (q, api.status_code)
    if api.status_code == 400:
        assert api.json()["detail"]
    suggest = client.get("/api/v1/search/suggest", {"q": q})
    assert suggest.status_code in (200, 400), (q, suggest.status_code)


@pytest.mark.parametrize("q", NASTY)
def test_query_syntax_never_500(client, corpus, reader, q):
    client.force_login(reader)
    _check(client, q)


def test_field_filter_text_is_searched_as_words(corpus, reader):
    """`title:监督` is not a filter users can use: it searches for the words title and 监督."""
    for colon, spaced in [("title:监督", "title 监督"), ("监督:一把手", "监督 一把手"), ("纪律:", "纪律")]:
        a = selectors.site_search(user=reader, query=colon)
        b = selectors.site_search(user=reader, query=spaced)
        assert not a.error
        assert (a.total, [h.id for h in a.hits]) == (b.total, [h.id for h in b.hits])
    assert selectors.site_search(user=reader, query="监督:一把手").total > 0


_text = st.text(
    # Lone surrogates cannot travel in a URL (a client percent-encodes UTF-8 bytes); the raw invalid bytes
    # are tried on their own in test_invalid_utf8_in_the_query_string.
    alphabet=st.one_of(
        st.sampled_from(list(':"()-*+~^!\\ \t监督一把手违纪aAbB0:')), st.characters(exclude_categories=["Cs"])
    ),
    max_size=40,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=_text)
def test_arbitrary_query_strings_never_500(client, corpus, reader, q):
    client.force_login(reader)
    _check(client, q)


@pytest.mark.parametrize("raw", ["%ED%A0%80", "%FF%FE", "%E7%9B", "%C0%AF%E7%9B%91%E7%9D%A3"])
def test_invalid_utf8_in_the_query_string(client, corpus, reader, raw):
    """Bytes that are not UTF-8 (a lone surrogate's encoding, a cut character) are searched, never a 500."""
    client.force_login(reader)
    for path in ("/search/", "/api/v1/search", "/api/v1/search/suggest"):
        response = client.get(f"{path}?q={raw}")
        assert response.status_code in (200, 400), (path, raw, response.status_code)
