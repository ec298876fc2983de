"""summary.html: the certification summary as one self-contained page, readable on screen and on paper.

No template engine: the page is a handful of tables, and `html.escape` on every value from the
run (target answers included, which are attacker-controlled text) is easier to audit here than
a template's autoescape settings. No script, no external stylesheet, font or image.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

VERDICT_CLASS = {"conformant": "ok", "not conformant": "bad", "incomplete": "warn"}
ROW_CLASS = {"pass": "ok", "fail": "bad", "error": "bad", "warning": "warn", "waived": "warn", "not-run": "warn"}

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d1f23}
body{margin:2em auto;max-width:72em;padding:0 1em}
h1{font-size:1.5em;margin:0 0 .4em}
h2{font-size:1.15em;margin:1.6em 0 .5em;border-bottom:1px solid #ccd}
table{border-collapse:collapse;width:100%;margin:.3em 0}
th,td{border:1px solid #d5d8de;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f1f3f6}
td.k{width:14em;color:#444}
code,pre{font:12px/1.35 ui-monospace,Menlo,Consolas,monospace}
pre{white-space:pre-wrap;word-break:break-all;background:#f7f8fa;padding:.5em;border:1px solid #e2e4e8}
.banner{padding:.8em 1em;font-size:1.4em;font-weight:700;border-radius:4px;margin:.6em 0}
.banner.ok{background:#dff3e4;color:#14532d;border:2px solid #2f855a}
.banner.bad{background:#fde2e1;color:#7f1d1d;border:2px solid #c53030}
.banner.warn{background:#fff4d6;color:#744210;border:2px solid #d69e2e}
td.ok{background:#e9f7ee}
td.bad{background:#fdeaea;font-weight:700}
td.warn{background:#fff7e0}
.muted{color:#666}
.ex{margin:.3em 0;border-left:3px solid #ccd;padding-left:.6em}
ul.tests{margin:0;padding-left:1.1em}
@media print{
body{margin:0;max-width:none;font-size:10.5pt}
a{color:inherit;text-decoration:none}
.banner,td.ok,td.bad,td.warn,th{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{padding:0}
tr,.ex{break-inside:avoid}
h2{break-after:avoid}
details pre{display:none}
#exchanges{break-before:page}
}
"""


def _e(value: Any) -> str:
    return escape("" if value is None else str(value))


def _kv_table(rows: Iterable[tuple[str, Any]]) -> str:
    body = "".join(f'<tr><td class="k">{_e(k)}</td><td>{v}</td></tr>' for k, v in rows)
    return f"<table>{body}</table>"


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
        f'<tr><td>{_e(st["name"])}</td><td class="{ROW_CLASS.get(_step_row(st), "")}">{_e(st["status"])}</td>'
        f'<td>{_e(st["exit_code"])}</td><td>{_e(st.get("detail"))}</td></tr>' for st in s.get("steps") or [])
    return f"<h2>Steps</h2><table><tr><th>Step</th><th>Status</th><th>Exit</th><th>Detail</th></tr>{rows}</table>"


def _step_row(step: Mapping[str, Any]) -> str:
    return {"passed": "pass", "failed": "fail", "error": "error"}.get(str(step.get("status")), "warning")


def _evidence(tests: list[Mapping[str, Any]]) -> str:
    if not tests:
        return '<span class="muted">no test ran</span>'
    items = []
    for t in tests:
        links = " ".join(f'<a href="#exchange-{int(i)}">#{int(i)}</a>' for i in t.get("exchanges") or [])
        message = f'<br><span class="muted">{_e(t["message"])}</span>' if t.get("message") else ""
        items.append(f"<li><code>{_e(t['nodeid'].split('::')[-1])}</code> — {_e(t['verdict'])}"
                     f"{' · exchanges ' + links if links else ''}{message}</li>")
    return f'<ul class="tests">{"".join(items)}</ul>'


def _requirements_section(s: Mapping[str, Any]) -> str:
    rows = []
    for rid, r in (s.get("requirements") or {}).items():
        rows.append(
            f'<tr id="req-{_e(rid)}"><td><code>{_e(rid)}</code></td><td>{_e(r["level"])}</td>'
            f'<td>{_e(r["area"])}</td><td><a href="{_e(r["url"])}">{_e(r["title"])}</a></td>'
            f'<td class="{ROW_CLASS.get(r["verdict"], "")}">{_e(r["verdict"])}</td>'
            f'<td>{_evidence(r["tests"])}</td></tr>')
    return ("<h2>Requirements</h2><table><tr><th>Id</th><th>Level</th><th>Area</th><th>Requirement</th>"
            f"<th>Verdict</th><th>Evidence</th></tr>{''.join(rows)}</table>")


def _waivers_section(s: Mapping[str, Any]) -> str:
    waivers = s.get("waivers") or []
    if not waivers:
        return "<h2>Waivers</h2><p>None: the profile declares no expected failures.</p>"
    rows = "".join(f"<tr><td><code>{_e(w['test'])}</code></td><td>{_e(w['reason'])}</td>"
                   f"<td>{_e(w['outcome'])}</td></tr>" for w in waivers)
    return f"<h2>Waivers</h2><table><tr><th>Test</th><th>Reason</th><th>Outcome</th></tr>{rows}</table>"


def _load_section(s: Mapping[str, Any]) -> str:
    load = s.get("load")
    if not load:
        return "<h2>Load</h2><p>Load was not part of this run.</p>"
    rows: list[tuple[str, Any]] = [("Status", _e(load.get("status"))), ("Exit code", _e(load.get("exit_code"))),
                                   ("Detail", _e(load.get("detail")))]
    if load.get("scenario"):
        rows.append(("Scenario", f"{_e(load['scenario'])}, {_e(load.get('run_time'))}"))
    if load.get("report_dir"):
        rows.append(("Reports in the bundle", f"<code>{_e(load['report_dir'])}</code>"))
    rows += [(f"gate {name}", _e(result)) for name, result in (load.get("gates") or {}).items()]
    rows += [(name, _e(value)) for name, value in (load.get("totals") or {}).items()]
    return "<h2>Load</h2>" + _kv_table(rows)


def _leak_section(s: Mapping[str, Any]) -> str:
    scan = s.get("leak_scan") or {}
    hits = "".join(f"<li><code>{_e(h['file'])}</code>: {_e(h['what'])}</li>" for h in scan.get("leaks") or [])
    return (f"<h2>Leak scan</h2><p>{_e(scan.get('status', 'not run'))}: {_e(scan.get('files_scanned', 0))} files "
            f"scanned for the profile's secrets and full tokens.</p>{'<ul>' + hits + '</ul>' if hits else ''}")


def _exchanges_section(exchanges: Mapping[int, Mapping[str, Any]]) -> str:
    if not exchanges:
        return ""
    parts = ['<h2 id="exchanges">Evidence: redacted exchanges</h2>',
             '<p class="muted">Secrets, passwords and token signatures are redacted. The full file is '
             "<code>exchanges.jsonl</code> in the bundle.</p>"]
    for eid in sorted(exchanges):
        ex = exchanges[eid]
        request, response = ex.get("request") or {}, ex.get("response") or {}
        status = response.get("status", "no response")
        parts.append(
            f'<div class="ex" id="exchange-{eid}"><b>#{eid}</b> {_e(ex.get("label"))}: '
            f'<code>{_e(request.get("method"))} {_e(request.get("url"))}</code> → <b>{_e(status)}</b>'
            f"<details><summary>request and response</summary><pre>{_e(json.dumps(ex, indent=1, ensure_ascii=False))}"
            "</pre></details></div>")
    return "".join(parts)


def render_summary_html(summary: Mapping[str, Any], exchanges: Mapping[int, Mapping[str, Any]]) -> str:
    """The page; `exchanges` are the redacted records the requirement table links to (by id)."""
    verdict = str(summary.get("verdict", "incomplete"))
    title = f"Capillary conformance certification — {summary.get('target') or summary.get('profile')}"
    banner = (f'<div class="banner {VERDICT_CLASS.get(verdict, "warn")}">{_e(verdict.upper())}'
              f' <span style="font-weight:400;font-size:.7em">(exit {_e(summary.get("exit_code"))})</span></div>')
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>"
        f"<h1>{_e(title)}</h1>{banner}"
        f"{_run_section(summary)}{_observed_section(summary)}{_steps_section(summary)}"
        f"{_requirements_section(summary)}{_waivers_section(summary)}{_load_section(summary)}"
        f"{_leak_section(summary)}{_exchanges_section(exchanges)}"
        "</body></html>\n"
    )


def referenced_exchanges(summary: Mapping[str, Any],
                         records: Iterable[Mapping[str, Any]]) -> dict[int, Mapping[str, Any]]:
    """Only the exchanges some test cites: the page stays small, and every link has a target."""
    wanted = {int(i) for r in (summary.get("requirements") or {}).values() for t in r["tests"] for i in t["exchanges"]}
    return {int(rec["id"]): rec for rec in records if isinstance(rec.get("id"), int) and rec["id"] in wanted}
