"""A 600-character search is explained (the limit and the length typed), not answered "搜索条件有误"."""

import pytest
from django.test import Client

from accounts.factories import cadre

pytestmark = pytest.mark.django_db


def test_long_query_is_explained():
    client = Client()
    client.force_login(cadre())
    response = client.get("/search/", {"q": "监督" * 300})
    body = response.content.decode()
    assert response.status_code == 200
    assert "搜索词太长：最多 200 个字，您输入了 600 个字。" in body
    assert "搜索条件有误" not in body
