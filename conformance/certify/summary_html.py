"""summary.html: the certification summary as one self-contained page, on a phone, a monitor or paper.

No template engine: the page is a handful of tables, and `html.escape` on every value from the
run (target answers included, which are attacker-controlled text) is easier to audit here than
a template's autoescape settings. No script, no external stylesheet, font or image: the charts
are inline SVG (charts.py). Long names wrap, tables that cannot fit stack their cells on narrow
screens, so the page never scrolls sideways. Exchanges live once, in exchanges.html.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from conformance.certify.exchanges_html import EXCHANGES_PAGE, render_exchanges_html
from conformance.certify.html_page import BASE_CSS
from conformance.certify.html_page import text as _e
from conformance.certify.summary_evidence import observations_section, requirements_section
from conformance.certify.summary_load import load_section
from conformance.redaction import Redactor

VERDICT_CLASS = {"conformant": "ok", "not conformant": "bad", "incomplete": "warn"}
STEP_CLASS = {"passed": "ok", "failed": "bad", "error": "bad"}
# Every report a bundle may hold, in reading order, with what it is for the reader.
BUNDLE_REPORTS = (
    ("allure-report.html", "Allure report: every test by area, requirement and behaviour, with attachments"),
    (EXCHANGES_PAGE, "every exchange cited here, pretty-printed, with a curl reproduction"),
    ("load/timeline.html", "load timeline: throughput, latency and token events per second"),
    ("load/locust.html", "Locust's own load report"),
    ("junit.xml", "JUnit results, for CI tools"),
    ("summary.json", "this summary as JSON (schemas/certification-summary.schema.json)"),
    ("conformance-summary.json", "the suite's own summary"),
    ("exchanges.jsonl", "every HTTP exchange of the run, redacted, one JSON object per line"),
    ("load/summary.json", "the load run's figures and gate results"),
    ("logs/conformance.log", "the suite's output"),
    ("logs/load.log", "the load run's output"),
)

CSS = BASE_CSS + """
h1{font-size:1.4em;line-height:1.25;margin:.2em 0 .4em}
h2{font-size:1.15em;margin:1.6em 0 .5em;border-bottom:1px solid #ccd}
h3{font-size:1em;margin:1em 0 .3em}
table{border-collapse:collapse;width:100%;margin:.3em 0}
th,td{border:1px solid #d5d8de;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f1f3f6}
td.k{width:32%;color:#444}
tr.area th{background:#e6eaf0;font-size:1.02em}
td.verdict{width:7em}table.reqs td:first-child{width:45%}
pre{white-space:pre-wrap;background:#f7f8fa;padding:.5em;border:1px solid #e2e4e8}
.banner{padding:.7em 1em;font-size:1.4em;font-weight:700;border-radius:4px;margin:.6em 0}
.banner small{display:block;font-size:.55em;font-weight:400}
.banner.ok{background:#dff3e4;color:#14532d;border:2px solid #2f855a}
.banner.bad{background:#fde2e1;color:#7f1d1d;border:2px solid #c53030}
.banner.warn{background:#fff4d6;color:#744210;border:2px solid #d69e2e}
.v{display:inline-block;padding:0 .4em;border-radius:3px;font-weight:600;background:#edf2f7}
.v.ok{background:#dff3e4;color:#14532d}.v.bad{background:#fde2e1;color:#7f1d1d}
.v.warn{background:#fff4d6;color:#744210}
td.ok{background:#e9f7ee}td.bad{background:#fdeaea;font-weight:700}
.muted{color:#5a5f69}.level{font-size:.8em;color:#5a5f69}.basis{font-size:.9em;margin-top:.2em}
.msg{font-size:.9em;color:#444;margin:.1em 0}
ul.tests{margin:.3em 0;padding-left:1.1em}ul.tests li{margin:.25em 0}
details>summary{cursor:pointer;color:#2b4c7e}
details.ex p{margin:.2em 0;font-size:.9em;word-spacing:.3em}
ul.reports li{margin:.2em 0}
svg.chart{display:block;width:100%;max-width:46em;height:auto;margin:.6em 0}
@media (max-width:40em){
body{font-size:14px;padding:.6em}
table.stack,table.stack tbody,table.stack tr,table.stack td,table.stack th{display:block;width:auto}
table.stack tr.head{display:none}
table.stack tr{border:1px solid #d5d8de;margin:.5em 0}
table.stack td,table.stack th{border:0}
table.reqs td:first-child{width:auto}
td.k{width:40%}
}
@media print{
body{max-width:none;font-size:10.5pt;padding:0}
a{color:inherit;text-decoration:none}
.banner,.v,td.ok,td.bad,th{-webkit-print-color-adjust:exact;print-color-adjust:exact}
tr,svg.chart{break-inside:avoid}
h2{break-after:avoid}
}
"""


def _kv_table(rows: Iterable[tuple[str, Any]]) -> str:
    body = "".join(f'<tr><td class="k">{_e(k)}</td><td>{v}</td></tr>' for k, v in rows)
    return f'<table class="kv">{body}</table>'


def _banner(s: Mapping[str, Any]) -> str:
    verdict = str(s.get("verdict", "incomplete"))
    counts: dict[str, int] = {}
    for row in (s.get("requirements") or {}).values():
        counts[str(row.get("verdict"))] = counts.get(str(row.get("verdict")), 0) + 1
    told = ", ".join(f"{n} {v}" for v, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    stopped = s.get("stopped") or {}
    # A run that stopped must not read like a certification with many unrun requirements: say why first.
    cause = (f'<small id="stopped">Not a certification: the run stopped after the {_e(stopped.get("after"))} '
             f'step: {_e(stopped.get("cause"))}</small>') if stopped else ""
    return (f'<div class="banner {VERDICT_CLASS.get(verdict, "warn")}" id="verdict">{_e(verdict.upper())}'
            f' <span style="font-weight:400;font-size:.7em">(exit {_e(s.get("exit_code"))})</span>'
            f"{cause}<small>{len(s.get('requirements') or {})} requirements: {_e(told)}</small></div>")


def _run_section(s: Mapping[str, Any]) -> str:
    suite = s.get("suite") or {}
    revision = suite.get("git_revision") or "unknown"
    dirty = " (with uncommitted changes)" if suite.get("git_dirty") else ""
    offset = s.get("clock_offset_seconds")
    return "<h2>Run</h2>" + _kv_table([
        ("Target", f"<code>{_e(s.get('target'))}</code>"),
        ("Profile", f"{_e(s.get('profile'))} — hash <code>{_e(s.get('profile_hash'))}</code> (secret-free)"),
        ("Suite", f"{_e(suite.get('name'))} {_e(suite.get('version'))}, git <code>{_e(revision)}</code>{_e(dirty)}"),
        ("Plan", f"{_e(s.get('plan'))}{' (strict: SHOULD failures fail)' if s.get('strict') else ''}"),
        ("Started / finished (UTC)", f"{_e(s.get('started'))} → {_e(s.get('finished'))}"),
        ("Server clock offset", "unknown" if offset is None else f"{float(offset):+.3f} s"),
        ("Hypothesis seed", f"<code>{_e(s.get('seed'))}</code>"),
        ("Requests made", _e(s.get("requests"))),
    ])


def _observed_section(s: Mapping[str, Any]) -> str:
    o = s.get("observed") or {}
    claims = ", ".join(str(c) for c in o.get("claims") or []) or None
    unknown = '<span class="muted">not observed</span>'
    rows = [("Key id (kid)", o.get("kid")), ("Issuer (iss)", o.get("iss")),
            ("Token lifetime (s)", o.get("lifetime")), ("Claims", claims),
            ("Public-key fingerprint (SHA-256 of SPKI)", o.get("public_key_fingerprint"))]
    return "<h2>Observed target</h2>" + _kv_table((k, f"<code>{_e(v)}</code>" if v is not None else unknown)
                                                 for k, v in rows)


def _steps_section(s: Mapping[str, Any]) -> str:
    rows = "".join(
        f'<tr><td>{_e(st["name"])}</td><td class="{STEP_CLASS.get(str(st["status"]), "")}">{_e(st["status"])}'
        f' (exit {_e(st["exit_code"])})</td><td>{_e(st.get("detail"))}</td></tr>' for st in s.get("steps") or [])
    return ('<h2>Steps</h2><table class="stack"><thead><tr class="head"><th>Step</th><th>Status</th><th>Detail</th>'
            f"</tr></thead><tbody>{rows}</tbody></table>")


def _reports_section(reports: Sequence[tuple[str, str]]) -> str:
    if not reports:
        return ""
    items = "".join(f'<li><a href="{_e(href)}">{_e(href)}</a> — {_e(what)}</li>' for href, what in reports)
    return (f'<h2 id="reports">Reports in this bundle</h2><ul class="reports">{items}</ul><p class="muted">'
            "<code>MANIFEST.sha256</code> and its signature <code>MANIFEST.sha256.sig</code> cover every file.</p>")


def _waivers_section(s: Mapping[str, Any]) -> str:
    waivers = s.get("waivers") or []
    if not waivers:
        return "<h2>Waivers</h2><p>None: the profile declares no expected failures.</p>"
    rows = "".join(f"<tr><td><code>{_e(w['test'])}</code></td><td>{_e(w['reason'])}</td>"
                   f"<td>{_e(w['outcome'])}</td></tr>" for w in waivers)
    return ('<h2>Waivers</h2><table class="stack"><thead><tr class="head"><th>Test</th><th>Reason</th>'
            f"<th>Outcome</th></tr></thead><tbody>{rows}</tbody></table>")


def _leak_section(s: Mapping[str, Any]) -> str:
    scan = s.get("leak_scan") or {}
    hits = "".join(f"<li><code>{_e(h['file'])}</code>: {_e(h['what'])}</li>" for h in scan.get("leaks") or [])
    return (f"<h2>Leak scan</h2><p>{_e(scan.get('status', 'not run'))}: {_e(scan.get('files_scanned', 0))} files "
            f"scanned for the profile's secrets and full tokens.</p>{'<ul>' + hits + '</ul>' if hits else ''}")


def render_summary_html(summary: Mapping[str, Any], exchanges: Mapping[int, Mapping[str, Any]], *,
                        timeline: Mapping[str, Any] | None = None,
                        reports: Sequence[tuple[str, str]] = ()) -> str:
    """The page. `exchanges` label the evidence links (they point into exchanges.html); `timeline` is
    the load run's timeline.json for its charts; `reports` are (relative link, description) pairs."""
    title = f"Capillary conformance certification — {summary.get('target') or summary.get('profile')}"
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>"
        f"<h1>{_e(title)}</h1>{_banner(summary)}{_reports_section(reports)}"
        f"{_run_section(summary)}{_observed_section(summary)}{_steps_section(summary)}"
        f"{requirements_section(summary, exchanges)}{observations_section(summary)}{_waivers_section(summary)}"
        f"{load_section(summary, timeline)}{_leak_section(summary)}"
        "</body></html>\n"
    )


def write_summary_pages(bundle: Path, summary: Mapping[str, Any], records: Iterable[Mapping[str, Any]],
                        secrets: Sequence[str]) -> list[Path]:
    """exchanges.html, then summary.html (which lists it among the bundle's reports); returns both paths."""
    cited = referenced_exchanges(summary, records)
    title = f"Evidence exchanges — {summary.get('target') or summary.get('profile')}"
    exchanges_page = bundle / EXCHANGES_PAGE
    exchanges_page.write_text(render_exchanges_html(cited, title, Redactor(secrets).text), encoding="utf-8")
    timeline = _json_object(bundle / "load" / "timeline.json")
    page = bundle / "summary.html"
    page.write_text(render_summary_html(summary, cited, timeline=timeline, reports=bundle_reports(bundle)),
                    encoding="utf-8")
    return [exchanges_page, page]


def _json_object(path: Path) -> dict[str, Any] | None:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None


def bundle_reports(bundle: Path) -> list[tuple[str, str]]:
    """The reports present in a bundle, as (relative link, description), in reading order."""
    return [(name, what) for name, what in BUNDLE_REPORTS if (bundle / name).is_file()]


def referenced_exchanges(summary: Mapping[str, Any],
                         records: Iterable[Mapping[str, Any]]) -> dict[int, Mapping[str, Any]]:
    """Only the exchanges some test cites: exchanges.html stays as small as the evidence, and every link lands."""
    wanted = {int(i) for r in (summary.get("requirements") or {}).values() for t in r["tests"] for i in t["exchanges"]}
    return {int(rec["id"]): rec for rec in records if isinstance(rec.get("id"), int) and rec["id"] in wanted}
