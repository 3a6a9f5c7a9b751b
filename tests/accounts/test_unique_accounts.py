"""身份鉴别 (GB/T 22239 level 3): every account is unique — one username, one 工号 per person, enforced by
the database whatever the door (admin, roster import, shell)."""

import pytest
from django.db import IntegrityError, transaction

from accounts import factories
from accounts.models import CadreProfile, User

pytestmark = pytest.mark.django_db


def test_usernames_and_employee_numbers_are_unique_in_the_database():
    person = factories.cadre(employee_no="U0001")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username=person.username, name="重名账号")
    other = factories.cadre()
    with pytest.raises(IntegrityError), transaction.atomic():
        CadreProfile.objects.filter(pk=other.cadre_profile.pk).update(employee_no="U0001")
    assert User.objects.filter(username=person.username).count() == 1
