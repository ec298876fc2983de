"""The token cache without Locust: real threads, a fake generator, a fake server."""

from __future__ import annotations

import itertools
import threading
import time

import pytest

from load.token_cache import (
    CachedToken,
    GenerationReason,
    IssuedToken,
    TokenCache,
    TokenCaches,
    TokenMode,
    TokenUnavailable,
)

CALLERS = 16
OK, EXPIRED, INVALID = "200", "498", "401"


class FakeGenerator:
    """Mints `tok-1`, `tok-2`, ... slowly enough that concurrent callers overlap."""

    def __init__(self, delay: float = 0.05, fail: bool = False) -> None:
        self.delay, self.fail = delay, fail
        self.calls = 0
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    def __call__(self) -> IssuedToken:
        with self._lock:
            self.calls += 1
            number = next(self._numbers)
        time.sleep(self.delay)
        if self.fail:
            raise TokenUnavailable("token endpoint said no")
        return IssuedToken(f"tok-{number}", expires_at=1_000.0 + number)


class FakeServer:
    """Answers 498 for tokens marked expired, 401 for unknown ones, 200 otherwise."""

    def __init__(self, expire_everything: bool = False, reject_everything: bool = False) -> None:
        self.expired: set[str] = set()
        self.expire_everything, self.reject_everything = expire_everything, reject_everything
        self.sent: list[str] = []
        self._lock = threading.Lock()

    def send(self, token: str) -> str:
        with self._lock:
            self.sent.append(token)
        if self.reject_everything:
            return INVALID
        return EXPIRED if self.expire_everything or token in self.expired else OK


class Recorder:
    def __init__(self) -> None:
        self.generated: list[tuple[GenerationReason, CachedToken | None]] = []
        self.seen = self.leaked = 0
        self.recoveries: list[tuple[str, bool]] = []
        self._lock = threading.Lock()

    def token_generated(self, reason: GenerationReason, replaced: CachedToken | None) -> None:
        with self._lock:
            self.generated.append((reason, replaced))

    def expired_token_seen(self, token: CachedToken) -> None:
        with self._lock:
            self.seen += 1

    def expired_token_leaked(self, token: CachedToken) -> None:
        with self._lock:
            self.leaked += 1

    def expiry_recovered(self, label: str, seconds: float, succeeded: bool) -> None:
        with self._lock:
            self.recoveries.append((label, succeeded))

    def regenerations_per_expiry(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for reason, replaced in self.generated:
            if reason is GenerationReason.REGENERATION and replaced is not None:
                counts[replaced.expiry_key] = counts.get(replaced.expiry_key, 0) + 1
        return counts


def run_concurrently(callers: int, work) -> list:
    barrier = threading.Barrier(callers)
    results: list = [None] * callers

    def caller(index: int) -> None:
        barrier.wait()
        results[index] = work()

    threads = [threading.Thread(target=caller, args=(i,)) for i in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return results


def is_expired(answer: str) -> bool:
    return answer == EXPIRED


def test_single_flight_regenerates_exactly_once_for_concurrent_callers_of_one_expired_token():
    recorder, generate = Recorder(), FakeGenerator()
    cache = TokenCache("short_lived", events=recorder)
    expired = cache.token(generate)

    tokens = run_concurrently(CALLERS, lambda: cache.replace_expired(expired, generate))

    assert generate.calls == 2  # the initial token and one regeneration
    assert {t.value for t in tokens} == {"tok-2"}  # every waiter reuses the one new token
    assert recorder.regenerations_per_expiry() == {expired.expiry_key: 1}


def test_naive_mode_regenerates_once_per_caller_that_saw_the_expiry():
    recorder, generate = Recorder(), FakeGenerator()
    cache = TokenCache("short_lived", coordinated=False, events=recorder)
    expired = cache.token(generate)

    run_concurrently(CALLERS, lambda: cache.replace_expired(expired, generate))

    assert generate.calls - 1 == CALLERS
    assert recorder.regenerations_per_expiry()[expired.expiry_key] > 1


def test_concurrent_calls_through_single_flight_see_498_each_but_regenerate_once():
    recorder, generate, server = Recorder(), FakeGenerator(), FakeServer()
    cache = TokenCache("short_lived", events=recorder)
    first = cache.token(generate)
    server.expired.add(first.value)

    answers = run_concurrently(CALLERS, lambda: cache.call(generate, server.send, is_expired, label="customer.get"))

    assert answers == [OK] * CALLERS
    assert generate.calls == 2
    assert recorder.seen == CALLERS
    assert recorder.leaked == 0
    assert recorder.recoveries == [("customer.get", True)] * CALLERS
    assert recorder.regenerations_per_expiry() == {first.expiry_key: 1}


def test_concurrent_calls_in_naive_mode_regenerate_more_than_once_per_expiry():
    recorder, generate, server = Recorder(), FakeGenerator(), FakeServer()
    cache = TokenCache("short_lived", coordinated=False, events=recorder)
    first = cache.token(generate)
    server.expired.add(first.value)

    run_concurrently(CALLERS, lambda: cache.call(generate, server.send, is_expired))

    assert recorder.regenerations_per_expiry()[first.expiry_key] > 1


def test_a_401_never_triggers_a_regeneration():
    recorder, generate, server = Recorder(), FakeGenerator(delay=0), FakeServer(reject_everything=True)
    cache = TokenCache("primary", events=recorder)

    answer = cache.call(generate, server.send, is_expired)

    assert answer == INVALID
    assert generate.calls == 1  # the initial token only
    assert len(server.sent) == 1
    assert recorder.seen == 0
    assert recorder.recoveries == []


def test_a_498_is_followed_by_exactly_one_regenerate_and_retry():
    recorder, generate, server = Recorder(), FakeGenerator(delay=0), FakeServer()
    cache = TokenCache("short_lived", events=recorder)
    server.expired.add(cache.token(generate).value)

    answer = cache.call(generate, server.send, is_expired, label="customer.add")

    assert answer == OK
    assert server.sent == ["tok-1", "tok-2"]
    assert [reason for reason, _ in recorder.generated] == [GenerationReason.INITIAL, GenerationReason.REGENERATION]
    assert recorder.recoveries == [("customer.add", True)]


def test_a_second_498_after_the_retry_is_leaked_and_not_retried_again():
    recorder, generate, server = Recorder(), FakeGenerator(delay=0), FakeServer(expire_everything=True)
    cache = TokenCache("short_lived", events=recorder)

    answer = cache.call(generate, server.send, is_expired)

    assert answer == EXPIRED
    assert len(server.sent) == 2  # the request and its one retry, never a third
    assert generate.calls == 2
    assert recorder.seen == 1
    assert recorder.leaked == 1
    assert recorder.recoveries == [("", False)]


def test_a_failed_regeneration_raises_and_is_reported_as_a_failed_recovery():
    recorder, server = Recorder(), FakeServer()
    cache = TokenCache("short_lived", events=recorder)
    server.expired.add(cache.token(FakeGenerator(delay=0)).value)

    with pytest.raises(TokenUnavailable):
        cache.call(FakeGenerator(delay=0, fail=True), server.send, is_expired)

    assert recorder.recoveries == [("", False)]
    assert len(server.sent) == 1  # no retry without a token


def test_a_token_that_got_498_is_never_sent_again_even_when_its_regeneration_failed():
    """CAP-CLI-03 (found by the client judge): the next call generates afresh, never resends it."""
    server, generator = FakeServer(), FakeGenerator(delay=0)
    cache = TokenCache("short_lived")
    dead = cache.token(generator).value
    server.expired.add(dead)
    with pytest.raises(TokenUnavailable):
        cache.call(FakeGenerator(delay=0, fail=True), server.send, is_expired)
    assert cache.call(generator, server.send, is_expired) == OK
    assert server.sent.count(dead) == 1


def test_an_expired_token_is_kept_until_a_498_when_proactive_refresh_is_off():
    now = [0.0]
    generate = FakeGenerator(delay=0)
    cache = TokenCache("short_lived", clock=lambda: now[0])
    first = cache.token(generate)
    now[0] = first.expires_at + 100  # long past exp

    assert cache.token(generate) is first
    assert generate.calls == 1


def test_proactive_refresh_renews_margin_seconds_before_exp():
    now = [0.0]
    recorder, generate = Recorder(), FakeGenerator(delay=0)
    cache = TokenCache("primary", refresh_margin=5.0, events=recorder, clock=lambda: now[0])
    first = cache.token(generate)
    now[0] = first.expires_at - 5.5
    assert cache.token(generate) is first
    now[0] = first.expires_at - 4.5

    renewed = cache.token(generate)

    assert renewed.version == first.version + 1
    assert recorder.generated[-1] == (GenerationReason.REFRESH, first)


def test_jitter_renews_up_to_jitter_seconds_earlier_still():
    cache = TokenCache("primary", refresh_margin=1.0, jitter=10.0, random_fraction=lambda: 0.5)

    token = cache.token(FakeGenerator(delay=0))

    assert token.refresh_at == pytest.approx(token.expires_at - 1.0 - 5.0)


def test_per_user_mode_gives_every_user_its_own_cache_and_shared_modes_one_per_credential():
    per_user = TokenCaches(TokenMode.PER_USER)
    shared = TokenCaches(TokenMode.SINGLE_FLIGHT)
    naive = TokenCaches(TokenMode.NAIVE)

    assert per_user.for_user("primary") is not per_user.for_user("primary")
    assert shared.for_user("primary") is shared.for_user("primary")
    assert shared.for_user("primary") is not shared.for_user("short_lived")
    assert not naive.for_user("primary").coordinated


def test_per_user_tokens_minted_in_the_same_second_share_one_expiry_key():
    generate = FakeGenerator(delay=0)
    caches = TokenCaches(TokenMode.PER_USER)
    one, two = caches.for_user("short_lived"), caches.for_user("short_lived")
    fixed = IssuedToken("t", expires_at=1234.6)

    assert one.token(lambda: fixed).expiry_key == two.token(lambda: fixed).expiry_key == "short_lived@1234"
    assert generate.calls == 0


def test_a_cached_token_repr_never_shows_the_token():
    token = TokenCache("primary").token(lambda: IssuedToken("eyJhbGciOi.secret.part", None))

    assert "eyJ" not in repr(token)
