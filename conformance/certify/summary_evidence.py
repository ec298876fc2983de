"""summary.html's conformance part: verdicts per area, each requirement with its basis and evidence, observations.

Evidence per test is a count that opens into a list (`<details>`, no script): a requirement with a
hundred forged tokens reads as one line until the reader asks for more. Exchanges are links into
exchanges.html, where each is laid out once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from conformance.certify.charts import verdicts_by_area_svg
from conformance.certify.exchanges_html import EXCHANGES_PAGE
from conformance.certify.html_page import text as _e

_URL = re.compile(r"https?://[^\s<>\"()]+[^\s<>\"().,;:]")
VERDICT_CLASS = {"pass": "ok", "fail": "bad", "error": "bad", "warning": "warn", "waived": "warn",
                 "not-run": "warn", "skipped": "muted", "xfail": "warn"}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _verdict(verdict: str) -> str:
    return f'<span class="v {VERDICT_CLASS.get(verdict, "")}">{_e(verdict)}</span>'


def _exchange_link(eid: int, exchanges: Mapping[int, Mapping[str, Any]]) -> str:
    record = exchanges.get(eid) or {}
    status = (record.get("response") or {}).get("status")
    method = (record.get("request") or {}).get("method")
    what = f" {_e(method)} {_e(status)}" if method else ""
    return f'<a href="{EXCHANGES_PAGE}#exchange-{eid}">#{eid}{what}</a>'


def _test_item(test: Mapping[str, Any], exchanges: Mapping[int, Mapping[str, Any]],
               requirement: Mapping[str, Any]) -> str:
    module, _, name = str(test.get("nodeid", "")).rpartition("::")
    message = f'<div class="msg">{_e(test["message"])}</div>' if test.get("message") else ""
    if test.get("level") and test.get("level") != requirement.get("level"):  # judged at another level: say why
        message = f'<span class="level">{_e(test["level"])}</span>{message}'
    if test.get("basis") and test.get("basis") != requirement.get("basis"):
        message += _basis(test["basis"])
    ids = [int(i) for i in test.get("exchanges") or []]
    links = ""
    if ids:
        listed = " ".join(_exchange_link(i, exchanges) for i in ids)
        links = f'<details class="ex"><summary>{_plural(len(ids), "exchange")}</summary><p>{listed}</p></details>'
    where = f' <span class="muted">{_e(module.rsplit("/", 1)[-1])}</span>' if module else ""
    return f"<li>{_verdict(str(test.get('verdict', '')))} <code>{_e(name or module)}</code>{where}{message}{links}</li>"


def evidence_cell(tests: Sequence[Mapping[str, Any]], exchanges: Mapping[int, Mapping[str, Any]],
                  requirement: Mapping[str, Any] | None = None) -> str:
    """`N tests · M exchanges`, opening into each test's verdict, message and exchange links."""
    if not tests:
        return '<span class="muted">no test ran</span>'
    count = sum(len(t.get("exchanges") or []) for t in tests)
    items = "".join(_test_item(t, exchanges, requirement or {}) for t in tests)
    return (f'<details class="evidence"><summary>{_plural(len(tests), "test")} · {_plural(count, "exchange")}'
            f'</summary><ul class="tests">{items}</ul></details>')


def _linked(text: str) -> str:
    """Escaped text whose http(s) URLs are links (a basis often cites its page inside a sentence)."""
    parts, last = [], 0
    for match in _URL.finditer(text):
        url = match.group(0)
        parts += [_e(text[last:match.start()]), f'<a href="{_e(url)}">{_e(url)}</a>']
        last = match.end()
    return "".join(parts) + _e(text[last:])


def _basis(basis: Any) -> str:
    if not basis:
        return ""
    return f'<div class="basis"><span class="muted">basis:</span> {_linked(str(basis))}</div>'


def requirements_section(summary: Mapping[str, Any], exchanges: Mapping[int, Mapping[str, Any]]) -> str:
    requirements: Mapping[str, Mapping[str, Any]] = summary.get("requirements") or {}
    rows, area = [], None
    for rid, r in requirements.items():
        if r.get("area") != area:
            area = r.get("area")
            rows.append(f'<tr class="area"><th colspan="3">{_e(area)}</th></tr>')
        rows.append(
            f'<tr id="req-{_e(rid)}"><td><code class="rid">{_e(rid)}</code> <span class="level">{_e(r.get("level"))}'
            f'</span><div><a href="{_e(r.get("url"))}">{_e(r.get("title"))}</a></div>{_basis(r.get("basis"))}</td>'
            f'<td class="verdict">{_verdict(str(r.get("verdict", "")))}</td>'
            f'<td>{evidence_cell(r.get("tests") or [], exchanges, r)}</td></tr>')
    chart = verdicts_by_area_svg(requirements) if requirements else ""
    return (f'<h2 id="requirements">Requirements</h2>{chart}<table class="stack reqs"><thead><tr class="head">'
            f"<th>Requirement</th><th>Verdict</th><th>Evidence</th></tr></thead><tbody>{''.join(rows)}</tbody>"
            "</table>")


def observations_section(summary: Mapping[str, Any]) -> str:
    """What this target does where the contract leaves it a choice: facts, never verdicts."""
    observations = summary.get("observations") or []
    if not observations:
        return ""
    rows = "".join(
        f'<tr><td><a href="#req-{_e(o.get("requirement"))}">{_e(o.get("requirement"))}</a></td>'
        f'<td>{_e(o.get("what"))}<div class="muted"><code>{_e(str(o.get("test", "")).rpartition("::")[2])}'
        f'</code></div></td><td><code>{_e(o.get("observed"))}</code></td></tr>' for o in observations)
    return ('<h2 id="observations">Observations</h2><p class="muted">What this target does where the contract '
            "leaves a choice. These are facts to read, not verdicts.</p>"
            '<table class="stack"><thead><tr class="head"><th>Requirement</th><th>What</th><th>Observed</th></tr>'
            f"</thead><tbody>{rows}</tbody></table>")
