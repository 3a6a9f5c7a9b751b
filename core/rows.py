"""Race-safe get-or-create whose usual path is one SELECT.

Django's ``get_or_create`` inside an outer transaction opens a savepoint on every call (SAVEPOINT,
SELECT, RELEASE: three round trips) although the row exists on all but the first call. Hot paths
(a heartbeat every 30 s per cadre) read first and pay for the savepoint only when they create.
The unique constraint on ``lookup`` decides a race: the loser reads the winner's row.
"""

from collections.abc import Callable
from functools import cache

from django.db import IntegrityError, models, transaction

from core.compiled import Compiled


def row_get_or_create(
    model: type[models.Model], *, defaults: Callable[[], dict] | None = None, lock: bool = False, **lookup
):
    """The row matching ``lookup`` (unique), created with ``defaults()`` (called only when creating) if missing.

    ``lock``: read it FOR UPDATE (inside the caller's transaction), so the caller may compute new values
    from the ones read and write them without reading the row again."""
    rows = _rows(model, lock)
    # The usual case, ids only: a read built once per process (core.compiled).
    ids = _ids(model, lookup)
    row = _read(model, lock, tuple(sorted(ids))).first(**ids) if ids is not None else rows.filter(**lookup).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return model._default_manager.create(**lookup, **(defaults() if defaults else {}))
    except IntegrityError:  # a simultaneous request created it first
        return rows.get(**lookup)


class StatisticsKeeper:
    """Keeps PostgreSQL's planner statistics current while a long import grows tables.

    The planner chooses each lookup's plan from the table statistics of the last ANALYZE. During an
    import that grows a table from a few rows to 100,000 (a province's roster), plans chosen for the
    near-empty table (scan everything a unit path reaches, then filter) make every batch slower than
    the one before, until autovacuum notices (minutes later, or never where it is off). ``grew(n)``
    after each batch runs ANALYZE on the given models' tables whenever they have about doubled since
    the last one, so a long import analyzes a few times (log2 of its growth), each in well under a second.
    Does nothing on other databases.
    """

    def __init__(self, *models: type[models.Model], size: int, minimum: int = 1000):
        from django.db import connection

        self.enabled = connection.vendor == "postgresql"
        self.tables = [m._meta.db_table for m in models]
        self.size, self.minimum, self.pending = size, minimum, 0

    def grew(self, rows: int) -> bool:
        """Record `rows` new rows; ANALYZE when they reach the table's size at the last ANALYZE. True if it ran."""
        self.pending += rows
        if not self.enabled or self.pending < max(self.minimum, self.size):
            return False
        self._analyze()
        self.size, self.pending = self.size + self.pending, 0
        return True

    def _analyze(self) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in self.tables))


def _rows(model: type[models.Model], lock: bool) -> models.QuerySet:
    return model._default_manager.select_for_update() if lock else model._default_manager.all()


def _ids(model: type[models.Model], lookup: dict) -> dict[str, int] | None:
    """The lookup as integer column values (`user=<User>` becomes `user_id=<pk>`), or None if it has others."""
    ids = {}
    for name, value in lookup.items():
        if isinstance(value, models.Model):
            name, value = model._meta.get_field(name).attname, value.pk
        if type(value) is not int:
            return None
        ids[name] = value
    return ids


@cache
def _read(model: type[models.Model], lock: bool, names: tuple[str, ...]) -> Compiled:
    def build(**ids):
        return _rows(model, lock).filter(**ids)

    return Compiled(build)
