"""summary.html's load part: the step's outcome, its gates and token figures, and the same charts as timeline.html."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conformance.certify.charts import herd_svg, load_timeline_svg
from conformance.certify.html_page import text as _e
from conformance.certify.load_figures import BY_KEY, FIGURES


def _rows(rows: list[tuple[str, str]]) -> str:
    return "".join(f'<tr><td class="k">{k}</td><td>{v}</td></tr>' for k, v in rows)


def load_section(summary: Mapping[str, Any], timeline: Mapping[str, Any] | None) -> str:
    load = summary.get("load")
    if not load:
        return '<h2 id="load">Load</h2><p>Load was not part of this run.</p>'
    rows = [("Status", f"{_e(load.get('status'))} (exit {_e(load.get('exit_code'))}): {_e(load.get('detail'))}")]
    if load.get("scenario"):
        rows.append(("Scenario", f"{_e(load['scenario'])}, {_e(load.get('run_time'))}"))
    totals = load.get("totals") or {}
    rows += [(_e(f.described), _e(totals[f.key])) for f in FIGURES if totals.get(f.key) is not None]
    rows += [(_e(key), _e(value)) for key, value in totals.items() if key not in BY_KEY]
    gates = "".join(f"<tr><td><code>{_e(name)}</code></td><td>{_e(result)}</td></tr>"
                    for name, result in (load.get("gates") or {}).items())
    charts = ""
    if timeline is not None:
        rows_of_seconds = timeline.get("seconds") or []
        start = float(rows_of_seconds[0][0]) if rows_of_seconds else None
        charts = load_timeline_svg(timeline) + herd_svg(timeline.get("herd") or {}, start)
    report_dir = load.get("report_dir")
    links = (f'<p>Locust\'s own report: <a href="{_e(report_dir)}/locust.html">{_e(report_dir)}/locust.html</a>; '
             f'the timeline alone: <a href="{_e(report_dir)}/timeline.html">{_e(report_dir)}/timeline.html</a>.</p>'
             if report_dir else "")
    return (f'<h2 id="load">Load</h2><table class="kv">{_rows(rows)}</table>'
            + (f'<h3>Gates</h3><table class="stack"><tbody>{gates}</tbody></table>' if gates else "")
            + charts + links)
