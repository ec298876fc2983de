"""`--rate-limit-per-minute N`: each API key (and basic-auth till) has its own sliding minute."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from .helpers import CUSTOMER_GET, TOKEN_HEADER, TOKEN_PATH, await_ready, basic_header, launch

PRIMARY = {"key": "JsK1AC1UPbX9SHcgg3mLobWru", "secret": "kQfFHlRVBkgy9CqJAfGGEkVX0sLbq8J5EggKxBn7"}
FALLBACK = {"key": "fmHO0SYlABoXFILkpeyZOjP6w", "secret": "R9ZZRsS4V5jw9DfC5WjoAqlPVXBIsMMLpVRIMFy3"}


@pytest.fixture(scope="module")
def limited() -> Iterator[httpx.Client]:
    server = await_ready(launch(args=("--rate-limit-per-minute", "3")))
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        yield client
    server.stop()


def test_a_key_over_its_limit_gets_429_with_retry_after_and_code_517(limited: httpx.Client) -> None:
    answers = [limited.post(TOKEN_PATH, json=PRIMARY) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert 1 <= int(answers[3].headers["Retry-After"]) <= 60
    assert answers[3].json()["errors"][0]["code"] == 517  # the token endpoint's own (v3) envelope
    # An API call with that key's token counts on the same key (its token names the client).
    token = answers[0].json()["data"]["accessToken"]
    read = limited.get(CUSTOMER_GET, params={"mobile": "1"}, headers={TOKEN_HEADER: token})
    assert read.status_code == 429 and read.json()["response"]["status"]["code"] == 517


def test_other_keys_and_tills_have_their_own_minute(limited: httpx.Client) -> None:
    assert limited.post(TOKEN_PATH, json=FALLBACK).status_code == 200
    auth = {"Authorization": basic_header("store.server", "server123")}
    assert limited.get(CUSTOMER_GET, params={"mobile": "1"}, headers=auth).status_code == 200
