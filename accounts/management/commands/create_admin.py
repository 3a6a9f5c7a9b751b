"""Create the first 系统管理员 (superuser in the 系统管理员 group) on a new site.

python manage.py create_admin USERNAME --name 姓名            # asks for the password twice
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


class Command(BaseCommand):
    help = "创建系统管理员账号（超级用户，属于“系统管理员”角色组）。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="系统管理员", help="姓名")
        parser.add_argument("--email", default="")
        parser.add_argument("--password-from-env", metavar="VAR", help="从该环境变量读取密码（不交互）")

    def handle(self, *args, username: str, name: str, email: str, password_from_env: str | None, **options):
        username = username.strip()
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
        user = User(username=username, name=name, email=email, is_staff=True, is_superuser=True)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        with transaction.atomic():
            user.set_password(password)
            user.save()
            services.user_set_roles(user=user, role_names=[roles.ADMINISTRATOR])
        self.stdout.write(self.style.SUCCESS(f"已创建系统管理员“{username}”，可登录 /admin/。"))
