"""What the real gate bundle shows: regeneration under load with its charts, progress, and Allure's tree.

All from the one session bundle (`gate_run`: gate plan plus a 5 s load smoke against the
reference profile, whose short-lived client's tokens live 2 s).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from conformance.requirements import AREAS, REQUIREMENTS

from .conftest import LOAD_SECONDS


def chart(html: str, name: str) -> str:
    start = html.index(f'data-chart="{name}"')
    return html[start:html.index("</svg>", start)]


def test_the_load_smoke_ran_regeneration_with_one_token_per_expiry_and_no_leaked_498(gate_bundle: Path):
    summary = json.loads((gate_bundle / "summary.json").read_text(encoding="utf-8"))
    load = summary["load"]
    metrics = json.loads((gate_bundle / "load" / "summary.json").read_text(encoding="utf-8"))["metrics"]

    assert load["status"] == "passed", load
    assert load["scenario"] == "steady_calls + expiry_regeneration"
    assert load["totals"]["expired_498_seen"] >= 1
    assert load["totals"]["regenerations"] >= 1
    assert load["totals"]["herd_factor"] == 1
    assert load["totals"]["leaked_498"] == 0
    assert metrics["token_generations"]["regeneration"] == load["totals"]["regenerations"]


def test_the_summary_and_the_timeline_chart_the_expiries_and_the_herd(gate_bundle: Path):
    totals = json.loads((gate_bundle / "summary.json").read_text(encoding="utf-8"))["load"]["totals"]
    events = json.loads((gate_bundle / "load" / "timeline.json").read_text(encoding="utf-8"))["events"]
    regenerations = sum(1 for _when, kind, _source in events if kind == "regeneration")

    for page in (gate_bundle / "summary.html", gate_bundle / "load" / "timeline.html"):
        html = page.read_text(encoding="utf-8")
        timeline, herd = chart(html, "load-timeline"), chart(html, "herd")
        assert f">498 expired ({totals['expired_498_seen']})<" in timeline, page
        assert f">regenerated ({regenerations})<" in timeline, page
        assert ">498 leaked" not in timeline
        assert ">Herd: token generations per expiry (worst 1)<" in herd, page
        assert herd.count("<path") >= 1 + regenerations  # axes frame, then one bar per expiry at least
    assert regenerations == totals["regenerations"]


def test_locusts_own_report_has_a_chart_point_per_second(gate_bundle: Path):
    html = (gate_bundle / "load" / "locust.html").read_text(encoding="utf-8")
    start = html.index('"history": ') + len('"history": ')
    history, _end = json.JSONDecoder().raw_decode(html, start)  # the report's embedded chart data

    points = {entry["time"] for entry in history}
    assert len(points) >= LOAD_SECONDS - 1  # Locust's default is one point every 5 s


def test_progress_is_shown_within_the_conformance_and_load_steps(gate_run: dict[str, Any], gate_bundle: Path):
    counted = [(int(done), int(total)) for done, total in
               re.findall(r"^conformance … (\d+)/(\d+) tests", gate_run["stderr"], re.MULTILINE)]
    tests = json.loads((gate_bundle / "conformance-summary.json").read_text(encoding="utf-8"))["tests"]
    live = re.findall(r"^load: (\d+)s/5s \| users \d+ \|", (gate_bundle / "logs" / "load.log").read_text(),
                      re.MULTILINE)

    assert counted, gate_run["stderr"][-2000:]
    assert {total for _done, total in counted} == {len(tests)}
    assert all(done <= total for done, total in counted)
    assert len(live) >= 2
    assert re.search(r"^load: \d+s/5s \| users", gate_run["stderr"], re.MULTILINE)  # shown by certify as well
    assert not (gate_bundle / "logs" / "conformance-progress.json").exists()  # not left in the evidence


def allure_results(bundle: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in (bundle / "allure-results").glob("*-result.json")]


def test_allures_tree_reads_area_then_requirement_then_test(gate_bundle: Path):
    results = allure_results(gate_bundle)
    assert len(results) > 50
    for result in results:
        labels: dict[str, list[str]] = {}
        for label in result["labels"]:
            labels.setdefault(label["name"], []).append(label["value"])
        [area], [suite], [sub_suite] = labels["parentSuite"], labels["suite"], labels["subSuite"]
        rid = suite.split(" ", 1)[0]
        assert area in AREAS.values() and REQUIREMENTS[rid].area == area, result["name"]
        assert suite == f"{rid} {REQUIREMENTS[rid].title}"
        assert sub_suite and sub_suite == labels["story"][0]
        assert labels["epic"] == [area]
        assert suite in labels["feature"]
        assert REQUIREMENTS[rid].url in {link["url"] for link in result["links"]}


def test_the_bundle_leak_scan_covered_the_pages_written_after_it(gate_run: dict[str, Any], gate_bundle: Path):
    assert "summary scan passed     exit 0  3 files clean" in gate_run["stderr"]
    assert (gate_bundle / "exchanges.html").is_file()
