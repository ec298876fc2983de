"""The reports' charts, drawn by matplotlib as static SVG to inline in HTML: no script, prints, opens offline.

matplotlib's object API (a `Figure` with no pyplot) never opens a window nor touches a global
backend; the SVG backend writes real <text> (`svg.fonttype = none`: no embedded glyphs, small
files, text the reader can select and a browser test can read). A hash salt per chart keeps
the output deterministic and its element ids distinct when several charts share one page.

Pure: used by summary.html (certify) and by timeline.html (load), from the same data.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

EVENT_STYLES: dict[str, tuple[str, Any]] = {  # kind -> (colour, line style); a leak must stand out
    "expiry": ("#d62728", "-"), "regeneration": ("#1f77b4", "--"), "refresh": ("#2ca02c", ":"),
    "leak": ("#000000", "-."),
}
# An expiry and its regeneration share an instant: the expiry is a wide pale band, the regeneration
# a thin dashed line inside it, so both stay visible.
EVENT_WIDTHS = {"expiry": (4.0, 0.3), "regeneration": (1.2, 0.9), "refresh": (1.2, 0.9), "leak": (2.0, 1.0)}
# How the legend names each kind: an "expiry" event is a 498 the token cache handled.
EVENT_LABELS = {"expiry": "498 expired", "regeneration": "regenerated", "refresh": "refreshed early",
                "leak": "498 leaked"}
VERDICT_COLOURS = {"pass": "#2f855a", "waived": "#68d391", "warning": "#d69e2e", "skipped": "#a0aec0",
                   "not-run": "#e2e8f0", "fail": "#c53030", "error": "#7f1d1d"}
# Sized for reading at phone width too: a 6-inch figure shown 400 px wide keeps 11 pt text near 10 px.
_RC: dict[str, Any] = {"svg.fonttype": "none", "font.size": 11, "axes.titlesize": 12, "axes.titleweight": "bold",
       "legend.fontsize": 10, "legend.frameon": False, "axes.spines.top": False, "axes.spines.right": False,
       "axes.grid": True, "grid.color": "#e2e4e8", "grid.linewidth": 0.8, "axes.axisbelow": True,
       "font.family": "sans-serif"}
_SVG_PROLOGUE = re.compile(r"\A.*?(?=<svg)", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)


def _svg(figure: Figure, name: str, label: str) -> str:
    """The figure as an <svg> element for inlining: no XML prologue, no metadata, labelled for readers.

    Every id gets the chart's name as prefix (references too): matplotlib numbers its groups
    `figure_1`, `axes_1`, ... in every chart, and ids must be unique within the page.
    """
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata={"Date": None})
    svg = _METADATA.sub("", _SVG_PROLOGUE.sub("", out.getvalue(), count=1), count=1)
    svg = svg.replace(' id="', f' id="{name}-').replace("url(#", f"url(#{name}-").replace('href="#', f'href="#{name}-')
    return svg.replace("<svg ", f'<svg class="chart" role="img" aria-label="{escape(label)}" data-chart="{name}" ', 1)


def _figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)  # Agg measures the text for the layout; no pyplot, no window, no global backend
    return figure


def _legend_on_top(figure: Figure, axes: Sequence[Axes], columns: int) -> None:
    """One legend for the figure, above the plots: outside the data, it never hides a line."""
    handles: list[Any] = []
    labels: list[str] = []
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    if handles:
        figure.legend(handles, labels, loc="outside upper center", ncols=columns)


def _styled(name: str) -> Any:
    """The house style and a per-chart hash salt, for everything drawn and saved inside."""
    style: Any = {**_RC, "svg.hashsalt": name}  # typed loosely: matplotlib's stubs list every rc key as a Literal
    return rc_context(style)


# --- load -------------------------------------------------------------------------------------
def _column(rows: Sequence[Sequence[Any]], columns: Sequence[str], name: str) -> list[float] | None:
    if name not in columns:
        return None
    index = list(columns).index(name)
    return [float("nan") if row[index] is None else float(row[index]) for row in rows if len(row) > index]


def _mark_events(axes: Axes, events: Sequence[Sequence[Any]], start: float, with_labels: bool) -> None:
    """Token events as vertical lines, one collection per kind (compact SVG); the legend counts each kind."""
    at: dict[str, set[float]] = {}
    counts: dict[str, int] = {}
    for when, kind, *_source in events:
        counts[str(kind)] = counts.get(str(kind), 0) + 1
        at.setdefault(str(kind), set()).add(round(float(when) - start, 2))  # 10 ms apart: one line
    for kind, xs in at.items():
        colour, style = EVENT_STYLES.get(kind, ("#777777", ":"))
        width, alpha = EVENT_WIDTHS.get(kind, (1.2, 0.8))
        axes.vlines(sorted(xs), 0, 1, transform=axes.get_xaxis_transform(), colors=colour, linestyles=style,
                    linewidths=width, alpha=alpha)
        if with_labels:  # a legend entry of its own: the collection's alpha would make it too pale
            axes.plot([], [], color=colour, linestyle=style, linewidth=width, alpha=max(alpha, 0.5),
                      label=f"{EVENT_LABELS.get(kind, kind)} ({counts[kind]})")


def load_timeline_svg(timeline: Mapping[str, Any]) -> str:
    """Requests/s and failures/s over latency p50/p95/p99 per second, token events as vertical lines."""
    with _styled("load-timeline"):
        return _load_timeline_svg(timeline)


def _load_timeline_svg(timeline: Mapping[str, Any]) -> str:
    rows: list[Sequence[Any]] = list(timeline.get("seconds") or [])
    columns = list(timeline.get("columns") or ["second", "requests", "failures", "mean_ms", "max_ms"])
    events = list(timeline.get("events") or [])
    start = float(rows[0][0]) if rows else float(events[0][0]) if events else 0.0
    xs = [float(row[0]) - start for row in rows]
    marker = "." if len(rows) <= 30 else None  # a dot per second reads on a short run, clutters a long one
    figure = _figure(6.0, 6.0)
    throughput, latency = figure.subplots(2, 1, sharex=True)
    throughput.plot(xs, _column(rows, columns, "requests") or [], color="#1f77b4", marker=marker, label="requests/s")
    throughput.plot(xs, _column(rows, columns, "failures") or [], color="#d62728", marker=marker, label="failures/s")
    throughput.set(title="Throughput (requests per second)", ylabel="requests/s")
    throughput.set_ylim(bottom=0)
    percentiles = [(name, colour) for name, colour in (("p50_ms", "#2ca02c"), ("p95_ms", "#ff7f0e"),
                                                       ("p99_ms", "#9467bd")) if name in columns]
    for name, colour in percentiles or [("mean_ms", "#2ca02c"), ("max_ms", "#ff7f0e")]:
        latency.plot(xs, _column(rows, columns, name) or [], color=colour, marker=marker, label=name.replace("_ms", ""))
    latency.set(title="Latency percentiles, per second", ylabel="milliseconds", xlabel="seconds since the run started")
    latency.set_ylim(bottom=0)
    _mark_events(throughput, events, start, with_labels=True)
    _mark_events(latency, events, start, with_labels=False)
    _legend_on_top(figure, [throughput, latency], columns=4)
    if not rows:
        throughput.text(0.5, 0.5, "no requests were made", transform=throughput.transAxes, ha="center")
    kinds = ", ".join(sorted({str(e[1]) for e in events})) or "no token events"
    return _svg(figure, "load-timeline", f"Load timeline: requests, failures and latency per second; {kinds}")


def _expiry_second(key: str) -> float | None:
    _name, at, second = key.rpartition("@")
    try:
        return float(second) if at else None
    except ValueError:
        return None


def herd_svg(herd: Mapping[str, Mapping[str, int]], start: float | None = None) -> str:
    """Token generations per expiry per process; single-flight makes every bar exactly 1."""
    with _styled("herd"):
        return _herd_svg(herd, start)


def _herd_svg(herd: Mapping[str, Mapping[str, int]], start: float | None) -> str:
    processes = sorted(herd)
    keys = sorted({k for per in herd.values() for k in per}, key=lambda k: (_expiry_second(k) or 0.0, k))
    figure = _figure(6.0, 3.4)
    axes = figure.subplots()
    width = 0.7 / max(len(processes), 1)
    for index, process in enumerate(processes):
        positions = [n + (index - (len(processes) - 1) / 2) * width for n in range(len(keys))]
        axes.bar(positions, [herd[process].get(k, 0) for k in keys], width=width, label=f"process {process}")
    axes.axhline(1, color="#2f855a", linestyle="--", linewidth=1, label="one per expiry per process")
    labels = []
    for n, key in enumerate(keys):
        second = _expiry_second(key)
        labels.append(f"+{second - start:.0f} s" if second is not None and start is not None else f"#{n + 1}")
    step = max(1, len(keys) // 12)  # at most ~12 tick labels: readable on a phone
    axes.set_xticks(range(0, len(keys), step), labels[::step])
    axes.set_xlim(-0.8, max(len(keys), 4) - 0.2)  # a few expiries: bars keep a bar's width, not the page's
    worst = max((n for per in herd.values() for n in per.values()), default=0)
    axes.set(title=f"Herd: token generations per expiry (worst {worst})", ylabel="generations",
             xlabel="expiry (time since the run started)" if start is not None else "expiry, in time order")
    axes.set_ylim(0, max(worst, 1) + 1)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    if not keys:
        axes.text(0.5, 0.5, "no token expired during the run", transform=axes.transAxes, ha="center")
    _legend_on_top(figure, [axes], columns=min(len(processes) + 1, 4))
    return _svg(figure, "herd", f"Herd chart: token generations per expiry per process, worst {worst}")


# --- conformance --------------------------------------------------------------------------------
def verdicts_by_area_svg(requirements: Mapping[str, Mapping[str, Any]]) -> str:
    """Requirements per area, stacked by verdict (horizontal: long area names stay readable)."""
    with _styled("verdicts-by-area"):
        return _verdicts_by_area_svg(requirements)


def _verdicts_by_area_svg(requirements: Mapping[str, Mapping[str, Any]]) -> str:
    areas: list[str] = []
    for row in requirements.values():
        if str(row.get("area")) not in areas:
            areas.append(str(row.get("area")))
    present = [v for v in VERDICT_COLOURS if any(r.get("verdict") == v for r in requirements.values())]
    figure = _figure(6.0, 1.5 + 0.45 * len(areas))
    axes = figure.subplots()
    left = [0] * len(areas)
    for verdict in present:
        counts = [sum(1 for r in requirements.values() if r.get("area") == area and r.get("verdict") == verdict)
                  for area in areas]
        axes.barh(areas, counts, left=left, color=VERDICT_COLOURS[verdict], label=verdict, edgecolor="white")
        left = [a + b for a, b in zip(left, counts, strict=True)]
    axes.invert_yaxis()  # the catalogue's order, top to bottom
    axes.set(title="Requirement verdicts per area", xlabel="requirements")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(axis="y", visible=False)
    _legend_on_top(figure, [axes], columns=min(len(present), 7) or 1)
    summary = ", ".join(f"{sum(1 for r in requirements.values() if r.get('verdict') == v)} {v}" for v in present)
    return _svg(figure, "verdicts-by-area", f"Requirement verdicts per area: {summary}")
