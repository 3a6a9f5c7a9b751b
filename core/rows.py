"""Race-safe get-or-create whose usual path is one SELECT.

Django's ``get_or_create`` inside an outer transaction opens a savepoint on every call (SAVEPOINT,
SELECT, RELEASE: three round trips) although the row exists on all but the first call. Hot paths
(a heartbeat every 30 s per cadre) read first and pay for the savepoint only when they create.
The unique constraint on ``lookup`` decides a race: the loser reads the winner's row.
"""

from collections.abc import Callable

from django.db import IntegrityError, models, transaction


def row_get_or_create(model: type[models.Model], *, defaults: Callable[[], dict] | None = None, **lookup):
    """The row matching ``lookup`` (unique), created with ``defaults()`` (called only when creating) if missing."""
    row = model._default_manager.filter(**lookup).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return model._default_manager.create(**lookup, **(defaults() if defaults else {}))
    except IntegrityError:  # a simultaneous request created it first
        return model._default_manager.get(**lookup)
