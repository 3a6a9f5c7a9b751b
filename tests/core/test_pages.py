"""Home page and dashboard, error pages, all in Chinese."""

import pytest
from wagtail.test.utils import WagtailPageTestCase

from accounts import roles
from accounts.factories import cadre, staff
from accounts.roles import Rank
from core.models import HomePage

pytestmark = pytest.mark.django_db


def test_anonymous_home_invites_login(client):
    html = client.get("/").content.decode()
    assert "明鉴干部教育平台" in html and "登录学习" in html
    assert "我的信息" not in html


def test_cadre_dashboard_shows_name_unit_rank_and_hours(client):
    user = cadre(unit="某省/某市/某县/交通运输局", rank=Rank.COUNTY, is_principal=True, position="局长")
    client.force_login(user)
    html = client.get("/").content.decode()
    assert user.name in html
    assert "某省/某市/某县/交通运输局" in html
    assert "县处级" in html and "主要负责人" in html and "局长" in html
    assert "年已获 <strong>0</strong> / 50 学时" in html


def test_target_follows_rank_setting(client):
    from accounts.models import TrainingTargets

    targets = TrainingTargets.load()
    targets.target_county = 72
    targets.save()
    client.force_login(cadre(rank=Rank.COUNTY))
    assert "/ 72 学时" in client.get("/").content.decode()


def test_staff_without_profile_land_on_their_work_not_an_empty_card(client):
    client.force_login(staff(roles.EDITOR))
    html = client.get("/").content.decode()
    assert "尚未关联干部档案" not in html and "我的编辑工作" in html
    assert "管理后台" in html


def test_account_without_role_or_profile_gets_a_clear_note(client):
    from accounts.factories import UserFactory

    client.force_login(UserFactory())
    assert "尚未关联干部档案" in client.get("/").content.decode()


def test_404_is_chinese(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_500_template_is_chinese_and_standalone():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "服务器出错了" in html and "{%" not in html


class HomePageTests(WagtailPageTestCase):
    def test_home_page_rules(self):
        home = HomePage.objects.get(depth=2)
        self.assertPageIsRenderable(home)
        self.assertCanNotCreateAt(HomePage, HomePage)
