"""Session fixtures: one clean reference server for the whole run, and clients for it.

The fault tests need one server per fault (~46 interpreters). Booting them costs seconds of
CPU, so they are launched in the background as soon as the clean server is up, and the fault
tests are moved to the end of this directory's tests: the boot overlaps with everything else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from fixtures.reference_server.app import ROUTES
from fixtures.reference_server.faults import CATALOGUE

from .helpers import (
    CLIENTS,
    OBSERVED,
    PRELAUNCHED,
    TOKEN_PATH,
    ServerProcess,
    credentials,
    launch,
    start_server,
    stop_many,
)

FAULT_TESTS = "test_faults.py"
FAULTS_SELECTED = pytest.StashKey[bool]()


@pytest.hookimpl(trylast=True)  # after -k/-m deselection: only launch for fault tests that will run
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run this directory's fault tests after its other tests (and nobody else's order changes)."""
    here = [item for item in items if item.path.parent.name == "reference_server"]
    faults = [item for item in here if item.path.name == FAULT_TESTS]
    others = [item for item in here if item.path.name != FAULT_TESTS]
    config.stash[FAULTS_SELECTED] = bool(faults)
    if not faults or not others:
        return
    moved = set(faults)
    rest = [item for item in items if item not in moved]
    cut = rest.index(others[-1]) + 1
    items[:] = [*rest[:cut], *faults, *rest[cut:]]


def _record(response: httpx.Response) -> None:
    OBSERVED.add((response.request.method, response.request.url.path, response.status_code))


@pytest.fixture(scope="session")
def server(request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    proc = start_server()
    if request.config.stash.get(FAULTS_SELECTED, False) and not PRELAUNCHED:
        PRELAUNCHED.extend(launch(fault.name) for fault in CATALOGUE)  # ready-waited by test_faults
    yield proc
    leftovers = [s for s in PRELAUNCHED if not s.signalled]  # the fault tests never ran (-x, -k)
    assert all(status == 0 for status in stop_many(leftovers).values())
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
