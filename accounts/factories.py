"""Factories for people and org units, used by tests, benchmarks and other apps' factories."""

import factory
from factory.django import DjangoModelFactory

from accounts import roles, services
from accounts.models import CadreProfile, OrgUnit, TrainerScope, User
from accounts.roles import Rank

TEST_PASSWORD = "pw-Test-2026"  # noqa: S105 - test fixture


def org_unit(path: str) -> OrgUnit:
    """The unit at a "/" path, created with any missing parents."""
    return services.org_unit_get_or_create_by_path(path)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        self.save()
        if create and extracted:
            services.user_set_roles(user=self, role_names=list(extracted))


class CadreProfileFactory(DjangoModelFactory):
    class Meta:
        model = CadreProfile

    user = factory.SubFactory(UserFactory, roles=[roles.CADRE])
    org_unit = factory.LazyFunction(lambda: org_unit("测试省/测试市/测试县/测试局"))
    employee_no = factory.Sequence(lambda n: f"E{n:05d}")
    rank = Rank.TOWNSHIP
    position = "科员"


def cadre(*, unit: str | OrgUnit = "测试省/测试市/测试县/测试局", **kwargs) -> User:
    """A user with the 学员 role and a cadre profile in `unit`."""
    unit = org_unit(unit) if isinstance(unit, str) else unit
    return CadreProfileFactory(org_unit=unit, **kwargs).user


def trainer(*scopes: str) -> User:
    """A user with the 培训管理员 role responsible for the given unit paths."""
    user = UserFactory(roles=[roles.TRAINER])
    for path in scopes:
        TrainerScope.objects.create(user=user, org_unit=org_unit(path))
    return user


def staff(role: str, **kwargs) -> User:
    return UserFactory(roles=[role], **kwargs)
