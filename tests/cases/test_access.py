"""Cases are internal; rank-restricted cases are invisible below their rank, everywhere."""

import pytest

from accounts import roles
from accounts.factories import cadre, staff
from accounts.roles import Rank
from cases import selectors

pytestmark = pytest.mark.django_db

UNIT = "某省/甲市/东山县/交通运输局"


@pytest.fixture
def restricted(make_case, terms):
    common = {"sector": terms["sector"]["交通"], "violation_types": [terms["violation"]["受贿"]]}
    return {
        "open": make_case(title="公开案例某某受贿案", **common),
        "county": make_case(title="县处级专阅案例", min_rank=Rank.COUNTY, **common),
    }


def test_anonymous_is_sent_to_login(client, restricted, index):
    for url in (restricted["open"].url, index.url):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    assert client.get("/case-library/").status_code == 302


def test_lower_rank_gets_404_on_direct_url(client, restricted):
    township = cadre(unit=UNIT, rank=Rank.TOWNSHIP)
    client.force_login(township)
    assert client.get(restricted["open"].url).status_code == 200
    assert client.get(restricted["county"].url).status_code == 404


def test_rank_at_or_above_sees_restricted(client, restricted):
    for rank in (Rank.COUNTY, Rank.BUREAU):
        client.force_login(cadre(unit=UNIT, rank=rank))
        assert client.get(restricted["county"].url).status_code == 200


def test_listing_related_and_recommendations_hide_restricted(client, restricted, index):
    township = cadre(unit=UNIT, rank=Rank.TOWNSHIP)
    client.force_login(township)
    listing = client.get(index.url).content.decode()
    assert restricted["open"].title in listing
    assert restricted["county"].title not in listing
    page = client.get(restricted["open"].url)
    assert restricted["county"] not in page.context["related_cases"]
    assert restricted["county"] not in selectors.cases_recommended_for(township)
    assert restricted["county"] in selectors.cases_recommended_for(cadre(unit=UNIT, rank=Rank.COUNTY))


@pytest.mark.parametrize("role", [roles.EDITOR, roles.REVIEWER, roles.ADMINISTRATOR])
def test_staff_roles_see_everything(client, restricted, role):
    user = staff(role)
    client.force_login(user)
    assert client.get(restricted["county"].url).status_code == 200
    assert set(selectors.case_list_visible_to(user)) == set(restricted.values())


def test_user_without_profile_sees_only_unrestricted(restricted):
    from accounts.factories import UserFactory

    someone = UserFactory(roles=[roles.TRAINER])
    assert list(selectors.case_list_visible_to(someone)) == [restricted["open"]]


def test_drafts_are_not_visible(make_case):
    draft = make_case(live=False)
    user = cadre(unit=UNIT, rank=Rank.PROVINCIAL)
    assert draft not in selectors.case_list_visible_to(user)
    assert not selectors.can_view_case(user, draft)
