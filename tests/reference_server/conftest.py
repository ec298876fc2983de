"""Session fixtures: one clean reference server for the whole run, and clients for it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from fixtures.reference_server.app import ROUTES

from .helpers import CLIENTS, OBSERVED, TOKEN_PATH, ServerProcess, credentials, start_server


def _record(response: httpx.Response) -> None:
    OBSERVED.add((response.request.method, response.request.url.path, response.status_code))


@pytest.fixture(scope="session")
def server() -> Iterator[ServerProcess]:
    proc = start_server()
    yield proc
    _every_observed_status_is_documented(proc.base_url)
    status = proc.stop()
    assert status == 0, f"server exited {status}; stderr: {proc.stderr()[-2000:]}"
    assert proc.rest_of_stdout() == "", "the ready line must be the only stdout output"
    log = proc.stderr()
    assert "Traceback" not in log, log[-2000:]
    assert "internal error" not in log, log[-2000:]
    for client in CLIENTS.values():
        assert client["secret"] not in log, "a client secret reached the log"
    assert "eyJ" not in log, "something token-shaped reached the log"


def _every_observed_status_is_documented(base_url: str) -> None:
    """The OpenAPI document's promise, checked against everything the whole run saw."""
    document = httpx.get(base_url + "/openapi.json").json()
    undocumented = set()
    for method, path, status in OBSERVED:
        route = ROUTES.get(path)
        if route is None:
            expected = {404}
        elif method not in route.methods:
            expected = {document["paths"][path]["x-other-methods"]["status"]}
        else:
            expected = {int(code) for code in document["paths"][path][method.lower()]["responses"]}
        if status not in expected:
            undocumented.add((method, path, status))
    assert not undocumented, f"statuses seen but not in /openapi.json: {sorted(undocumented)}"


@pytest.fixture(scope="session")
def base_url(server: ServerProcess) -> str:
    return server.base_url


@pytest.fixture(scope="session")
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=10, event_hooks={"response": [_record]}) as http:
        yield http


@pytest.fixture(scope="session")
def token(client: httpx.Client) -> Callable[[str], str]:
    """A valid token per client name, minted once (the 3600 s clients outlive the run)."""
    cache: dict[str, str] = {}

    def get(name: str = "pos_gateway") -> str:
        if name == "short_lived":
            return fresh_token(client, name)
        if name not in cache:
            cache[name] = fresh_token(client, name)
        return cache[name]

    return get


def fresh_token(client: httpx.Client, name: str) -> str:
    response = client.post(TOKEN_PATH, json=credentials(name))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return str(body["data"]["accessToken"])
