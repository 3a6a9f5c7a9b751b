"""The case page shows whether reading counts (阅读中 / 已阅读 with the time) and carries the 心得体会 form."""

import pytest
from django.test import Client

from accounts.factories import cadre
from cases import services
from cases.factories import CaseStudyPageFactory
from cases.models import CaseRead, read_threshold_seconds
from learning.models import Reflection

pytestmark = pytest.mark.django_db


def test_case_page_reading_indicator_and_reflection_form(index):
    case = CaseStudyPageFactory(parent=index, live=True, is_anonymised=True)
    user = cadre()
    client = Client()
    client.force_login(user)
    body = client.get(case.url).content.decode()
    assert "阅读中" in body and "data-read-seconds" in body and 'data-when="read" hidden' in body
    assert 'id="case-reflection"' in body and "心得体会：" in body
    services.case_read_record(user=user, case=case, seconds=0)  # opened
    CaseRead.objects.filter(user=user, case=case).update(seconds_visible=read_threshold_seconds())
    body = client.get(case.url).content.decode()
    assert 'data-when="reading" hidden' in body and "已阅读" in body
    response = client.post(
        f"/learning/reflections/case/{case.pk}/",
        {"body": "对照案例查找自身在权力运行监督方面的差距，明确整改措施和时限。", "from_case": "1"},
    )
    assert response.status_code == 302 and response.url == f"{case.url}#case-reflection"
    assert Reflection.objects.filter(user=user, page_id=case.pk).exists()
    assert "待审阅" in client.get(case.url).content.decode() or "已提交" in client.get(case.url).content.decode()
