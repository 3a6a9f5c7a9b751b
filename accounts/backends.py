"""The authentication backend: Django's ModelBackend, with the session's user read together with its groups.

Every signed-in request asks which roles its user holds (the session limits and the second-factor gate
tell staff from cadres; page privacy admits groups). `get_user` reads the user and its groups' ids and
names in one statement (a correlated subquery aggregating them to JSON), so a request costs one query
for its user instead of two. Nothing is cached beyond the request: the groups are as current as the
user row. On a database without the JSON aggregate the groups are read on first use, as before.

The statement is compiled by the ORM once per database vendor and then run as a raw query (with the
ORM's converters): compiling it cost more than running it, on every signed-in request (issue 20).
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


@cache
def _user_sql(vendor: str) -> str | None:
    """The ORM's own SQL for "this user, with its groups", with the primary key as its one parameter."""
    groups = _groups_sql(vendor)
    if groups is None:
        return None
    probe = User._default_manager.annotate(_session_groups=RawSQL(groups, ())).filter(pk=0)  # noqa: S611
    sql, params = probe.query.sql_with_params()
    return sql if tuple(params) == (0,) else None


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        sql = _user_sql(connection.vendor)
        if sql is None:
            return super().get_user(user_id)
        try:
            pk = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        user = next(iter(User._default_manager.raw(sql, [pk])), None)  # noqa: S611 - see _user_sql
        if user is None or not self.user_can_authenticate(user):
            return None
        pairs = user.__dict__.pop("_session_groups")
        if isinstance(pairs, str):  # SQLite returns the JSON text
            pairs = json.loads(pairs)
        remember_groups(user, [(pk, name) for pk, name in pairs or ()])
        return user
