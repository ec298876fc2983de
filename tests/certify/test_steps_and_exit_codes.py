"""How steps combine into one exit code, and how the load step degrades when it cannot or may not run."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from conformance.certify import steps
from conformance.certify.__main__ import main
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
