"""The OpenAPI document has an example call of every route, and the document is valid OpenAPI."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from pacbot.gateway.app import create_app, route_table
from pacbot.gateway.examples import EXAMPLES, EXPIRY_DAYS, add_examples, request_expiry
from pacbot.gateway.settings import GatewaySettings

BODY_METHODS = frozenset({"post", "put", "patch"})
NO_BODY = frozenset(
    {
        ("POST", "/api/v1/accounts/{account_id}/validate"),
        ("POST", "/api/v1/assets/reindex"),
        ("POST", "/api/v1/keys/{key_id}/rotate"),
        ("POST", "/api/v1/keys/{key_id}/revoke"),
    }
)
"""Writes that take no body; every other POST, PUT and PATCH must show the body it sends."""
OWN_MODELS = (
    ("GET", "/api/v1/me"),
    ("GET", "/api/v1/keys"),
    ("POST", "/api/v1/keys"),
    ("GET", "/api/v1/keys/{key_id}"),
    ("POST", "/api/v1/keys/{key_id}/rotate"),
    ("POST", "/api/v1/keys/{key_id}/revoke"),
    ("POST", "/api/v1/session"),
    ("GET", "/api/v1/audit"),
)
EXCEPTION_MAX_DAYS = 180  # the exceptions service's default longest lifetime


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    app = create_app(GatewaySettings(database_url="sqlite+aiosqlite:///:memory:", bus="memory"))
    document: dict[str, Any] = app.openapi()
    return document


def _has_example(media: dict[str, Any]) -> bool:
    return "example" in media or bool(media.get("examples"))


def missing_examples(spec: dict[str, Any]) -> list[str]:
    """What each /api/ operation lacks: one success status, its example, its body's example."""
    missing: list[str] = []
    for path, item in spec["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in item.items():
            name = f"{method.upper()} {path}"
            successes = [code for code in operation["responses"] if code.startswith("2")]
            if len(successes) != 1:
                missing.append(f"{name}: success statuses {successes}, expected one")
                continue
            content = operation["responses"][successes[0]].get("content", {})
            if successes[0] != "204" and not content:
                missing.append(f"{name}: no answer documented for {successes[0]}")
            missing += [
                f"{name}: no {successes[0]} {media_type} example"
                for media_type, media in content.items()
                if not _has_example(media)
            ]
            body = operation.get("requestBody")
            wants_body = method in BODY_METHODS and (method.upper(), path) not in NO_BODY
            if wants_body and body is None:
                missing.append(f"{name}: no request body documented")
            missing += [
                f"{name}: no request {media_type} example"
                for media_type, media in (body or {}).get("content", {}).items()
                if not _has_example(media)
            ]
            missing += [
                f"{name}: no example of path parameter {parameter['name']}"
                for parameter in operation.get("parameters", [])
                if parameter["in"] == "path" and "example" not in parameter
            ]
    return missing


def _schema_of(spec: dict[str, Any], media: dict[str, Any]) -> Draft202012Validator:
    """A validator of ``media``'s schema that resolves ``#/components/...`` in ``spec``."""
    root = {**media["schema"], "components": spec["components"]}
    return Draft202012Validator(root, format_checker=FormatChecker())


def test_every_operation_has_its_examples(spec: dict[str, Any]) -> None:
    assert missing_examples(spec) == []


def test_an_operation_without_an_example_is_named() -> None:
    app = create_app(GatewaySettings(database_url="sqlite+aiosqlite:///:memory:", bus="memory"))

    @app.post("/api/v1/undocumented")
    async def undocumented() -> dict[str, str]:
        return {}

    assert missing_examples(app.openapi()) == [
        "POST /api/v1/undocumented: no 200 application/json example",
        "POST /api/v1/undocumented: no request body documented",
    ]


def test_every_example_names_a_route_and_every_route_has_one(spec: dict[str, Any]) -> None:
    app = create_app(GatewaySettings(database_url="sqlite+aiosqlite:///:memory:", bus="memory"))
    assert set(EXAMPLES) == set(route_table(app))


def test_forwarded_answers_keep_their_real_status(spec: dict[str, Any]) -> None:
    paths = spec["paths"]
    assert next(iter(paths["/api/v1/accounts"]["post"]["responses"])) == "201"
    assert "200" not in paths["/api/v1/groups/{name}"]["delete"]["responses"]
    assert "content" not in paths["/api/v1/groups/{name}"]["delete"]["responses"]["204"]
    csv = paths["/api/v1/violations/export.csv"]["get"]["responses"]["200"]["content"]
    assert list(csv) == ["text/csv"]
    assert csv["text/csv"]["example"].startswith("violation_id,status,severity,")


def test_the_document_is_valid_openapi(spec: dict[str, Any]) -> None:
    try:
        from openapi_spec_validator import validate
    except ImportError:
        schemathesis = pytest.importorskip("schemathesis")
        loaded = schemathesis.openapi.from_dict(spec)
        assert all(result.ok() for result in loaded.get_all_operations())
    else:
        assert spec["openapi"].startswith("3.1")
        validate(spec)


def test_the_document_loads_in_schemathesis(spec: dict[str, Any]) -> None:
    schemathesis = pytest.importorskip("schemathesis")
    loaded = schemathesis.openapi.from_dict(copy.deepcopy(spec))
    operations = [result.ok() for result in loaded.get_all_operations()]
    assert len(operations) >= len(EXAMPLES)


@pytest.mark.parametrize(("method", "path"), OWN_MODELS)
def test_own_examples_fit_their_own_schemas(spec: dict[str, Any], method: str, path: str) -> None:
    operation = spec["paths"][path][method.lower()]
    status = EXAMPLES[(method, path)].status
    answer = operation["responses"][str(status)]["content"]["application/json"]
    assert "$ref" in answer["schema"], "the gateway's own answer keeps its generated schema"
    _schema_of(spec, answer).validate(answer["example"])
    if "requestBody" in operation:
        sent = operation["requestBody"]["content"]["application/json"]
        _schema_of(spec, sent).validate(sent["example"])


def test_an_example_that_breaks_its_schema_is_refused(spec: dict[str, Any]) -> None:
    answer = spec["paths"]["/api/v1/session"]["post"]["responses"]["200"]["content"]
    broken = {**answer["application/json"]["example"], "expires_at": "tomorrow"}
    assert not _schema_of(spec, answer["application/json"]).is_valid(broken)


def test_requested_exceptions_expire_within_what_the_service_allows(
    spec: dict[str, Any],
) -> None:
    today = datetime.now(UTC).date()
    for path in ("/api/v1/exceptions", "/api/v1/exceptions/preview"):
        body = spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]
        expires = datetime.fromisoformat(body["example"]["expires_at"])
        assert datetime.now(UTC) < expires <= datetime.now(UTC) + timedelta(EXCEPTION_MAX_DAYS)
    assert request_expiry(today).endswith("T00:00:00Z")


def test_examples_are_stable_and_never_shared(spec: dict[str, Any]) -> None:
    sent = spec["paths"]["/api/v1/exceptions"]["post"]["requestBody"]["content"]
    built_on = date.fromisoformat(sent["application/json"]["example"]["expires_at"][:10])
    again = copy.deepcopy(spec)
    add_examples(again, today=built_on - timedelta(days=EXPIRY_DAYS))
    assert again == spec
    path = "/api/v1/violations/{violation_id}"
    again["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["example"][
        "status"
    ] = "closed"
    assert EXAMPLES[("GET", path)].answer["status"] == "open"


def test_every_list_shows_the_one_paging_contract(spec: dict[str, Any]) -> None:
    lists = [
        (method, path, example)
        for (method, path), example in EXAMPLES.items()
        if method == "GET" and isinstance(example.answer, dict) and "items" in example.answer
    ]
    assert len(lists) >= 15
    for _method, path, example in lists:
        assert "next_cursor" in example.answer, path
        assert not {"offset", "size"} & set(example.query), path  # the deprecated names
        parameters = spec["paths"][path]["get"].get("parameters", [])
        assert {"limit", "cursor"} <= {p["name"] for p in parameters if p["in"] == "query"}, path
    assert EXAMPLES[("GET", "/api/v1/policies")].answer["total"] >= 1
    search = spec["paths"]["/api/v1/assets/search"]["get"]
    assert {p["name"]: p.get("example") for p in search["parameters"]}["limit"] == "20"
