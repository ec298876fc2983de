"""Report files of a load run: summary.json, timeline.json and .html, each redacted as it is written,
and the one redaction pass over Locust's own files.

Pure (no locust import). The timeline page holds matplotlib's charts as inline SVG (the same
charts summary.html shows, drawn by conformance.certify.charts from timeline.json): no script,
no stylesheet or font from the network, so it opens from `file://` on an offline machine.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from conformance.certify.load_figures import BY_KEY, load_figures
from conformance.redaction import Redactor

REPORTS_ROOT = Path(__file__).resolve().parents[1] / "reports" / "load"
TIMELINE_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d1f23;margin:1em auto;
max-width:60em;padding:0 .8em;overflow-wrap:anywhere}
h1{font-size:1.25em}h2{font-size:1.05em;margin-top:1.4em}
svg.chart{display:block;width:100%;max-width:52em;height:auto}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.15em 1em;margin:.5em 0}
dt{color:#555}dd{margin:0;font-variant-numeric:tabular-nums}
@media print{body{max-width:none;margin:0}svg.chart{break-inside:avoid}}
"""


def report_directory(scenario: str, now: datetime | None = None, root: Path = REPORTS_ROOT) -> Path:
    """`reports/load/<scenario>-<UTC timestamp>/`: one folder per run, sortable by time."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S.%fZ")
    return root / f"{scenario}-{stamp}"


# The files this module writes, redacted as they are written; every other file of a report folder
# (locust.html, locust_*.csv, worker-N.log) is Locust's and is redacted once, after it is complete.
OWN_FILES = frozenset({"summary.json", "timeline.json", "timeline.html"})


def write_redacted(path: Path, text: str, secrets: Iterable[str]) -> Path:
    """Write a report file through the suite's one redactor: known secrets by value, token
    signatures and secret members by shape."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(Redactor(secrets).text(text), encoding="utf-8")
    return path


def redact_locust_files(directory: Path, secrets: Sequence[str]) -> list[Path]:
    """Rewrite each of Locust's own files in a report folder that holds a secret or a token; returns those.

    Run once per run, by the last process to touch the folder: `python -m load` after every Locust
    process has exited, or a bare Locust run's coordinator when it judges the run.
    """
    redactor = Redactor(secrets)
    rewritten = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file() and p.name not in OWN_FILES):
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        clean = redactor.text(text)
        if clean != text:
            path.write_text(clean, encoding="utf-8")
            rewritten.append(path)
    return rewritten


def write_summary(directory: Path, summary: dict[str, Any], secrets: Sequence[str]) -> Path:
    return write_redacted(directory / "summary.json", _summary_text(summary), secrets)


def _summary_text(summary: Mapping[str, Any]) -> str:
    return json.dumps(summary, indent=2, sort_keys=True, default=str) + "\n"


def annotate_summary(directory: Path, **fields: Any) -> None:
    """Add what only the parent process knows (e.g. that it launched the target) to summary.json.

    The file was redacted when written, and the fields added are facts about the run, not secrets.
    """
    path = directory / "summary.json"
    if path.exists():
        summary = json.loads(path.read_text(encoding="utf-8"))
        summary.update(fields)
        path.write_text(_summary_text(summary), encoding="utf-8")


def write_timeline(directory: Path, title: str, timeline: dict[str, Any],
                   summary: Mapping[str, Any] | None = None, secrets: Sequence[str] = ()) -> Path:
    """timeline.json (the data, which certify charts again in summary.html) and timeline.html."""
    write_redacted(directory / "timeline.json", json.dumps(timeline, sort_keys=True) + "\n", secrets)
    return write_redacted(directory / "timeline.html", timeline_html(title, timeline, summary), secrets)


def timeline_html(title: str, timeline: Mapping[str, Any], summary: Mapping[str, Any] | None = None) -> str:
    # matplotlib (~0.3 s) only when a page is drawn: every Locust process imports this module, workers too.
    from conformance.certify.charts import herd_svg, load_timeline_svg

    rows = timeline.get("seconds") or []
    start = float(rows[0][0]) if rows else None
    facts = [(BY_KEY[key].label, value) for key, value in load_figures(summary or {}).items()]
    facts.append(("exit code", (summary or {}).get("exit_code")))
    listed = "".join(f"<dt>{html.escape(name)}</dt><dd>{html.escape(str(value))}</dd>"
                     for name, value in facts if value is not None)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{TIMELINE_CSS}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        + (f"<dl>{listed}</dl>" if listed else "")
        + "<p>Per second of the run. Vertical lines mark token events: expiries (a 498 the cache handled), "
        "regenerations, proactive refreshes and leaks (a 498 after regenerate-and-retry).</p>"
        f"<h2>Throughput and latency</h2>{load_timeline_svg(timeline)}"
        f"<h2>Token generations per expiry (herd)</h2>{herd_svg(timeline.get('herd') or {}, start)}"
        "</body></html>\n"
    )
