"""The leak scan: clean artifacts pass; a secret, password or full token in any artifact exits 2, naming the file."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import quote

import pytest
from rich.console import Console

from conformance.certify.__main__ import main
from conformance.certify.leaks import leaks_in_bytes, profile_secrets
from conformance.certify.pipeline import CertificationRun, RunOptions
from conformance.profiles import load_profile

PROFILE = load_profile("reference")
PRIMARY_SECRET = str(PROFILE.clients["primary"].secret)
BASIC_PASSWORD = str(PROFILE.basic.credentials.password) if PROFILE.basic and PROFILE.basic.credentials else ""
# Shaped like a live token: header and claims as base64url JSON, and a signature segment present.
LIVE_TOKEN = ("eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJpc3MiOiJDYXBpbGxhcnkiLCJleHAiOjE3OTk5OTk5OTl9."
              "Zm9yZ2VkLXNpZ25hdHVyZS1ieXRlcy10aGF0LWFyZS1sb25n")

# Each artifact type a run writes, as it would look with one value planted in it.
ARTIFACTS = {
    "junit.xml": lambda leak: f'<testsuites><testcase name="t"><failure message="{leak}"/></testcase></testsuites>',
    "allure-results/0a-result.json": lambda leak: json.dumps({"status": "failed", "statusDetails": {"trace": leak}}),
    "allure-results/0b-attachment.txt": lambda leak: f"curl -H 'X-CAP-API-OAUTH-TOKEN: {leak}' http://t/v1.1/x",
    "allure-report.html": lambda leak: ('<script>d("data/x.json","'
                                        + base64.b64encode(json.dumps({"m": leak}).encode()).decode() + '")</script>'),
    "summary.html": lambda leak: f"<html><body><pre>{leak}</pre></body></html>",
    "logs/conformance.log": lambda leak: f"E   AssertionError: got {leak}\n",
    "exchanges.jsonl": lambda leak: json.dumps({"id": 1, "request": {"body": json.dumps({"secret": leak})}}) + "\n",
    "load/locust_stats.csv": lambda leak: f"Type,Name,Request Count\nGET,/x?token={quote(leak, safe='')},3\n",
    "load/locust.html": lambda leak: f"<html><script>window.templateArgs = {json.dumps({'e': leak})}</script></html>",
    "load/summary.json": lambda leak: json.dumps({"aborted": [f"401 for {leak}"]}),
}


def plant(root: Path, artifact: str, leak: str) -> Path:
    path = root / artifact
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ARTIFACTS[artifact](leak), encoding="utf-8")
    return path


def test_a_clean_run_passes_the_leak_scan(gate_bundle: Path):
    assert main(["leak-scan", str(gate_bundle), "--profile", "reference"]) == 0


def test_clean_artifacts_of_every_type_pass(tmp_path: Path):
    for artifact in ARTIFACTS:
        plant(tmp_path, artifact, "nothing to see")

    assert main(["leak-scan", str(tmp_path)]) == 0


@pytest.mark.parametrize("artifact", sorted(ARTIFACTS))
def test_a_client_secret_in_any_artifact_exits_2_naming_the_file(tmp_path: Path, artifact: str,
                                                                  capsys: pytest.CaptureFixture[str]):
    path = plant(tmp_path, artifact, PRIMARY_SECRET)

    assert main(["leak-scan", str(tmp_path), "--profile", "reference"]) == 2
    out = capsys.readouterr().out
    assert str(path) in out
    assert PRIMARY_SECRET not in out


@pytest.mark.parametrize("artifact", sorted(ARTIFACTS))
def test_a_full_token_in_any_artifact_exits_2(tmp_path: Path, artifact: str, capsys: pytest.CaptureFixture[str]):
    plant(tmp_path, artifact, LIVE_TOKEN)

    assert main(["leak-scan", str(tmp_path)]) == 2
    assert LIVE_TOKEN not in capsys.readouterr().out


@pytest.mark.parametrize(("leak", "label"), [
    pytest.param(BASIC_PASSWORD, "basic-auth till password", id="basic-password"),
    pytest.param(str(PROFILE.expired_token), "the profile's expired token", id="expired-token"),
    pytest.param(quote(PRIMARY_SECRET + "/+", safe=""), "client secret of role 'primary'", id="percent-encoded"),
])
def test_each_kind_of_secret_is_found_and_named_by_what_it_is(tmp_path: Path, leak: str, label: str,
                                                              capsys: pytest.CaptureFixture[str]):
    plant(tmp_path, "logs/conformance.log", leak)

    assert main(["leak-scan", str(tmp_path)]) == 2
    assert label in capsys.readouterr().out


def test_a_redacted_token_is_not_a_leak():
    redacted = LIVE_TOKEN.rsplit(".", 1)[0] + ".<signature redacted>"

    assert leaks_in_bytes(redacted.encode(), profile_secrets(PROFILE)) == []


def test_a_secret_hidden_in_base64_is_found():
    blob = base64.b64encode(f'{{"secret": "{PRIMARY_SECRET}"}}'.encode())

    assert leaks_in_bytes(b'd("x","' + blob + b'")', profile_secrets(PROFILE)) == [
        "client secret of role 'primary', inside base64"]


def test_a_leak_in_the_bundle_fails_the_main_job_with_exit_2(tmp_path: Path):
    run = CertificationRun(RunOptions(reports_root=tmp_path), Console(quiet=True))
    plant(run.bundle, "junit.xml", PRIMARY_SECRET)

    result, record = run.scan([run.bundle], b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")

    assert result.exit_code == 2
    assert record["leaks"] == [{"file": str(run.bundle / "junit.xml"), "what": "client secret of role 'primary'"}]
