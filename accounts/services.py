"""Writes about people, org units and roles."""

import csv
import io
import logging
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from accounts.models import PATH_SEPARATOR, CadreProfile, OrgUnit, User
from accounts.roles import Rank
from core.uploads import check_xlsx_archive, decode_text

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------- org units


def _split_path(path: str) -> list[str]:
    return [part.strip() for part in re.split(r"[/／]", path or "") if part.strip()]


# Cell text a spreadsheet would run as a formula (see core.spreadsheets) or a path trick.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def unit_name_problem(name: str) -> str | None:
    """Why a unit name is not acceptable, or None: no "/", no "." or "..", no control characters."""
    if not name or PATH_SEPARATOR in name:
        return _("单位名称不能为空，也不能包含“/”。")
    if name.startswith(".") or "\\" in name or any(ord(ch) < 32 for ch in name):
        return _("单位名称“%(v)s”不正确：不能以“.”开头，不能包含“\\”或控制字符。") % {"v": name}
    if name.startswith(FORMULA_START):
        return _("单位名称“%(v)s”不能以 = + - @ 开头。") % {"v": name}
    return None


def org_unit_create(*, name: str, parent: OrgUnit | None = None) -> OrgUnit:
    name = name.strip()
    problem = unit_name_problem(name)
    if problem:
        raise ValidationError(problem)
    full_path = f"{parent.full_path}{PATH_SEPARATOR}{name}" if parent else name
    if OrgUnit.objects.filter(full_path=full_path).exists():
        raise ValidationError(_("已存在同名单位：%(path)s") % {"path": full_path})
    if parent is None:
        return OrgUnit.add_root(name=name, full_path=full_path)
    return parent.add_child(name=name, full_path=full_path)


@transaction.atomic
def org_unit_update(*, unit: OrgUnit, name: str, parent: OrgUnit | None) -> OrgUnit:
    """Rename and/or move a unit, keeping every descendant's full path right."""
    name = name.strip()
    problem = unit_name_problem(name)
    if problem:
        raise ValidationError(problem)
    unit = OrgUnit.objects.get(pk=unit.pk)
    current_parent = unit.get_parent()
    if parent is not None and (parent.pk == unit.pk or parent.path.startswith(unit.path)):
        raise ValidationError(_("不能把单位移动到它自己或它的下级单位之下。"))
    new_full_path = f"{parent.full_path}{PATH_SEPARATOR}{name}" if parent else name
    if OrgUnit.objects.filter(full_path=new_full_path).exclude(pk=unit.pk).exists():
        raise ValidationError(_("已存在同名单位：%(path)s") % {"path": new_full_path})
    if (parent and parent.pk) != (current_parent and current_parent.pk):
        if parent is None:
            unit.move(OrgUnit.get_last_root_node(), pos="last-sibling")
        else:
            unit.move(parent, pos="last-child")
        unit = OrgUnit.objects.get(pk=unit.pk)
    old_full_path = unit.full_path
    unit.name = name
    unit.full_path = new_full_path
    unit.save(update_fields=["name", "full_path"])
    if old_full_path != new_full_path:
        for child in unit.get_descendants():
            child.full_path = new_full_path + child.full_path[len(old_full_path) :]
            child.save(update_fields=["full_path"])
    return unit


def org_unit_get_or_create_by_path(path: str, *, created: list[str] | None = None) -> OrgUnit:
    """Find a unit by its "/"-separated path, creating missing levels (listed in `created`)."""
    parts = _split_path(path)
    if not parts:
        raise ValidationError(_("单位路径为空。"))
    parent = None
    for depth in range(1, len(parts) + 1):
        full_path = PATH_SEPARATOR.join(parts[:depth])
        unit = OrgUnit.objects.filter(full_path=full_path).first()
        if unit is None:
            unit = org_unit_create(name=parts[depth - 1], parent=parent)
            if created is not None:
                created.append(full_path)
        parent = unit
    return parent


def org_units_get_or_create_by_paths(*, paths, created: list[str] | None = None) -> dict[str, OrgUnit]:
    """Every unit named by these "/"-paths, by full path; the missing ones are created level by level,
    one bulk INSERT per level (a province's roster names thousands of new units).

    Tree paths are numbered as treebeard's add_child numbers them (after the parent's last child);
    each parent is locked (select_for_update) while its new children are numbered and its numchild
    raised, and the unique path and full_path constraints refuse any collision. New full paths are
    appended to `created`, parents first."""
    from django.db.models import F

    wanted: dict[str, list[str]] = {}
    for path in paths:
        parts = _split_path(path)
        for depth in range(1, len(parts) + 1):
            wanted.setdefault(PATH_SEPARATOR.join(parts[:depth]), parts[:depth])
    found: dict[str, OrgUnit] = {}
    for chunk in _chunks(sorted(wanted)):
        found.update(OrgUnit.objects.in_bulk(chunk, field_name="full_path"))
    missing = sorted((fp for fp in wanted if fp not in found), key=lambda fp: (len(wanted[fp]), fp))
    for fp in missing:
        problem = unit_name_problem(wanted[fp][-1])
        if problem:
            raise ValidationError(problem)
    by_parent: dict[tuple[int, str], list[str]] = {}
    for fp in missing:
        parts = wanted[fp]
        by_parent.setdefault((len(parts), PATH_SEPARATOR.join(parts[:-1])), []).append(fp)
    step = OrgUnit.steplen
    for depth in sorted({d for d, _p in by_parent}):
        groups = {parent: names for (d, parent), names in by_parent.items() if d == depth}
        nodes = []
        if depth == 1:
            last = OrgUnit.get_last_root_node()
            base = OrgUnit._str2int(last.path[-step:]) if last else 0
            nodes += [
                OrgUnit(
                    path=OrgUnit._get_path(None, 1, base + i), depth=1, numchild=0, name=wanted[fp][-1], full_path=fp
                )
                for i, fp in enumerate(groups[""], start=1)
            ]
        else:
            parents = {}
            for chunk in _chunks(sorted(groups)):
                parents.update(
                    (u.full_path, u) for u in OrgUnit.objects.select_for_update().filter(full_path__in=chunk)
                )
            for parent_path, names in groups.items():
                parent = parents[parent_path]
                last = (
                    OrgUnit.objects.filter(path__startswith=parent.path, depth=depth)
                    .order_by("-path")
                    .values_list("path", flat=True)
                    .first()
                )
                base = OrgUnit._str2int(last[-step:]) if last else 0
                nodes += [
                    OrgUnit(
                        path=OrgUnit._get_path(parent.path, depth, base + i),
                        depth=depth,
                        numchild=0,
                        name=wanted[fp][-1],
                        full_path=fp,
                    )
                    for i, fp in enumerate(names, start=1)
                ]
                OrgUnit.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(names))
        OrgUnit.objects.bulk_create(nodes, batch_size=ROSTER_CHUNK)
        for chunk in _chunks([n.full_path for n in nodes]):
            found.update(OrgUnit.objects.in_bulk(chunk, field_name="full_path"))
        if created is not None:
            created += [n.full_path for n in nodes]
    if missing:
        from core import cache

        cache.bump_global()  # as a unit's save does (core.cache.bump_on_save(OrgUnit))
    return {PATH_SEPARATOR.join(wanted[fp]): found[fp] for fp in wanted}


# ---------------------------------------------------------------- roles

# Model permissions (app_label.codename) each role gets from this app; other apps add theirs through the
# `register_role_permissions` hook (quizzes, cases, search). `roles_ensure` gives each role group exactly
# the union, so a permission taken out of a list here is taken away on the next migrate. Page and
# collection permissions are granted on the tree roots below.
ROLE_PERMISSIONS = {
    roles.CADRE: [],
    roles.EDITOR: [
        "wagtailadmin.access_admin",
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.choose_document",
    ],
    roles.REVIEWER: [
        "wagtailadmin.access_admin",
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.choose_document",
    ],
    roles.TRAINER: [
        "wagtailadmin.access_admin",
        "accounts.view_cadreprofile",
        "accounts.import_roster",
        "accounts.view_orgunit",
        "accounts.reset_cadre_password",
    ],
    # 三员分立 (GB/T 22239 level 3, least privilege). 安全管理员: accounts, roles, org units, cadre
    # records, roster imports, scopes, resets, unlocks, lost second factors; no content, no audit log.
    roles.SECURITY_ADMINISTRATOR: [
        "wagtailadmin.access_admin",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.delete_user",
        "accounts.view_user",
        "auth.view_group",
        "accounts.add_orgunit",
        "accounts.change_orgunit",
        "accounts.delete_orgunit",
        "accounts.view_orgunit",
        "accounts.add_cadreprofile",
        "accounts.change_cadreprofile",
        "accounts.delete_cadreprofile",
        "accounts.view_cadreprofile",
        "accounts.import_roster",
        "accounts.add_trainerscope",
        "accounts.change_trainerscope",
        "accounts.delete_trainerscope",
        "accounts.view_trainerscope",
        "accounts.reset_cadre_password",
        # Reset a lost second factor (accounts.otp.second_factor_reset).
        "otp_totp.delete_totpdevice",
        "otp_static.delete_staticdevice",
    ],
    # 审计管理员: reads and exports the audit log, nothing else.
    roles.AUDIT_ADMINISTRATOR: [
        "wagtailadmin.access_admin",
        "audit.view_auditentry",
    ],
    # 系统管理员: settings and site structure (sites, the page tree, collections, taxonomies, question
    # bank); no accounts, no audit log.
    roles.ADMINISTRATOR: [
        "wagtailadmin.access_admin",
        "accounts.change_trainingtargets",
        "learning.change_attentionrules",
        "wagtailcore.add_site",
        "wagtailcore.change_site",
        "wagtailcore.view_site",
        "wagtailcore.add_workflow",
        "wagtailcore.change_workflow",
        "wagtailcore.view_workflow",
        "wagtailcore.add_task",
        "wagtailcore.change_task",
        "wagtailcore.view_task",
    ],
}
ROLE_PAGE_PERMISSIONS = {
    roles.EDITOR: ["add", "change"],
    roles.REVIEWER: ["add", "change", "publish", "lock", "unlock"],
    roles.ADMINISTRATOR: ["add", "change", "publish", "lock", "unlock", "bulk_delete"],
}
ROLE_COLLECTION_PERMISSIONS = {
    roles.EDITOR: ["add_image", "change_image", "choose_image", "add_document", "change_document", "choose_document"],
    roles.REVIEWER: ["add_image", "change_image", "choose_image", "add_document", "change_document", "choose_document"],
    roles.ADMINISTRATOR: [
        "add_image",
        "change_image",
        "choose_image",
        "add_document",
        "change_document",
        "choose_document",
    ],
}


def role_permissions() -> dict[str, set[str]]:
    """Every role's model permissions ("app_label.codename"): this app's list plus what other apps
    declare with the `register_role_permissions` hook (a function returning {role: [dotted, ...]})."""
    from wagtail import hooks

    declared = {role: set(ROLE_PERMISSIONS[role]) for role in roles.ALL_ROLES}
    for fn in hooks.get_hooks("register_role_permissions"):
        for role, dotted in fn().items():
            declared[role].update(dotted)
    return declared


def _permissions(dotted: set[str]) -> list[Permission]:
    wanted = Q(pk__in=[])
    for name in dotted:
        app_label, codename = name.split(".", 1)
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    return list(Permission.objects.filter(wanted))


def roles_ensure() -> dict[str, Group]:
    """Create the role groups and give each exactly the permissions declared for it (model
    permissions, and page and collection permissions on the tree roots): a permission removed from
    the declaration, or granted by hand to a role group, is taken away. Safe to run any number of
    times; runs after every migrate (accounts.signals). Changes made outside a request are not
    audited as a person's change (audit.signals)."""
    from wagtail.models import (
        Collection,
        GroupCollectionPermission,
        GroupPagePermission,
        Page,
    )

    declared = role_permissions()
    groups = {}
    for role in roles.ALL_ROLES:
        group, _created = Group.objects.get_or_create(name=role)
        groups[role] = group
        wanted = _permissions(declared[role])
        if {p.pk for p in wanted} != set(group.permissions.values_list("pk", flat=True)):
            group.permissions.set(wanted)
    root_page = Page.get_first_root_node()
    if root_page is not None:
        for role, group in groups.items():
            wanted = _permissions({f"wagtailcore.{c}_page" for c in ROLE_PAGE_PERMISSIONS.get(role, [])})
            GroupPagePermission.objects.filter(group=group, page=root_page).exclude(permission__in=wanted).delete()
            for perm in wanted:
                GroupPagePermission.objects.get_or_create(group=group, page=root_page, permission=perm)
    root_collection = Collection.get_first_root_node()
    if root_collection is not None:
        for role, group in groups.items():
            wanted = _permissions(
                {
                    f"{'wagtailimages' if c.endswith('image') else 'wagtaildocs'}.{c}"
                    for c in ROLE_COLLECTION_PERMISSIONS.get(role, [])
                }
            )
            GroupCollectionPermission.objects.filter(group=group, collection=root_collection).exclude(
                permission__in=wanted
            ).delete()
            for perm in wanted:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission=perm
                )
    return groups


def roles_check_separation(role_names) -> None:
    """Refuse a set of roles holding two of 系统管理员 / 安全管理员 / 审计管理员 (三员分立)."""
    held = [r for r in roles.SEPARATED_ADMINISTRATORS if r in set(role_names)]
    if len(held) > 1:
        raise ValidationError(
            _("三员分立：同一账号不能同时担任%(roles)s。") % {"roles": "、".join(held)}, code="separation_of_duties"
        )


def user_set_roles(*, user: User, role_names: list[str]) -> None:
    roles_check_separation(role_names)
    groups = roles_ensure()
    user.groups.set([groups[r] for r in role_names])
    if hasattr(user, "_role_names_cache"):
        del user._role_names_cache


# ---------------------------------------------------------------- passwords


ONE_TIME_ALPHABETS = ("ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnpqrstuvwxyz", "23456789", "@#%+=?")


def one_time_password(length: int = 12) -> str:
    """A random password that meets the policy: every character class, no look-alike characters."""
    import secrets

    from django.contrib.auth.password_validation import validate_password

    length = max(length, settings.PASSWORD_MIN_LENGTH)
    everything = "".join(ONE_TIME_ALPHABETS)
    while True:
        chars = [secrets.choice(alphabet) for alphabet in ONE_TIME_ALPHABETS]
        chars += [secrets.choice(everything) for _ in range(length - len(chars))]
        secrets.SystemRandom().shuffle(chars)
        password = "".join(chars)
        try:
            validate_password(password)
        except ValidationError:
            continue
        return password


@transaction.atomic
def password_reset_for_cadre(*, by: User, user: User, request=None) -> str:
    """Give a cadre in `by`'s scope a one-time password (returned, shown once) and force a change at
    the next sign-in; clears any lockout. Raises PermissionDenied outside scope."""
    from django.core.exceptions import PermissionDenied

    from accounts.selectors import can_manage_cadre_account
    from audit.models import Action
    from audit.services import audit_record

    if not can_manage_cadre_account(by, user):
        raise PermissionDenied(_("该学员不在您的管理范围内。"))
    password = one_time_password()
    user.set_password(password)
    user.must_change_password = True
    user.save()
    _axes_reset(user)
    audit_record(action=Action.PASSWORD_RESET, request=request, actor=by, target=user)
    return password


def _axes_reset(user: User) -> int:
    from axes.utils import reset

    return reset(username=user.get_username())


@transaction.atomic
def account_unlock(*, by: User, user: User, request=None) -> int:
    """Lift a django-axes lockout of a cadre in `by`'s scope; returns the attempts records removed."""
    from django.core.exceptions import PermissionDenied

    from accounts.selectors import can_manage_cadre_account
    from audit.models import Action
    from audit.services import audit_record

    if not can_manage_cadre_account(by, user):
        raise PermissionDenied(_("该学员不在您的管理范围内。"))
    removed = _axes_reset(user)
    audit_record(action=Action.ACCOUNT_UNLOCK, request=request, actor=by, target=user, detail={"removed": removed})
    return removed


def password_changed_by_owner(*, user: User, request=None) -> None:
    """After a user set a new password themselves (Django's change view saved it): lift the forced change."""
    from audit.models import Action
    from audit.services import audit_record

    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
    audit_record(action=Action.PASSWORD_CHANGE, request=request, actor=user, target=user)


# ---------------------------------------------------------------- roster import

ROSTER_COLUMNS = {
    "employee_no": ("工号", "员工编号", "employee_no"),
    "name": ("姓名", "name"),
    "org_unit": ("单位", "单位路径", "所在单位", "组织", "org_unit"),
    "rank": ("职级", "rank"),
    "position": ("职务", "position"),
    "is_principal": ("主要负责人", "是否主要负责人", "一把手", "is_principal"),
    "phone": ("手机", "手机号", "电话", "phone"),
    "email": ("邮箱", "电子邮箱", "email"),
}
REQUIRED_COLUMNS = ("employee_no", "name", "org_unit", "rank")
TRUE_WORDS = {"是", "1", "y", "yes", "true", "√", "✓"}
FALSE_WORDS = {"否", "0", "n", "no", "false", ""}


class RosterError(Exception):
    """A roster that cannot be imported; `errors` is a list of (row number, reason)."""

    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = errors
        super().__init__("; ".join(f"第 {row} 行：{msg}" if row else msg for row, msg in errors))


@dataclass
class RosterRow:
    row: int
    employee_no: str
    name: str
    unit_path: str
    rank: Rank
    position: str = ""
    is_principal: bool = False
    phone: str = ""
    email: str = ""


@dataclass
class RosterResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    units_created: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        text = _("导入完成：新增 %(c)d 人，更新 %(u)d 人，未变 %(n)d 人，新建单位 %(units)d 个。") % {
            "c": self.created,
            "u": self.updated,
            "n": self.unchanged,
            "units": len(self.units_created),
        }
        return text


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read_table(*, data: bytes, filename: str) -> list[tuple[int, list[str]]]:
    """Rows of a .xlsx or .csv file as (spreadsheet row number, cells), header first."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        stream = io.BytesIO(data)
        try:
            check_xlsx_archive(stream)
            workbook = load_workbook(stream, read_only=True, data_only=True)
        except ValidationError as exc:
            raise RosterError([(0, exc.messages[0])]) from exc
        except Exception as exc:  # openpyxl raises many kinds on corrupt files
            raise RosterError([(0, _("无法读取 Excel 文件：%(err)s") % {"err": exc.__class__.__name__})]) from exc
        sheet = workbook.worksheets[0]
        rows = [(i, [_cell(v) for v in values]) for i, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
        workbook.close()
        return rows
    if name.endswith(".csv"):
        try:
            text = decode_text(data)
        except ValidationError as exc:
            raise RosterError([(0, exc.messages[0])]) from exc
        if "\x00" in text:
            raise RosterError([(0, _("CSV 文件包含非法字符，可能不是文本文件。"))])
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            return [(reader.line_num, [c.strip() for c in cells]) for cells in reader]
        except csv.Error as exc:
            raise RosterError([(reader.line_num, _("CSV 格式错误：%(err)s") % {"err": exc})]) from exc
    raise RosterError([(0, _("只支持 .xlsx 和 .csv 文件。"))])


def roster_parse(*, data: bytes, filename: str, max_rows: int = 200_000) -> list[RosterRow]:
    """Validate every row of a roster file; raise RosterError listing each bad row."""
    table = [(n, cells) for n, cells in _read_table(data=data, filename=filename) if any(cells)]
    if not table:
        raise RosterError([(0, _("文件中没有数据。"))])
    header_row, header = table[0]
    index: dict[str, int] = {}
    for col, title in enumerate(header):
        for key, aliases in ROSTER_COLUMNS.items():
            if title in aliases and key not in index:
                index[key] = col
    missing = [ROSTER_COLUMNS[k][0] for k in REQUIRED_COLUMNS if k not in index]
    if missing:
        raise RosterError([(header_row, _("缺少必填列：%(cols)s") % {"cols": "、".join(missing)})])
    if len(table) - 1 > max_rows:
        raise RosterError([(0, _("行数过多：最多 %(max)d 行。") % {"max": max_rows})])

    errors: list[tuple[int, str]] = []
    rows: list[RosterRow] = []
    seen: dict[str, int] = {}
    for number, cells in table[1:]:

        def get(key, cells=cells):
            col = index.get(key)
            return cells[col].strip() if col is not None and col < len(cells) else ""

        employee_no, name, unit_path = get("employee_no"), get("name"), get("org_unit")
        problems = []
        if not employee_no:
            problems.append(_("工号为空"))
        elif not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", employee_no):
            problems.append(
                _("工号“%(v)s”格式不正确（只能是字母、数字、下划线、连字符，最长 32 位）") % {"v": employee_no}
            )
        elif employee_no in seen:
            problems.append(_("工号 %(v)s 与第 %(row)d 行重复") % {"v": employee_no, "row": seen[employee_no]})
        if not name:
            problems.append(_("姓名为空"))
        elif len(name) > 50:
            problems.append(_("姓名过长"))
        elif name.startswith(FORMULA_START):
            problems.append(_("姓名“%(v)s”不能以 = + - @ 等公式符号开头") % {"v": name})
        parts = _split_path(unit_path)
        if not parts:
            problems.append(_("单位为空"))
        elif any(len(p) > 100 for p in parts) or len(parts) > 8:
            problems.append(_("单位路径“%(v)s”不正确") % {"v": unit_path})
        elif any(unit_name_problem(p) for p in parts):
            problems.append(
                _("单位路径“%(v)s”不正确：%(why)s")
                % {"v": unit_path, "why": next(unit_name_problem(p) for p in parts if unit_name_problem(p))}
            )
        rank = Rank.from_label(get("rank"))
        if rank is None:
            problems.append(
                _("职级“%(v)s”无效，应为：%(choices)s")
                % {"v": get("rank"), "choices": "、".join(str(r.label) for r in Rank)}
            )
        flag = get("is_principal").lower()
        if flag not in TRUE_WORDS | FALSE_WORDS:
            problems.append(_("主要负责人“%(v)s”无效，应填“是”或“否”") % {"v": get("is_principal")})
        phone = get("phone")
        if phone and not re.fullmatch(r"\+?[0-9-]{6,20}", phone):
            problems.append(_("手机号“%(v)s”格式不正确") % {"v": phone})
        email = get("email")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problems.append(_("邮箱“%(v)s”格式不正确") % {"v": email})
        position = get("position")
        if len(position) > 100:
            problems.append(_("职务过长"))
        elif position.startswith(FORMULA_START):
            problems.append(_("职务“%(v)s”不能以 = + - @ 等公式符号开头") % {"v": position})
        if problems:
            errors.append((number, "；".join(str(p) for p in problems)))
            continue
        seen[employee_no] = number
        rows.append(
            RosterRow(
                row=number,
                employee_no=employee_no,
                name=name,
                unit_path="/".join(parts),
                rank=rank,
                position=position,
                is_principal=flag in TRUE_WORDS,
                phone=phone,
                email=email,
            )
        )
    if errors:
        raise RosterError(errors)
    return rows


def _initial_password_hash(initial_password: str | None) -> str | None:
    """The roster's shared initial password, checked against the policy and hashed once per import.

    One Argon2 hash (PASSWORD_HASHERS[0], same cost as any other) serves every new account of the
    import: hashing per account would take hours for a province, and the accounts share the password
    anyway until each is forced to change it at first sign-in.
    """
    if not initial_password:
        return None
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.password_validation import validate_password

    try:
        validate_password(initial_password)
    except ValidationError as exc:
        raise RosterError([(0, _("初始密码不符合密码策略：") + " ".join(exc.messages))]) from exc
    return make_password(initial_password)


def roster_check(*, rows: list[RosterRow], actor: User | None = None) -> dict[str, CadreProfile]:
    """Check every row against the database before anything is written; raise RosterError listing each refused row.

    `actor` is who imports (None: the operator's command line). The scope and rank rule is
    `selectors.cadre_write_refusal`, the same one every other door that writes a cadre uses.
    Returns the existing profiles by employee number.
    """
    from accounts import selectors

    # In chunks: one IN list of a province's 100,000 numbers exceeds PostgreSQL's 65,535 bound parameters.
    profiles: dict[str, CadreProfile] = {}
    for chunk in _chunks([r.employee_no for r in rows], 5000):
        profiles.update(
            (p.employee_no, p)
            for p in CadreProfile.objects.select_related("user", "org_unit").filter(employee_no__in=chunk)
        )
    taken_usernames: set[str] = set()
    for chunk in _chunks([r.employee_no for r in rows if r.employee_no not in profiles], 5000):
        taken_usernames.update(User.objects.filter(username__in=chunk).values_list("username", flat=True))
    errors: list[tuple[int, str]] = []
    for row in rows:
        refusal = selectors.cadre_write_refusal(
            actor, profile=profiles.get(row.employee_no), unit_path=row.unit_path, rank=row.rank
        )
        if refusal:
            errors.append((row.row, refusal))
        elif row.employee_no in taken_usernames:
            errors.append((row.row, _("用户名 %(v)s 已被非干部账号占用") % {"v": row.employee_no}))
    if errors:
        raise RosterError(errors)
    return profiles


ROSTER_CHUNK = 1000


def _chunks(items: list, size: int = ROSTER_CHUNK):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _roster_units(*, paths, units: dict[str, OrgUnit], created: list[str]) -> None:
    """Resolve each distinct unit path once (cached across the batches of one import); the new ones
    are created set-based, level by level (`org_units_get_or_create_by_paths`)."""
    missing = sorted(set(paths) - units.keys())
    if missing:
        units.update(org_units_get_or_create_by_paths(paths=missing, created=created))


def _row_differences(row: RosterRow, profile: CadreProfile, *, same_unit: bool) -> tuple[bool, bool]:
    """Whether the row changes its cadre's account (name, email) and profile (unit, rank, position, 主要负责人,
    phone). An empty email in the row keeps the account's."""
    user = profile.user
    account = (user.name, user.email) != (row.name, row.email or user.email)
    details = (int(row.rank), row.position, row.is_principal, row.phone)
    return account, not same_unit or details != (profile.rank, profile.position, profile.is_principal, profile.phone)


def _rows_to_write(*, rows: list[RosterRow], profiles: dict[str, CadreProfile], cadre_group: Group) -> list[RosterRow]:
    """The rows a batched import has to write: new cadres, changed ones and cadres without the 学员 role.
    `profiles` come from the whole file's check (with their users and units): the rest of a province's
    re-import already matches the database and is left alone."""
    Through = User.groups.through
    holders: set[int] = set()
    for chunk in _chunks([p.user_id for p in profiles.values()], 5000):
        holders.update(
            Through.objects.filter(group_id=cadre_group.pk, user_id__in=chunk).values_list("user_id", flat=True)
        )
    todo = []
    for row in rows:
        profile = profiles.get(row.employee_no)
        if (
            profile is None
            or profile.user_id not in holders
            or any(_row_differences(row, profile, same_unit=row.unit_path == profile.org_unit.full_path))
        ):
            todo.append(row)
    return todo


def _roster_write(
    *,
    rows: list[RosterRow],
    profiles: dict[str, CadreProfile],
    password_hash: str | None,
    result: RosterResult,
    units: dict[str, OrgUnit],
    cadre_group: Group,
    actor: User | None = None,
) -> None:
    """Write one checked batch set-based: units resolved once, new accounts, their role and profiles
    with bulk_create, changed ones with bulk_update, the role grants' audit entries in bulk, then one
    `cadres_changed` signal (enrolments and report counters follow for the whole batch at once)."""
    from accounts.signals import cadres_changed
    from audit.models import Action
    from audit.services import audit_record_many
    from core import cache

    _roster_units(paths=[r.unit_path for r in rows], units=units, created=result.units_created)
    now = timezone.now()
    Through = User.groups.through
    grants: list[tuple[User, str, list[str]]] = []  # (user, unit path, roles now)

    new_rows = [r for r in rows if r.employee_no not in profiles]
    new_users = []
    for row in new_rows:
        user = User(username=row.employee_no, name=row.name, email=row.email, date_joined=now)
        if password_hash:
            # hashed once per import, not once per account; changed at first sign-in
            user.password, user.password_changed_at, user.must_change_password = password_hash, now, True
        else:
            user.set_unusable_password()
        new_users.append(user)
    User.objects.bulk_create(new_users, batch_size=ROSTER_CHUNK)
    Through.objects.bulk_create(
        [Through(user_id=u.pk, group_id=cadre_group.pk) for u in new_users], batch_size=ROSTER_CHUNK
    )
    CadreProfile.objects.bulk_create(
        [
            CadreProfile(
                user=user,
                org_unit=units[row.unit_path],
                employee_no=row.employee_no,
                rank=row.rank,
                position=row.position,
                is_principal=row.is_principal,
                phone=row.phone,
            )
            for row, user in zip(new_rows, new_users, strict=True)
        ],
        batch_size=ROSTER_CHUNK,
    )
    grants += [(u, row.unit_path, [roles.CADRE]) for row, u in zip(new_rows, new_users, strict=True)]
    result.created += len(new_users)

    changed_users, changed_profiles, changed_ids, existing = [], [], set(), []
    for row in rows:
        profile = profiles.get(row.employee_no)
        if profile is None:
            continue
        existing.append((row, profile))
        user, unit = profile.user, units[row.unit_path]
        account_differs, profile_differs = _row_differences(row, profile, same_unit=unit.pk == profile.org_unit_id)
        changed = False
        if account_differs:
            user.name, user.email = row.name, row.email or user.email
            changed_users.append(user)
            changed = True
        if profile_differs:
            profile.org_unit, profile.rank, profile.position, profile.is_principal, profile.phone = (
                unit,
                row.rank,
                row.position,
                row.is_principal,
                row.phone,
            )
            changed_profiles.append(profile)
            changed = True
        if changed:
            changed_ids.add(user.pk)
            result.updated += 1
        else:
            result.unchanged += 1
    User.objects.bulk_update(changed_users, ["name", "email"], batch_size=ROSTER_CHUNK)
    CadreProfile.objects.bulk_update(
        changed_profiles, ["org_unit", "rank", "position", "is_principal", "phone"], batch_size=ROSTER_CHUNK
    )
    # Existing cadres without the 学员 role get it (one query to find them). 学员 is none of the
    # separated administrator roles, so adding it never breaks 三员分立.
    by_id = {p.user_id: (row, p) for row, p in existing}
    held: dict[int, list[str]] = {}
    for chunk in _chunks(list(by_id)):
        for uid, name in Through.objects.filter(user_id__in=chunk).values_list("user_id", "group__name"):
            held.setdefault(uid, []).append(name)
    lacking = [uid for uid in by_id if roles.CADRE not in held.get(uid, [])]
    Through.objects.bulk_create(
        [Through(user_id=uid, group_id=cadre_group.pk) for uid in lacking], batch_size=ROSTER_CHUNK
    )
    for uid in lacking:
        row, profile = by_id[uid]
        grants.append((profile.user, row.unit_path, sorted([*held.get(uid, []), roles.CADRE])))
    # One entry per role grant, as a single grant in the admin writes (audit.signals), in bulk.
    audit_record_many(
        entries=[
            {
                "action": Action.ROLE_CHANGE,
                "target": user,
                "unit_path": unit_path,
                "detail": {"change": "add", "roles": [roles.CADRE], "now": now_roles},
            }
            for user, unit_path, now_roles in grants
        ],
        actor=actor,
    )
    touched = sorted({u.pk for u in new_users} | changed_ids | set(lacking))
    if touched:
        # The cached pages of people who changed; new accounts have none yet.
        cache.bump_users(sorted(changed_ids | set(lacking)))
        cadres_changed.send(sender=CadreProfile, user_ids=touched)


def roster_import(
    *,
    rows: list[RosterRow],
    initial_password: str | None = None,
    password_hash: str | None = None,
    actor: User | None = None,
    batch_size: int | None = None,
    progress=None,
) -> RosterResult:
    """Create or update cadres by employee number.

    Every row is checked first (`roster_check`): one refused row and nothing is written. Then the
    rows are written in one transaction, or, with `batch_size`, in transactions of that many rows
    so a long import never holds the database's write lock for long (SQLite); `progress(done,
    total)` is called after each batch. New users get `initial_password`, or an unusable one.
    """

    if initial_password and not password_hash:
        password_hash = _initial_password_hash(initial_password)
    result = RosterResult()
    units: dict[str, OrgUnit] = {}
    # roles_ensure (after every migrate) made the group; it is a hundred queries, so only when missing.
    cadre_group = Group.objects.filter(name=roles.CADRE).first() or roles_ensure()[roles.CADRE]
    write = {"password_hash": password_hash, "result": result, "units": units, "cadre_group": cadre_group}
    with transaction.atomic():
        profiles = roster_check(rows=rows, actor=actor)
        if not batch_size:
            _roster_write(rows=rows, profiles=profiles, actor=actor, **write)
    if batch_size:
        from core.rows import StatisticsKeeper

        # The tables a province's roster grows, whose lookups the later batches plan from statistics.
        statistics = StatisticsKeeper(
            User, User.groups.through, CadreProfile, OrgUnit, size=CadreProfile.objects.count()
        )
        # Rows that matched their cadre at the check are not written again (a cadre changed since then
        # keeps the newer change): re-importing a province's roster writes only what the file changes.
        todo = _rows_to_write(rows=rows, profiles=profiles, cadre_group=cadre_group)
        skipped = len(rows) - len(todo)
        result.unchanged += skipped
        if progress is not None and skipped:
            progress(skipped, len(rows))
        for start in range(0, len(todo), batch_size):
            batch = todo[start : start + batch_size]
            created = result.created
            with transaction.atomic():
                # Re-check this batch inside its own transaction: the database may have moved on.
                profiles = roster_check(rows=batch, actor=actor)
                _roster_write(rows=batch, profiles=profiles, actor=actor, **write)
            statistics.grew(result.created - created)
            if progress is not None:
                progress(skipped + start + len(batch), len(rows))
    logger.info(
        "roster import: %d created, %d updated, %d units created",
        result.created,
        result.updated,
        len(result.units_created),
    )
    return result


def roster_import_file(
    *,
    data: bytes,
    filename: str,
    initial_password: str | None = None,
    password_hash: str | None = None,
    actor: User | None = None,
    batch_size: int | None = None,
    progress=None,
) -> RosterResult:
    from django.conf import settings

    rows = roster_parse(data=data, filename=filename, max_rows=settings.ROSTER_MAX_ROWS)
    return roster_import(
        rows=rows,
        initial_password=initial_password,
        password_hash=password_hash,
        actor=actor,
        batch_size=batch_size,
        progress=progress,
    )


# ---------------------------------------------------------------- roster import in the background


def roster_upload(*, user: User, data: bytes, filename: str, initial_password: str | None = None):
    """The upload page's door: a short roster is written now (RosterResult); a long one is checked
    now and written by the task worker (RosterImportJob). RosterError either way when a row is refused."""
    from django.conf import settings

    rows = roster_parse(data=data, filename=filename, max_rows=settings.ROSTER_MAX_ROWS)
    if len(rows) <= settings.ROSTER_BACKGROUND_ROWS:
        return roster_import(rows=rows, initial_password=initial_password, actor=user)
    return roster_job_create(user=user, data=data, filename=filename, initial_password=initial_password)


def roster_job_create(*, user: User, data: bytes, filename: str, initial_password: str | None = None):
    """Check the whole file now (reads only: RosterError with row numbers, nothing written) and queue
    the writing for the task worker. Returns the RosterImportJob."""
    from django.conf import settings

    from accounts.models import RosterImportJob
    from accounts.tasks import run_roster_import

    rows = roster_parse(data=data, filename=filename, max_rows=settings.ROSTER_MAX_ROWS)
    roster_check(rows=rows, actor=user)
    job = RosterImportJob.objects.create(
        user=user,
        filename=filename[:255],
        data=data,
        password_hash=_initial_password_hash(initial_password) or "",
        total=len(rows),
    )
    transaction.on_commit(lambda: run_roster_import.enqueue(job.pk))
    return job


def roster_job_run(*, job_id: int):
    """The worker's side: write the rows in transactions of settings.ROSTER_IMPORT_BATCH_SIZE, recording progress."""
    from django.conf import settings
    from django.utils import timezone

    from accounts.models import RosterImportJob

    job = RosterImportJob.objects.select_related("user").get(pk=job_id)
    if job.status != RosterImportJob.Status.PENDING:
        return job
    RosterImportJob.objects.filter(pk=job.pk).update(status=RosterImportJob.Status.RUNNING)

    def progress(done: int, total: int) -> None:
        RosterImportJob.objects.filter(pk=job.pk).update(done=done, total=total)

    status, errors, summary = RosterImportJob.Status.DONE, [], ""
    try:
        result = roster_import_file(
            data=bytes(job.data),
            filename=job.filename,
            password_hash=job.password_hash or None,
            actor=job.user,
            batch_size=settings.ROSTER_IMPORT_BATCH_SIZE,
            progress=progress,
        )
        summary = result.summary
        if result.units_created:
            summary += _("新建单位：") + "、".join(result.units_created)
    except RosterError as exc:
        status, errors = RosterImportJob.Status.FAILED, [[row, str(msg)] for row, msg in exc.errors]
    except Exception:
        logger.exception("roster import job %s failed", job.pk)
        status, errors = (
            RosterImportJob.Status.FAILED,
            [[0, _("导入中断，已写入的批次保留；请重新上传同一文件以继续。")]],
        )
    RosterImportJob.objects.filter(pk=job.pk).update(
        status=status, errors=errors, summary=summary, data=b"", password_hash="", finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job
