"""`--rate-limit-per-minute N`: each API key (and basic-auth till) has its own sliding minute."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest

from fixtures.reference_server.config import load_config
from fixtures.reference_server.ratelimit import RateLimiter

from .helpers import (
    CUSTOMER_GET,
    ORG_FILE,
    ROOT,
    TILLS,
    TOKEN_HEADER,
    TOKEN_PATH,
    await_ready,
    b64u_json,
    basic_header,
    credentials,
    launch,
)

LIMIT = 3
PRIMARY = credentials("pos_gateway")
FALLBACK = credentials("fallback_pos")
TILL = "store.server"


@pytest.fixture(scope="module")
def limited() -> Iterator[httpx.Client]:
    server = await_ready(launch(args=("--rate-limit-per-minute", str(LIMIT))))
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        yield client
    assert server.stop() == 0


def exhaust(limited: httpx.Client, body: dict[str, str]) -> list[httpx.Response]:
    """LIMIT + 1 token requests: the last is over the limit whatever this minute saw before."""
    answers = [limited.post(TOKEN_PATH, json=body) for _ in range(LIMIT + 1)]
    assert answers[-1].status_code == 429, answers[-1].text
    return answers


def test_a_key_over_its_limit_gets_429_with_retry_after_and_code_517(limited: httpx.Client) -> None:
    answers = exhaust(limited, PRIMARY)
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert 1 <= int(answers[3].headers["Retry-After"]) <= 60
    assert answers[3].json()["errors"][0]["code"] == 517  # the token endpoint's own (v3) envelope
    # An API call with that key's token counts on the same key (its token names the client).
    token = answers[0].json()["data"]["accessToken"]
    read = limited.get(CUSTOMER_GET, params={"mobile": "1"}, headers={TOKEN_HEADER: token})
    assert read.status_code == 429 and read.json()["response"]["status"]["code"] == 517


def test_other_keys_and_tills_have_their_own_minute(limited: httpx.Client) -> None:
    exhaust(limited, PRIMARY)  # whatever ran before: PRIMARY is over its limit now
    assert limited.post(TOKEN_PATH, json=FALLBACK).status_code == 200
    auth = {"Authorization": basic_header(TILL, TILLS[TILL]["password"])}
    assert limited.get(CUSTOMER_GET, params={"mobile": "1"}, headers=auth).status_code == 200


def test_a_made_up_key_is_refused_but_never_limited(limited: httpx.Client) -> None:
    made_up = {"key": "no-such-key", "secret": "s"}
    answers = [limited.post(TOKEN_PATH, json=made_up) for _ in range(LIMIT + 2)]
    assert [a.status_code for a in answers] == [401] * (LIMIT + 2)


def _basic(till: str) -> list[bytes]:
    return [b"Basic " + base64.b64encode(f"{till}:0".encode())]


def test_unknown_keys_and_tills_get_no_window_however_many_are_named() -> None:
    """A flood of made-up keys (in bodies, token claims, basic auth) allocates nothing: the
    windows are the org file's keys and tills, made at start."""
    config = load_config(ROOT / ORG_FILE)
    limiter = RateLimiter(1, config)
    windows = dict(limiter.windows)
    assert set(windows) == ({f"key:{key}" for key in config.clients_by_key}
                            | {f"till:{code}" for code in config.tills_by_code})
    for n in range(2000):
        assert limiter.token_request({"key": f"made-up-{n}", "secret": "s"}) is None
        unsigned = f"e30.{b64u_json({'client_key': f'made-up-{n}', 'client_id': 10**6 + n})}.x".encode()
        assert limiter.api_call({TOKEN_HEADER.lower().encode(): [unsigned]}, "customers") is None
        assert limiter.api_call({b"authorization": _basic(f"till-{n}")}, "customers") is None
    assert dict(limiter.windows) == windows and all(not window for window in windows.values())
    # ...while a configured key still is limited (the check above is not vacuous).
    assert limiter.token_request(PRIMARY) is None
    refusal = limiter.token_request(PRIMARY)
    assert refusal is not None and refusal.status == 429
    assert limiter.api_call({b"authorization": _basic(TILL)}, "customers") is None
    assert limiter.api_call({b"authorization": _basic(TILL)}, "customers") is not None
