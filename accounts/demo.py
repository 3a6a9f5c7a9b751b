"""Demo org tree, cadres and one account for each role."""

import random

from django.contrib.auth.hashers import make_password

from accounts import roles, services
from accounts.models import OrgUnit, TrainerScope, User
from accounts.roles import Rank
from core import cache

PROVINCE = "某省"
TREE = {
    "甲市": {
        "东山县": ["交通运输局", "自然资源局", "教育局", "青石镇"],
        "西河县": ["交通运输局", "卫生健康局", "财政局", "柳湾镇"],
    },
    "乙市": {
        "南湖区": ["交通运输局", "住房和城乡建设局", "教育局", "城南街道"],
        "北岭县": ["自然资源局", "卫生健康局", "发展和改革局", "石门乡"],
    },
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "建国志强海燕丽娟伟明秀英文华晓东春梅国庆立新红霞永刚德胜玉兰振华桂芳宏伟静怡子涵雨轩浩然思远嘉怡俊杰"

STAFF = [
    # (role, username, name, scope paths)
    (roles.TRAINER, "trainer_jia", "甲市培训管理员", ["某省/甲市"]),
    (roles.TRAINER, "trainer_ds", "东山县培训管理员", ["某省/甲市/东山县"]),
    (roles.EDITOR, "editor1", "编辑一", []),
    (roles.EDITOR, "editor2", "编辑二", []),
    (roles.REVIEWER, "reviewer", "审核员", []),
    # 三员分立: three administrators, none a superuser; "admin" is a superuser for development only
    # (production creates role accounts with `manage.py create_admin --role ...`, docs/accounts-security.md).
    (roles.ADMINISTRATOR, "admin", "超级管理员（仅开发）", []),
    (roles.ADMINISTRATOR, "sysadmin", "系统管理员", []),
    (roles.SECURITY_ADMINISTRATOR, "secadmin", "安全管理员", []),
    (roles.AUDIT_ADMINISTRATOR, "auditor", "审计管理员", []),
]


def _roster_rows() -> list[services.RosterRow]:
    rng = random.Random(2026)  # fixed seed: the same demo every time
    rows = []
    number = 0

    def add(unit_path, rank, position, principal):
        nonlocal number
        number += 1
        name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))
        rows.append(
            services.RosterRow(
                row=number,
                employee_no=f"D{number:04d}",
                name=name,
                unit_path=unit_path,
                rank=rank,
                position=position,
                is_principal=principal,
                phone=f"139{number:08d}",
            )
        )

    for city, counties in TREE.items():
        city_path = f"{PROVINCE}/{city}"
        add(city_path, Rank.BUREAU, "市委书记", True)
        for county, units in counties.items():
            county_path = f"{city_path}/{county}"
            add(county_path, Rank.COUNTY, "县委书记" if county.endswith("县") else "区委书记", True)
            add(county_path, Rank.COUNTY, "县纪委书记", False)
            for unit in units:
                unit_path = f"{county_path}/{unit}"
                head = (
                    "镇党委书记"
                    if unit.endswith(("镇", "乡"))
                    else ("街道党工委书记" if unit.endswith("街道") else "局长")
                )
                add(unit_path, Rank.TOWNSHIP, head, True)
                add(unit_path, Rank.TOWNSHIP, "副职", False)
                add(unit_path, Rank.OTHER, "科员", False)
                add(unit_path, Rank.OTHER, "科员", False)
    return rows


def load(*, password: str, stdout=None) -> list[tuple[str, str, str]]:
    services.roles_ensure()
    rows = _roster_rows()
    result = services.roster_import(rows=rows, initial_password=None)
    # Demo cadres all get the demo password (set every run so --password takes effect).
    # One hash for all demo cadres: hashing 70 passwords with Argon2 would take seconds.
    demo_cadres = User.objects.filter(username__in=[r.employee_no for r in rows])
    demo_cadres.update(password=make_password(password))
    cache.bump_users(demo_cadres.values_list("pk", flat=True))  # update() sends no signal; users are cached
    for role, username, name, scopes in STAFF:
        user, _created = User.objects.get_or_create(username=username, defaults={"name": name})
        user.name = name
        user.is_superuser = user.is_staff = username == "admin"
        user.set_password(password)
        user.save()
        services.user_set_roles(user=user, role_names=[role])
        for path in scopes:
            TrainerScope.objects.get_or_create(user=user, org_unit=OrgUnit.objects.get(full_path=path))
    if stdout:
        stdout.write(
            f"组织与人员：{OrgUnit.objects.count()} 个单位，{result.created} 人新增，{result.updated + result.unchanged} 人已存在。"
        )
        from django.conf import settings

        if settings.OTP_REQUIRED_FOR_STAFF:
            stdout.write(
                "双因素认证：工作人员账号（编辑、审核、培训管理员、各管理员）首次登录须用手机身份验证器扫码绑定；"
                "本地开发可设 OTP_REQUIRED_FOR_STAFF=false 关闭。"
            )
    principal = rows[-4]
    return [
        ("学员", principal.employee_no, f"{principal.name}，{principal.unit_path}，主要负责人"),
        ("学员", rows[-2].employee_no, f"{rows[-2].name}，{rows[-2].unit_path}"),
        ("培训管理员", "trainer_jia", "负责 某省/甲市"),
        ("培训管理员", "trainer_ds", "负责 某省/甲市/东山县"),
        ("编辑", "editor1", ""),
        ("编辑", "editor2", ""),
        ("审核", "reviewer", ""),
        ("系统管理员", "sysadmin", "站点设置与结构；不管账号、不看审计日志"),
        ("安全管理员", "secadmin", "账号、角色、管理范围、重置密码与双因素认证"),
        ("审计管理员", "auditor", "只读审计日志并导出"),
        ("超级用户", "admin", "仅供开发；生产环境用 create_admin 创建三员账号"),
    ]
