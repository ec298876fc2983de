"""Nightly drift: what changed on the target between two runs (idea D11 of the negative-case catalogue).

Compares two summaries (certification summary.json, or the suite's own summary.json): the
verdict of every requirement, the claim set, kid, key fingerprint, issuer, token lifetime, and,
when both runs recorded the observed surface, the HTTP statuses per exchange label and the
distinct error bodies. Exit 0: no drift; 1: drift (each change on its own line); 2: a summary
could not be read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

OBSERVED_FIELDS = {"kid": "kid", "public_key_fingerprint": "public-key fingerprint", "iss": "issuer",
                   "lifetime": "token lifetime (s)"}


@dataclass(frozen=True)
class Change:
    kind: str  # verdict | observed | claims | status | error-body
    subject: str
    old: Any
    new: Any

    def describe(self) -> str:
        return f"{self.kind}: {self.subject}: {self.old} → {self.new}"


class UnreadableSummary(ValueError):
    """A file that is not a run summary; str() names it."""


def read_summary(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UnreadableSummary(f"{path}: not a readable JSON summary ({error})") from None
    if not isinstance(data, dict) or not isinstance(data.get("requirements"), dict):
        raise UnreadableSummary(f"{path}: not a run summary (no `requirements` table)")
    return data


def _verdict_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    before, after = old.get("requirements") or {}, new.get("requirements") or {}
    changes = []
    for rid in sorted(set(before) | set(after)):
        was = (before.get(rid) or {}).get("verdict", "absent")
        now = (after.get(rid) or {}).get("verdict", "absent")
        if was != now:
            changes.append(Change("verdict", rid, was, now))
    return changes


def _observed_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    before, after = old.get("observed") or {}, new.get("observed") or {}
    changes = [Change("observed", label, before.get(key), after.get(key))
               for key, label in OBSERVED_FIELDS.items() if before.get(key) != after.get(key)]
    old_claims, new_claims = set(before.get("claims") or []), set(after.get("claims") or [])
    if old_claims != new_claims:
        changes.append(Change("claims", "claim set", f"-{sorted(old_claims - new_claims)}",
                              f"+{sorted(new_claims - old_claims)}"))
    return changes


def _surface_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    before, after = old.get("surface"), new.get("surface")
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []  # an older summary without the surface: nothing to compare, not drift
    changes = []
    old_statuses, new_statuses = before.get("statuses") or {}, after.get("statuses") or {}
    # Only labels both runs made: a label present in one run only is a change of the suite, not the target.
    for label in sorted(set(old_statuses) & set(new_statuses)):
        if sorted(old_statuses[label]) != sorted(new_statuses[label]):
            changes.append(Change("status", label, old_statuses[label], new_statuses[label]))
    old_bodies, new_bodies = set(before.get("error_bodies") or []), set(after.get("error_bodies") or [])
    changes += [Change("error-body", "no longer seen", body, "-") for body in sorted(old_bodies - new_bodies)]
    changes += [Change("error-body", "new", "-", body) for body in sorted(new_bodies - old_bodies)]
    return changes


def compare_summaries(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    return _verdict_changes(old, new) + _observed_changes(old, new) + _surface_changes(old, new)


def suite_note(old: Mapping[str, Any], new: Mapping[str, Any]) -> str | None:
    """Differences can come from the suite itself when its revision changed: say so."""
    was = (old.get("suite") or {}).get("git_revision")
    now = (new.get("suite") or {}).get("git_revision")
    if was and now and was != now:
        return f"note: the suite changed between the runs (git {was[:12]} → {now[:12]}); some drift may be ours"
    return None


def drift_report(old_path: Path, new_path: Path) -> tuple[int, list[str]]:
    """(exit code, lines to print)."""
    try:
        old, new = read_summary(old_path), read_summary(new_path)
    except UnreadableSummary as error:
        return 2, [f"drift: {error}"]
    changes = compare_summaries(old, new)
    lines = [change.describe() for change in changes]
    note = suite_note(old, new)
    if note:
        lines.append(note)
    target = new.get("target") or old.get("target") or "the target"
    lines.append(f"DRIFT: {len(changes)} change(s) on {target}" if changes else f"NO DRIFT on {target}")
    return (1 if changes else 0), lines
