"""What every forgery recipe gets (the valid token taken apart, seed, keys) and what it is."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric import rsa

from conformance.forge.signing import compact, json_segment, signing_input
from conformance.tokens import DecodedToken


class _Removed:
    def __repr__(self) -> str:
        return "REMOVED"


# Passed as a member's new value to drop the member instead of setting it.
REMOVED: Final = _Removed()


def edited(members: Mapping[str, Any], **changes: Any) -> dict[str, Any]:
    """A copy with `changes` applied; existing members keep their position, new ones go last."""
    result = dict(members)
    for name, value in changes.items():
        if value is REMOVED:
            result.pop(name, None)
        else:
            result[name] = value
    return result


@dataclass(frozen=True)
class ForgeryInputs:
    valid: DecodedToken
    seed: int
    # None when the target publishes no key and none was recovered: key-confusion recipes skip.
    public_key: rsa.RSAPublicKey | None
    kid: str  # what tokens the suite signs itself put in their header
    attacker_url: str

    @property
    def header_segment(self) -> str:
        return self.valid.segments[0]

    @property
    def payload_segment(self) -> str:
        return self.valid.segments[1]

    @property
    def signature_segment(self) -> str:
        return self.valid.segments[2]

    @property
    def original_kid(self) -> str:
        """The kid the server itself put in the valid token (`kid` is for re-signed tokens)."""
        kid = self.valid.header.get("kid")
        return kid if isinstance(kid, str) else self.kid

    def header_with(self, **changes: Any) -> dict[str, Any]:
        return edited(self.valid.header, **changes)

    def claims_with(self, **changes: Any) -> dict[str, Any]:
        return edited(self.valid.claims, **changes)

    def with_header(self, header: Mapping[str, Any], signature: bytes | None = None) -> str:
        """New header, original payload; the original signature unless another is given."""
        if signature is None:
            return f"{json_segment(dict(header))}.{self.payload_segment}.{self.signature_segment}"
        return compact(json_segment(dict(header)), self.payload_segment, signature)

    def with_claims(self, claims: Mapping[str, Any]) -> str:
        """Original header and signature over a changed payload: tampering without re-signing."""
        return f"{self.header_segment}.{json_segment(dict(claims))}.{self.signature_segment}"

    def signed(self, header: Mapping[str, Any], sign: Callable[[bytes], bytes]) -> str:
        """New header over the original payload bytes, signed by `sign` (a suite-held key)."""
        header_segment = json_segment(dict(header))
        return compact(header_segment, self.payload_segment, sign(signing_input(header_segment, self.payload_segment)))

    def server_public_key(self) -> rsa.RSAPublicKey:
        if self.public_key is None:
            raise ValueError("this forgery needs the server's public key (JWKS, profile or recovered)")
        return self.public_key


Builder = Callable[[ForgeryInputs], str]


@dataclass(frozen=True)
class Recipe:
    """One attack token: its id, negative case, what it does, and how to build it."""

    id: str
    case: int
    description: str
    build: Builder
    requires_public_key: bool = False
    # True when the token's bytes change with the seed (attacker keys, seed-chosen bits).
    depends_on_seed: bool = False
