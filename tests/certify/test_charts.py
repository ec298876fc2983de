"""The reports' charts: static SVG, small, deterministic, distinct ids per page, labelled, and no GUI anywhere."""

from __future__ import annotations

import re
import subprocess
import sys

from conformance.certify.charts import herd_svg, load_timeline_svg, verdicts_by_area_svg
from conformance.certify.offline import network_fetches

from .conftest import ROOT, conformance_summary

COLUMNS = ["second", "requests", "failures", "mean_ms", "max_ms", "p50_ms", "p95_ms", "p99_ms"]


def a_two_minute_timeline() -> dict[str, object]:
    """The nightly recipe's 120 s run: a row per second, an expiry and its regeneration every 2 s."""
    rows = [[1000 + s, 40 + s % 7, s % 11 == 0, 2.0, 9.0, 2.0, 5.0 + s % 3, 8.0 + s % 5] for s in range(120)]
    events = [[1000 + s + 0.3, kind, "local"] for s in range(0, 120, 2) for kind in ("expiry", "regeneration")]
    return {"columns": COLUMNS, "seconds": rows, "events": [*events, [1050.5, "leak", "local"]],
            "herd": {"local": {f"short_lived@{1000 + s}": 1 for s in range(0, 120, 2)}}}


def test_a_two_minute_timeline_is_small_static_svg_with_real_text():
    svg = load_timeline_svg(a_two_minute_timeline())

    assert svg.startswith('<svg class="chart" role="img"')
    assert len(svg) < 120_000
    assert "<script" not in svg and "<image" not in svg and network_fetches(svg) == []
    assert not re.search(r'id="[^"]*DejaVu', svg)  # no glyph outlines: text stays <text> (svg.fonttype none)
    assert ">498 leaked (1)<" in svg and ">498 expired (60)<" in svg and ">regenerated (60)<" in svg


def test_the_same_data_draws_the_same_svg():
    timeline = a_two_minute_timeline()

    assert load_timeline_svg(timeline) == load_timeline_svg(timeline)


def test_charts_on_one_page_never_share_an_element_id():
    timeline = a_two_minute_timeline()
    page = (load_timeline_svg(timeline) + herd_svg(timeline["herd"], 1000.0)  # type: ignore[arg-type]
            + verdicts_by_area_svg(conformance_summary()["requirements"]))
    ids = re.findall(r' id="([^"]+)"', page)

    assert len(ids) > 20
    assert len(ids) == len(set(ids))
    references = set(re.findall(r'(?:url\(#|href="#)([^")]+)', page))
    assert references and references <= set(ids)  # every clip path and marker still resolves


def test_a_run_without_requests_or_expiries_says_so_instead_of_drawing_empty_axes():
    assert ">no requests were made<" in load_timeline_svg({"seconds": [], "events": []})
    assert ">no token expired during the run<" in herd_svg({}, None)


def test_a_herd_shows_every_process_and_its_worst_expiry():
    svg = herd_svg({"w1": {"s@10": 1, "s@12": 1}, "w2": {"s@10": 1, "s@12": 5}}, 8.0)

    assert ">Herd: token generations per expiry (worst 5)<" in svg
    assert ">process w1<" in svg and ">process w2<" in svg
    assert ">+2 s<" in svg and ">+4 s<" in svg


def test_drawing_never_imports_pyplot_or_a_gui_toolkit():
    code = ("import sys; from conformance.certify.charts import load_timeline_svg as draw; "
            "draw({'seconds': [[1, 2, 0, 1.0, 1.0]], 'events': []}); "
            "print(sorted(m for m in sys.modules if m in ('matplotlib.pyplot', 'tkinter', 'PyQt5', 'PySide6', 'gi')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                          timeout=60)

    assert done.stdout.strip() == "[]"
