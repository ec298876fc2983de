"""summary.html: self-contained (no fetch), every requirement with its evidence, escaped, printable."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from conformance.certify.exchanges_html import render_exchanges_html
from conformance.certify.leaks import leaks_in_bytes
from conformance.certify.offline import network_fetches
from conformance.certify.outcome import StepResult
from conformance.certify.schema_check import certification_summary_schema, validation_errors
from conformance.certify.summary import build_summary
from conformance.certify.summary_html import bundle_reports, referenced_exchanges, render_summary_html
from conformance.certify.surface import observed_surface
from conformance.profiles.model import ExpectedFailure
from conformance.redaction import LabelledSecret, Redactor
from conformance.requirements import REQUIREMENTS

from .conftest import conformance_summary, exchange_record

HOSTILE = '<script src="https://evil.example/x.js"></script><img src=https://evil.example/p.png>'


def certification_summary(conformance: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
    records = [exchange_record(i) for i in range(1, 40)]
    options: dict[str, Any] = {
        "conformance": conformance_summary() if conformance is None else conformance,
        "steps": [StepResult("conformance", 0, "passed", "30 pass")], "surface": observed_surface(records),
        "waivers": [], "load": None, "leak_scan": {"status": "clean", "files_scanned": 3, "leaks": []},
        "fallback": {}, "started": "2026-01-01T00:00:00+00:00",
    }
    options.update(kwargs)
    return build_summary(**options)


def page(summary: dict[str, Any]) -> str:
    return render_summary_html(summary, referenced_exchanges(summary, [exchange_record(i) for i in range(1, 40)]))


def test_the_page_makes_no_network_fetch():
    assert network_fetches(page(certification_summary())) == []


def test_the_page_lists_every_requirement_id():
    html = page(certification_summary())

    assert [rid for rid in REQUIREMENTS if f'id="req-{rid}"' not in html] == []


def test_every_evidence_link_lands_on_its_exchange_in_the_exchanges_page():
    summary = certification_summary()
    cited = referenced_exchanges(summary, [exchange_record(i) for i in range(1, 40)])
    links = set(re.findall(r'href="exchanges\.html#(exchange-\d+)"', render_summary_html(summary, cited)))
    anchors = set(re.findall(r'id="(exchange-\d+)"', render_exchanges_html(cited, "evidence")))

    assert links and links == anchors


def test_evidence_is_a_count_that_opens_into_each_tests_exchanges():
    conformance = conformance_summary()
    conformance["requirements"]["CAP-TOK-02"]["tests"] = [
        {"nodeid": f"conformance/suites/test_token_generation.py::test_wrong_secret[v{n}]", "verdict": "pass",
         "message": "", "exchanges": [2 * n + 1, 2 * n + 2]} for n in range(12)]

    html = page(certification_summary(conformance))
    row = html[html.index('id="req-CAP-TOK-02"'):html.index('id="req-CAP-TOK-03"')]

    assert '<details class="evidence"><summary>12 tests · 24 exchanges</summary>' in row
    assert row.count("<summary>2 exchanges</summary>") == 12
    assert '<a href="exchanges.html#exchange-3">#3 POST 200</a>' in row
    assert "<code>test_wrong_secret[v0]</code>" in row


def test_requirement_basis_and_observations_are_shown_when_the_suite_gives_them():
    conformance = conformance_summary(observations=[
        {"test": "conformance/suites/test_token_generation.py::test_bad_secret_status", "requirement": "CAP-TOK-02",
         "what": "HTTP status for a wrong secret", "observed": "401"}])
    conformance["requirements"]["CAP-TOK-02"]["basis"] = "https://docs.capillarytech.com/reference/oauth"
    conformance["requirements"]["CAP-TOK-09"]["basis"] = "a secret echoed back leaks through logs and proxies"
    conformance["requirements"]["CAP-TOK-03"]["basis"] = ("documented message (https://docs.capillarytech.com/"
                                                          "reference/oauth); wording <b>may</b> vary")

    html = page(certification_summary(conformance))

    assert ('basis:</span> <a href="https://docs.capillarytech.com/reference/oauth">'
            "https://docs.capillarytech.com/reference/oauth</a>") in html
    assert "basis:</span> a secret echoed back leaks through logs and proxies" in html
    assert ('basis:</span> documented message (<a href="https://docs.capillarytech.com/reference/oauth">'
            "https://docs.capillarytech.com/reference/oauth</a>); wording &lt;b&gt;may&lt;/b&gt; vary") in html
    assert '<h2 id="observations">Observations</h2>' in html
    assert "HTTP status for a wrong secret" in html and "<code>401</code>" in html


def test_a_test_judged_at_another_level_than_its_requirement_shows_that_level_and_why():
    conformance = conformance_summary()
    row = conformance["requirements"]["CAP-USE-01"]
    row["basis"] = "https://docs.capillarytech.com/docs/authorization-flows"
    row["tests"][0].update(level="SHOULD", basis="RFC 6749 section 5.1 recommends no-store")
    row["tests"].append({"nodeid": "conformance/suites/test_x.py::test_same", "verdict": "pass", "message": "",
                         "exchanges": [], "level": "MUST", "basis": row["basis"]})

    summary = certification_summary(conformance)
    html = page(summary)

    assert summary["requirements"]["CAP-USE-01"]["tests"][0]["level"] == "SHOULD"
    assert validation_errors(summary, certification_summary_schema()) == []
    assert '<span class="level">SHOULD</span>' in html
    assert "basis:</span> RFC 6749 section 5.1 recommends no-store" in html
    assert html.count("basis:</span> <a href=\"https://docs.capillarytech.com/docs/authorization-flows\"") == 1


def test_a_summary_without_basis_or_observations_renders_without_those_parts():
    html = page(certification_summary())

    assert "basis:" not in html
    assert "Observations" not in html


def test_the_page_links_every_report_the_bundle_holds(tmp_path: Path):
    for name in ("allure-report.html", "exchanges.html", "junit.xml", "load/locust.html", "load/timeline.html"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("x")

    html = render_summary_html(certification_summary(), {}, reports=bundle_reports(tmp_path))

    for name in ("allure-report.html", "exchanges.html", "junit.xml", "load/locust.html", "load/timeline.html"):
        assert f'<a href="{name}">{name}</a>' in html
    assert 'href="logs/load.log"' not in html  # absent files are not linked


def test_conformance_verdicts_per_area_are_charted_with_labelled_axes():
    conformance = conformance_summary()
    conformance["requirements"]["CAP-USE-04"]["verdict"] = "warning"

    html = page(certification_summary(conformance))

    chart = html[html.index('data-chart="verdicts-by-area"'):]
    chart = chart[:chart.index("</svg>")]
    for text in ("Requirement verdicts per area", "requirements", "Token generation", "pass", "warning"):
        assert f">{text}<" in chart, text


def test_the_load_section_has_the_timeline_and_herd_charts_and_the_token_figures():
    load = {"status": "passed", "exit_code": 0, "detail": "all gates passed", "scenario": "steady_calls + "
            "expiry_regeneration", "run_time": "6s", "report_dir": "load", "gates": {},
            "totals": {"requests": 180, "expired_498_seen": 9, "regenerations": 3, "leaked_498": 0, "herd_factor": 1.0}}
    timeline = {"columns": ["second", "requests", "failures", "mean_ms", "max_ms", "p50_ms", "p95_ms", "p99_ms"],
                "seconds": [[10, 30, 0, 1.0, 2.0, 1.0, 2.0, 2.0], [11, 31, 0, 1.0, 2.0, 1.0, 2.0, 2.0]],
                "events": [[10.5, "expiry", "local"], [10.5, "regeneration", "local"]],
                "herd": {"local": {"short_lived@11": 1}}}

    html = render_summary_html(certification_summary(load=load), {}, timeline=timeline)

    assert 'data-chart="load-timeline"' in html and 'data-chart="herd"' in html
    assert ">498 expired (1)<" in html and ">regenerated (1)<" in html
    assert "herd factor (generations per expiry per process; 1 is ideal)</td><td>1.0</td>" in html
    assert '<a href="load/locust.html">' in html


def test_exchanges_are_pretty_printed_with_a_curl_reproduction_and_stay_redacted():
    secret = "kQfFHlRVBkgy9CqJAfGGEkVX0sLbq8J5EggKxBn7"
    escaped = "".join(f"\\u{ord(c):04x}" for c in secret)  # a JSON escape the first redaction did not see
    record = exchange_record(7, body='{"data": {"ttlSeconds": 3600, "note": "' + escaped + '"}}')
    token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.<signature redacted>"
    record["request"]["headers"] = {"host": "127.0.0.1:8000", "content-type": "application/json",
                                    "X-CAP-API-OAUTH-TOKEN": token}

    html = render_exchanges_html({7: record}, "evidence", Redactor([secret]).text)

    assert '<section id="exchange-7"><h2>#7 generate token (primary)</h2>' in html
    assert "content-type: application/json" in html and "host:" not in html
    assert '{\n  &quot;data&quot;: {\n    &quot;ttlSeconds&quot;: 3600,' in html  # indented, not an escaped string
    assert "curl -sS -X POST http://127.0.0.1:8000/v3/oauth/token/generate -H &#x27;content-type: " in html
    assert "-H &quot;X-CAP-API-OAUTH-TOKEN: $TOKEN&quot;" in html  # a redacted token cannot be replayed
    assert "# set TOKEN first" in html
    assert secret not in html
    assert leaks_in_bytes(html.encode(), [LabelledSecret("client secret", secret)]) == []


def test_target_text_is_escaped_so_it_cannot_add_a_fetch():
    conformance = conformance_summary()
    conformance["requirements"]["CAP-TOK-01"]["tests"][0]["message"] = HOSTILE

    html = page(certification_summary(conformance))

    assert network_fetches(html) == []
    assert "&lt;script src=&quot;https://evil.example/x.js&quot;" in html


@pytest.mark.parametrize(("code", "banner"), [(0, "CONFORMANT"), (1, "NOT CONFORMANT"), (3, "INCOMPLETE"),
                                              (2, "INCOMPLETE")])
def test_the_banner_shows_the_verdict_of_the_worst_step(code: int, banner: str):
    summary = certification_summary(steps=[StepResult("conformance", 0, "passed"), StepResult("x", code, "y")])

    assert f'id="verdict">{banner} <span' in page(summary)


def test_the_page_shows_provenance_and_observed_target():
    html = page(certification_summary())

    for fact in ("0123456789abcdef", "k1", "Capillary", "3600", "ab" * 32, "+0.010 s", "<code>42</code>", "gate"):
        assert fact in html


def test_waivers_are_listed_with_their_reasons():
    conformance = conformance_summary(tests=[{"nodeid": "conformance/suites/test_expiry.py::test_x",
                                              "verdict": "xfail"}])
    summary = certification_summary(conformance, waivers=[ExpectedFailure("suites/test_expiry.py::test_x",
                                                                          "vendor ticket 123: 401 instead of 498")])

    assert summary["waivers"] == [{"test": "suites/test_expiry.py::test_x",
                                   "reason": "vendor ticket 123: 401 instead of 498", "outcome": "xfail"}]
    assert "vendor ticket 123" in page(summary)


def test_load_results_appear_when_load_ran():
    load = {"status": "passed", "exit_code": 0, "detail": "all gates passed", "scenario": "steady_calls",
            "run_time": "10s", "report_dir": "load", "gates": {"customer.get.p95_ms": "pass: measured 8 <= 150"},
            "totals": {"requests": 111}}

    html = page(certification_summary(load=load))

    assert "customer.get.p95_ms" in html
    assert "pass: measured 8 &lt;= 150" in html


def test_the_page_has_print_styles():
    assert "@media print" in page(certification_summary())


def test_a_run_that_never_started_still_lists_every_requirement_as_not_run():
    summary = certification_summary(conformance={}, steps=[StepResult("conformance", 2, "error", "profile error")],
                                    fallback={"profile": "broken.toml", "plan": "gate"})

    assert {row["verdict"] for row in summary["requirements"].values()} == {"not-run"}
    assert summary["verdict"] == "incomplete"


def test_the_real_gate_summary_page_is_offline_and_complete(gate_bundle: Path):
    html = (gate_bundle / "summary.html").read_text(encoding="utf-8")

    assert network_fetches(html) == []
    assert [rid for rid in REQUIREMENTS if rid not in html] == []
