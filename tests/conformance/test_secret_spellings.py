"""A secret is hidden, and its echo found, in every spelling an answer or a record gives it.

A secret sent as a query parameter (the credentials-in-query-only vector) is recorded
percent-encoded; one inside a JSON string, JSON-escaped. Neither may reach exchanges.jsonl, and
neither may pass CAP-TOK-09 when the target echoes it.
"""

from __future__ import annotations

import json
from urllib.parse import quote, quote_plus

import httpx
import pytest

from conformance import protocol
from conformance.checks import token_endpoint
from conformance.checks.failures import ConformanceFailure
from conformance.client import CapillaryApi
from conformance.exchange import Exchange
from conformance.profiles import load_profile
from conformance.redaction import REDACTED, Redactor

PROFILE = load_profile("reference").with_base_url("http://testserver")
SECRET = "ab/cd+ef=gh \"q\" é"
SPELLINGS = {
    "raw": SECRET,
    "json-escaped": json.dumps(SECRET)[1:-1],
    "json-escaped-unicode-kept": json.dumps(SECRET, ensure_ascii=False)[1:-1],
    "percent-encoded": quote(SECRET, safe=""),
    "query-encoded": quote_plus(SECRET, safe=""),
    "escaped-slashes": SECRET.replace("/", "\\/"),
}


def echoing(body: bytes, params: dict[str, str] | None = None) -> Exchange:
    """A real request through the client to a target that answers `body`."""
    transport = httpx.MockTransport(lambda request: httpx.Response(401, content=body))
    api = CapillaryApi(PROFILE, http=httpx.Client(base_url=PROFILE.base_url, transport=transport))
    return api.token_request(b"", params=params, label="echo")


@pytest.mark.parametrize("spelling", list(SPELLINGS.values()), ids=list(SPELLINGS))
def test_the_redactor_hides_every_spelling_of_a_known_secret(spelling: str) -> None:
    assert Redactor([SECRET]).text(f"before {spelling} after") == f"before {REDACTED} after"


def test_a_secret_sent_in_the_query_never_reaches_the_record_of_the_exchange() -> None:
    exchange = echoing(b"{}", params={"key": "some-key", "secret": SECRET})
    assert quote_plus(SECRET, safe="") in exchange.url  # what the wire carried: the secret, percent-encoded
    recorded = json.dumps(exchange.redacted(Redactor([SECRET])), ensure_ascii=False)
    assert all(spelling not in recorded for spelling in SPELLINGS.values())
    assert REDACTED in recorded


def test_the_longest_spelling_is_hidden_whole() -> None:
    """A shorter spelling inside a longer one must not leave the rest of the longer one behind."""
    secret = "abcd/efgh"
    assert Redactor([secret]).text(quote(secret, safe="") + " " + secret) == f"{REDACTED} {REDACTED}"


@pytest.mark.parametrize("spelling", list(SPELLINGS.values()), ids=list(SPELLINGS))
def test_cap_tok_09_fails_when_the_secret_comes_back_in_any_spelling(spelling: str) -> None:
    body = json.dumps({"data": None, "errors": [{"code": 320001, "message": "x"}]}).encode()
    echoed = echoing(body[:-1] + b', "echo": "' + spelling.encode() + b'"}')
    with pytest.raises(ConformanceFailure) as failure:
        token_endpoint.secret_is_not_echoed(echoed, SECRET)
    assert SECRET not in str(failure.value)


def test_cap_tok_09_fails_when_a_header_echoes_the_secret_percent_encoded() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(
        401, headers={"X-Debug": quote(SECRET, safe="")}, json={"data": None}))
    api = CapillaryApi(PROFILE, http=httpx.Client(base_url=PROFILE.base_url, transport=transport))
    with pytest.raises(ConformanceFailure):
        token_endpoint.secret_is_not_echoed(api.send("POST", protocol.TOKEN_GENERATE_PATH, content=b""), SECRET)


def test_cap_tok_09_passes_an_answer_without_the_secret() -> None:
    token_endpoint.secret_is_not_echoed(echoing(b'{"data": null, "errors": [{"code": 320001}]}'), SECRET)
