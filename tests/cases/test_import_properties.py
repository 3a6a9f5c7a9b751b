"""Property tests for the case JSONL importer: generated valid lines import to exactly those cases;
a generated malformed line is refused with its line number and nothing is written."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases import services
from cases.models import CaseStudyPage
from tests.cases.test_import import line

pytestmark = pytest.mark.django_db

SETTINGS = settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TITLE = st.text(st.sampled_from(list("某县局原局长受贿案滥用职权甲乙丙")), min_size=2, max_size=30)
BROKEN = st.sampled_from(
    [
        "{not json",
        '{"sentence_years": NaN}',
        "[" * 5000 + "]" * 5000,
        json.dumps(line(99, year="二〇二三")),
        json.dumps(line(99, outcome="刑事处罚", sentence_years=1e309)),
        json.dumps(line(99, colour="red")),
    ]
)


@SETTINGS
@given(st.lists(TITLE, min_size=1, max_size=4, unique=True), st.lists(st.integers(2000, 2026), min_size=4, max_size=4))
def test_valid_lines_import_exactly(index, titles, years):
    CaseStudyPage.objects.all().delete()
    rows = [line(i + 1, title=t, year=years[i]) for i, t in enumerate(titles)]
    result = services.case_import(lines=[json.dumps(r, ensure_ascii=False) for r in rows], index=index)
    assert result.created == len(rows)
    got = sorted(CaseStudyPage.objects.values_list("external_id", "title", "year"))
    assert got == sorted((r["external_id"], r["title"], r["year"]) for r in rows)


@SETTINGS
@given(st.integers(1, 4), st.data())
def test_malformed_line_is_named_and_nothing_written(index, count, data):
    CaseStudyPage.objects.all().delete()
    lines = [json.dumps(line(i + 1), ensure_ascii=False) for i in range(count)]
    bad = data.draw(st.integers(0, count))
    lines.insert(bad, data.draw(BROKEN))
    with pytest.raises(services.CaseImportError) as exc:
        services.case_import(lines=lines, index=index)
    assert [n for n, _m in exc.value.errors] == [bad + 1]
    assert not CaseStudyPage.objects.exists()
