"""The authentication backend: Django's ModelBackend, with the session's user read together with its groups.

Every signed-in request asks which roles its user holds (the session limits and the second-factor gate
tell staff from cadres; page privacy admits groups). `get_user` reads the user and its groups' ids and
names in one statement (a correlated subquery aggregating them to JSON), so a request costs one query
for its user instead of two. Nothing is cached beyond the request: the groups are as current as the
user row. On a database without the JSON aggregate the groups are read on first use, as before.

The ORM builds that statement once per process (core.compiled): building it cost more than running it,
on every signed-in request.
"""

import json
from functools import cache

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models.expressions import RawSQL

from accounts.models import User
from accounts.selectors import remember_groups
from core.compiled import compiled

AGGREGATES = {
    "postgresql": "COALESCE(json_agg(json_build_array(g.id, g.name)), '[]'::json)",
    "sqlite": "json_group_array(json_array(g.id, g.name))",
}


@cache
def _groups_sql(vendor: str) -> str | None:
    aggregate = AGGREGATES.get(vendor)
    if aggregate is None:
        return None
    quote = connection.ops.quote_name
    through = User.groups.through._meta
    # Table and column names from the models' metadata, no input.
    sql = (
        f"SELECT {aggregate} FROM {quote(Group._meta.db_table)} g "  # noqa: S608
        f"INNER JOIN {quote(through.db_table)} ug ON ug.{quote(through.get_field('group').column)} = g.id "
        f"WHERE ug.{quote(through.get_field('user').column)} = {quote(User._meta.db_table)}.{quote('id')}"
    )
    return sql


@compiled
def _user_with_groups(*, user_id):
    groups = RawSQL(_groups_sql(connection.vendor), ())  # noqa: S611 - see _groups_sql
    return User._default_manager.annotate(_session_groups=groups).filter(pk=user_id)


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        if _groups_sql(connection.vendor) is None:
            return super().get_user(user_id)
        try:
            pk = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        user = _user_with_groups.first(user_id=pk)
        if user is None or not self.user_can_authenticate(user):
            return None
        pairs = user.__dict__.pop("_session_groups")
        if isinstance(pairs, str):  # SQLite returns the JSON text
            pairs = json.loads(pairs)
        remember_groups(user, [(pk, name) for pk, name in pairs or ()])
        return user
