"""/openapi.json is valid OpenAPI 3.1 and describes exactly what the server does.

Three checks: the document's structure; its operations equal the app's route table; every
documented status (500 aside, which no correct request can provoke) is produced by a request
below, and nothing else is. conftest's session teardown adds the fourth: every status any test
saw from the clean server is documented for that operation.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from fixtures.reference_server.app import ROUTES
from fixtures.reference_server.connection import MAX_HEADER_FIELDS

from .helpers import (
    CUSTOMER_ADD,
    CUSTOMER_GET,
    ORG_FILE,
    ROOT,
    TILLS,
    TOKEN_HEADER,
    TOKEN_PATH,
    TRANSACTION_ADD,
    TRANSACTION_GET,
    await_ready,
    basic_header,
    credentials,
    customer_body,
    launch,
    mint,
    start_server,
    transaction_body,
)

METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
PATH_ITEM_FIELDS = METHODS | {"summary", "description", "servers", "parameters", "$ref"}


@pytest.fixture(scope="module")
def document(client: httpx.Client) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    doc: dict[str, Any] = response.json()
    return doc


def documented_statuses(doc: dict[str, Any]) -> dict[tuple[str, str], set[int]]:
    return {(method.upper(), path): {int(code) for code in op["responses"]}
            for path, item in doc["paths"].items() for method, op in item.items() if method in METHODS}


def _resolve(doc: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = doc
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def _walk(node: Any) -> Any:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_document_has_a_valid_openapi_31_structure(document: dict[str, Any]) -> None:
    assert re.fullmatch(r"3\.1\.\d+", document["openapi"])
    assert isinstance(document["info"]["title"], str)
    assert isinstance(document["info"]["version"], str)
    schemes = document["components"]["securitySchemes"]
    operation_ids = []
    for path, item in document["paths"].items():
        assert path.startswith("/")
        assert all(key in PATH_ITEM_FIELDS or key.startswith("x-") for key in item), path
        for method, op in item.items():
            if method not in METHODS:
                continue
            operation_ids.append(op["operationId"])
            assert op["responses"], (method, path)
            for code, response in op["responses"].items():
                assert re.fullmatch(r"[1-5]\d\d", code), code
                assert response["description"]
                assert "application/json" in response["content"]
                assert "X-Cap-Requestid" in response["headers"]
            for parameter in op.get("parameters", []):
                assert parameter["in"] in {"query", "header", "path", "cookie"}
                assert parameter["name"] and "schema" in parameter
                assert parameter["name"].lower() not in {"accept", "content-type", "authorization"}
            for requirement in op.get("security", []):
                assert set(requirement) <= set(schemes)
            if "requestBody" in op:
                assert "application/json" in op["requestBody"]["content"]
    assert len(operation_ids) == len(set(operation_ids)), "operationIds must be unique"
    for node in _walk(document):
        if "$ref" in node:
            assert _resolve(document, node["$ref"]) is not None


def test_document_lists_exactly_the_routes_the_app_serves(document: dict[str, Any]) -> None:
    served = {(method, path) for path, route in ROUTES.items() for method in route.methods}
    assert set(documented_statuses(document)) == served
    for path, route in ROUTES.items():
        assert document["paths"][path]["x-other-methods"] == {"status": 405, "allow": list(route.methods)}


Call = Callable[[httpx.Client, httpx.Client], httpx.Response]


@pytest.fixture(scope="module")
def write_only_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """A server whose report_reader may only write customers: the shipped org file has no client
    without customer read, so customer/get's 403 needs its own org file."""
    text = (ROOT / ORG_FILE).read_text().replace(
        'permissions = { customer = "read", transaction = "none" }',
        'permissions = { customer = "write", transaction = "none" }',
    ).replace('signing_key = "keys/', f'signing_key = "{ROOT}/fixtures/data/keys/')
    path = tmp_path_factory.mktemp("orgs") / "orgs.toml"
    path.write_text(text)
    server = start_server(org=str(path))
    with httpx.Client(base_url=server.base_url, timeout=10) as http:
        yield http
    assert server.stop() == 0


def _with(client_name: str | None = "pos_gateway") -> dict[str, str]:
    return {TOKEN_HEADER: mint(client_name)} if client_name else {}


def _expired() -> dict[str, str]:
    now = int(time.time())
    return {TOKEN_HEADER: mint(iat=now - 100, exp=now - 10)}


BIG = b'{"x": "' + b"y" * 70_000 + b'"}'
PADDING = {f"X-Pad-{i}": "1" for i in range(MAX_HEADER_FIELDS + 1)}  # one field over the limit: 431


def _head_too_large(method: str, path: str) -> Call:
    return lambda c, w: c.request(method, path, headers=PADDING)


PRODUCERS: dict[tuple[str, str], dict[int, Call]] = {
    ("POST", TOKEN_PATH): {
        200: lambda c, w: c.post(TOKEN_PATH, json=credentials("pos_gateway")),
        400: lambda c, w: c.post(TOKEN_PATH, content=b"[]"),
        401: lambda c, w: c.post(TOKEN_PATH, json={"key": "nope", "secret": "nope"}),
        413: lambda c, w: c.post(TOKEN_PATH, content=BIG),
        431: _head_too_large("POST", TOKEN_PATH),
    },
    ("GET", "/.well-known/jwks.json"): {
        200: lambda c, w: c.get("/.well-known/jwks.json"),
        431: _head_too_large("GET", "/.well-known/jwks.json"),
    },
    ("GET", "/openapi.json"): {
        200: lambda c, w: c.get("/openapi.json"),
        431: _head_too_large("GET", "/openapi.json"),
    },
    ("POST", CUSTOMER_ADD): {
        200: lambda c, w: c.post(CUSTOMER_ADD, json=customer_body("1"), headers=_with()),
        400: lambda c, w: c.post(CUSTOMER_ADD, content=b"{}", headers=_with()),
        401: lambda c, w: c.post(CUSTOMER_ADD, json=customer_body("1"), headers=_with(None)),
        403: lambda c, w: c.post(CUSTOMER_ADD, json=customer_body("1"), headers=_with("report_reader")),
        413: lambda c, w: c.post(CUSTOMER_ADD, content=BIG, headers=_with()),
        431: _head_too_large("POST", CUSTOMER_ADD),
        498: lambda c, w: c.post(CUSTOMER_ADD, json=customer_body("1"), headers=_expired()),
        503: lambda c, w: c.post(CUSTOMER_ADD, json=customer_body("1"), headers=_with("authz_outage")),
    },
    ("GET", CUSTOMER_GET): {
        200: lambda c, w: c.get(CUSTOMER_GET, params={"mobile": "1"}, headers=_with()),
        400: lambda c, w: c.get(CUSTOMER_GET, headers=_with()),
        401: lambda c, w: c.get(CUSTOMER_GET, params={"mobile": "1"},
                                headers={"Authorization": basic_header("store.server", "wrong")}),
        403: lambda c, w: w.get(CUSTOMER_GET, params={"mobile": "1"}, headers=_with("report_reader")),
        431: _head_too_large("GET", CUSTOMER_GET),
        498: lambda c, w: c.get(CUSTOMER_GET, params={"mobile": "1"}, headers=_expired()),
        503: lambda c, w: c.get(CUSTOMER_GET, params={"mobile": "1"}, headers=_with("authz_outage")),
    },
    ("POST", TRANSACTION_ADD): {
        200: lambda c, w: c.post(TRANSACTION_ADD, json=transaction_body("openapi-1"), headers=_with()),
        400: lambda c, w: c.post(TRANSACTION_ADD, content=b"nope", headers=_with()),
        401: lambda c, w: c.post(TRANSACTION_ADD, json=transaction_body("x"), headers=_with(None)),
        403: lambda c, w: c.post(TRANSACTION_ADD, json=transaction_body("x"), headers=_with("report_reader")),
        413: lambda c, w: c.post(TRANSACTION_ADD, content=BIG, headers=_with()),
        431: _head_too_large("POST", TRANSACTION_ADD),
        498: lambda c, w: c.post(TRANSACTION_ADD, json=transaction_body("x"), headers=_expired()),
        503: lambda c, w: c.post(TRANSACTION_ADD, json=transaction_body("x"), headers=_with("authz_outage")),
    },
    ("GET", TRANSACTION_GET): {
        200: lambda c, w: c.get(TRANSACTION_GET, params={"number": "x"}, headers=_with()),
        400: lambda c, w: c.get(TRANSACTION_GET, headers=_with()),
        401: lambda c, w: c.get(TRANSACTION_GET, params={"number": "x"}, headers=_with(None)),
        403: lambda c, w: c.get(TRANSACTION_GET, params={"number": "x"}, headers=_with("fallback_pos")),
        431: _head_too_large("GET", TRANSACTION_GET),
        498: lambda c, w: c.get(TRANSACTION_GET, params={"number": "x"}, headers=_expired()),
        503: lambda c, w: c.get(TRANSACTION_GET, params={"number": "x"}, headers=_with("authz_outage")),
    },
}


def test_every_documented_status_is_produced_and_nothing_else(
    client: httpx.Client, write_only_client: httpx.Client, document: dict[str, Any]
) -> None:
    documented = documented_statuses(document)
    assert set(PRODUCERS) == set(documented)
    for operation, producers in PRODUCERS.items():
        # 429 needs a rate-limited server: test_every_documented_429_is_produced_when_rate_limited.
        assert set(producers) == documented[operation] - {500, 429}, operation
        for status, produce in producers.items():
            assert produce(client, write_only_client).status_code == status, (operation, status)


@pytest.mark.parametrize(("path", "route"), ROUTES.items(), ids=ROUTES.keys())
def test_other_methods_answer_the_documented_405(client: httpx.Client, document: dict[str, Any], path: str,
                                                 route: Any) -> None:
    response = client.request("PUT", path)
    assert response.status_code == document["paths"][path]["x-other-methods"]["status"]
    assert response.headers["allow"] == ", ".join(document["paths"][path]["x-other-methods"]["allow"])


@pytest.fixture(scope="module")
def limited_client() -> Iterator[httpx.Client]:
    """A server started with a limit of one request per key per minute."""
    server = await_ready(launch(args=("--rate-limit-per-minute", "1")))
    with httpx.Client(base_url=server.base_url, timeout=10) as http:
        yield http
    assert server.stop() == 0


def test_every_documented_429_is_produced_when_rate_limited(limited_client: httpx.Client,
                                                            document: dict[str, Any]) -> None:
    """Each operation documenting a 429 gets it, in its own envelope, on the key's second request."""
    limited = {operation for operation, statuses in documented_statuses(document).items() if 429 in statuses}
    assert limited == {op for op in PRODUCERS if op[1] not in ("/.well-known/jwks.json", "/openapi.json")}
    # Each resource operation its own key's minute: a basic-auth till, or a client's suite-minted
    # token (it names the client without spending a token request); the token endpoint a client key.
    callers = iter([*({"Authorization": basic_header(code, TILLS[code]["password"])}
                      for code in ("store.server", "blr.koramangala.till001", "blr.indiranagar.till002")),
                    {TOKEN_HEADER: mint("pos_gateway")}])
    for index, (method, path) in enumerate(sorted(limited)):
        if path == TOKEN_PATH:
            answers = [limited_client.post(TOKEN_PATH, json=credentials("fallback_pos")) for _ in range(2)]
        else:
            headers = next(callers)
            body = customer_body("1") if "customer" in path else transaction_body(f"limited-{index}")
            answers = [limited_client.request(method, path, headers=headers, params={"mobile": "1", "number": "x"},
                                              json=body if method == "POST" else None) for _ in range(2)]
        assert answers[0].status_code != 429, (method, path, "the key's first request", answers[0].text)
        assert answers[-1].status_code == 429, (method, path, answers[-1].text)
        assert int(answers[-1].headers["Retry-After"]) >= 1
        code = answers[-1].json()
        found = code["errors"][0]["code"] if "errors" in code else code["response"]["status"]["code"]
        assert found == 517
