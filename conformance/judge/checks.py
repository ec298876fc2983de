"""One pure function per CAP-CLI requirement over the recorded trace: no I/O, no clock.

Each returns a Finding: pass, fail (naming the exchanges that show it), not-run (the trace
cannot show the requirement either way: never a pass), skipped (not applicable) or an
observation. The level (MUST/SHOULD) is the requirement's, applied by verdicts.py.
"""

from __future__ import annotations

__all__ = ["Finding", "JudgeSettings", "judge"]

import itertools
from collections.abc import Callable, Sequence

from conformance import protocol
from conformance.certify.leaks import secrets_in_bytes
from conformance.judge.findings import Finding, JudgeSettings
from conformance.judge.trace import Entry, Trace

HERD_WINDOW_SECONDS = 1.0  # generations this soon after a 498 answer count as that expiry's regeneration
THROTTLE_GRACE_SECONDS = 0.25  # other connections' calls this soon may have left before the 429 was read
THROTTLE_TOLERANCE_SECONDS = 0.05
MAX_REFUSED_ATTEMPTS = 4  # one attempt and three retries: "a few times"
MIN_RETRY_WAIT_SECONDS = 0.05
# A wait measured on the wire includes the client's own scheduling delays: a wait may come out a
# quarter shorter than the one before (or 20 ms) and still count as growing.
WAIT_TOLERANCE_SHARE, WAIT_TOLERANCE_SECONDS = 0.25, 0.02
MAX_CITED = 20
DOCUMENTED_TOKEN_MEMBERS = ("key", "secret")  # the token/generate body (docs/contract.md section 1)


Check = Callable[[Trace, JudgeSettings], Finding]


def _ids(entries: Sequence[Entry | int]) -> tuple[int, ...]:
    ids = sorted({e if isinstance(e, int) else e.id for e in entries})
    return tuple(ids[:MAX_CITED])


def _show(ids: Sequence[int]) -> str:
    return ", ".join(f"#{i}" for i in ids[:5]) + (" …" if len(ids) > 5 else "")


def token_requests_are_documented(trace: Trace, settings: JudgeSettings) -> Finding:
    """CAP-CLI-01: POST with a JSON object of non-empty string `key` and `secret` members, and no other."""
    rid, name = "CAP-CLI-01", "token_requests_are_documented"
    requests = trace.token_requests
    if not requests:
        return Finding(rid, name, "not-run", "the client made no token request")
    bad: list[tuple[int, str]] = []
    for entry in requests:
        problems = [] if entry.exchange.method.upper() == "POST" else [f"method {entry.exchange.method}"]
        body = entry.request_json
        if not isinstance(body, dict):
            problems.append("the body is not a JSON object")
        else:
            problems += [f"no non-empty string '{m}'" for m in DOCUMENTED_TOKEN_MEMBERS
                         if not isinstance(body.get(m), str) or not body[m]]
            extra = sorted(set(body) - set(DOCUMENTED_TOKEN_MEMBERS))
            problems += [f"members besides key and secret: {', '.join(map(repr, extra))}"] if extra else []
        if problems:
            bad.append((entry.id, "; ".join(problems)))
    if bad:
        return Finding(rid, name, "fail", f"{len(bad)} of {len(requests)} token requests are not the documented "
                       f"POST with a JSON key/secret body: #{bad[0][0]} {bad[0][1]}", _ids([i for i, _ in bad]))
    return Finding(rid, name, "pass", f"{len(requests)} token requests, each a POST with a JSON key/secret body "
                   "and nothing else", _ids(requests[:1]))


def calls_carry_an_issued_token(trace: Trace, settings: JudgeSettings) -> Finding:
    """CAP-CLI-02: every API call has X-CAP-API-OAUTH-TOKEN with a token the client got in this run."""
    rid, name = "CAP-CLI-02", "calls_carry_an_issued_token"
    calls = trace.api_calls
    if not calls:
        return Finding(rid, name, "not-run", "the client made no API call")
    missing = [c for c in calls if c.sent_token is None]
    unknown = [c for c in calls if c.sent_token is not None and c.sent_token not in trace.tokens]
    if missing or unknown:
        parts = ([f"{len(missing)} without {protocol.TOKEN_HEADER} ({_show(_ids(missing))})"] if missing else []) + \
                ([f"{len(unknown)} with a token it never obtained here ({_show(_ids(unknown))})"] if unknown else [])
        return Finding(rid, name, "fail", f"of {len(calls)} API calls, " + "; ".join(parts),
                       _ids([*missing, *unknown]))
    return Finding(rid, name, "pass", f"{len(calls)} API calls, each with an issued token in {protocol.TOKEN_HEADER}",
                   _ids(calls[:1]))


def expired_token_is_never_sent_again(trace: Trace, settings: JudgeSettings) -> Finding:
    """CAP-CLI-03: no call started after a 498 carries the token that got it."""
    rid, name = "CAP-CLI-03", "expired_token_is_never_sent_again"
    deaths = trace.deaths()
    if not deaths:
        return Finding(rid, name, "not-run", "no call got a 498, so regeneration could not be observed "
                       "(the client made too few API calls for the expire_on_call scenario)")
    cited: list[int] = []
    worst = ""
    for token in deaths:
        died_at = token.died_at or 0.0
        resent = [c for c in trace.api_calls if c.sent_token == token.value and c.started > died_at]
        if resent:
            cited += [token.died_by or 0, *(c.id for c in resent)]
            worst = worst or f"the token that got 498 in #{token.died_by} was sent again {len(resent)} time(s): " \
                             f"{_show(_ids(resent))}"
    if cited:
        return Finding(rid, name, "fail", worst, _ids(cited))
    return Finding(rid, name, "pass", f"{len(deaths)} token(s) got 498; none was sent again",
                   _ids([t.died_by or 0 for t in deaths]))


def secret_appears_only_in_the_token_body(trace: Trace, settings: JudgeSettings) -> Finding:
    """CAP-CLI-04: a secret in a URL, any header, or the body of any other call is a leak."""
    rid, name = "CAP-CLI-04", "secret_appears_only_in_the_token_body"
    if not len(trace):
        return Finding(rid, name, "not-run", "the client made no request")
    hits: list[tuple[int, str]] = []
    for entry in trace:
        places = [("the URL", entry.exchange.url)]
        places += [(f"header {header}", value) for header, value in entry.exchange.request_headers]
        if entry.kind.value != "token":
            places.append(("the body", entry.exchange.request_body.decode("utf-8", errors="replace")))
        for where, text in places:
            # The secrets only: a full JWT in the token header is expected, not a leak.
            found = secrets_in_bytes(text.encode(), settings.secrets)
            hits += [(entry.id, f"{secret.label}{how} in {where}") for secret, how in found.items()]
    if hits:
        return Finding(rid, name, "fail", f"a secret left the token request body in {len(hits)} place(s): "
                       f"#{hits[0][0]} {hits[0][1]}", _ids([i for i, _ in hits]))
    return Finding(rid, name, "pass", f"{len(trace)} requests scanned: the secret appears only in token request bodies")


def herd_generations(trace: Trace, settings: JudgeSettings) -> list[tuple[int, list[Entry]]]:
    """(dead token's 498 exchange, regenerations) for each expiry regenerated more than once per process."""
    herds = []
    for token in trace.deaths():
        died_at = token.died_at or 0.0
        sightings = [c for c in trace.api_calls if c.sent_token == token.value and c.expired]
        # The expiry is settled once a call with a token issued after it succeeds: a generation after
        # that is a later renewal (CAP-CLI-05's to judge), not part of this expiry's regeneration.
        settled = min((c.finished for c in trace.api_calls if not c.expired and not c.unauthorized
                       and (fresh := trace.tokens.get(c.sent_token or "")) is not None
                       and fresh.issued_at >= died_at), default=died_at + HERD_WINDOW_SECONDS)
        until = min(settled, died_at + HERD_WINDOW_SECONDS)
        regenerations = [g for g in trace.token_requests if g.key == token.key and g.issued_token is not None
                         and died_at <= g.started <= until]
        # Each worker that saw the 498 may account for one new token; fewer new tokens than
        # sightings is single flight, and a failed attempt retried (a 5xx) mints nothing.
        herd = regenerations[:len(sightings)]
        if len(herd) > settings.processes:
            herds.append((token.died_by or 0, herd))
    return herds


def tokens_are_reused(trace: Trace, settings: JudgeSettings) -> Finding:
    """CAP-CLI-05: no generation while the process still holds a live token outside its renewal window."""
    rid, name = "CAP-CLI-05", "tokens_are_reused"
    requests = sorted(trace.token_requests, key=lambda e: e.started)
    if not requests:
        return Finding(rid, name, "not-run", "the client made no token request")
    in_herds = {g.id for _, herd in herd_generations(trace, settings) for g in herd}  # CAP-CLI-06 judges those
    wasted: list[tuple[int, int]] = []
    for g in requests:
        if g.id in in_herds:
            continue
        live = [t for t in trace.tokens.values() if t.key == g.key and t.issued_by != g.id
                and t.live_at(g.started) and not t.in_renewal_window(g.started)]
        if len(live) >= settings.processes:
            wasted.append((g.id, live[0].issued_by))
    if wasted:
        return Finding(rid, name, "fail", f"{len(wasted)} of {len(requests)} token requests came while a valid token "
                       f"was held (e.g. #{wasted[0][0]} while the token from #{wasted[0][1]} was live)",
                       _ids([i for pair in wasted for i in pair]))
    return Finding(rid, name, "pass", f"{len(requests)} token requests, none while a valid token was held",
                   _ids(requests[:1]))


def workers_regenerate_once_per_expiry(trace: Trace, settings: JudgeSettings) -> Finding:
    """CAP-CLI-06: after a 498 seen by several workers, one regeneration per process."""
    rid, name = "CAP-CLI-06", "workers_regenerate_once_per_expiry"
    deaths = trace.deaths()
    if not deaths:
        return Finding(rid, name, "not-run", "no call got a 498")
    herds = herd_generations(trace, settings)
    if herds:
        died_by, herd = herds[0]
        return Finding(rid, name, "fail", f"{len(herd)} regenerations within {HERD_WINDOW_SECONDS:g} s of the 498 "
                       f"in #{died_by} ({settings.processes} allowed): {_show(_ids(herd))}",
                       _ids([d for d, _ in herds] + [g for _, h in herds for g in h]))
    return Finding(rid, name, "pass", f"{len(deaths)} expiries, each regenerated at most {settings.processes} time(s)",
                   _ids([t.died_by or 0 for t in deaths]))


def retry_after_is_honoured(trace: Trace, settings: JudgeSettings) -> Finding:
    """CAP-CLI-07: nothing is sent during Retry-After (other connections get a short grace)."""
    rid, name = "CAP-CLI-07", "retry_after_is_honoured"
    throttles = [(e, e.retry_after(trace.wall_at_zero)) for e in trace if e.throttled]
    judged = [(e, wait) for e, wait in throttles if wait is not None]
    if not judged:
        return Finding(rid, name, "not-run", "no throttling answer with Retry-After" if not throttles
                       else "throttling answers carried no Retry-After")
    early: list[tuple[Entry, Entry]] = []
    for answer, wait in judged:
        until = answer.finished + wait - THROTTLE_TOLERANCE_SECONDS
        early += [(answer, e) for e in trace if answer.finished < e.started < until
                  and (e.connection == answer.connection or e.started >= answer.finished + THROTTLE_GRACE_SECONDS)]
    if early:
        answer, first = early[0]
        return Finding(rid, name, "fail", f"{len(early)} request(s) inside Retry-After: #{first.id} came "
                       f"{first.started - answer.finished:.2f} s after the 429 in #{answer.id}",
                       _ids([e for pair in early for e in pair]))
    return Finding(rid, name, "pass", f"{len(judged)} throttling answer(s); the client waited each Retry-After",
                   _ids([e for e, _ in judged]))


def refused_generation_backs_off(trace: Trace, settings: JudgeSettings) -> Finding:
    """CAP-CLI-08: at most MAX_REFUSED_ATTEMPTS refused generations in a row, with waits that never shrink."""
    rid, name = "CAP-CLI-08", "refused_generation_backs_off"
    runs: list[list[Entry]] = []
    current: dict[str | None, list[Entry]] = {}
    for g in sorted(trace.token_requests, key=lambda e: e.started):
        if g.refused_generation:
            current.setdefault(g.key, []).append(g)
        elif g.issued_token is not None and g.key in current:
            runs.append(current.pop(g.key))
    runs += list(current.values())
    if not runs:
        return Finding(rid, name, "not-run", "no token request was refused")
    for run in runs:
        waits = [b.started - a.finished for a, b in itertools.pairwise(run)]
        shrinking = any(w2 < w1 - max(WAIT_TOLERANCE_SECONDS, WAIT_TOLERANCE_SHARE * w1)
                        for w1, w2 in itertools.pairwise(waits))
        if len(run) > MAX_REFUSED_ATTEMPTS:
            return Finding(rid, name, "fail", f"{len(run)} refused token requests in a row (at most "
                           f"{MAX_REFUSED_ATTEMPTS}): {_show(_ids(run))}", _ids(run))
        if shrinking or any(w < MIN_RETRY_WAIT_SECONDS for w in waits):
            shown = ", ".join(f"{w:.2f}" for w in waits)
            return Finding(rid, name, "fail", f"retries of a refused generation did not back off (waits {shown} s): "
                           f"{_show(_ids(run))}", _ids(run))
    return Finding(rid, name, "pass", f"{sum(map(len, runs))} refused token request(s), retried at most "
                   f"{MAX_REFUSED_ATTEMPTS - 1} times with growing waits", _ids(runs[0]))


def till_of(entry: Entry, settings: JudgeSettings) -> str | None:
    """The till a write names: a TILL-CODE style header, or ENTITY-CODE with type TILL_CODE (the default)."""
    headers = entry.exchange.request_header
    for header in (*settings.till_headers, protocol.TILL_CODE_HEADER, protocol.TILL_HEADER_SEED_NAME):
        if header.lower() not in (protocol.ENTITY_CODE_HEADER.lower(), protocol.ENTITY_TYPE_HEADER.lower()):
            value = headers(header)
            if value and value.strip():
                return value.strip()
    code, kind = headers(protocol.ENTITY_CODE_HEADER), (headers(protocol.ENTITY_TYPE_HEADER) or "TILL_CODE")
    return code.strip() if code and code.strip() and kind.strip().upper() == "TILL_CODE" else None


def writes_carry_the_till(trace: Trace, settings: JudgeSettings) -> Finding:
    """CAP-CLI-09: writes name a till; every write names the declared till when there is one."""
    rid, name = "CAP-CLI-09", "writes_carry_the_till"
    writes = [c for c in trace.api_calls if c.is_write]
    if not writes:
        return Finding(rid, name, "skipped", "the client made no write")
    tills = [(w, till_of(w, settings)) for w in writes]
    if settings.declared_till is not None:
        wrong = [w for w, till in tills if till != settings.declared_till]
        if wrong:
            return Finding(rid, name, "fail", f"{len(wrong)} of {len(writes)} writes do not carry the declared till "
                           f"{settings.declared_till!r}: {_show(_ids(wrong))}", _ids(wrong))
        return Finding(rid, name, "pass", f"{len(writes)} writes, each with the declared till", _ids(writes[:1]))
    with_till = [w for w, till in tills if till]
    return Finding(rid, name, "observation", f"{len(with_till)} of {len(writes)} writes carry a till header "
                   "(the others go to the client's default till)", _ids(with_till[:1] or writes[:1]))


def tokens_are_renewed_before_exp(trace: Trace, settings: JudgeSettings) -> Finding:
    """CAP-CLI-10 (observation): renewals made while the previous token was still valid."""
    rid, name = "CAP-CLI-10", "tokens_are_renewed_before_exp"
    renewals = [g for g in trace.token_requests if g.issued_token is not None and any(
        t.key == g.key and t.issued_by != g.id for t in trace.tokens.values() if t.issued_at <= g.started)]
    if not renewals:
        return Finding(rid, name, "observation", "no token was renewed during the run")
    proactive = [g for g in renewals if any(t.key == g.key and t.issued_by != g.id and t.live_at(g.started)
                                            and t.in_renewal_window(g.started) for t in trace.tokens.values())]
    return Finding(rid, name, "observation", f"{len(proactive)} of {len(renewals)} renewals were proactive "
                   "(before exp); the others followed a 498, a 401 or an expiry", _ids(proactive or renewals[:1]))


CHECKS: tuple[Check, ...] = (
    token_requests_are_documented, calls_carry_an_issued_token, expired_token_is_never_sent_again,
    secret_appears_only_in_the_token_body, tokens_are_reused, workers_regenerate_once_per_expiry,
    retry_after_is_honoured, refused_generation_backs_off, writes_carry_the_till, tokens_are_renewed_before_exp,
)


def judge(trace: Trace, settings: JudgeSettings) -> list[Finding]:
    return [check(trace, settings) for check in CHECKS]
