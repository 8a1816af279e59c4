"""Fuzzing the hub from its own OpenAPI description (real PostgreSQL): no input makes it answer 5xx.

For every operation, hypothesis draws query parameters and bodies from the published JSON schema
(mostly valid, sometimes anything at all) and sends them unsigned, signed by an enrolled device, or
with garbled signature headers. Every answer must be a 2xx or a 4xx with ``{"error", "detail"}``.
"""
from __future__ import annotations

import base64
import json
import string
from datetime import UTC
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from counterdesk.hub import tsa
from counterdesk.protocol.signing import sign_request

EXAMPLES_PER_OPERATION = 60
SENT: list[int] = []  # status of every fuzzed request, across operations
JSON_LEAVES = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
ANY_JSON = st.recursive(JSON_LEAVES, lambda inner: st.lists(inner, max_size=4)
                        | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=12)


def from_schema(schema: dict, spec: dict, depth: int = 0) -> st.SearchStrategy:
    """A strategy for (mostly) valid instances of a JSON schema of the OpenAPI document."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return from_schema(spec["components"]["schemas"][name], spec, depth)
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return st.one_of([from_schema(s, spec, depth) for s in schema[key]])
    kind = schema.get("type")
    if kind == "string":
        return _string(schema)
    if kind == "integer":
        low = schema.get("minimum", schema.get("exclusiveMinimum", -2 ** 70))
        high = schema.get("maximum", schema.get("exclusiveMaximum", 2 ** 70 + 1) - 1)
        return st.integers(low, high) | st.sampled_from([low, high])
    if kind == "number":
        return st.floats(allow_nan=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        items = from_schema(schema.get("items", {}), spec, depth + 1)
        return st.lists(items, max_size=min(schema.get("maxItems", 4), 4))
    if kind == "object" or "properties" in schema:
        return _object(schema, spec, depth)
    return ANY_JSON


def _string(schema: dict) -> st.SearchStrategy:
    if schema.get("contentEncoding") == "base64":
        low, high = schema.get("minLength", 0) * 3 // 4, schema.get("maxLength", 160) * 3 // 4
        return st.binary(min_size=low, max_size=max(low, min(high, 120))).map(lambda b: base64.b64encode(b).decode())
    if schema.get("format") == "uuid":
        return st.uuids().map(str)
    if schema.get("format") == "date-time":
        return st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat())
    if "examples" in schema:
        return st.sampled_from(schema["examples"]) | st.text(min_size=1, max_size=20)
    if "pattern" in schema:
        return st.from_regex(schema["pattern"], fullmatch=True).filter(
            lambda s: len(s) <= schema.get("maxLength", 10 ** 6))
    return st.text(min_size=schema.get("minLength", 0), max_size=min(schema.get("maxLength", 40), 40))


def _object(schema: dict, spec: dict, depth: int) -> st.SearchStrategy:
    props = schema.get("properties", {})
    required = set(schema.get("required", []))
    fixed = {k: from_schema(v, spec, depth + 1) for k, v in props.items() if k in required}
    optional = {k: from_schema(v, spec, depth + 1) for k, v in props.items() if k not in required}
    extra = st.just({})
    patterns = schema.get("patternProperties") or {}
    if patterns:
        pattern, value_schema = next(iter(patterns.items()))
        keys = st.from_regex(pattern, fullmatch=True).filter(lambda s: len(s) <= 64)
        extra = st.dictionaries(keys, from_schema(value_schema, spec, depth + 1),
                                max_size=min(schema.get("maxProperties", 4), 4))
    elif isinstance(schema.get("additionalProperties"), dict):
        extra = st.dictionaries(st.text(max_size=10), from_schema(schema["additionalProperties"], spec, depth + 1),
                                max_size=3)
    return st.builds(lambda a, b, c: {**c, **a, **b}, st.fixed_dictionaries(fixed, optional=optional), st.just({}),
                     extra)


def _operations(app) -> list[tuple[str, str, dict]]:
    spec = app.openapi()
    return [(method.upper(), path, op) for path, item in spec["paths"].items() for method, op in item.items()]


@pytest.fixture(scope="module")
def spec(hub):
    return hub.app.openapi()


@pytest.fixture(scope="module")
def fuzz_device(hub, tmp_path_factory):
    # The hub serves a time-stamping authority as head office runs it (without one it answers 503 by design).
    out = tmp_path_factory.mktemp("tsa")
    tsa.create_tsa(out)
    tsa.configure(hub.app, tsa.load_tsa(out))
    _branch, device = hub.new_branch_with_device()
    hub.push(device, [device.record() for _ in range(3)])  # something to pull and wait for
    return device


def _request_strategy(method: str, path: str, op: dict, spec: dict) -> st.SearchStrategy:
    params = {}
    for p in op.get("parameters", []):
        if p.get("in") != "query":
            continue
        valid = from_schema(p["schema"], spec)
        junk = st.text(string.printable, max_size=12) | st.integers(-2 ** 70, 2 ** 70)
        if path == "/v1/wait" and p["name"] == "timeout":
            # Keep the long poll short: no junk that reads as a valid timeout of 1 s or more.
            valid = st.just(0)
            junk = (st.text(string.ascii_letters + string.punctuation + " ", max_size=12)
                    | st.integers(-2 ** 70, 0) | st.integers(31, 2 ** 70))
        params[p["name"]] = valid | junk
    # An omitted timeout means the default 25 s: the fuzz always sends one. Required parameters are
    # always sent too (valid or junk), or the valid part of an operation with several would hardly be drawn.
    required = {p["name"] for p in op.get("parameters", []) if p.get("in") == "query" and p.get("required")}
    if path == "/v1/wait":
        required.add("timeout")
    always = {name: params.pop(name) for name in sorted(required)}
    query = st.fixed_dictionaries(always, optional=params)
    body = st.none()
    content = (op.get("requestBody") or {}).get("content", {}).get("application/json")
    if content:
        body = from_schema(content["schema"], spec) | ANY_JSON | st.binary(max_size=40)
    auth = st.sampled_from(["signed", "signed", "unsigned", "garbled"])
    return st.tuples(query, body, auth)


def _send(hub, device, method, path, query, body, auth):
    qs = urlencode(query)
    if isinstance(body, bytes):
        content = body
    elif body is None:
        content = b""
    else:
        content = json.dumps(body, ensure_ascii=False).encode("utf-8")
    headers = {"content-type": "application/json"} if content else {}
    if auth == "signed":
        headers.update(sign_request(device.key, method, path, qs, content, device_id=device.id))
    elif auth == "garbled":
        headers.update({"X-CD-Device": device.id, "X-CD-Timestamp": "1e9", "X-CD-Nonce": "x" * 32,
                        "X-CD-Signature": "%%%"})
    return hub.request(method, f"{path}?{qs}" if qs else path, content=content or None, headers=headers)


OPERATIONS = [("POST", "/v1/enrol"), ("POST", "/v1/enrol-codes"), ("POST", "/v1/push"), ("GET", "/v1/pull"),
              ("GET", "/v1/wait"), ("GET", "/v1/master"), ("GET", "/v1/health"), ("POST", "/v1/checkpoints"),
              ("GET", "/v1/checkpoints"), ("GET", "/v1/checkpoints/heads"), ("GET", "/v1/checkpoints/entries"),
              ("POST", "/v1/tsa"), ("GET", "/v1/customer-records")]
# Operations whose valid part a fuzzer cannot reach: enrolment codes are 128-bit secrets, a checkpoint
# must carry a signature by the device's key over the hashes of the device's own chains, and a
# time-stamp request is DER, not the JSON the fuzzer draws.
UNREACHABLE_2XX = {"/v1/enrol", "/v1/checkpoints", "/v1/tsa"}


def test_the_fuzzed_operations_are_all_that_the_description_lists(hub):
    assert sorted((m, p) for m, p, _ in _operations(hub.app)) == sorted(OPERATIONS)


@pytest.mark.parametrize("method,path", OPERATIONS)
def test_no_input_gives_a_server_error(hub, spec, fuzz_device, method, path):
    op = spec["paths"][path][method.lower()]
    seen: dict[int, int] = {}

    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                     HealthCheck.function_scoped_fixture])
    @given(_request_strategy(method, path, op, spec))
    def check(request):
        query, body, auth = request
        res = _send(hub, fuzz_device, method, path, query, body, auth)
        seen[res.status_code] = seen.get(res.status_code, 0) + 1
        SENT.append(res.status_code)
        assert res.status_code < 500, (res.status_code, res.text)
        assert "X-CD-Server-Time" in res.headers
        if res.status_code >= 400:
            assert set(res.json()) == {"error", "detail"}, res.text

    check()
    if not (method == "POST" and path in UNREACHABLE_2XX):
        assert any(200 <= code < 300 for code in seen), seen  # the valid part of the space is reached


def test_at_least_200_requests_were_fuzzed():
    """Runs after the parametrized fuzz above (pytest keeps file order)."""
    assert len(SENT) >= 200, len(SENT)
    assert max(SENT) < 500
