"""Target profiles as frozen data: what the suite and the load scenarios know about a target."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from conformance.profiles.behaviour import Behaviour

ROLES = ("primary", "restricted", "fallback", "short_lived", "deactivated", "other_org", "authz_unavailable")
REQUIRED_ROLES = ("primary", "restricted")


class Secret(str):
    """A string whose repr never shows the value: secrets reach logs only by mistake, and then as ***."""

    def __repr__(self) -> str:
        return "Secret('***')"

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Client:
    role: str
    key: str
    secret: Secret
    expiry_seconds: int
    default_till: str
    org_id: int
    denied: tuple[str, ...] = ()


@dataclass(frozen=True)
class Launch:
    command: tuple[str, ...]
    cwd: Path
    ready_pattern: str
    ready_timeout_seconds: float = 30.0


@dataclass(frozen=True)
class Tills:
    override: str | None = None
    unknown: str = "no.such.till999"
    foreign: str | None = None
    primary_invalid_till: str = "error"
    fallback_role: str | None = None


@dataclass(frozen=True)
class BasicCredentials:
    till: str
    password: Secret


@dataclass(frozen=True)
class Basic:
    enabled: bool
    credentials: BasicCredentials | None = None
    disabled: BasicCredentials | None = None


@dataclass(frozen=True)
class ExpectedFailure:
    test: str
    reason: str


@dataclass(frozen=True)
class ClientEnv:
    """Names of the environment variables the client judge hands an integration under test."""

    base_url: str = "CAP_BASE_URL"
    key: str = "CAP_CLIENT_KEY"
    secret: str = "CAP_CLIENT_SECRET"  # noqa: S105 - the variable's name, not a value
    till_code: str = "CAP_TILL_CODE"
    till_header: str = "CAP_TILL_HEADER"


@dataclass(frozen=True)
class Integration:
    """The profile's [client] table: how the client judge launches and judges an API client of this target.

    `till` declares the integration's own till: writes must then carry it (CAP-CLI-09 becomes MUST).
    `processes` is how many processes of the integration share the judge, each with its own token.
    """

    role: str = "primary"
    till: str | None = None
    processes: int = 1
    env: ClientEnv = field(default_factory=ClientEnv)


@dataclass(frozen=True)
class Profile:
    source: Path
    name: str
    base_url: str
    local_test_target: bool = False
    timeout_seconds: float = 10.0
    # Answers longer than this are cut and recorded as truncated: memory stays bounded whatever
    # a target sends (a few MiB is far above any documented answer).
    max_response_bytes: int = 2 * 1024 * 1024
    verify_tls: bool = True
    ca_bundle: Path | None = None
    till_header: str = "X-CAP-API-ATTRIBUTION-TILL-CODE"
    issuer: str = "Capillary"
    max_token_expiry_seconds: int = 3600
    # Capillary limits requests per API key per minute: each key is paced on its own.
    rate_limit_per_minute: int = 0
    rate_limit_global_per_minute: int = 0
    public_key_url: str | None = None
    public_key_file: Path | None = None
    signing_key_file: Path | None = None
    capabilities: frozenset[str] = frozenset()
    launch: Launch | None = None
    clients: dict[str, Client] = field(default_factory=dict)
    tills: Tills = field(default_factory=Tills)
    basic: Basic | None = None
    expect: dict[str, int] = field(default_factory=dict)
    expected_failures: tuple[ExpectedFailure, ...] = ()
    expired_token: Secret | None = None
    load_gates: dict[str, float] = field(default_factory=dict)
    integration: Integration = field(default_factory=Integration)
    behaviour: Behaviour = field(default_factory=Behaviour)

    @property
    def till_headers(self) -> tuple[str, ...]:
        """Every till header form the target reads: its till_header first, then declared extras."""
        extra = tuple(h for h in self.behaviour.till_headers if h.lower() != self.till_header.lower())
        return (self.till_header, *extra)

    def client(self, role: str) -> Client | None:
        return self.clients.get(role)

    def with_base_url(self, base_url: str) -> Profile:
        return replace(self, base_url=base_url.rstrip("/"))

    def without_launch(self) -> Profile:
        return replace(self, launch=None)

    def labelled_secrets(self) -> list[tuple[str, str]]:
        """Every literal secret this profile holds, named by where it comes from (the name is what a
        leak report may show; the value never is). The one place that knows which fields are secret."""
        found = [(f"client secret of role '{role}'", str(c.secret)) for role, c in self.clients.items()]
        if self.basic and self.basic.credentials:
            found.append(("basic-auth till password", str(self.basic.credentials.password)))
        if self.basic and self.basic.disabled:
            found.append(("basic-auth password of the disabled org", str(self.basic.disabled.password)))
        if self.expired_token:
            found.append(("the profile's expired token", str(self.expired_token)))
        return [(label, value) for label, value in found if value]

    def secrets(self) -> list[str]:
        """Every literal secret this profile holds: what redaction hides and the leak scan looks for."""
        return [value for _, value in self.labelled_secrets()]

    def fingerprint(self) -> str:
        """A hash of the profile file's text with every literal secret replaced by its own hash:
        safe to publish, the same on every machine, and unchanged by where a target was launched."""
        text = self.source.read_text(encoding="utf-8") if self.source.is_file() else ""
        for secret in sorted(self.secrets(), key=len, reverse=True):
            text = text.replace(secret, Secret(secret).fingerprint)
        return hashlib.sha256(text.encode()).hexdigest()[:16]
