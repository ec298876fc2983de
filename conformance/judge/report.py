"""The judged run's evidence bundle, the same shape as a server certification's.

exchanges.jsonl (redacted, injected answers marked) → junit.xml, allure-results/ → leak scan →
summary.json + summary.html → leak scan of the summaries → signed MANIFEST (certify's bundle
code) → verification of what was just signed. A leak is exit 2, as in certification.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from conformance.certify import keys, leaks
from conformance.certify.bundle import sign_bundle, verify_bundle
from conformance.certify.provenance import suite_provenance
from conformance.certify.summary_html import write_summary_pages
from conformance.judge.client_process import ClientOutcome
from conformance.judge.formats import write_allure, write_junit
from conformance.judge.scenarios import Schedule
from conformance.judge.trace import Trace
from conformance.outcome import ExitCode, verdict_for, worst
from conformance.profiles import Profile
from conformance.redaction import Redactor
from conformance.tokens import decoded_or_none

SCHEMA_ID = "capillary-client-judge-summary/1"


@dataclass
class JudgedRun:
    profile: Profile
    role: str
    target: str
    judge_url: str
    command: Sequence[str]
    schedule: Schedule
    trace: Trace
    rows: dict[str, dict[str, Any]]
    judge_exit_code: int
    incomplete: list[str]
    client: ClientOutcome | None
    strict: bool
    started: str
    notes: list[str]


def exchange_records(trace: Trace, redactor: Redactor) -> list[dict[str, Any]]:
    records = []
    for entry in trace:
        record = entry.exchange.redacted(redactor)
        record.update(label=entry.kind.value, injected=entry.injected, started_ms=round(entry.started * 1000, 2),
                      finished_ms=round(entry.finished * 1000, 2), connection=entry.connection,
                      forward_error=entry.forward_error)
        records.append(record)
    return records


def observed_tokens(trace: Trace) -> dict[str, Any]:
    """What the issued tokens looked like (kid, iss, lifetime, claims): context for the reader."""
    for token in trace.tokens.values():
        decoded = decoded_or_none(token.value)
        if decoded is None:
            continue
        return {"kid": decoded.header.get("kid"), "iss": decoded.claims.get("iss"), "lifetime": token.lifetime,
                "claims": sorted(decoded.claims), "public_key_fingerprint": None}
    return {}


def build_summary(run: JudgedRun, redactor: Redactor, *, exit_code: int,
                  leak_scan: Mapping[str, Any]) -> dict[str, Any]:
    client = run.client
    injected = Counter(e.injected for e in run.trace if e.injected)
    return {
        "schema": SCHEMA_ID,
        "verdict": verdict_for(exit_code),
        "exit_code": exit_code,
        "target": f"integration `{redactor.text(' '.join(run.command))}` judged in front of {run.target}",
        "profile": run.profile.name,
        "profile_hash": run.profile.fingerprint(),
        "suite": suite_provenance(),
        "plan": "client judge",
        "strict": run.strict,
        "seed": run.schedule.seed,
        "started": run.started,
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "requests": len(run.trace),
        "observed": observed_tokens(run.trace),
        "judge": {"url": run.judge_url, "role": run.role, "schedule": run.schedule.as_json(),
                  "injected": dict(sorted(injected.items())), "incomplete": run.incomplete, "notes": run.notes},
        "client": {"command": [redactor.text(part) for part in run.command],
                   "exit_code": client.exit_code if client else None,
                   "timed_out": client.timed_out if client else False,
                   "seconds": round(client.seconds, 2) if client else None},
        "steps": [{"name": "judge", "exit_code": run.judge_exit_code, "status": verdict_for(run.judge_exit_code),
                   "detail": "; ".join(run.incomplete) or f"{len(run.trace)} exchanges judged", "seconds": 0}],
        "requirements": run.rows,
        "waivers": [],
        "load": None,
        "leak_scan": dict(leak_scan),
    }


def write_bundle(bundle: Path, run: JudgedRun, redactor: Redactor,
                 signing_key: Ed25519PrivateKey) -> tuple[int, list[str]]:
    """Write and sign the bundle: the run's final exit code (a leak or a bad signature is 2) and one
    line per leak or signature problem (file and kind, never the value)."""
    records = exchange_records(run.trace, redactor)
    (bundle / "exchanges.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                                            encoding="utf-8")
    by_id = {int(r["id"]): r for r in records}
    seconds = max((e.finished for e in run.trace), default=0.0)
    write_junit(bundle / "junit.xml", run.rows, seconds)
    now_ms = int(dt.datetime.now(dt.UTC).timestamp() * 1000)
    summary = build_summary(run, redactor, exit_code=run.judge_exit_code, leak_scan={})
    write_allure(bundle / "allure-results", run.rows, by_id, summary, now_ms - int(seconds * 1000), now_ms)
    secrets = leaks.bundle_secrets(run.profile, keys.private_pem(signing_key))
    found, summary["leak_scan"] = leaks.scan_record([bundle], secrets)
    code = worst([run.judge_exit_code, ExitCode.ERROR if found else ExitCode.CONFORMANT])
    summary.update(exit_code=code, verdict=verdict_for(code))
    (bundle / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False, default=str) + "\n",
                                         encoding="utf-8")
    # summary.html's evidence links point into exchanges.html: both pages, as certification writes them.
    pages = write_summary_pages(bundle, summary, records, [secret.value for secret in secrets])
    found_later, _ = leaks.scan_record([bundle / "summary.json", *pages], secrets)
    sign_bundle(bundle, signing_key)
    problems = [f"bundle signature: {problem}" for problem in verify_bundle(bundle)]
    lines = [f"{leak.file}: {leak.what}" for leak in [*found, *found_later]] + problems
    return worst([code, ExitCode.ERROR if found_later or problems else ExitCode.CONFORMANT]), lines
