"""The authorisation matrix: who may reach which URL, written down cell by cell.

A `Row` is one URL (or API endpoint) with the outcome expected for every role; the test
logs in as each role in turn and compares. To cover a new feature, add rows to
`tests/security/test_authz_matrix.py` (or a `ROWS` list in a new `test_authz_<app>.py`
calling `check_row`). URLs are templates filled from the `world`: `{cadre_profile}` is the
profile id of the cadre in unit A, `{other_profile}` that of the cadre in unit B, and so on;
add keys to `World` as features add objects (attempts, certificates...) and swap them
between users to prove object-level checks. Form data values are templates too.

Each role's request runs in a rolled-back savepoint, so every role meets the same data. For a
state-changing row, `probe` names a snapshot function in `World.probes`; any role not listed in
`changes` must leave the snapshot as it was (a refused POST, or an accepted one aimed at someone
else's object, changes nothing). tests/security/test_authz_coverage.py fails when a URL pattern,
API operation or page type of the project appears in no row (or in its commented allow-list).

Units: A = 某省/甲市/东山县/交通运输局 (trainer_in_scope looks after 某省/甲市),
B = 某省/乙市/南湖区/教育局 (trainer_out_of_scope looks after 某省/乙市).
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.test import Client

from accounts import factories, roles
from accounts.models import TrainingTargets

ROLES = (
    "anonymous",
    "cadre",
    "cadre_other_unit",
    "trainer_in_scope",
    "trainer_out_of_scope",
    "editor",
    "reviewer",
    "administrator",
    # 三员分立 (issue 19): 安全管理员 and 审计管理员; "administrator" is the 系统管理员.
    "security_administrator",
    "audit_administrator",
)

UNIT_A = "某省/甲市/东山县/交通运输局"
UNIT_B = "某省/乙市/南湖区/教育局"


@dataclass(frozen=True)
class Outcome:
    name: str
    matches: Callable

    def __repr__(self) -> str:
        return self.name


def _location(response) -> str:
    return response.get("Location", "")


OK = Outcome("OK", lambda r: r.status_code == 200)
CREATED = Outcome("CREATED", lambda r: r.status_code in (200, 201))
REDIRECT = Outcome("REDIRECT", lambda r: r.status_code in (302, 303) and "login" not in _location(r))
# Not signed in: a redirect to a login page (site or admin), or 401 from the API.
LOGIN = Outcome("LOGIN", lambda r: r.status_code == 401 or (r.status_code == 302 and "/login/" in _location(r)))
# Signed in without the right: 403, or the Wagtail admin's "no permission" redirect to its home.
FORBIDDEN = Outcome(
    "FORBIDDEN", lambda r: r.status_code == 403 or (r.status_code == 302 and _location(r).rstrip("/") == "/admin")
)
NOT_FOUND = Outcome("NOT_FOUND", lambda r: r.status_code == 404)
# Object-level refusal where either answer is right: it must not reveal the object.
DENIED = Outcome("DENIED", lambda r: FORBIDDEN.matches(r) or NOT_FOUND.matches(r))
METHOD_NOT_ALLOWED = Outcome("METHOD_NOT_ALLOWED", lambda r: r.status_code == 405)


def side(owner: str, trainer: str, *, others: Outcome = NOT_FOUND, **by_role: Outcome) -> dict[str, Outcome]:
    """A person's own object: the owner, the trainer whose scope holds them and administrators may see it;
    anonymous users are sent to log in; everyone else gets `others` (404 by default: not even revealed)."""
    return expect(others, anonymous=LOGIN, **{owner: OK, trainer: OK, "administrator": OK, **by_role})


def expect(default: Outcome, **by_role: Outcome) -> dict[str, Outcome]:
    """Outcome per role: `default` unless named, e.g. expect(FORBIDDEN, anonymous=LOGIN, administrator=OK)."""
    unknown = set(by_role) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    return {role: by_role.get(role, default) for role in ROLES}


@dataclass(frozen=True)
class Row:
    method: str
    url: str
    expected: dict[str, Outcome]
    data: dict | None = None
    content_type: str | None = None
    # Text (a template like the URL) that must not appear in the response for these roles:
    # proves a list page that answers 200 still hides other units' people.
    absent: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Text that must appear for these roles (the page really shows the thing).
    present: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # State-changing rows: `probe` names a function in `World.probes` returning a snapshot of the
    # data the request could change; only the roles in `changes` may change it (a refused request,
    # or an accepted one that must not reach someone else's data, leaves it as it was).
    probe: str | None = None
    changes: frozenset[str] = frozenset()

    @property
    def id(self) -> str:
        return f"{self.method} {self.url}"


@dataclass
class World:
    users: dict  # role -> User or None
    values: dict  # template key -> value
    probes: dict = field(default_factory=dict)  # name -> callable() returning a comparable snapshot

    def fill(self, template: str) -> str:
        return template.format(**self.values)


def build_world() -> World:
    # Names unlike any factory sequence name, so "absent" checks cannot match by accident.
    cadre = factories.cadre(unit=UNIT_A, employee_no="AUTHZ-A1", user__name="甲单位学员王东山")
    other = factories.cadre(unit=UNIT_B, employee_no="AUTHZ-B1", user__name="乙单位学员李南湖")
    users = {
        "anonymous": None,
        "cadre": cadre,
        "cadre_other_unit": other,
        "trainer_in_scope": factories.trainer("某省/甲市"),
        "trainer_out_of_scope": factories.trainer("某省/乙市"),
        "editor": factories.staff(roles.EDITOR),
        "reviewer": factories.staff(roles.REVIEWER),
        "administrator": factories.staff(roles.ADMINISTRATOR),
        "security_administrator": factories.staff(roles.SECURITY_ADMINISTRATOR),
        "audit_administrator": factories.staff(roles.AUDIT_ADMINISTRATOR),
    }
    a, b = cadre.cadre_profile, other.cadre_profile
    scope_in = users["trainer_in_scope"].trainer_scopes.get()
    values = {
        "cadre_user": cadre.pk,
        "cadre_name": cadre.name,
        "cadre_profile": a.pk,
        "cadre_employee_no": a.employee_no,
        "cadre_unit": a.org_unit_id,
        "other_user": other.pk,
        "other_name": other.name,
        "other_profile": b.pk,
        "other_employee_no": b.employee_no,
        "other_unit": b.org_unit_id,
        "trainer_scope": scope_in.pk,
        "training_targets": TrainingTargets.load().pk,
    }
    return World(users=users, values=values)


def _request(client: Client, row: Row, world: World):
    url = world.fill(row.url)
    method = getattr(client, row.method.lower())
    kwargs = {}
    if row.data is not None:
        # Form data values are templates too ({other_unit} ...); JSON bodies are sent as written.
        kwargs["data"] = (
            {k: world.fill(v) if isinstance(v, str) else v for k, v in row.data.items()}
            if isinstance(row.data, dict)
            else row.data
        )
        if row.content_type:
            kwargs["content_type"] = row.content_type
    return method(url, **kwargs)


def check_row(row: Row, world: World) -> None:
    """Request the row's URL as every role; fail with every mismatching cell listed.

    Each role's request runs in a savepoint that is rolled back afterwards, so every role meets
    the same data (a reflection accepted by one trainer is still waiting for the next).
    """
    problems = []
    for role in ROLES:
        with transaction.atomic():
            problems.extend(_check_cell(row, world, role))
            transaction.set_rollback(True)
    assert not problems, f"{row.id}:\n  " + "\n  ".join(problems)


def _check_cell(row: Row, world: World, role: str) -> list[str]:
    problems = []
    client = Client()
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    before = world.probes[row.probe]() if row.probe else None
    response = _request(client, row, world)
    if row.probe and role not in row.changes:
        after = world.probes[row.probe]()
        if after != before:
            problems.append(f"{role}: changed {row.probe} from {before!r} to {after!r} (leak)")
    expected = row.expected[role]
    if not expected.matches(response):
        problems.append(f"{role}: expected {expected}, got {response.status_code} {_location(response)}".rstrip())
        return problems
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    body = raw.decode("utf-8", errors="replace")
    if response.get("Content-Type", "").startswith("application/json") and body:
        body = json.dumps(json.loads(body), ensure_ascii=False)  # compare Chinese text, not \u escapes
    for text in row.absent.get(role, ()):
        if world.fill(text) in body:
            problems.append(f"{role}: response shows {world.fill(text)!r} (leak)")
    for text in row.present.get(role, ()):
        if world.fill(text) not in body:
            problems.append(f"{role}: response lacks {world.fill(text)!r}")
    return problems
