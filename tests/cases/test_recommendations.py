"""Home-page recommendations: the cadre's sector (from the unit name) and rank, 一把手 cases for principals."""

import pytest
from django.utils import timezone

from accounts.factories import cadre
from accounts.roles import Rank
from cases import selectors
from cases.models import CaseRead

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("unit", "sector"),
    [
        ("交通运输局", "交通"),
        ("自然资源局", "国土资源"),
        ("教育局", "教育"),
        ("卫生健康局", "医疗卫生"),
        ("住房和城乡建设局", "工程建设"),
        ("青石镇", "乡镇街道"),
        ("石门乡", "乡镇街道"),
        ("城南街道", "乡镇街道"),
        ("财政局", "党政机关"),
        ("东山县", "党政机关"),
        ("公安局", "政法"),
        ("农村商业银行", "金融"),
        ("投资促进局", "招商引资"),
        ("城投集团有限公司", "国有企业"),
    ],
)
def test_sector_mapping(unit, sector):
    assert selectors.sector_name_for_unit_name(unit) == sector


@pytest.fixture
def cases(make_case, terms):
    s = terms["sector"]
    return {
        "traffic_same_rank": make_case(title="交通·乡科级", sector=s["交通"], subject_rank=Rank.TOWNSHIP),
        "traffic_other_rank": make_case(title="交通·县处级", sector=s["交通"], subject_rank=Rank.COUNTY),
        "traffic_leader": make_case(
            title="交通·一把手", sector=s["交通"], subject_rank=Rank.COUNTY, is_top_leader=True
        ),
        "school_same_rank": make_case(title="教育·乡科级", sector=s["教育"], subject_rank=Rank.TOWNSHIP),
        "school_leader": make_case(
            title="教育·一把手", sector=s["教育"], subject_rank=Rank.TOWNSHIP, is_top_leader=True
        ),
    }


def test_sector_then_rank(cases):
    user = cadre(unit="某省/甲市/东山县/交通运输局", rank=Rank.TOWNSHIP)
    titles = [c.title for c in selectors.cases_recommended_for(user, limit=5)]
    assert titles[0] == "交通·乡科级"
    assert set(titles[1:3]) == {"交通·县处级", "交通·一把手"}
    assert titles[3] == "教育·一把手"  # same rank, other sector; newest first among equals


def test_principal_gets_top_leader_cases_first(cases):
    user = cadre(unit="某省/甲市/东山县/交通运输局", rank=Rank.TOWNSHIP, is_principal=True)
    titles = [c.title for c in selectors.cases_recommended_for(user, limit=5)]
    assert titles[:2] == ["交通·一把手", "教育·一把手"]
    assert titles[2] == "交通·乡科级"


def test_cases_already_read_are_left_out(cases, settings):
    settings.CASE_READ_MIN_SECONDS = 60
    user = cadre(unit="某省/甲市/东山县/交通运输局", rank=Rank.TOWNSHIP)
    top = cases["traffic_same_rank"]
    now = timezone.now()
    CaseRead.objects.create(user=user, case=top, first_read_at=now, last_read_at=now, seconds_visible=120)
    assert top not in selectors.cases_recommended_for(user)


def test_dashboard_panel_on_home(client, cases):
    user = cadre(unit="某省/甲市/东山县/教育局", rank=Rank.TOWNSHIP)
    client.force_login(user)
    html = client.get("/").content.decode()
    assert "为您推荐的警示案例" in html
    assert "教育·乡科级" in html
    assert "按您所在领域（教育）和职级推荐" in html


def test_no_panel_without_cadre_profile(client, cases):
    from accounts import roles
    from accounts.factories import staff

    client.force_login(staff(roles.EDITOR))
    assert "为您推荐的警示案例" not in client.get("/").content.decode()


def test_dashboard_recommendations_follow_reads_and_publishing(client, cases, make_case, terms, settings):
    """The panel is cached per user; a case read enough (an UPDATE in case_read_record) and a newly
    published case both show on the next request."""
    from datetime import timedelta

    from cases.services import case_read_record

    settings.CASE_READ_MIN_SECONDS = 60
    user = cadre(unit="某省/甲市/东山县/交通运输局", rank=Rank.TOWNSHIP)
    client.force_login(user)
    client.get("/")  # sets the CSRF cookie, part of the dashboard's cache key
    top = cases["traffic_same_rank"]
    t0 = timezone.now()
    case_read_record(user=user, case=top, seconds=30, now=t0)  # opened: 0 s
    case_read_record(user=user, case=top, seconds=30, now=t0 + timedelta(seconds=30))  # 30 s: not read yet
    assert top.title in client.get("/").content.decode()
    case_read_record(user=user, case=top, seconds=30, now=t0 + timedelta(seconds=60))  # 60 s: read
    html = client.get("/").content.decode()
    assert "为您推荐的警示案例" in html and top.title not in html
    make_case(title="交通·乡科级·新发布", sector=terms["sector"]["交通"], subject_rank=Rank.TOWNSHIP)
    assert "交通·乡科级·新发布" in client.get("/").content.decode()
