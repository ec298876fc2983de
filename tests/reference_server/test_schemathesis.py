"""/openapi.json kept true to the server by Schemathesis: its stateless checks, 0 failures.

A live reference server is launched through the project's launcher (the reference profile) and
Schemathesis's CLI runs against it in its own process (it sets Hypothesis state of its own, and
its pytest integration does not run on pytest 9.2). Stateless phases only: the schema's examples,
coverage (boundary and negative values) and fuzzing, positive and negative data, with a bounded
number of examples per operation and a fixed seed, so a failure reproduces. The primary client's
token goes in X-CAP-API-OAUTH-TOKEN on every request, so the resource operations get past
authentication; Schemathesis also sends its own values for the basic-auth scheme and leaves the
token out where a check needs that.

Checks run (the spec is judged both ways: what the server answers, and what it accepts):
not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
response_schema_conformance, positive_data_acceptance (a request the spec calls valid is not
refused), negative_data_rejection (one it calls invalid is refused), missing_required_header,
ignored_auth, unsupported_method and allow_header_conformance (other methods get 405 with Allow).
LEFT_OUT says why the others are not.

Schemathesis skips the operation that serves the schema itself (GET /openapi.json); test_openapi.py
covers it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import tomli_w

from conformance.profiles import load_profile, running_target

from .helpers import TOKEN_HEADER, TOKEN_PATH

# Fuzzed cases per operation (the examples and coverage phases add their own): ~1,600 requests in
# all, ~9 s on this machine.
MAX_EXAMPLES = 250
SEED = 20261201
CHECKS = [
    "not_a_server_error", "status_code_conformance", "content_type_conformance", "response_headers_conformance",
    "response_schema_conformance", "positive_data_acceptance", "negative_data_rejection",
    "missing_required_header", "ignored_auth", "unsupported_method", "allow_header_conformance",
]
STATEFUL = ("stateful: it follows links from a create to a read (or between identities); this run is "
            "stateless, and cross-org isolation is the conformance suite's CAP-USE-08.")
LEFT_OUT = {
    "use_after_free": STATEFUL,
    "ensure_resource_availability": STATEFUL,
    "object_level_authorization": STATEFUL,
}
# Not a registered check but a budget (--max-response-time), also off: it would measure the shared CI
# machine, not the spec.
RUN_BUDGET_SECONDS = 120  # the subprocess's hard limit; the run takes ~9 s


@pytest.fixture(scope="module")
def live() -> Iterator[tuple[str, str]]:
    """A reference server of its own (the generated writes stay out of the session server) and a
    token of its primary client."""
    with running_target(load_profile("reference")) as profile:
        primary = profile.clients["primary"]
        answer = httpx.post(profile.base_url + TOKEN_PATH, json={"key": primary.key, "secret": str(primary.secret)},
                            timeout=10)
        assert answer.status_code == 200, answer.text
        yield profile.base_url, str(answer.json()["data"]["accessToken"])


def configuration() -> dict[str, Any]:
    checks: dict[str, Any] = {"enabled": False} | {name: {"enabled": True} for name in CHECKS}
    return {
        "seed": SEED,
        "workers": 1,  # the other xdist worker has the second core
        "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "database": "none"},
        "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True}, "fuzzing": {"enabled": True},
                   "stateful": {"enabled": False}},
        "checks": checks,
    }


def statuses(ndjson: Path) -> Counter[tuple[str, int]]:
    """(operation, HTTP status) of every response Schemathesis received."""
    seen: Counter[tuple[str, int]] = Counter()
    for line in ndjson.read_text().splitlines():
        event = json.loads(line)
        finished = event.get("ScenarioFinished")
        if finished is None:
            continue
        recorder = finished.get("recorder") or {}
        for interaction in recorder.get("interactions", {}).values():  # none in a skipped scenario
            if interaction.get("response"):
                seen[(recorder["label"], interaction["response"]["status_code"])] += 1
    return seen


def test_every_schemathesis_check_is_run_or_left_out_with_a_reason() -> None:
    """A check added by a newer Schemathesis needs a decision here, not silence."""
    from schemathesis.checks import CHECKS as REGISTERED
    from schemathesis.checks import load_all_checks

    load_all_checks()
    assert set(CHECKS).isdisjoint(LEFT_OUT)
    assert set(CHECKS) | set(LEFT_OUT) == set(REGISTERED.get_all_names())


def test_schemathesis_finds_no_disagreement_between_the_spec_and_the_server(
    live: tuple[str, str], tmp_path: Path
) -> None:
    base_url, token = live
    config = tmp_path / "schemathesis.toml"
    config.write_text(tomli_w.dumps(configuration()))
    run = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run", base_url + "/openapi.json",
         "--header", f"{TOKEN_HEADER}: {token}", "--no-color", "--report", "json,ndjson",
         "--report-dir", str(tmp_path / "report")],
        cwd=tmp_path, capture_output=True, text=True, timeout=RUN_BUDGET_SECONDS, check=False)
    output = run.stdout[-20_000:] + run.stderr[-5_000:]
    assert run.returncode == 0, output
    report = json.loads(next((tmp_path / "report").glob("json-*.json")).read_text())
    assert report["failures"] == [] and report["errors"] == [], output
    assert report["complete"] and report["operations"]["tested"] == 6, report["operations"]
    assert report["test_cases"]["generated"] >= 1000, report["test_cases"]  # 1,605 with this seed
    # Not vacuous: the token was accepted on every resource operation, and the token endpoint was
    # reached with both malformed (400) and well-formed but wrong (401) credentials.
    seen = statuses(next((tmp_path / "report").glob("ndjson-*.ndjson")))
    for operation in ("POST /v1.1/customer/add", "GET /v1.1/customer/get", "POST /v1.1/transaction/add",
                      "GET /v1.1/transaction/get"):
        assert seen[(operation, 200)] > 0 and seen[(operation, 401)] > 0, (operation, seen)
    assert seen[("POST /v3/oauth/token/generate", 400)] > 0 and seen[("POST /v3/oauth/token/generate", 401)] > 0
