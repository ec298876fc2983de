"""`python -m conformance.certify run --plan gate --load-seconds 5` against the embedded reference server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conformance.certify.__main__ import main
from conformance.certify.bundle import MANIFEST, PUBLIC_KEY, SIGNATURE


def test_the_gate_plan_is_conformant_and_leaves_a_verifiable_bundle_within_a_minute(gate_run: dict[str, Any]):
    bundle = Path(gate_run["bundle"])

    assert gate_run["exit_code"] == 0, gate_run["stderr"][-3000:]
    assert f"VERDICT: CONFORMANT — bundle: {bundle}" in gate_run["stdout"]
    assert gate_run["seconds"] < 60
    assert main(["verify", str(bundle)]) == 0
    present = {p.name for p in bundle.iterdir()}
    assert {"summary.json", "summary.html", "junit.xml", "allure-results", "exchanges.jsonl", "logs",
            MANIFEST, SIGNATURE, PUBLIC_KEY} <= present


def test_without_a_signing_key_the_run_says_it_generated_one(gate_run: dict[str, Any]):
    assert "no --signing-key: generated a new signing key" in gate_run["stderr"]
    assert (Path(gate_run["bundle"]).parent / "keys" / "signing-key.pem").is_file()
