"""Every catalogued fault visibly changes behaviour (idea D1 of the negative-case catalogue;
docs/architecture.md, "Faults and variants").

One server per fault, launched together (early, by conftest) so their interpreters boot in
parallel with the rest of the run. For each fault a probe (fault_probes_tokens.py,
fault_probes_access.py; their registry is fault_probes.py) makes the requests that expose it
and returns True when it sees the deviation; the same probe must return False against the
clean session server, so it is not vacuous.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator

import httpx
import pytest

from fixtures.reference_server.faults import CATALOGUE

from . import fault_probes_access, fault_probes_tokens  # noqa: F401  (importing them registers their probes)
from .fault_probes import PROBES
from .helpers import (
    PRELAUNCHED,
    TOKEN_PATH,
    ServerProcess,
    await_ready,
    credentials,
    decode_part,
    launch,
    start_server,
    stop_many,
)

# -- the tests ---------------------------------------------------------------------------------
NAMES = [fault.name for fault in CATALOGUE]


@pytest.fixture(scope="module")
def faulty() -> Iterator[dict[str, httpx.Client]]:
    by_fault = {s.faults[0]: s for s in PRELAUNCHED if not s.signalled}
    missing = [launch(name) for name in NAMES if name not in by_fault]  # run alone: nothing prelaunched
    PRELAUNCHED.extend(missing)
    by_fault.update((s.faults[0], s) for s in missing)
    servers: list[ServerProcess] = [await_ready(by_fault[name]) for name in NAMES]
    tls = ssl.create_default_context()  # shared: a context per client would cost ~30 ms each
    clients = {s.faults[0]: httpx.Client(base_url=s.base_url, timeout=10, verify=tls) for s in servers}
    yield clients
    for client in clients.values():
        client.close()
    statuses = stop_many(servers)
    failed = {s.faults[0]: (statuses[s.faults], s.stderr()[-1000:]) for s in servers if statuses[s.faults] != 0}
    assert not failed, failed
    crashed = next(s for s in servers if s.faults[0] == "malformed-token-500").stderr()
    assert "internal error on GET /v1.1/customer/get: ValueError" in crashed
    assert "abc.def" not in crashed and "eyJ" not in crashed  # the crash log carries no token


def test_every_fault_has_a_probe() -> None:
    assert set(PROBES) == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_fault_visibly_changes_behaviour(faulty: dict[str, httpx.Client], name: str) -> None:
    assert PROBES[name](faulty[name]), f"--fault {name} did not change what the probe observes"


@pytest.mark.parametrize("name", NAMES)
def test_probe_sees_no_deviation_on_the_clean_server(client: httpx.Client, name: str) -> None:
    assert not PROBES[name](client), f"the probe for {name} fires on the clean server"


def test_faults_can_be_combined(faulty: dict[str, httpx.Client]) -> None:
    server = start_server("ttl-in-minutes", "jti-missing")
    try:
        with httpx.Client(base_url=server.base_url, timeout=10) as http:
            data = http.post(TOKEN_PATH, json=credentials("pos_gateway")).json()["data"]
            assert data["ttlSeconds"] == 60
            assert "jti" not in json.loads(json.dumps(decode_part(data["accessToken"], 1)))
    finally:
        assert server.stop() == 0
