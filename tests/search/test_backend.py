"""The segmenting backend on the suite's database (SQLite FTS5 or PostgreSQL), index updates, admin search."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from wagtail.models import Page
from wagtail.search.backends import get_search_backend
from wagtail.search.models import IndexEntry

from search import services
from search.selectors import parse_query

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_case(case_index):
    from cases.factories import CaseStudyPageFactory

    def make(**kwargs):
        kwargs.setdefault("parent", case_index)
        return CaseStudyPageFactory(**kwargs)

    return make


def titles(query, queryset=None):
    from cases.models import CaseStudyPage

    queryset = CaseStudyPage.objects.live() if queryset is None else queryset
    return {page.title for page in get_search_backend().search(parse_query(query), queryset)}


def test_default_backend_is_the_segmenting_one():
    backend = get_search_backend()
    assert type(backend).__name__ in {"SegmentingSQLiteSearchBackend", "SegmentingPostgresSearchBackend"}


def test_word_inside_a_run_of_chinese_is_found(make_case):
    make_case(title="案例甲", summary="加强对一把手监督，防止权力失控。")
    make_case(title="案例乙", summary="督导组开展督导检查。")
    assert titles("监督") == {"案例甲"}
    assert titles("督导") == {"案例乙"}


def test_several_words_must_all_match(make_case):
    make_case(title="案例甲", summary="加强对一把手监督。")
    make_case(title="案例乙", summary="落实三重一大决策制度。")
    assert titles("一把手 监督") == {"案例甲"}
    assert titles("监督 三重一大") == set()


def test_three_heavy_one_big_is_one_term(make_case):
    make_case(title="案例甲", summary="严格执行三重一大决策制度。")
    make_case(title="案例乙", summary="面对三重压力，一大批企业未整改。")
    assert titles("三重一大") == {"案例甲"}


def test_quoted_text_is_a_phrase(make_case):
    make_case(title="案例甲", summary="加强对一把手监督。")
    make_case(title="案例乙", summary="一把手要带头，监督要跟上。")
    assert titles("一把手 监督") == {"案例甲", "案例乙"}
    assert titles('"一把手监督"') == {"案例甲"}


def test_synonyms_from_the_seeded_group(make_case):
    make_case(title="案例甲", summary="某局主要负责人独断专行。")
    make_case(title="案例乙", summary="党政正职带头执行民主集中制。")
    make_case(title="案例丙", summary="一般干部的问题。")
    assert titles("一把手") == {"案例甲", "案例乙"}
    assert titles("主要负责人") == {"案例甲", "案例乙"}


def test_a_synonym_editors_add_works_at_once(make_case):
    make_case(title="案例甲", summary="某县发生一起小金库问题。")
    assert titles("账外资金") == set()
    services.synonym_create(terms="账外资金、小金库", note="测试")
    assert titles("账外资金") == {"案例甲"}


def test_punctuation_only_query_finds_nothing(make_case):
    make_case(title="案例甲", summary="监督。")
    assert titles("，。！") == set()


def test_publish_indexes_and_unpublish_hides(case_index, editor):
    from cases import services as case_services
    from cases.models import CaseStudyPage
    from search.selectors import site_search
    from tests.search.corpus import jsonl_lines

    line = next(line for line in jsonl_lines() if '"S06"' in line)
    case_services.case_import(lines=[line], publish=False, index=case_index)
    draft = CaseStudyPage.objects.get(external_id="S06")
    assert not draft.live
    assert site_search(user=editor, query="督导").total == 0  # a draft never appears, not even in counts

    draft.get_latest_revision().publish()
    outcome = site_search(user=editor, query="督导")
    assert [hit.title for hit in outcome.hits] == [draft.title]

    draft.refresh_from_db()
    draft.unpublish()
    assert site_search(user=editor, query="督导").total == 0


def test_editing_a_published_page_reindexes_it(make_case):
    case = make_case(title="案例甲", summary="原来的摘要。")
    case.summary = "新增了权力运行流程图。"
    case.save_revision().publish()
    assert titles("权力运行流程图") == {"案例甲"}


def test_delete_removes_the_index_entry(make_case):
    case = make_case(title="案例甲", summary="述责述廉走过场。")
    assert titles("述责述廉") == {"案例甲"}
    case.delete()
    assert not IndexEntry.objects.filter(object_id=str(case.pk)).exists()
    assert titles("述责述廉") == set()


def test_update_index_rebuilds_everything(make_case):
    make_case(title="案例甲", summary="末位表态制度。")
    IndexEntry.objects.all().delete()
    assert titles("末位表态") == set()
    call_command("update_index", stdout=None)
    assert titles("末位表态") == {"案例甲"}


def test_index_entry_holds_segmented_words(make_case):
    case = make_case(title="同级监督弱化的教训", summary="加强对一把手监督")
    entry = IndexEntry.objects.get(object_id=str(case.pk), content_type__model="casestudypage")
    assert "同级监督弱化" in str(entry.title) and "监督" in str(entry.title)


def test_admin_page_search_understands_chinese(client, corpus, editor):
    client.force_login(editor)
    url = reverse("wagtailadmin_pages:search")
    html = client.get(url, {"q": "述责述廉"}).content.decode()
    assert "某县财政局主要负责人述责述廉走过场问题" in html
    # Synonyms reach the admin too: 一把手 finds a title that says 主要负责人.
    html = client.get(url, {"q": "一把手"}).content.decode()
    assert "某县财政局主要负责人述责述廉走过场问题" in html
    html = client.get(url, {"q": "督导"}).content.decode()
    assert "省纪委督导组督导检查基层减负工作情况通报" in html
    assert "某县交通运输局原局长张某某受贿案" not in html


def test_stock_page_queryset_search_uses_it_too(corpus):
    results = Page.objects.live().search("四个不直接分管")
    assert [page.title for page in results] == ["某县医院原院长赵某某贪污挪用公款案"]


def _entry_copies_out_of_step() -> int:
    """Index entries whose PostgreSQL copy (mingjian_search_entryvector) is missing or differs,
    plus copies left without an entry."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT COUNT(*) FROM wagtailsearch_indexentry e "
            "LEFT JOIN mingjian_search_entryvector v ON v.entry_id = e.id "
            "WHERE v.entry_id IS NULL OR v.content_type_id <> e.content_type_id "
            "OR v.object_id IS DISTINCT FROM e.object_id::bigint OR v.title_norm <> e.title_norm "
            "OR v.title <> e.title OR v.vector <> e.title || e.body) + "
            "(SELECT COUNT(*) FROM mingjian_search_entryvector v "
            "LEFT JOIN wagtailsearch_indexentry e ON e.id = v.entry_id WHERE e.id IS NULL)"
        )
        return cursor.fetchone()[0]


def test_postgresql_copy_of_the_index_follows_every_change(make_case):
    """PostgreSQL matches and ranks on a narrow copy of the index entries kept by triggers."""
    from django.db import connection

    from cases.models import CaseStudyPage

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite searches its FTS5 table")
    from search.models import IndexEntryVector

    case = make_case(title="案例甲", summary="述责述廉走过场。")
    other = make_case(title="案例乙", summary="末位表态制度。")
    ours = CaseStudyPage.objects.filter(pk__in=[case.pk, other.pk])  # other tests' pages may share words
    copy = IndexEntryVector.objects.get(object_id=case.pk)
    assert copy.content_type_id == IndexEntry.objects.get(object_id=str(case.pk)).content_type_id
    assert _entry_copies_out_of_step() == 0

    case.summary = "新增了权力运行流程图。"
    case.save_revision().publish()
    assert _entry_copies_out_of_step() == 0
    assert titles("权力运行流程图", ours) == {"案例甲"} and titles("述责述廉", ours) == set()

    case.delete()
    assert not IndexEntryVector.objects.filter(object_id=case.pk).exists()
    assert _entry_copies_out_of_step() == 0

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses pending deferred checks
        cursor.execute("TRUNCATE wagtailsearch_indexentry")
    assert not IndexEntryVector.objects.exists()
    assert titles("末位表态", ours) == set()
    call_command("update_index", stdout=None)
    assert _entry_copies_out_of_step() == 0
    assert titles("末位表态", ours) == {"案例乙"}
