"""exchanges.html: every exchange the summary cites, once, pretty-printed, with a curl reproduction.

The records are the suite's redacted views (exchanges.jsonl); this page only lays them out:
request line, headers, JSON bodies indented, response, and a curl command rebuilt from the
redacted request (secrets stay `***`). Re-indenting a JSON body decodes its escapes, which could
turn an escaped secret into a literal one, so the page's text goes through the run's redactor
again (`redact`). summary.html links here by anchor (`exchanges.html#exchange-ID`), so the summary
itself stays small however many exchanges a requirement has.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable, Mapping
from html import escape
from typing import Any

from conformance.certify.html_page import BASE_CSS

EXCHANGES_PAGE = "exchanges.html"
# Transport headers every request carries: noise in evidence, left out of the page and the curl line.
TRANSPORT_HEADERS = frozenset({"host", "accept-encoding", "connection", "user-agent", "content-length"})
# A credential header cannot be replayed from its redacted value: the curl line names a shell
# variable for it instead (and the page does not print a long token twice).
CREDENTIAL_VARIABLES = {"x-cap-api-oauth-token": "TOKEN", "authorization": "AUTHORIZATION", "cookie": "COOKIE"}
# Longer header values (forged tokens with 10 KB kids) are cut here; exchanges.jsonl has them whole.
MAX_HEADER_CHARACTERS = 600

EXCHANGES_CSS = BASE_CSS + """
h1{font-size:1.35em}h2{font-size:1.05em;margin:0 0 .3em}
section{border:1px solid #d5d8de;border-radius:4px;padding:.6em .8em;margin:1em 0}
section:target{outline:3px solid #2b6cb0}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f7f8fa;border:1px solid #e2e4e8;padding:.5em;
margin:.3em 0;max-height:32em;overflow-y:auto}
.muted{color:#555}.status{font-weight:700}.s2{color:#14532d}.s4,.s5{color:#9b2c2c}
h3{font-size:.95em;margin:.6em 0 .1em}
@media print{body{max-width:none}section{break-inside:avoid}pre{max-height:none}}
"""


def identity(text: str) -> str:
    return text


def is_transport_header(name: str) -> bool:
    return name.lower() in TRANSPORT_HEADERS


def curl_from_record(record: Mapping[str, Any]) -> str:
    """A curl command for the recorded request, from its redacted view (so secrets stay placeholders)."""
    request = record.get("request") or {}
    words = [shlex.join(["curl", "-sS", "-X", str(request.get("method", "GET")), str(request.get("url", ""))])]
    variables = []
    for name, value in (request.get("headers") or {}).items():
        variable = CREDENTIAL_VARIABLES.get(str(name).lower())
        if variable is not None:
            variables.append(variable)
            words.append(f'-H "{name}: ${variable}"')  # double quotes: the shell fills in the variable
        elif not is_transport_header(str(name)):
            words.append(shlex.join(["-H", f"{name}: {value}"]))
    if request.get("body"):
        words.append(shlex.join(["--data-binary", str(request["body"])]))
    note = (f"# set {' and '.join(variables)} first: the value sent is shown above, redacted\n" if variables else "")
    return note + " ".join(words)


def pretty_body(body: Any) -> str:
    """A JSON body indented (the record holds it as one escaped string); anything else as it is."""
    text = "" if body is None else str(body)
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text


def _message(headers: Mapping[str, Any], body: Any, redact: Callable[[str], str]) -> str:
    lines = [f"{name}: {_cut(str(value))}" for name, value in headers.items() if not is_transport_header(str(name))]
    shown = pretty_body(body)
    text = "\n".join(lines) + ("\n\n" + shown if shown else "")
    return escape(redact(text)) if text else '<span class="muted">(no headers, no body)</span>'


def _cut(value: str) -> str:
    if len(value) <= MAX_HEADER_CHARACTERS:
        return value
    return f"{value[:MAX_HEADER_CHARACTERS]}… ({len(value) - MAX_HEADER_CHARACTERS} more characters in exchanges.jsonl)"


def exchange_section(record: Mapping[str, Any], redact: Callable[[str], str] = identity) -> str:
    request, response = record.get("request") or {}, record.get("response") or {}
    status = response.get("status", "no response")
    status_class = f"s{str(status)[:1]}" if isinstance(status, int) else ""
    elapsed = f' <span class="muted">({response["elapsed_ms"]} ms)</span>' if "elapsed_ms" in response else ""
    eid = int(record.get("id", 0))
    return (
        f'<section id="exchange-{eid}"><h2>#{eid} {escape(redact(str(record.get("label", ""))))}</h2>'
        f'<div><code>{escape(str(request.get("method", "")))} {escape(redact(str(request.get("url", ""))))}</code>'
        f' → <span class="status {status_class}">{escape(str(status))}</span>{elapsed}</div>'
        f"<h3>Request</h3><pre>{_message(request.get('headers') or {}, request.get('body'), redact)}</pre>"
        f"<h3>Response</h3><pre>{_message(response.get('headers') or {}, response.get('body'), redact)}</pre>"
        f"<h3>Reproduce</h3><pre>{escape(redact(curl_from_record(record)))}</pre></section>"
    )


def render_exchanges_html(records: Mapping[int, Mapping[str, Any]], title: str,
                          redact: Callable[[str], str] = identity) -> str:
    sections = "".join(exchange_section(records[eid], redact) for eid in sorted(records))
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{EXCHANGES_CSS}</style></head><body>"
        f'<h1>{escape(title)}</h1><p><a href="summary.html">← back to the summary</a>. '
        f"{len(records)} exchanges, each cited by a test in the summary. Secrets, passwords and token "
        "signatures are redacted (<code>***</code>, <code>&lt;signature redacted&gt;</code>); transport "
        "headers (host, connection, user-agent, accept-encoding, content-length) are left out. Every exchange "
        "of the run is in <code>exchanges.jsonl</code>.</p>"
        f"{sections}</body></html>\n"
    )
