"""summary.html: self-contained (no fetch), every requirement with its evidence, escaped, printable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conformance.certify.offline import network_fetches
from conformance.certify.outcome import StepResult
from conformance.certify.summary import build_summary
from conformance.certify.summary_html import referenced_exchanges, render_summary_html
from conformance.certify.surface import observed_surface
from conformance.profiles.model import ExpectedFailure
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


def test_every_evidence_link_has_its_exchange_in_the_page():
    html = page(certification_summary())

    assert 'href="#exchange-1"' in html
    assert 'id="exchange-1"' in html


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

    assert f">{banner} <span" in page(summary)


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
