"""Build the site's skeleton on an empty database: each app's `setup.ensure()` in INSTALLED_APPS order.

Home page, 警示教育案例库 with its 案例审核 workflow, 课程中心 and the role groups. Idempotent: a second
run changes nothing. Run after `migrate` (and after every upgrade); `load_demo` runs it first.
"""

import importlib

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


def setup_modules():
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.setup")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.setup":
                raise
            continue
        if hasattr(module, "ensure"):
            yield module


class Command(BaseCommand):
    help = "建立站点骨架（首页、警示教育案例库及其审核流程、课程中心、角色组）；可重复运行。"

    def handle(self, *args, **options):
        lines: list[str] = []
        with transaction.atomic():
            for module in setup_modules():
                lines += module.ensure(stdout=self.stdout) or []
        for line in lines:
            self.stdout.write(f"  {line}")
        self.stdout.write(self.style.SUCCESS("站点骨架已就绪。"))
