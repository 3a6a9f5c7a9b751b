"""案例库 and 课程中心 are marked current on their pages (their menu links only redirect there); the favicon."""

import re

import pytest
from django.test import Client

from accounts.factories import cadre
from cases import services as case_services
from learning import factories as lf

pytestmark = pytest.mark.django_db


def current(body: str) -> list[str]:
    return re.findall(r'<a href="[^"]*" aria-current="page">([^<]+)</a>', body)


def test_case_library_and_course_center_are_current_sections(home_page):
    library = case_services.case_index_ensure(parent=home_page, title="警示教育案例库", slug="cases")
    course = lf.course(title="导航课程", lessons=1)
    client = Client()
    client.force_login(cadre())
    assert current(client.get(library.url).content.decode()) == ["案例库"]
    assert current(client.get(course.url).content.decode()) == ["课程中心"]
    assert current(client.get(course.get_parent().url).content.decode()) == ["课程中心"]
    body = client.get("/").content.decode()
    assert current(body) == ["首页"] and 'rel="icon"' in body
