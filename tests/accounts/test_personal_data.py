"""Phone numbers (138****1234) and e-mail addresses (zh***@example.org) masked in trainer screens and exports
unless accounts.view_personal_data; granting that permission is audited (to a user: here; to a role group in the admin:
tests/audit/test_audit_completeness.py)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.factories import cadre, trainer
from accounts.personal_data import mask_email, mask_phone
from audit.models import Action, AuditEntry

pytestmark = pytest.mark.django_db


def test_masks():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("0851-12345678") == "085******5678"
    assert mask_phone("12345") == "***45"
    assert mask_email("zhangsan@example.org") == "zh***@example.org"
    assert mask_email("li@example.org") == "l***@example.org"
    assert mask_email("") == ""


def test_trainer_export_and_inspect_mask_the_phone_until_granted(client):
    person = cadre(unit="某省/甲市/东山县/教育局")
    profile = person.cadre_profile
    profile.phone = "13812341234"
    profile.save()
    boss = trainer("某省/甲市")
    client.force_login(boss)
    export = b"".join(client.get(reverse("cadres:index") + "?export=csv").streaming_content).decode()
    assert "138****1234" in export and "13812341234" not in export
    inspect = client.get(reverse("cadres:inspect", args=[profile.pk])).content.decode()
    assert "138****1234" in inspect and "13812341234" not in inspect

    boss.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
    entry = AuditEntry.objects.get(action=Action.PERMISSION_CHANGE, object_id=str(boss.pk))
    assert entry.detail["permissions"] == ["view_personal_data"]
    boss = type(boss).objects.get(pk=boss.pk)
    client.force_login(boss)
    export = b"".join(client.get(reverse("cadres:index") + "?export=csv").streaming_content).decode()
    assert "13812341234" in export


def test_trainer_export_and_inspect_mask_the_email_until_granted(client):
    person = cadre(unit="某省/甲市/东山县/教育局", user__email="zhangsan@example.org")
    profile = person.cadre_profile
    boss = trainer("某省/甲市")
    client.force_login(boss)
    export = b"".join(client.get(reverse("cadres:index") + "?export=csv").streaming_content).decode()
    assert "zh***@example.org" in export and "zhangsan@example.org" not in export and "邮箱" in export
    inspect = client.get(reverse("cadres:inspect", args=[profile.pk])).content.decode()
    assert "zh***@example.org" in inspect and "zhangsan@example.org" not in inspect

    boss.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
    client.force_login(type(boss).objects.get(pk=boss.pk))
    export = b"".join(client.get(reverse("cadres:index") + "?export=csv").streaming_content).decode()
    assert "zhangsan@example.org" in export
    inspect = client.get(reverse("cadres:inspect", args=[profile.pk])).content.decode()
    assert "zhangsan@example.org" in inspect
