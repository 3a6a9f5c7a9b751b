"""Load a complete demo site on top of `setup_site`: each app's `demo.load()` in INSTALLED_APPS order. Safe to re-run."""

import importlib
import logging

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

logger = logging.getLogger(__name__)

DEFAULT_PASSWORD = "Mingjian@2026"  # noqa: S105 - the documented demo password


class Command(BaseCommand):
    help = "载入演示数据（组织、干部、各角色账号及各模块内容）；重复运行不会产生重复数据。"

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="所有演示账号的密码")

    def handle(self, *args, password: str, **options):
        # The skeleton (home page, case library with its workflow, 课程中心, role groups) first.
        call_command("setup_site", stdout=self.stdout)
        logins: list[tuple[str, str, str]] = []
        loaded = []
        for config in apps.get_app_configs():
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            with transaction.atomic():
                logins += module.load(password=password, stdout=self.stdout) or []
            loaded.append(config.label)
        self.stdout.write(
            self.style.SUCCESS(f"演示数据已就绪（{', '.join(loaded)}）。演示账号（密码均为 {password}）：")
        )
        for role, username, note in logins:
            self.stdout.write(f"  {role:<8}{username:<12}{note}")
