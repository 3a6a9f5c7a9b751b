import pytest
from django.core.cache import caches


@pytest.fixture(autouse=True)
def _clear_cache():
    for cache in caches.all(initialized_only=True):
        cache.clear()
    yield
    for cache in caches.all(initialized_only=True):
        cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _flush_may_empty_the_audit_log():
    """Transactional tests end with `flush`, which must empty the append-only audit table too
    (audit.db: the database refuses any other DELETE or TRUNCATE)."""
    from django.core.management.commands import flush

    from audit.db import archive_permit

    original = flush.Command.handle

    def handle(self, *args, **options):
        with archive_permit(options.get("database", "default")):
            return original(self, *args, **options)

    flush.Command.handle = handle
    yield
    flush.Command.handle = original


@pytest.fixture
def home_page():
    from core.models import HomePage

    return HomePage.objects.get(depth=2)


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (`--dist loadgroup`) keep each test module on one worker, so module- and
    session-scoped fixtures (demo data, the live site of the browser journeys) are built once;
    all browser journeys share one group and therefore one live site."""
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        group = "e2e" if path.startswith("tests/e2e/") else path
        item.add_marker(pytest.mark.xdist_group(group))
