from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


def _sqlite_pragmas(sender, connection, **kwargs):
    """WAL lets readers run beside one writer; NORMAL sync is safe with WAL."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL;")
            cursor.execute("PRAGMA synchronous=NORMAL;")
            cursor.execute("PRAGMA foreign_keys=ON;")


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("站点")

    def ready(self):
        connection_created.connect(_sqlite_pragmas, dispatch_uid="core_sqlite_pragmas")
        from core.cache import connect_content_signals

        connect_content_signals()
