"""Create an administrator account of one of the three separated roles (三员分立) on a new site.

Not a superuser: the account holds exactly its role's permissions (accounts.services.ROLE_PERMISSIONS),
so no daily work needs a superuser. A new site runs it three times:

python manage.py create_admin sysadmin --name 系统管理员                   # settings, site structure (default)
python manage.py create_admin secadmin --name 安全管理员 --role security   # accounts, roles, resets
python manage.py create_admin auditor --name 审计管理员 --role audit       # the audit log
MINGJIAN_ADMIN_PASSWORD=… python manage.py create_admin USERNAME --password-from-env MINGJIAN_ADMIN_PASSWORD
"""

import getpass
import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import roles, services
from accounts.models import User

ROLES = {
    "system": roles.ADMINISTRATOR,
    "security": roles.SECURITY_ADMINISTRATOR,
    "audit": roles.AUDIT_ADMINISTRATOR,
}


class Command(BaseCommand):
    help = "创建管理员账号（三员分立：系统管理员、安全管理员或审计管理员；不是超级用户）。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="姓名（默认为角色名）")
        parser.add_argument(
            "--role",
            choices=sorted(ROLES),
            default="system",
            help="system＝系统管理员（默认），security＝安全管理员，audit＝审计管理员",
        )
        parser.add_argument("--email", default="")
        parser.add_argument("--password-from-env", metavar="VAR", help="从该环境变量读取密码（不交互）")

    def handle(self, *args, username: str, name: str, role: str, email: str, password_from_env: str | None, **options):
        username = username.strip()
        role_name = ROLES[role]
        name = name.strip() or role_name
        if not username:
            raise CommandError("用户名不能为空。")
        if User.objects.filter(username=username).exists():
            raise CommandError(f"用户“{username}”已存在，未做任何修改。")
        if password_from_env:
            password = os.environ.get(password_from_env, "")
            if not password:
                raise CommandError(f"环境变量 {password_from_env} 未设置或为空。")
        else:
            password = getpass.getpass("密码：")
            if password != getpass.getpass("再次输入密码："):
                raise CommandError("两次输入的密码不一致。")
        user = User(username=username, name=name, email=email)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        with transaction.atomic():
            user.set_password(password)
            user.save()
            services.user_set_roles(user=user, role_names=[role_name])
        self.stdout.write(self.style.SUCCESS(f"已创建{role_name}“{username}”，可登录 /admin/。"))
