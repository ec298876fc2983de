"""drift OLD NEW: exit 0 when nothing changed on the target, 1 naming each change, 2 when unreadable."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from conformance.certify.__main__ import main
from conformance.certify.surface import observed_surface

from .conftest import exchange_record
from .test_summary_page import certification_summary

EXPIRED_BODY = '{"response":{"status":{"code":498,"message":"Token expired at %s"}}}'


def write(path: Path, summary: dict[str, Any]) -> str:
    path.write_text(json.dumps(summary), encoding="utf-8")
    return str(path)


def drift(tmp_path: Path, old: dict[str, Any], new: dict[str, Any]) -> int:
    return main(["drift", write(tmp_path / "old.json", old), write(tmp_path / "new.json", new)])


@pytest.fixture
def nightly() -> dict[str, Any]:
    return certification_summary()


def test_two_identical_summaries_show_no_drift(tmp_path: Path, nightly: dict[str, Any],
                                               capsys: pytest.CaptureFixture[str]):
    assert drift(tmp_path, nightly, copy.deepcopy(nightly)) == 0
    assert "NO DRIFT" in capsys.readouterr().out


def test_a_changed_kid_is_drift(tmp_path: Path, nightly: dict[str, Any], capsys: pytest.CaptureFixture[str]):
    rotated = copy.deepcopy(nightly)
    rotated["observed"]["kid"] = "k2"

    assert drift(tmp_path, nightly, rotated) == 1
    assert "observed: kid: k1 → k2" in capsys.readouterr().out


def test_a_changed_verdict_is_drift(tmp_path: Path, nightly: dict[str, Any], capsys: pytest.CaptureFixture[str]):
    regressed = copy.deepcopy(nightly)
    regressed["requirements"]["CAP-USE-03"]["verdict"] = "fail"

    assert drift(tmp_path, nightly, regressed) == 1
    assert "verdict: CAP-USE-03: pass → fail" in capsys.readouterr().out


@pytest.mark.parametrize(("field", "value", "line"), [
    ("public_key_fingerprint", "cd" * 32, "observed: public-key fingerprint"),
    ("lifetime", 7200, "observed: token lifetime (s): 3600 → 7200"),
    ("claims", ["exp", "iat", "iss", "scope"], "claims: claim set: -[] → +['scope']"),
])
def test_a_changed_key_lifetime_or_claim_set_is_drift(tmp_path: Path, nightly: dict[str, Any], field: str, value: Any,
                                                      line: str, capsys: pytest.CaptureFixture[str]):
    changed = copy.deepcopy(nightly)
    changed["observed"][field] = value

    assert drift(tmp_path, nightly, changed) == 1
    assert line in capsys.readouterr().out


def test_a_changed_status_and_error_body_are_drift(tmp_path: Path, nightly: dict[str, Any],
                                                   capsys: pytest.CaptureFixture[str]):
    old, new = copy.deepcopy(nightly), copy.deepcopy(nightly)
    old["surface"] = observed_surface([exchange_record(1, "write with expired token", 498, EXPIRED_BODY % "10:00")])
    new["surface"] = observed_surface([exchange_record(1, "write with expired token", 401, '{"code":401}')])

    assert drift(tmp_path, old, new) == 1
    out = capsys.readouterr().out
    assert "status: write with expired token: [498] → [401]" in out
    assert "error-body: new: - → 401" in out


def test_timestamps_in_error_bodies_are_not_drift(tmp_path: Path, nightly: dict[str, Any]):
    old, new = copy.deepcopy(nightly), copy.deepcopy(nightly)
    old["surface"] = observed_surface([exchange_record(1, "x", 498, EXPIRED_BODY % "2026-01-01T10:00:00.000+0530")])
    new["surface"] = observed_surface([exchange_record(1, "x", 498, EXPIRED_BODY % "2026-01-02T11:30:00.000+0530")])

    assert drift(tmp_path, old, new) == 0


def test_the_suites_own_summary_format_is_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    from .conftest import conformance_summary

    old, new = conformance_summary(), conformance_summary()
    new["observed"]["kid"] = "k9"

    assert drift(tmp_path, old, new) == 1
    assert "kid" in capsys.readouterr().out


def test_an_unreadable_summary_exits_2(tmp_path: Path, nightly: dict[str, Any]):
    (tmp_path / "broken.json").write_text("{not json")

    assert main(["drift", str(tmp_path / "broken.json"), write(tmp_path / "new.json", nightly)]) == 2
