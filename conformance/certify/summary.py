"""The certification summary: one JSON document (schemas/certification-summary.schema.json).

It folds the suite's own summary, the observed surface, the waivers, the load result and the
outcome of every step into what a partner signs off on. The HTML page is rendered from it alone.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from conformance.certify.outcome import StepResult
from conformance.certify.provenance import suite_provenance
from conformance.outcome import verdict_for, worst
from conformance.profiles.model import ExpectedFailure
from conformance.requirements import REQUIREMENTS

SCHEMA_ID = "capillary-certification-summary/1"
OBSERVED_KEYS = ("kid", "iss", "lifetime", "claims", "public_key_fingerprint")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def requirement_table(conformance: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Every catalogued requirement, with the suite's verdict or `not-run` when the suite never got there."""
    reported = (conformance or {}).get("requirements") or {}
    table: dict[str, dict[str, Any]] = {}
    for rid, requirement in REQUIREMENTS.items():
        row = reported.get(rid) or {}
        table[rid] = {
            "level": row.get("level", requirement.level.value),
            "title": row.get("title", requirement.title),
            "area": row.get("area", requirement.area),
            "url": row.get("url", requirement.url),
            "verdict": row.get("verdict", "not-run"),
            "tests": [_test_row(t) for t in row.get("tests", [])],
        }
        if row.get("basis"):  # why the requirement holds at its level (a doc URL or a security reason)
            table[rid]["basis"] = str(row["basis"])
    return table


def _test_row(test: Mapping[str, Any]) -> dict[str, Any]:
    row = {"nodeid": str(test.get("nodeid", "")), "verdict": str(test.get("verdict", "")),
           "message": str(test.get("message", "")), "exchanges": [int(i) for i in test.get("exchanges", [])]}
    for optional in ("level", "basis"):  # a test judged at another level than its requirement says so, and why
        if test.get(optional):
            row[optional] = str(test[optional])
    return row


def observation_rows(conformance: Mapping[str, Any] | None) -> list[dict[str, str]]:
    """What the target does where the contract leaves it a choice: facts to read, never verdicts."""
    rows = []
    for item in (conformance or {}).get("observations") or []:
        if isinstance(item, Mapping) and item.get("what") is not None:
            rows.append({"test": str(item.get("test", "")), "requirement": str(item.get("requirement", "")),
                         "what": str(item["what"]), "observed": str(item.get("observed", ""))})
    return rows


def waiver_rows(waivers: Sequence[ExpectedFailure], conformance: Mapping[str, Any] | None) -> list[dict[str, str]]:
    """Each profile waiver with its reason and what became of it (xfail = applied; fail = fixed upstream)."""
    tests = (conformance or {}).get("tests") or []
    rows = []
    for waiver in waivers:
        suffix = waiver.test.split("conformance/")[-1]
        outcomes = sorted({str(t.get("verdict")) for t in tests
                           if waiver.test and str(t.get("nodeid", "")).endswith(suffix)})
        rows.append({"test": waiver.test, "reason": waiver.reason, "outcome": ", ".join(outcomes) or "not-run"})
    return rows


def build_summary(*, conformance: Mapping[str, Any] | None, steps: Sequence[StepResult], surface: Mapping[str, Any],
                  waivers: Sequence[ExpectedFailure], load: Mapping[str, Any] | None, leak_scan: Mapping[str, Any],
                  fallback: Mapping[str, Any], started: str,
                  stopped: Mapping[str, str] | None = None) -> dict[str, Any]:
    """`fallback` holds what we knew before the suite ran (target, profile, plan), for runs that never started;
    `stopped` ({"after": step, "cause": one line}) marks a run that a step stopped before its end."""
    suite = conformance or {}
    observed = suite.get("observed") or {}
    exit_code = worst(step.exit_code for step in steps)
    return {
        "schema": SCHEMA_ID,
        "verdict": verdict_for(exit_code),
        "exit_code": exit_code,
        **({"stopped": dict(stopped)} if stopped else {}),
        "target": suite.get("target") or fallback.get("target") or "",
        "profile": suite.get("profile") or fallback.get("profile") or "",
        "profile_hash": suite.get("profile_hash") or fallback.get("profile_hash") or "",
        "suite": suite_provenance(),
        "plan": suite.get("plan") or fallback.get("plan") or "",
        "strict": bool(suite.get("strict", fallback.get("strict", False))),
        "seed": suite.get("seed"),
        "started": suite.get("started") or started,
        "finished": _now(),
        "conformance_verdict": suite.get("verdict", "incomplete"),
        "clock_offset_seconds": suite.get("clock_offset_seconds"),
        "requests": suite.get("requests"),
        "observed": {key: observed.get(key) for key in OBSERVED_KEYS},
        "counts": dict(suite.get("counts") or {}),
        "suite_errors": [str(e) for e in suite.get("suite_errors") or []],
        "requirements": requirement_table(conformance),
        "observations": observation_rows(conformance),
        "waivers": waiver_rows(waivers, conformance),
        "surface": dict(surface),
        "load": dict(load) if load is not None else None,
        "leak_scan": dict(leak_scan),
        "steps": [step.as_json() for step in steps],
    }


def write_summary_json(path: Path, summary: Mapping[str, Any]) -> Path:
    path.write_text(json.dumps(summary, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return path
