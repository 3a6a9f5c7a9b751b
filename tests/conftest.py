import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def home_page():
    from core.models import HomePage

    return HomePage.objects.get(depth=2)
