"""The two files Allure reads beside the results: the run's environment and our failure categories.

Categories are matched in order, first match wins. Allure 2 matches a whole message (Java
`matches`) and Allure 3 searches it (JavaScript `test`), so every pattern is written as
`[\\s\\S]*…[\\s\\S]*`, which means the same to both, across lines.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from conformance.certify.provenance import suite_version


def _anywhere(*words: str) -> str:
    return r"[\s\S]*(?:" + "|".join(words) + r")[\s\S]*"


CATEGORIES: list[dict[str, Any]] = [
    # A ConformanceFailure is the target breaking the contract: a product defect to report.
    {"name": "Conformance failures (product defects)", "matchedStatuses": ["failed"],
     "messageRegex": _anywhere("ConformanceFailure")},
    # The target could not be tested (down, a positive control failed, setup refused): no verdict.
    {"name": "Target errors (no verdict possible)", "matchedStatuses": ["failed", "broken"],
     "messageRegex": _anywhere("VacuousNegative", "TargetUnreachable", "TargetTimedOut", "TargetBrokeOff",
                               "TargetGone", "SetupError", "TokenUnavailable")},
    {"name": "SHOULD-level warnings", "matchedStatuses": ["skipped"],
     "messageRegex": _anywhere("SHOULD-level warning")},
    {"name": "Waived (profile expected failures)", "matchedStatuses": ["skipped"],
     "messageRegex": _anywhere(r"expected failure \(profile\)")},
    # Anything else that went wrong is ours: a bug in the suite, not in the target.
    {"name": "Suite errors (bugs in the conformance suite)", "matchedStatuses": ["failed", "broken"],
     "messageRegex": r"[\s\S]*"},
]


def environment_lines(summary: Mapping[str, Any]) -> dict[str, str]:
    observed = summary.get("observed") or {}
    return {
        "target": str(summary.get("target", "")),
        "profile": str(summary.get("profile", "")),
        "profile_hash": str(summary.get("profile_hash", "")),
        "suite_version": suite_version(),
        "plan": str(summary.get("plan", "")),
        "seed": str(summary.get("seed", "")),
        "kid": str(observed.get("kid", "")),
    }


def _escape_property(value: str) -> str:
    # java.util.Properties: backslash escapes, and no raw line breaks inside a value.
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")


def write_allure_metadata(results_dir: Path, summary: Mapping[str, Any]) -> None:
    """environment.properties (target, profile, suite version, plan, ...) and categories.json."""
    results_dir.mkdir(parents=True, exist_ok=True)
    lines = [f"{key}={_escape_property(value)}" for key, value in environment_lines(summary).items()]
    (results_dir / "environment.properties").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (results_dir / "categories.json").write_text(json.dumps(CATEGORIES, indent=2) + "\n", encoding="utf-8")


def ensure_allure_metadata(results_dir: Path) -> bool:
    """Write the two files when a plain suite run left them out; True when something was written.

    The run's facts come from the suite's summary.json beside the results (as `capillary-conformance
    --reports-dir DIR` leaves it), else they stay empty; existing files are never touched, so a
    signed bundle's results are never altered.
    """
    if (results_dir / "environment.properties").is_file() and (results_dir / "categories.json").is_file():
        return False
    summary: dict[str, Any] = {}
    for name in ("summary.json", "conformance-summary.json"):
        try:
            loaded = json.loads((results_dir.parent / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(loaded, dict) and "requirements" in loaded:
            summary = loaded
            break
    write_allure_metadata(results_dir, summary)
    return True
