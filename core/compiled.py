"""Hot reads whose SQL the ORM builds once per process instead of on every request.

Building a query costs Django more than running it here: a signed-in request's user read took 0.98 ms,
of which PostgreSQL's round trip was 0.2 ms; a heartbeat's lesson read took 3.3 ms to build and
0.25 ms to run. For the few reads every request of a kind makes, `compiled` lets the ORM build the
SQL once (per database connection alias) and then runs it with `Manager.raw()`, which still applies the model
fields' converters and sets annotations as attributes.

    @compiled
    def _lesson(*, lesson_id, user_id):
        return LessonPage.objects.live().filter(pk=lesson_id).annotate(...)[:1]

    lesson = _lesson.first(lesson_id=5, user_id=7)

The builder's arguments must be integers (ids), or datetimes when named in `datetimes`, that reach the
SQL as parameters: at build time each gets a sentinel value, and its parameter positions are found by
that value (a datetime as the database backend adapts it, and each call's value is adapted the same
way). A builder whose arguments do not all appear as parameters raises at its first use.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, update_wrapper

from django.db import connections
from django.db.models import Model, QuerySet

SENTINEL_BASE = -7_340_000_000  # no id takes these values


@dataclass(frozen=True)
class Statement:
    model: type[Model]
    sql: str
    params: tuple  # constants, or the name of an argument (a `_Arg`)


@dataclass(frozen=True)
class _Arg:
    name: str
    is_datetime: bool  # adapted by the backend, as the ORM does with a datetime


class Compiled:
    def __init__(self, build: Callable[..., QuerySet], datetimes: tuple[str, ...] = ()):
        self.build = build
        self.datetimes = frozenset(datetimes)
        self.statement = cache(self._compile)
        update_wrapper(self, build)

    def _compile(self, using: str, names: tuple[str, ...]) -> Statement:
        adapt = connections[using].ops.adapt_datetimefield_value
        args = {}  # (type, value) of each sentinel as it reaches the SQL -> its argument
        values = {}
        for i, name in enumerate(names):
            if name in self.datetimes:
                values[name] = datetime(1900, 1, 1, microsecond=i + 1, tzinfo=UTC)
                seen = adapt(values[name])
            else:
                values[name] = seen = SENTINEL_BASE - i
            args[(type(seen), seen)] = _Arg(name, name in self.datetimes)
        queryset = self.build(**values)
        sql, params = queryset.using(using).query.sql_with_params()
        slots = tuple(args.get((type(p), p), p) for p in params)
        missing = set(names) - {slot.name for slot in slots if isinstance(slot, _Arg)}
        if missing:
            raise ValueError(f"{self.build.__qualname__}: {sorted(missing)} do not reach the SQL as parameters")
        return Statement(queryset.model, sql, slots)

    def raw(self, using: str = "default", **arguments):
        """The rows as model instances (Manager.raw): for each argument its value, in the built SQL."""
        adapt = connections[using].ops.adapt_datetimefield_value
        statement = self.statement(using, tuple(sorted(arguments)))
        params = []
        for p in statement.params:
            if isinstance(p, _Arg):
                p = adapt(arguments[p.name]) if p.is_datetime else arguments[p.name]
            params.append(p)
        return statement.model._default_manager.db_manager(using).raw(statement.sql, params)

    def first(self, using: str = "default", **arguments):
        return next(iter(self.raw(using, **arguments)), None)


def compiled(build: Callable[..., QuerySet] | None = None, *, datetimes: tuple[str, ...] = ()):
    """Decorator: `@compiled` or `@compiled(datetimes=("since",))`."""
    if build is None:
        return lambda function: Compiled(function, datetimes)
    return Compiled(build, datetimes)
