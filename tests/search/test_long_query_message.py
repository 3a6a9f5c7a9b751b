"""A long search is explained (the limit and the length typed), not answered "搜索条件有误" nor cut silently:
the same rule (search.selectors.query_too_long) on the search page and in the API."""

import pytest
from django.test import Client

from accounts.factories import cadre
from search.selectors import MAX_QUERY_LENGTH

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in():
    client = Client()
    client.force_login(cadre())
    return client


def test_long_query_is_explained(signed_in):
    response = signed_in.get("/search/", {"q": "监督" * 300})
    body = response.content.decode()
    assert response.status_code == 200
    assert f"搜索词过长：最多 {MAX_QUERY_LENGTH} 个字，您输入了 600 个字。" in body
    assert "搜索条件有误" not in body and "筛选条件有误" not in body


def test_a_query_just_over_the_limit_is_explained_not_cut(signed_in):
    body = signed_in.get("/search/", {"q": "监" * (MAX_QUERY_LENGTH + 1)}).content.decode()
    assert f"您输入了 {MAX_QUERY_LENGTH + 1} 个字" in body
    # Spaces a paste brings along do not count.
    body = signed_in.get("/search/", {"q": "监督   " * (MAX_QUERY_LENGTH // 3)}).content.decode()
    assert "搜索词过长" not in body


def test_the_api_gives_the_same_explanation(signed_in):
    response = signed_in.get("/api/v1/search", {"q": "监督" * 300})
    assert response.status_code == 400
    assert response.json()["detail"].startswith(f"搜索词过长：最多 {MAX_QUERY_LENGTH} 个字，您输入了 600 个字。")
