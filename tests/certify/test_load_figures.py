"""The load run's figures come from one table (conformance.certify.load_figures): the certification step
records them, summary.html and load's timeline.html show them, all from the same paths and labels."""

from __future__ import annotations

from html import escape
from typing import Any

from conformance.certify import steps
from conformance.certify.load_figures import BY_KEY, FIGURES, load_figures, value_at
from conformance.certify.summary_load import load_section
from load.reports import timeline_html

LOAD_SUMMARY: dict[str, Any] = {
    "exit_code": 0,
    "total": {"requests": 180, "failures": 1, "failure_ratio": 0.0056, "rps": 17.9, "p95_ms": 12.0, "p99_ms": 30.0},
    "metrics": {"expired_498_seen": 9, "leaked_498": 0, "herd": {"factor": 1.0},
                "token_generations": {"initial": 2, "regeneration": 3, "refresh": 4}},
}
EXPECTED = {"expired_498_seen": 9, "regenerations": 3, "refreshes": 4, "herd_factor": 1.0, "leaked_498": 0,
            "requests": 180, "failures": 1, "failure_ratio": 0.0056, "rps": 17.9, "p95_ms": 12.0, "p99_ms": 30.0}


def test_every_figure_is_read_from_its_path_once_and_absent_ones_are_left_out():
    assert load_figures(LOAD_SUMMARY) == EXPECTED
    assert list(load_figures(LOAD_SUMMARY)) == [figure.key for figure in FIGURES]  # the token figures first
    assert len(BY_KEY) == len(FIGURES)
    assert load_figures({"total": {"requests": 3}, "metrics": {"herd": None}}) == {"requests": 3}
    assert value_at({"metrics": {"herd": 7}}, ("metrics", "herd", "factor")) is None


def test_the_certification_step_records_the_table_s_figures():
    _gates, totals = steps._load_summary_fields({**LOAD_SUMMARY, "invalid_reasons": ["no requests"]})

    assert totals == {**EXPECTED, "invalid_reasons": "no requests"}


def test_summary_html_and_the_timeline_show_every_figure_with_the_table_s_labels():
    summary_page = load_section({"load": {"status": "passed", "exit_code": 0, "detail": "all gates passed",
                                          "totals": load_figures(LOAD_SUMMARY)}}, None)
    timeline_page = timeline_html("t", {"seconds": [[1, 1, 0, 1.0, 1.0]], "events": [], "herd": {}}, LOAD_SUMMARY)

    for figure in FIGURES:
        value = escape(str(EXPECTED[figure.key]))
        assert f'<td class="k">{escape(figure.described)}</td><td>{value}</td>' in summary_page, figure
        assert f"<dt>{escape(figure.label)}</dt><dd>{value}</dd>" in timeline_page, figure
    assert "<dt>exit code</dt><dd>0</dd>" in timeline_page
