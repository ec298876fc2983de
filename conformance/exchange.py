"""Exchange: a frozen snapshot of one HTTP request and its response, the unit of evidence."""

from __future__ import annotations

import itertools
import json
import shlex
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from conformance import protocol
from conformance.redaction import Redactor

_ids = itertools.count(1)


@dataclass(frozen=True)
class Exchange:
    method: str
    url: str
    request_headers: tuple[tuple[str, str], ...]
    request_body: bytes
    status: int
    response_headers: tuple[tuple[str, str], ...]
    response_body: bytes
    elapsed_seconds: float
    label: str = ""
    id: int = field(default_factory=lambda: next(_ids))
    # The answer was longer than the profile's max_response_bytes and was cut: never judged a pass.
    truncated: bool = False
    # The rate-limit bucket it counted on (`key:<api key>`, `till:<code>`, `anonymous`); see pacing.py.
    bucket: str = ""

    @cached_property
    def text(self) -> str:
        return self.response_body.decode("utf-8", errors="replace")

    @cached_property
    def json(self) -> Any:
        """The parsed response body, or None when it is not JSON (servers under test may answer HTML)
        or was cut at the size cap (a truncated answer proves nothing)."""
        return None if self.truncated else protocol.parse_json(self.text)

    def response_header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.response_headers if k.lower() == lowered), None)

    def request_header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.request_headers if k.lower() == lowered), None)

    @property
    def token_outcome(self) -> protocol.Outcome:
        return protocol.classify_token_response(self.status, self.json)

    @property
    def api_outcome(self) -> protocol.Outcome:
        return protocol.classify_api_response(self.status, self.json)

    def redacted(self, redactor: Redactor) -> dict[str, Any]:
        """A JSON-ready view with every secret hidden: what reports and attachments carry."""
        body = self.request_body.decode("utf-8", errors="replace")
        return {
            "id": self.id,
            "label": self.label,
            "request": {
                "method": self.method,
                "url": redactor.text(self.url),
                "headers": {k: redactor.header(k, v) for k, v in self.request_headers},
                "body": redactor.text(body[:4096]) + ("…" if len(body) > 4096 else ""),
            },
            "response": {
                "status": self.status,
                "headers": {k: redactor.header(k, v) for k, v in self.response_headers},
                "body": redactor.text(self.text[:4096]) + ("…" if len(self.text) > 4096 else ""),
                "elapsed_ms": round(self.elapsed_seconds * 1000, 2),
                **({"truncated": True} if self.truncated else {}),
            },
        }

    def as_curl(self, redactor: Redactor) -> str:
        """A curl command that reproduces the request, with secrets left as placeholders."""
        parts = ["curl", "-sS", "-X", self.method, redactor.text(self.url)]
        for name, value in self.request_headers:
            if name.lower() in ("host", "content-length", "accept-encoding", "connection", "user-agent"):
                continue
            parts += ["-H", f"{name}: {redactor.header(name, value)}"]
        if self.request_body:
            body = self.request_body.decode("utf-8", errors="replace")
            parts += ["--data-binary", redactor.text(body[:4096])]
        return " ".join(shlex.quote(p) for p in parts)

    def summary(self, redactor: Redactor) -> str:
        view = self.redacted(redactor)
        return json.dumps(view, indent=2, ensure_ascii=False)
