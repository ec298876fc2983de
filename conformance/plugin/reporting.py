"""Evidence: redacted reports, Allure labels and attachments, summary JSON, terminal summary.

Takes plain data (results, a header, exchanges, the redactor), never the run object: reporting
and the run do not import each other.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from conformance.checks.failures import ConformanceFailure, VacuousNegative
from conformance.context import SetupError
from conformance.exchange import Exchange
from conformance.plugin.levels import Judgement
from conformance.plugin.results import RunResults
from conformance.redaction import Redactor
from conformance.requirements import REQUIREMENTS, Level
from conformance.transport import TargetError


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


def short_block(error: BaseException, judged: Judgement, redactor: Redactor) -> str | None:
    """A failure as the few lines a reader needs: requirement, check, expected, received, the
    exchange and a curl that replays it. None for exceptions of the suite itself (their traceback
    is the evidence a maintainer needs)."""
    if isinstance(error, ConformanceFailure):
        lines = [f"{judged.requirement} {judged.level.value} · {error.check}",
                 f"  expected: {error.expected}", f"  received: {error.received}"]
        if error.note:
            lines.append(f"  note: {error.note}")
        if error.exchange is not None:
            exchange = error.exchange
            lines.append(f"  evidence: exchange #{exchange.id} {exchange.method} {exchange.url.split('?')[0]} "
                         f"→ HTTP {exchange.status}")
            lines.append(f"  reproduce: {exchange.as_curl(redactor)}")
        return redactor.text("\n".join(lines))
    if isinstance(error, VacuousNegative | SetupError | TargetError):
        return redactor.text(f"could not complete ({type(error).__name__}): {error}")
    return None


def attach_evidence(exchanges: list[Exchange], redactor: Redactor) -> None:
    """Failing tests carry their redacted exchanges and curl reproductions."""
    try:
        import allure
    except ImportError:  # pragma: no cover
        return
    for exchange in exchanges[-12:]:
        allure.attach(exchange.summary(redactor), name=f"exchange {exchange.id}: {exchange.label}",
                      attachment_type=allure.attachment_type.JSON)
        allure.attach(exchange.as_curl(redactor), name=f"curl {exchange.id}",
                      attachment_type=allure.attachment_type.TEXT)


def write_run_outputs(out: Path, results: RunResults, header: dict[str, Any], *, strict: bool,
                      allure_dir: str | None) -> dict[str, Any]:
    """summary.json (exchanges.jsonl is written as the run goes), Allure's environment and categories."""
    summary = results.write_summary(out / "summary.json", header, strict=strict)
    if allure_dir:  # environment.properties and categories.json beside allure-pytest's results
        from conformance.certify.allure_metadata import write_allure_metadata

        write_allure_metadata(Path(allure_dir), summary)
    return summary


SUMMARY = pytest.StashKey[dict[str, Any]]()


def write_terminal_summary(results: RunResults, header: dict[str, Any] | None, reporter: Any, *, strict: bool,
                           reports_dir: str) -> None:
    table = results.requirement_verdicts()
    reporter.section("capillary conformance")
    width = max(len(r) for r in table) if table else 0
    for rid, row in table.items():
        reporter.write_line(f"{rid:<{width}}  {row['level']:<6}  {row['verdict']:<8}  {row['title']}")
    if header is not None:
        reporter.write_line(f"requests made: {header['requests']} (throttled answers: {header['throttled']}); "
                            f"server clock offset {header['clock_offset_seconds']:+.2f} s; seed {header['seed']}")
    code = results.exit_code(strict=strict)
    reporter.write_line(f"verdict: {results.verdict_banner(strict=strict).upper()} "
                        f"(exit {code}); summary: {Path(reports_dir) / 'summary.json'}")
