"""Pacing for rate-limited clusters: one bucket per API key, as Capillary counts them.

Capillary limits requests per API key per minute (100 on demo clusters). A token request counts
on the key in its body; an API call on the key of the client its token belongs to; a basic-auth
call on its till. Each bucket is paced on its own, so the requests of different keys never wait
for each other, plus an optional global limit. The pacer spaces a bucket's requests evenly (a
little over 60/limit seconds apart), which keeps any 60-second window at or under the limit.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from conformance import protocol

# Evenly spaced at exactly 60/limit, a sliding window that includes both ends can see limit+1.
SAFETY = 1.02


def bucket_of(path: str, headers: Sequence[tuple[str, str]], content: bytes | None,
              client_keys: Mapping[int, str]) -> str:
    """The bucket a request counts on: `key:<api key>`, `till:<code>` or `anonymous`."""
    if path.split("?", 1)[0] == protocol.TOKEN_GENERATE_PATH:
        body_key = _body_key(content)
        return f"key:{body_key}" if body_key else "anonymous"
    lowered = {name.lower(): value for name, value in headers}
    token = lowered.get(protocol.TOKEN_HEADER.lower())
    if token:
        claims = claims_of(token)
        key = claims.get("client_key")
        if isinstance(key, str) and key:
            return f"key:{key}"
        client_id = claims.get("client_id")
        if isinstance(client_id, int) and client_id in client_keys:
            return f"key:{client_keys[client_id]}"
        return "anonymous"
    authorization = lowered.get("authorization", "")
    if authorization[:6].lower() == "basic ":
        try:
            till = base64.b64decode(authorization[6:].strip(), validate=True).decode().split(":", 1)[0]
        except ValueError:
            return "anonymous"
        return f"till:{till}"
    return "anonymous"


def _body_key(content: bytes | None) -> str | None:
    try:
        body = json.loads(content or b"")
    except (ValueError, RecursionError):
        return None
    key = body.get("key") if isinstance(body, dict) else None
    return key if isinstance(key, str) and key else None


def claims_of(token: str) -> dict[str, object]:
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, RecursionError):
        return {}
    return claims if isinstance(claims, dict) else {}


@dataclass
class BucketStats:
    requests: int = 0
    waited_seconds: float = 0.0


@dataclass
class KeyedPacer:
    per_key_per_minute: int = 0
    global_per_minute: int = 0
    stats: dict[str, BucketStats] = field(default_factory=dict)
    _next: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_turn(self, bucket: str) -> float:
        """Block until `bucket` (and the global budget) may send; returns the seconds waited."""
        with self._lock:
            now = time.monotonic()
            start = now
            limits = [(bucket, self.per_key_per_minute), ("*", self.global_per_minute)]
            for name, limit in limits:
                if limit > 0:
                    start = max(start, self._next.get(name, 0.0))
            for name, limit in limits:
                if limit > 0:
                    self._next[name] = start + SAFETY * 60.0 / limit
            entry = self.stats.setdefault(bucket, BucketStats())
            entry.requests += 1
            entry.waited_seconds += start - now
        if start > now:
            time.sleep(start - now)  # pacing a real cluster: waiting IS the condition here
        return start - now
