"""Report files of a load run: summary.json, timeline.html, and the redaction pass over them all.

Pure (no locust import). The timeline is an inline SVG in a self-contained HTML file: no script,
no stylesheet or font from the network, so it opens from `file://` on an offline machine.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from conformance.redaction import Redactor

REPORTS_ROOT = Path(__file__).resolve().parents[1] / "reports" / "load"
EVENT_COLOURS = {"expiry": "#d62728", "regeneration": "#1f77b4", "refresh": "#2ca02c", "leak": "#000000"}
# Events of one second share an x: each kind gets its own dash and a small offset to stay visible.
EVENT_STYLES = {"expiry": ("", 0), "regeneration": ("4 3", 3), "refresh": ("1 3", 6), "leak": ("", 9)}


def report_directory(scenario: str, now: datetime | None = None, root: Path = REPORTS_ROOT) -> Path:
    """`reports/load/<scenario>-<UTC timestamp>/`: one folder per run, sortable by time."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S.%fZ")
    return root / f"{scenario}-{stamp}"


def redact_text(text: str, secrets: Iterable[str]) -> str:
    """The suite's one redactor: known secrets by value, token signatures and secret members by shape."""
    return Redactor(secrets).text(text)


def redact_directory(directory: Path, secrets: Sequence[str]) -> list[Path]:
    """Rewrite every text file of a report folder that holds a secret or a token; returns those."""
    rewritten = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        clean = redact_text(text, secrets)
        if clean != text:
            path.write_text(clean, encoding="utf-8")
            rewritten.append(path)
    return rewritten


def write_summary(directory: Path, summary: dict[str, Any], secrets: Sequence[str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "summary.json"
    path.write_text(redact_text(json.dumps(summary, indent=2, sort_keys=True, default=str), secrets) + "\n",
                    encoding="utf-8")
    return path


def annotate_summary(directory: Path, **fields: Any) -> None:
    """Add what only the parent process knows (e.g. that it launched the target) to summary.json."""
    path = directory / "summary.json"
    if path.exists():
        summary = json.loads(path.read_text(encoding="utf-8"))
        summary.update(fields)
        path.write_text(json.dumps(summary, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")


def write_timeline(directory: Path, title: str, timeline: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "timeline.html"
    path.write_text(timeline_html(title, timeline), encoding="utf-8")
    return path


def timeline_html(title: str, timeline: dict[str, Any]) -> str:
    rows = timeline.get("seconds", [])
    start = rows[0][0] if rows else 0
    events = Counter((int(float(t)) - start, kind) for t, kind, _source in timeline.get("events", []))
    seconds = [row[0] - start for row in rows]
    throughput = _panel("Requests per second", seconds, {
        "requests/s": ([row[1] for row in rows], "#1f77b4"),
        "failures/s": ([row[2] for row in rows], "#d62728"),
    }, events)
    latency = _panel("Latency (ms)", seconds, {
        "mean": ([row[3] for row in rows], "#2ca02c"),
        "max": ([row[4] for row in rows], "#ff7f0e"),
    }, events)
    totals: Counter[str] = Counter()
    for (_second, kind), count in events.items():
        totals[kind] += count
    legend = " ".join(
        f'<span style="color:{colour}">&#9646; {html.escape(kind)} ({totals[kind]})</span>'
        for kind, colour in EVENT_COLOURS.items()
    )
    return (
        "<!doctype html>\n<html><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title></head>"
        "<body style=\"font-family:sans-serif;margin:1em\">"
        f"<h1 style=\"font-size:1.2em\">{html.escape(title)}</h1>"
        f"<p>Per second of the run. Vertical marks: token events. {legend}</p>"
        f"{throughput}{latency}</body></html>\n"
    )


def _panel(title: str, xs: list[int], series: dict[str, tuple[list[float], str]],
           events: Counter[tuple[int, str]]) -> str:
    width, height, pad = 900, 220, 40
    x_max = max(xs[-1] if xs else 1, 1)
    y_max = max([max(values) for values, _ in series.values() if values] + [1.0])

    def x_of(x: float) -> float:
        return pad + (width - 2 * pad) * x / x_max

    def y_of(y: float) -> float:
        return height - pad - (height - 2 * pad) * y / y_max

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">',
        f'<text x="{pad}" y="16" font-size="13">{html.escape(title)} (max {y_max:g})</text>',
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="#888"/>',
        f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{height - pad}" stroke="#888"/>',
        f'<text x="{width - pad}" y="{height - pad + 16}" font-size="11" text-anchor="end">{x_max} s</text>',
    ]
    for (second, kind), count in sorted(events.items()):
        colour = EVENT_COLOURS.get(kind, "#777")
        dash, offset = EVENT_STYLES.get(kind, ("2 2", 12))
        x = x_of(second) + offset
        parts.append(f'<line x1="{x:.1f}" y1="{pad}" x2="{x:.1f}" y2="{height - pad}" stroke="{colour}" '
                     f'stroke-width="1.5" stroke-dasharray="{dash}" stroke-opacity="0.7">'
                     f'<title>{html.escape(kind)} x{count} at {second} s</title></line>')
    for offset, (name, (values, colour)) in enumerate(series.items()):
        points = " ".join(f"{x_of(x):.1f},{y_of(y):.1f}" for x, y in zip(xs, values, strict=False))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{points}"/>')
        parts.append(f'<text x="{width - pad - 120}" y="{pad + 14 * offset}" font-size="11" '
                     f'fill="{colour}">{html.escape(name)}</text>')
    parts.append("</svg>")
    return "<div>" + "".join(parts) + "</div>"
