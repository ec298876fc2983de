"""Evidence: redacted reports, Allure labels and attachments, summary JSON, terminal summary."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from conformance.requirements import REQUIREMENTS, Level

if TYPE_CHECKING:
    from conformance.context import TargetContext
    from conformance.plugin.session import ConformanceRun
    from conformance.redaction import Redactor


def load_public_key(context: TargetContext) -> Any:
    """The target's public key from the profile (file or JWKS URL), or None when it gives none."""
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    from conformance.tokens import public_key_from_jwks

    profile = context.profile
    if profile.public_key_file:
        return load_pem_public_key(profile.public_key_file.read_bytes())
    if profile.public_key_url:
        exchange = context.api.fetch(profile.public_key_url, label="preflight: public key (JWKS)")
        kid = context.observed.get("kid") or ""
        if exchange.status == 200 and isinstance(exchange.json, dict):
            try:
                return public_key_from_jwks(exchange.json, str(kid))
            except (KeyError, ValueError):
                return None
    return None


def key_fingerprint(key: Any) -> str | None:
    if key is None:
        return None
    from cryptography.hazmat.primitives import serialization

    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def redact_report(report: pytest.TestReport, redactor: Redactor) -> None:
    """Failure text and captured output go to JUnit, Allure and the terminal: redact them all."""
    if report.longrepr is not None and not isinstance(report.longrepr, tuple):
        report.longrepr = redactor.text(str(report.longrepr))
    report.sections = [(name, redactor.text(text)) for name, text in report.sections]


def sentence_of(item: pytest.Item) -> str:
    """`test_expired_token_is_rejected_with_498` → `expired token is rejected with 498` (parameters apart)."""
    name = str(getattr(item, "originalname", None) or item.name.split("[", 1)[0])
    return name.removeprefix("test_").replace("_", " ")


def allure_labels(item: pytest.Item) -> None:
    """Allure's Suites tree reads area → requirement → test, its Behaviors view epic → feature → story.

    Without these, allure-pytest groups by Python package and module: one `conformance.suites`
    row over every test. Suite labels set here win over its defaults (it adds those only when
    absent). The first requirement of the marker places the test; every requirement is a feature,
    a tag and a link to its documentation.
    """
    try:
        import allure
    except ImportError:  # pragma: no cover - allure-pytest is a core dependency
        return
    rids = [rid for m in item.iter_markers("requirement") for rid in m.args]
    if not rids:
        return
    first = REQUIREMENTS[rids[0]]
    sentence = sentence_of(item)
    allure.dynamic.parent_suite(first.area)
    allure.dynamic.suite(f"{first.id} {first.title}")
    allure.dynamic.sub_suite(sentence)
    allure.dynamic.epic(first.area)
    for rid in rids:
        allure.dynamic.feature(f"{rid} {REQUIREMENTS[rid].title}")
        allure.dynamic.link(REQUIREMENTS[rid].url, name=f"{rid}: {REQUIREMENTS[rid].title}")
        allure.dynamic.tag(rid)
    allure.dynamic.story(sentence)
    allure.dynamic.severity(allure.severity_level.CRITICAL if first.level is Level.MUST
                            else allure.severity_level.MINOR)


def attach_evidence(run: ConformanceRun, item: pytest.Item, exchange_ids: list[int]) -> None:
    """Failing tests carry their redacted exchanges and curl reproductions."""
    try:
        import allure
    except ImportError:  # pragma: no cover
        return
    for eid in exchange_ids[-12:]:
        exchange = run.exchanges.get(eid)
        if exchange is None:
            continue
        allure.attach(exchange.summary(run.redactor), name=f"exchange {eid}: {exchange.label}",
                      attachment_type=allure.attachment_type.JSON)
        allure.attach(exchange.as_curl(run.redactor), name=f"curl {eid}", attachment_type=allure.attachment_type.TEXT)


def write_run_outputs(run: ConformanceRun) -> None:
    if run.profile is None or run.context is None:
        return
    out = Path(run.settings.reports_dir)
    summary = run.results.write_summary(out / "summary.json", run.header(), strict=run.settings.strict)
    run.exchanges_jsonl(out / "exchanges.jsonl")
    run.config.stash[SUMMARY] = summary
    allure_dir = run.config.getoption("allure_report_dir", None)
    if allure_dir:  # environment.properties and categories.json beside allure-pytest's results
        from conformance.certify.allure_metadata import write_allure_metadata

        write_allure_metadata(Path(allure_dir), summary)


SUMMARY = pytest.StashKey[dict[str, Any]]()


def write_terminal_summary(run: ConformanceRun, reporter: Any) -> None:
    table = run.results.requirement_verdicts()
    reporter.section("capillary conformance")
    width = max(len(r) for r in table)
    for rid, row in table.items():
        reporter.write_line(f"{rid:<{width}}  {row['level']:<6}  {row['verdict']:<8}  {row['title']}")
    if run.context is not None:
        stats = run.context.api.stats
        reporter.write_line(f"requests made: {stats.requests} (throttled answers: {stats.throttled}); "
                            f"server clock offset {run.context.clock.offset:+.2f} s; seed {run.settings.seed}")
    code = run.results.exit_code(strict=run.settings.strict)
    reporter.write_line(f"verdict: {run.results.verdict_banner(strict=run.settings.strict).upper()} "
                        f"(exit {code}); summary: {Path(run.settings.reports_dir) / 'summary.json'}")

