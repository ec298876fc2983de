"""How steps combine into one exit code, and how the load step degrades when it cannot or may not run."""

from __future__ import annotations

import json
from dataclasses import replace
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from rich.console import Console

from conformance.certify import allure_html, steps
from conformance.certify.__main__ import main
from conformance.certify.leaks import leaks_in_bytes, profile_secrets
from conformance.certify.outcome import StepResult
from conformance.certify.pipeline import CertificationRun, RunOptions
from conformance.outcome import worst
from conformance.profiles import load_profile

from .conftest import run_certify


@pytest.mark.parametrize(("codes", "expected"), [
    ([0, 0], 0), ([0, 3], 3), ([3, 1], 1), ([1, 2], 2), ([3, 2, 1], 2), ([0, 5], 2), ([0, -9], 2), ([], 0),
])
def test_the_worst_step_decides_and_errors_beat_failures_beat_incomplete(codes: list[int], expected: int):
    assert worst(codes) == expected


def test_a_missing_load_command_is_reported_as_not_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setattr(steps, "load_unavailable_reason", lambda: "`python -m load` is not available")

    result, record = steps.run_load_smoke(tmp_path, profile=None, target=None, seconds=1)

    assert (result.status, result.exit_code) == ("not run", 0)
    assert record["detail"] == "`python -m load` is not available"


def test_load_never_goes_to_a_remote_target_unless_allowed(tmp_path: Path):
    result, _ = steps.run_load_smoke(tmp_path, profile=None, target="https://eu.api.example.com", seconds=1,
                                     remote_url="https://eu.api.example.com")

    assert result.status == "not run"
    assert "--allow-remote-load" in result.detail


@pytest.mark.parametrize(("code", "status", "mapped"), [(0, "passed", 0), (1, "failed", 1), (3, "incomplete", 3),
                                                        (2, "error", 2), (-9, "error", 2)])
def test_load_exit_codes_follow_the_load_contract(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, code: int,
                                                  status: str, mapped: int):
    def fake_load(command: list[str], log: Path, timeout: float | None, **_progress: Any) -> tuple[int, str]:
        (tmp_path / "load").mkdir()
        (tmp_path / "load" / "summary.json").write_text(json.dumps({
            "exit_code": code, "total": {"requests": 111, "p95_ms": 10},
            "gates": [{"name": "customer.get.p95_ms", "bound": "max", "measured": 8.0, "threshold": 150.0,
                       "passed": code != 1}]}))
        return code, "last line"

    monkeypatch.setattr(steps, "load_unavailable_reason", lambda: None)
    monkeypatch.setattr(steps, "_run_logged", fake_load)

    result, record = steps.run_load_smoke(tmp_path, profile=None, target=None, seconds=1)

    assert (result.status, result.exit_code) == (status, mapped)
    assert record["gates"]["customer.get.p95_ms"].startswith("FAIL" if code == 1 else "pass")
    assert record["totals"] == {"requests": 111, "p95_ms": 10}


def test_the_load_smoke_adds_regeneration_when_the_profile_has_a_short_lived_client(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    commands: list[list[str]] = []

    def fake_load(command: list[str], log: Path, timeout: float | None, **_progress: Any) -> tuple[int, str]:
        commands.append(command)
        return 0, "last line"

    monkeypatch.setattr(steps, "load_unavailable_reason", lambda: None)
    monkeypatch.setattr(steps, "_run_logged", fake_load)
    reference = load_profile("reference")
    without = replace(reference, clients={k: v for k, v in reference.clients.items() if k != "short_lived"})

    assert steps.load_scenarios(reference) == ["steady_calls", "expiry_regeneration"]
    assert steps.load_scenarios(without) == ["steady_calls"]
    assert steps.load_scenarios(None) == ["steady_calls"]
    _result, record = steps.run_load_smoke(tmp_path, profile=None, target=None, seconds=1,
                                           scenarios=steps.load_scenarios(reference))
    assert commands[0][3:6] == ["run", "steady_calls", "expiry_regeneration"]
    assert record["scenario"] == "steady_calls + expiry_regeneration"


def test_a_broken_profile_exits_2_and_still_leaves_a_signed_incomplete_bundle(tmp_path: Path):
    done = run_certify("run", "--profile", str(tmp_path / "missing.toml"), "--no-load",
                       "--reports-root", str(tmp_path / "out"))

    assert done.returncode == 2, done.stderr
    assert "VERDICT: INCOMPLETE" in done.stdout
    bundle = next((tmp_path / "out").glob("missing-*"))
    assert json.loads((bundle / "summary.json").read_text())["verdict"] == "incomplete"
    assert main(["verify", str(bundle)]) == 0


def test_an_unusable_signing_key_exits_2_with_one_line_before_anything_starts(tmp_path: Path):
    (tmp_path / "key.pem").write_text("not a key")

    done = run_certify("run", "--no-load", "--signing-key", str(tmp_path / "key.pem"),
                       "--reports-root", str(tmp_path / "out"))

    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(f"python -m conformance.certify run: signing key: {tmp_path / 'key.pem'}: "
                           "not a readable PEM private key")
    assert not (tmp_path / "out").exists()


def test_the_certify_package_imports_neither_pytest_nor_locust():
    import ast

    package = Path(steps.__file__).parent
    roots = {alias.split(".")[0] for path in package.glob("*.py") for node in ast.walk(ast.parse(path.read_text()))
             for alias in ([a.name for a in node.names] if isinstance(node, ast.Import)
                           else [node.module] if isinstance(node, ast.ImportFrom) and node.module else [])}

    assert not roots & {"pytest", "_pytest", "locust", "gevent"}


def test_a_secret_in_the_load_steps_last_line_reaches_neither_the_console_nor_the_summary(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    """Every step's detail is redacted once, where the job records it (CertificationRun.step), not only the suite's."""
    reference = load_profile("reference")
    secret = str(reference.clients["primary"].secret)

    def crashed_load(command: list[str], log: Path, timeout: float | None, **_progress: Any) -> tuple[int, str]:
        return 5, f"RuntimeError: token/generate refused key={reference.clients['primary'].key} secret={secret}"

    def no_allure(*_args: Any) -> Path:
        raise allure_html.AllureUnavailable("not in this test")

    monkeypatch.setattr(steps, "run_conformance", lambda *_a, **_k: StepResult("conformance", 0, "passed", "1 pass"))
    monkeypatch.setattr(steps, "load_unavailable_reason", lambda: None)
    monkeypatch.setattr(steps, "_run_logged", crashed_load)
    monkeypatch.setattr(allure_html, "render_single_file_report", no_allure)
    console = StringIO()
    run = CertificationRun(RunOptions(reports_root=tmp_path, plan="gate"), Console(file=console, width=400))

    code = run.run(Ed25519PrivateKey.generate(), None)

    printed = console.getvalue() + capsys.readouterr().out
    summary_json = (run.bundle / "summary.json").read_text(encoding="utf-8")
    summary = json.loads(summary_json)
    assert code == 2  # load exited 5: an error of that step
    assert "load exited 5: RuntimeError: token/generate refused" in printed
    assert "load exited 5: RuntimeError: token/generate refused" in summary["load"]["detail"]
    for text in (printed, summary_json, (run.bundle / "summary.html").read_text(encoding="utf-8")):
        assert secret not in text
        assert leaks_in_bytes(text.encode(), profile_secrets(reference)) == []
    assert [s["status"] for s in summary["steps"] if s["name"] == "leak scan"] == ["passed"]
    assert "summary scan passed" in " ".join(printed.split())
