"""Every model whose rows a cached fragment shows has invalidation (core.cache.REGISTRY).

The demo data is loaded, then a demo cadre's dashboard, a lesson page, a case page, the case library
and a search are rendered with the cache empty while every query a cached part runs is recorded (on a
miss, `core.cache.fragment` renders). Each table read there must belong to a model registered with
`core.cache.bump_on_save` / `bump_on_m2m` (in its app's ready()), to a page type (publish, unpublish,
move, delete bump `global`), or be listed below with the reason it needs none. A new panel or fragment
that shows a model nobody invalidates fails this test.
"""

import re

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from core import cache

pytestmark = pytest.mark.django_db

# Read by cached parts, yet never changed by a write a cached part must follow (label: reason).
NO_INVALIDATION_NEEDED = {
    "contenttypes.contenttype": "written by migrate only",
    "auth.permission": "written by migrate only",
    "auth.group": "the role groups are fixed (accounts.roles), written by migrate; membership is User.groups",
    "wagtailcore.locale": "one locale, written by migrate",
    "wagtailcore.revision": "a page's published revision changes only on publish (bumps global)",
    "wagtailcore.collection": "images and documents bump media; a collection shows nothing by itself",
    "wagtailimages.rendition": "derived from an image (bumps media)",
    "taggit.tag": "case tags are saved with the case's revision and shown once it is published",
    "cases.casestudytag": "saved with the case's revision (published → global)",
    "cases.caseattachment": "saved with the case's revision (published → global)",
    "cases.casestudypage_violation_types": "saved with the case's revision (published → global)",
    "cases.casestudypage_supervision_failures": "saved with the case's revision (published → global)",
    "cases.casestudypage_countermeasures": "saved with the case's revision (published → global)",
    "learning.lessoncase": "kept in step on publish (learning.signals), which bumps global",
    "learning.coursepage_topics": "saved with the course's revision (published → global)",
    # search results (search.selectors.site_search_cached): Wagtail indexes the live page, so a page's
    # entries change on publish (global); a draft save or an autosave leaves the live fields alone
    "wagtailsearch.indexentry": "a page's index entries change on publish (bumps global)",
    "wagtailsearch.sqliteftsindexentry": "a page's index entries change on publish (bumps global)",
    "mingjian_search.indexentryvector": "the segmented vectors (PostgreSQL) change with the index entries (publish)",
}


def _models_by_table() -> dict[str, object]:
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        tables[model._meta.db_table] = model
    return tables


def _covered(model) -> bool:
    label = model._meta.label_lower
    if label in cache.REGISTRY or label in NO_INVALIDATION_NEEDED:
        return True
    return issubclass(model, Page)


def _tables_read_by_cached_parts(client, monkeypatch, urls) -> set[str]:
    """Tables queried while a cached part renders (only misses render, and the cache starts empty)."""
    read: set[str] = set()
    original = cache.fragment

    def recording(parts, render, **kwargs):
        def render_recorded():
            with CaptureQueriesContext(connection) as captured:
                result = render()
            for query in captured.captured_queries:
                read.update(re.findall(r'(?:FROM|JOIN)\s+"(\w+)"', query["sql"]))
            return result

        return original(parts, render_recorded, **kwargs)

    monkeypatch.setattr(cache, "fragment", recording)
    for url in urls:
        assert client.get(url).status_code == 200, url
    return read


def _uncovered(tables: set[str]) -> list[str]:
    by_table = _models_by_table()
    return sorted(by_table[t]._meta.label_lower for t in tables if t in by_table and not _covered(by_table[t]))


@pytest.fixture
def rendered_tables(client, monkeypatch):
    from accounts.models import User
    from cases.models import CaseIndexPage, CaseStudyPage
    from learning.models import Enrolment, LessonPage

    call_command("load_demo", password="Demo-pass-1")
    enrolment = Enrolment.objects.filter(user__cadre_profile__isnull=False).order_by("user_id").first()
    user = User.objects.get(pk=enrolment.user_id)
    client.force_login(user, backend=settings.AUTHENTICATION_BACKENDS[-1])
    client.get("/accounts/login/")  # the CSRF cookie
    lesson = LessonPage.objects.live().filter(path__startswith=enrolment.course.path).exclude(pk=enrolment.course_id)
    case = CaseStudyPage.objects.live().order_by("pk").first()
    urls = ["/", lesson.last().url, case.url, CaseIndexPage.objects.live().first().url, "/search/?q=监督"]
    for page in [case, *lesson]:  # cached parts are keyed by the published revision: give them one
        page.save_revision().publish()
    return _tables_read_by_cached_parts(client, monkeypatch, urls)


def test_every_model_shown_in_a_cached_part_has_invalidation(rendered_tables):
    assert len(rendered_tables) > 10, rendered_tables  # the recording saw the dashboard's panels
    assert _uncovered(rendered_tables) == []


def test_a_model_without_invalidation_is_reported(rendered_tables, monkeypatch):
    """The check above can fail: drop one app's registration and it names the model."""
    monkeypatch.delitem(cache.REGISTRY, "learning.enrolment")
    assert "learning.enrolment" in _uncovered(rendered_tables)
