"""Role and scope rules: who may see which org units and cadres."""

import pytest

from accounts import roles, selectors
from accounts.factories import cadre, org_unit, staff, trainer

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return {
        "east": org_unit("某省/甲市/东山县/交通运输局"),
        "east_town": org_unit("某省/甲市/东山县/青石镇"),
        "west": org_unit("某省/甲市/西河县/财政局"),
        "other_city": org_unit("某省/乙市/南湖区/教育局"),
    }


def test_trainer_sees_only_own_subtree(tree):
    county_trainer = trainer("某省/甲市/东山县")
    visible = set(selectors.org_units_visible_to(county_trainer).values_list("full_path", flat=True))
    assert visible == {"某省/甲市/东山县", "某省/甲市/东山县/交通运输局", "某省/甲市/东山县/青石镇"}
    assert not selectors.can_view_unit(county_trainer, tree["west"])
    assert not selectors.can_view_unit(county_trainer, tree["other_city"])
    assert selectors.can_view_unit(county_trainer, tree["east_town"])


def test_sibling_prefix_is_not_in_scope(tree):
    # Materialised paths of siblings share prefixes of the parent only, never each other.
    one = trainer("某省/甲市/东山县/交通运输局")
    assert not selectors.can_view_unit(one, tree["east_town"])


def test_trainer_with_two_subtrees(tree):
    two = trainer("某省/甲市/东山县", "某省/乙市/南湖区")
    visible = set(selectors.org_units_visible_to(two).values_list("full_path", flat=True))
    assert "某省/乙市/南湖区/教育局" in visible
    assert "某省/甲市/西河县/财政局" not in visible
    assert "某省/甲市" not in visible


def test_administrator_sees_all_and_cadre_sees_none(tree):
    admin = staff(roles.ADMINISTRATOR)
    assert selectors.org_units_visible_to(admin).count() == 10
    someone = cadre(unit=tree["east"])
    assert selectors.org_units_visible_to(someone).count() == 0
    editor = staff(roles.EDITOR)
    assert selectors.org_units_visible_to(editor).count() == 0


def test_scope_without_trainer_role_grants_nothing(tree):
    from accounts.models import TrainerScope

    demoted = trainer("某省/甲市")
    demoted.groups.clear()
    demoted = type(demoted).objects.get(pk=demoted.pk)
    assert TrainerScope.objects.filter(user=demoted).exists()
    assert selectors.org_units_visible_to(demoted).count() == 0


def test_cadre_visibility(tree):
    county_trainer = trainer("某省/甲市/东山县")
    inside = cadre(unit=tree["east"])
    outside = cadre(unit=tree["west"])
    assert selectors.can_view_cadre(county_trainer, inside)
    assert not selectors.can_view_cadre(county_trainer, outside)
    assert selectors.can_view_cadre(outside, outside)
    assert not selectors.can_view_cadre(inside, outside)
    ids = set(selectors.cadres_visible_to(county_trainer).values_list("user_id", flat=True))
    assert ids == {inside.pk}


def test_roles_exist_with_admin_access():
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ALL_ROLES)
    for role in roles.ADMIN_ROLES:
        assert staff(role).has_perm("wagtailadmin.access_admin"), role
    assert not cadre().has_perm("wagtailadmin.access_admin")


def test_org_unit_rename_updates_descendant_paths(tree):
    from accounts import services
    from accounts.models import OrgUnit

    county = OrgUnit.objects.get(full_path="某省/甲市/东山县")
    services.org_unit_update(unit=county, name="东山区", parent=county.get_parent())
    assert OrgUnit.objects.filter(full_path="某省/甲市/东山区/交通运输局").exists()
    assert not OrgUnit.objects.filter(full_path__startswith="某省/甲市/东山县").exists()


def test_org_unit_move_under_other_parent(tree):
    from accounts import services
    from accounts.models import OrgUnit

    county = OrgUnit.objects.get(full_path="某省/甲市/东山县")
    city = OrgUnit.objects.get(full_path="某省/乙市")
    services.org_unit_update(unit=county, name="东山县", parent=city)
    moved = OrgUnit.objects.get(full_path="某省/乙市/东山县/青石镇")
    assert moved.get_parent().full_path == "某省/乙市/东山县"
    county_trainer = trainer("某省/乙市")
    assert selectors.can_view_unit(county_trainer, moved)


def test_org_unit_cannot_move_under_itself(tree):
    from django.core.exceptions import ValidationError

    from accounts import services
    from accounts.models import OrgUnit

    city = OrgUnit.objects.get(full_path="某省/甲市")
    with pytest.raises(ValidationError):
        services.org_unit_update(unit=city, name="甲市", parent=OrgUnit.objects.get(full_path="某省/甲市/东山县"))
