"""The relevance set: queries over the demo content (`manage.py load_demo`), searched by a demo cadre.

Each query lists the pages that must be in the top 10 and pages that must not appear at all (on
any result page). Pages are named by the demo's keys: cases by number (MJ-DEMO-001 → "001"),
courses and lessons by slug. The bar (issue 6): recall@10 >= 0.95 over all required pages and
no forbidden page, on whichever database the suite runs on (SQLite, PostgreSQL).

The searcher is D0004, a 乡科级 cadre. Besides each query's own forbidden pages, the demo's
rank-restricted cases (县处级 and above) and its two unpublished cases are forbidden for every
query: `test_hidden_pages_would_match` shows they contain the words of many of these queries, so
the check is not empty.
"""

import pytest

from search import selectors

pytestmark = pytest.mark.django_db

SEARCHER = "D0004"
RANK_RESTRICTED = ("006", "011", "023")  # min_rank 县处级
UNPUBLISHED = ("025", "026")  # waiting in the review workflow
HIDDEN = RANK_RESTRICTED + UNPUBLISHED

# (query, must be in the top 10, must not appear)
RELEVANCE = [
    # Chinese word by word, and 督导 is not 监督.
    ("监督", ["supervision-view", "why-hard", "peer-supervision", "openness", "supervision-is-care"],
     ["orientation", "how-hours-count", "image-projects"]),
    ("督导", ["008"], ["supervision-view", "peer-supervision", "001"]),
    ("同级监督", ["peer-supervision", "supervision-view", "001", "012", "016"], ["003", "008", "orientation"]),
    ("同级监督弱化", ["why-hard", "001", "005", "007", "016"], ["003", "004"]),
    ("上级监督不到位", ["003", "008", "010", "017", "021", "supervision-view", "why-hard"], ["004", "005"]),
    ("下级不敢监督", ["004", "005", "009", "014", "016", "020", "024", "supervision-view", "why-hard"], ["001", "003"]),
    # 一把手 and its synonyms (the seeded synonym group).
    ("一把手", ["power-view", "supervision-view", "why-hard", "four-not-directly", "001"], ["013", "orientation"]),
    ("主要负责人", ["four-not-directly", "001", "why-hard"], ["013", "016"]),
    ("党政正职", ["four-not-directly", "001", "why-hard"], ["013", "orientation"]),
    # Domain terms are single words.
    ("三重一大", ["001", "002", "019", "022", "why-hard", "democratic-centralism", "three-important-one-large"],
     ["013", "005"]),
    ('"三重一大"', ["001", "002", "019", "022", "democratic-centralism", "three-important-one-large"], ["013"]),
    ("末位表态", ["001", "007", "power-view", "four-not-directly", "three-important-one-large"], ["002", "019"]),
    ("四个不直接分管", ["001", "power-view", "four-not-directly"], ["why-hard", "002"]),
    ("带病提拔", ["024", "accountability-reports", "promotion-with-problems"], ["004"]),
    ("中央八项规定", ["004", "013", "018", "eight-point-rules", "main-content"], ["001", "family-tradition"]),
    ("民主生活会", ["018", "peer-supervision"], ["basic-requirements"]),
    ("民主集中制", ["002", "004", "democratic-centralism", "basic-requirements", "rules-of-procedure"], ["001", "019"]),
    ("四公开", ["002", "supervision-view", "openness"], ["peer-supervision"]),
    ("权力运行流程图", ["power-view", "power-in-the-cage"], ["where-power-comes-from", "001"]),
    ("述责述廉", ["accountability-reports", "reporting"], ["dual-responsibility"]),
    ("一岗双责", ["accountability-reports", "dual-responsibility"], ["reporting"]),
    ("以案促改", ["reflections"], ["001"]),
    ("权力清单", ["power-in-the-cage"], ["power-view"]),
    ("功成不必在我", ["performance-view", "success-need-not-be-mine"], ["achievements-for-whom"]),
    ("保护伞", ["008"], ["power-in-the-cage", "peer-supervision"]),
    ("执行难", ["021"], ["power-in-the-cage", "012"]),
    # Violation types, case topics and tags.
    ("受贿", ["001", "003", "005", "007", "008", "020", "021", "024"], ["014", "016"]),
    ("贪污", ["014", "016", "022"], ["012", "005"]),
    ("挪用公款", ["012", "014"], ["016", "022"]),
    ("滥用职权", ["003", "007", "008", "010", "019", "021"], ["005", "012"]),
    ("玩忽职守", ["003", "010", "017"], ["005"]),
    ("个人有关事项", ["015", "018", "why-hard", "supervision-is-care", "family-tradition", "promotion-with-problems"],
     ["001", "012"]),
    ("招商引资", ["010", "image-projects"], ["001"]),
    ("医保基金", ["005", "017"], ["009"]),
    ("扶贫资金", ["014"], ["016"]),
    ("土地出让", ["003", "012"], ["001", "009"]),
    ("违规放贷", ["007", "020"], ["012"]),
    ("四风", ["013", "eight-point-rules", "hidden-variants"], ["018"]),
    ("公款吃喝", ["013", "hidden-variants"], ["018", "main-content"]),
    ("形象工程", ["performance-view", "image-projects"], ["achievements-for-whom"]),
    ("政绩观", ["010", "performance-view", "achievements-for-whom", "success-need-not-be-mine"], ["power-view"]),
    ("家风", ["eight-point-rules", "family-tradition"], ["015"]),
    ("亲属经商", ["002", "009", "015", "020", "why-hard", "family-tradition"], ["007"]),
    ("优亲厚友", ["002"], ["009"]),
    ("伙食费", ["016"], ["014"]),
    ("骗保", ["017"], ["005"]),
    ("不良贷款", ["007"], ["020"]),
    ("过桥贷款", ["012"], ["014"]),
    ("政治生态", ["004"], ["001"]),
    ("学时", ["orientation", "how-hours-count"], ["how-progress-counts"]),
    ("心得体会", ["orientation", "reflections"], ["how-hours-count"]),
    # Several words mean all of them; quoted text is a phrase.
    ("一把手 监督", ["supervision-view", "why-hard", "peer-supervision", "supervision-is-care", "power-view"],
     ["013", "008"]),
    ("受贿 医疗", ["005"], ["001", "017"]),
    ('"集体决策"', ["001", "002", "003", "012", "019", "where-power-comes-from", "four-not-directly",
                   "democratic-centralism", "three-important-one-large"], ["013", "016"]),
    # Only hidden cases contain these: the cadre finds nothing.
    ("融资平台", [], []),
    ("医疗设备", [], []),
]  # fmt: skip


def _key(name: str) -> str:
    return f"MJ-DEMO-{name}" if name.isdigit() else name


def _all_hits(user, query):
    first = selectors.site_search(user=user, query=query)
    hits = list(first.hits)
    for page in range(2, first.num_pages + 1):
        hits += selectors.site_search(user=user, query=query, page=page).hits
    return first, hits


def test_relevance_set_is_well_formed(demo_site):
    assert len(RELEVANCE) >= 40
    assert len({query for query, _must, _must_not in RELEVANCE}) == len(RELEVANCE)
    for query, must, must_not in RELEVANCE:
        for name in [*must, *must_not, *HIDDEN]:
            assert _key(name) in demo_site, (query, name)
        assert not set(must) & (set(must_not) | set(HIDDEN)), query
        assert len(must) <= 10, query

    from accounts.models import User
    from cases.models import CaseStudyPage

    rank = User.objects.get(username=SEARCHER).cadre_profile.rank
    restricted = CaseStudyPage.objects.filter(pk__in=[demo_site[_key(name)] for name in RANK_RESTRICTED])
    assert all(case.live and case.min_rank > rank for case in restricted)


def test_recall_at_10_and_no_forbidden_page(demo_site, capsys):
    from accounts.models import User

    user = User.objects.get(username=SEARCHER)
    name_of = {pk: key.removeprefix("MJ-DEMO-") for key, pk in demo_site.items()}
    required = found = 0
    misses, intruders = [], []
    for query, must, must_not in RELEVANCE:
        first, hits = _all_hits(user, query)
        assert first.total == len(hits), query  # the count is of what the user sees
        top10 = [name_of.get(hit.id) for hit in hits[:10]]
        every_hit = {name_of.get(hit.id) for hit in hits}
        required += len(must)
        found += sum(1 for name in must if name in top10)
        misses += [(query, name) for name in must if name not in top10]
        intruders += [(query, name) for name in [*must_not, *HIDDEN] if name in every_hit]
    recall = found / required
    with capsys.disabled():  # the figure the issue asks for, in the normal test output
        print(  # noqa: T201
            f"\nrelevance over the demo content: {len(RELEVANCE)} queries, {required} required pages, "
            f"recall@10 = {recall:.3f}, forbidden pages found: {len(intruders)}, misses: {misses}"
        )
    assert not intruders, f"forbidden pages found: {intruders}"
    assert recall >= 0.95, f"recall@10 = {recall:.3f}; missed {misses}"


def test_hidden_pages_would_match(demo_site):
    """The forbidden hidden pages are real candidates: an editor finds the rank-restricted ones,
    and the unpublished ones contain the words of queries in the set."""
    from wagtail.models import Page

    from accounts.models import User
    from search import snippets

    editor = User.objects.get(username="editor1")
    seen_by_editor = set()
    for query in ("融资平台", "同级监督", "三重一大", "受贿", "上级监督不到位"):
        seen_by_editor |= {hit.id for hit in _all_hits(editor, query)[1]}
    assert {demo_site[_key(name)] for name in RANK_RESTRICTED} <= seen_by_editor

    for name in UNPUBLISHED:
        page = Page.objects.get(pk=demo_site[_key(name)]).specific
        assert not page.live
        text = page.title + snippets.plain_text(page)
        matching = [q for q, _must, _must_not in RELEVANCE if all(w in text for w in q.strip('"').split())]
        assert len(matching) >= 2, (name, matching)
