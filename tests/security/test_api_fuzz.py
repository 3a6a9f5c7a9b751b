"""The whole ninja API fuzzed from its own OpenAPI document: no input gives a 5xx.

Each operation gets values generated from its schemas (a small JSON-schema strategy below; hypothesis-jsonschema 0.23.1 fails on this hypothesis), plus hostile ones:
ids far beyond 64 bits, wrong types, raw bytes under any content type (multipart without a
boundary included). Runs as a signed-in cadre and as a trainer, with some data in place.
"""

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts import factories as af

pytestmark = pytest.mark.django_db

EXAMPLES = 30
HUGE_IDS = st.sampled_from([0, -1, 2**63, 2**64 + 1, 2500603701383138324208262063249686528])
CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "multipart/form-data",
        "multipart/form-data; boundary=",
        "application/x-www-form-urlencoded",
        "text/plain",
        "application/json; charset=latin-1",
    ]
)


def _schema():
    from config.api import api

    return api.get_openapi_schema()


SCHEMA = None


def _operations():
    global SCHEMA
    SCHEMA = SCHEMA or _schema()
    ops = []
    for path, methods in SCHEMA["paths"].items():
        for method in methods:
            ops.append((method.upper(), path))
    return ops


def from_schema(schema: dict, depth: int = 0):
    """Values matching an OpenAPI/JSON schema (the subset ninja emits), sometimes just outside it."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return from_schema(SCHEMA["components"]["schemas"][name], depth + 1)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return st.one_of([from_schema(s, depth + 1) for s in schema[key]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "integer":
        lo, hi = schema.get("minimum"), schema.get("maximum")
        return st.one_of(st.integers(min_value=lo, max_value=hi), st.integers())
    if kind == "number":
        return st.one_of(st.floats(allow_nan=False), st.integers())
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array" and depth < 4:
        return st.lists(from_schema(schema.get("items", {}), depth + 1), max_size=4)
    if kind == "object" and depth < 4:
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        return st.fixed_dictionaries(
            {k: from_schema(v, depth + 1) for k, v in props.items() if k in required},
            optional={k: from_schema(v, depth + 1) for k, v in props.items() if k not in required},
        )
    return st.one_of(st.text(max_size=30), st.none(), st.integers())


def _param_strategy(param: dict):
    schema = param.get("schema", {})
    generated = from_schema(schema) if schema else st.none()
    if schema.get("type") == "integer":
        return st.one_of(generated, HUGE_IDS, st.text(max_size=8))
    return st.one_of(generated, st.text(max_size=20))


def _request_strategy(method: str, path: str):
    op = SCHEMA["paths"][path][method.lower()]
    params = op.get("parameters", [])
    path_params = {p["name"]: _param_strategy(p) for p in params if p["in"] == "path"}
    query_params = {p["name"]: st.one_of(st.none(), _param_strategy(p)) for p in params if p["in"] == "query"}
    body_schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    json_body = from_schema(body_schema).map(lambda v: json.dumps(v).encode()) if body_schema else st.just(b"")
    body = st.one_of(json_body, json_body, st.binary(max_size=64), st.just(b"username=a&password=b"))
    return st.fixed_dictionaries(
        {
            "path": st.fixed_dictionaries(path_params),
            "query": st.fixed_dictionaries(query_params),
            "body": body,
            "content_type": st.one_of(st.just("application/json"), CONTENT_TYPES),
        }
    )


@pytest.fixture
def users(db):
    cadre = af.cadre(unit="某省/甲市/东山县/局")
    return {"cadre": cadre, "trainer": af.trainer("某省/甲市"), "anonymous": None}


def _fuzz(method, path, users):
    strategy = _request_strategy(method, path)
    clients = {}
    for role, user in users.items():
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        clients[role] = client

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(request=strategy, role=st.sampled_from(sorted(clients)))
    def run(request, role):
        url = path
        for name, value in request["path"].items():
            url = url.replace("{" + name + "}", str(value).replace("/", "%2F").replace("?", "%3F").replace("#", "%23"))
        query = {k: v for k, v in request["query"].items() if v is not None}
        client = clients[role]
        if method == "GET":
            response = client.get(url, query)
        else:
            if query:
                from urllib.parse import urlencode

                url += "?" + urlencode(query)
            response = client.generic(method, url, request["body"], content_type=request["content_type"])
        assert response.status_code < 500, (method, url, request, response.status_code, response.content[:300])

    run()


@pytest.mark.django_db
def test_every_api_operation_answers_below_500(users):
    ops = _operations()
    assert len(ops) >= 10
    for method, path in ops:
        _fuzz(method, path, users)
