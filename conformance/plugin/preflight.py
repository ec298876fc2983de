"""Opening a run's target: the profile, the launch, the first token, the public key.

Everything that can stop a run before its first test happens here and ends in one typed
`PreflightStop` (a one-line message and the exit code), which the plugin turns into a clean
exit: a broken profile is 2, a target that does not start or answer is 3.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from conformance.checks.failures import ConformanceFailure
from conformance.client import CapillaryApi
from conformance.context import CredentialsRefused, TargetContext, TokenUnavailable
from conformance.exchange import Exchange
from conformance.key_recovery import KeyRecoveryLane, cache_directory
from conformance.outcome import ExitCode
from conformance.plans import Plan
from conformance.profiles import LaunchError, Profile, ProfileError
from conformance.profiles.target import resolve, running_target
from conformance.redaction import Redactor
from conformance.tokens import public_key_from_jwks
from conformance.transport import TargetError

# GMP recovers a 2048-bit key in ~25 s here; a slow CI machine gets four times that.
KEY_RECOVERY_TIMEOUT = 120.0


class PreflightStop(Exception):
    """The run cannot start; str() is the one line the user sees."""

    def __init__(self, message: str, code: ExitCode) -> None:
        super().__init__(message)
        self.code = code

    @classmethod
    def profile_error(cls, error: ProfileError) -> PreflightStop:
        """A broken profile: every problem of the file, one `profile error: …` line each, exit 2."""
        return cls("\n".join(f"profile error: {line}" for line in str(error).splitlines()), ExitCode.ERROR)


@dataclass
class PublicKey:
    """The target's public key: the profile's, else recovered from signatures or cached (lazily)."""

    key: Any = None
    source: str = "none"  # profile | cache | recovered | none
    reason: str = ""
    lane: KeyRecoveryLane | None = None

    def get(self) -> Any:
        if self.key is None and self.lane is not None:
            self.key = self.lane.result(timeout=KEY_RECOVERY_TIMEOUT)
            self.source, self.reason = self.lane.source, self.lane.reason
            self.lane = None
        return self.key

    def close(self) -> None:
        if self.lane is not None:
            self.lane.close()
            self.lane = None


@dataclass
class OpenTarget:
    profile: Profile
    context: TargetContext
    public_key: PublicKey
    launched: bool
    failure: str | None = None  # the target answered the first token request, but not with a token
    _stack: ExitStack = field(default_factory=ExitStack)

    def close(self) -> None:
        self.public_key.close()
        self.context.api.close()
        self._stack.close()  # stops a launched target


def open_target(loaded: Profile, target: str | None, plan: Plan, redactor: Redactor,
                record: Callable[[Exchange], None], *, needs_key: bool) -> OpenTarget:
    redactor.add(*loaded.secrets())
    stack = ExitStack()
    try:
        profile = stack.enter_context(running_target(resolve(loaded, target)))
    except ProfileError as error:
        stack.close()
        raise PreflightStop.profile_error(error) from None
    except LaunchError as error:
        stack.close()
        raise PreflightStop(f"target did not start ({loaded.source}): {error}", ExitCode.INCOMPLETE) from None
    context = TargetContext(profile, CapillaryApi(profile, on_exchange=record), redactor)
    opened = OpenTarget(profile, context, PublicKey(), loaded.launch is not None and not target, _stack=stack)
    try:
        first = context.token("primary", label="preflight: primary token")
        opened.public_key = _published_key(context)
        if opened.public_key.key is None and needs_key:
            _recover_key(opened, first.token, first.header, plan)
    except CredentialsRefused as error:
        opened.close()
        raise PreflightStop(f"preflight failed, check the profile's credentials: {error}", ExitCode.ERROR) from None
    except (TokenUnavailable, ConformanceFailure) as failure:
        # The target answers, but not with a token: that is CAP-TOK-01 failing, not the profile.
        # The run goes on; the token tests fail with the evidence, the rest cannot run (errors).
        opened.failure = str(failure)
    except TargetError as error:
        opened.close()
        raise PreflightStop(str(error), ExitCode.INCOMPLETE) from None
    return opened


def _published_key(context: TargetContext) -> PublicKey:
    """The key the profile names (a PEM file or a JWKS URL), if any."""
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    profile = context.profile
    if profile.public_key_file:
        return PublicKey(load_pem_public_key(profile.public_key_file.read_bytes()), "profile")
    if profile.public_key_url:
        exchange = context.api.fetch(profile.public_key_url, label="preflight: public key (JWKS)")
        kid = str(context.observed.get("kid") or "")
        if exchange.status == 200 and isinstance(exchange.json, dict):
            try:
                return PublicKey(public_key_from_jwks(exchange.json, kid), "profile")
            except (KeyError, ValueError):
                pass
        return PublicKey(reason=f"the public key at {profile.public_key_url} could not be loaded")
    return PublicKey()


def _recover_key(opened: OpenTarget, token: str, header: dict[str, Any], plan: Plan) -> None:
    """No published key: recover it from two signatures in a background process (or reuse the
    cached one), so the key-confusion attacks and the signature check still run."""
    if header.get("alg") != "RS256":
        opened.public_key.reason = f"the token's alg is {header.get('alg')!r}: key recovery needs RS256"
        return
    profile = opened.profile
    second = opened.context.issue("primary", label="preflight: second token (key recovery)")
    where = f"{profile.name}@{'launched' if opened.launched else profile.base_url}"
    lane = KeyRecoveryLane(cache_directory(), where, str(header.get("kid", "")), (token, second.token),
                           may_recover=plan.name != "gate")
    opened.public_key = PublicKey(lane.result(0) if lane.source == "cache" else None,
                                  lane.source, lane.reason, None if lane.source == "cache" else lane)
