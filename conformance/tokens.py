"""Decode and inspect JWTs: strict base64url, unverified decoding, RS256 checks.

Pure: no I/O, no pytest, no logging. Signatures never leave this module in readable form except
inside `DecodedToken` (which callers must not write to evidence: conformance.redaction hides them).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

# docs/contract.md CAP-JWT-02: the claims every access token carries.
REQUIRED_CLAIMS: tuple[str, ...] = ("iss", "exp", "iat", "jti", "sub", "client_id", "org_id", "token_use")

_BASE64URL_ALPHABET = re.compile(r"[A-Za-z0-9_-]*")

# DER prefix of DigestInfo for SHA-256 (RFC 8017 section 9.2, note 1): the PKCS#1 v1.5 padding input.
_SHA256_DIGEST_INFO_PREFIX = bytes.fromhex("3031300d060960864801650304020105000420")


class MalformedToken(ValueError):
    """The text is not a compact JWS this suite can take apart; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class KeyNotFound(KeyError):
    """A JWKS has no usable RSA key with the requested `kid`."""


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url, refusing anything a strict JWS parser would refuse.

    Rejects `=` padding, characters outside the URL-safe alphabet, impossible lengths and
    non-canonical encodings (unused trailing bits set): negative case 21 treats a server that
    accepts those as tolerant, so the suite's own decoder must not be.
    """
    if not _BASE64URL_ALPHABET.fullmatch(text):
        raise MalformedToken("segment has characters outside the base64url alphabet (or padding)")
    if len(text) % 4 == 1:
        raise MalformedToken("segment length is not a possible base64url length")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as error:
        raise MalformedToken(f"segment is not base64url: {error}") from error
    if b64url_encode(data) != text:
        raise MalformedToken("segment is a non-canonical base64url encoding")
    return data


@dataclass(frozen=True)
class DecodedToken:
    raw: str
    header: dict[str, Any]
    claims: dict[str, Any]
    signing_input: bytes
    signature: bytes

    @property
    def segments(self) -> tuple[str, str, str]:
        header_segment, payload_segment, signature_segment = self.raw.split(".")
        return header_segment, payload_segment, signature_segment


def _reject_duplicate_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # RFC 7515 section 5.2 lets a parser reject duplicate member names; RFC 8725 says it should,
    # because two parsers disagreeing on which value wins is exactly what case 34 exploits.
    members: dict[str, Any] = {}
    for name, value in pairs:
        if name in members:
            raise MalformedToken(f"duplicate member {name!r}")
        members[name] = value
    return members


def _reject_constant(name: str) -> Any:
    raise MalformedToken(f"JSON constant {name} is not valid JSON")


def _json_object(segment: str, what: str) -> dict[str, Any]:
    try:
        text = b64url_decode(segment).decode("utf-8")
    except UnicodeDecodeError as error:
        raise MalformedToken(f"{what} is not UTF-8") from error
    try:
        value = json.loads(text, object_pairs_hook=_reject_duplicate_members, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise MalformedToken(f"{what} is not JSON: {error.msg}") from error
    if not isinstance(value, dict):
        raise MalformedToken(f"{what} is JSON but not an object")
    return value


def decode_unverified(token: str) -> DecodedToken:
    """Take a compact JWS apart without checking its signature (evidence and structure checks)."""
    segments = token.split(".")
    if len(segments) != 3:
        raise MalformedToken(f"expected 3 dot-separated segments, found {len(segments)}")
    header_segment, payload_segment, signature_segment = segments
    header = _json_object(header_segment, "header")
    claims = _json_object(payload_segment, "payload")
    # An empty signature segment is structurally decodable (alg none, stripped signatures) so the
    # suite can still describe such tokens; whether it is acceptable is the verifier's business.
    signature = b64url_decode(signature_segment)
    signing_input = f"{header_segment}.{payload_segment}".encode("ascii")
    return DecodedToken(token, header, claims, signing_input, signature)


def decoded_or_none(token: str) -> DecodedToken | None:
    """`decode_unverified`, or None for text that is not a decodable JWT (evidence and scheduling use)."""
    try:
        return decode_unverified(token)
    except ValueError:  # MalformedToken is one
        return None


def unverified_claims(token: str) -> dict[str, Any]:
    """The token's claims without checking its signature; {} when it is not a decodable JWT."""
    decoded = decoded_or_none(token)
    return decoded.claims if decoded is not None else {}


def verify_rs256(token: str, public_key: rsa.RSAPublicKey) -> dict[str, Any]:
    """Verify the signature with RS256 only and require the SPEC claims; return the claims.

    Time claims are deliberately not checked here: `exp`, `iat` and `nbf` are judged against the
    *server's* clock, measured by the suite, not against this machine's clock, so
    a skewed test runner cannot turn a valid token into a false failure or the reverse.
    Raises `jwt.InvalidTokenError` (or a subclass) when the token does not verify.
    """
    claims: dict[str, Any] = jwt.decode(
        token,
        public_key,
        algorithms=["RS256"],
        options={
            "require": list(REQUIRED_CLAIMS),
            "verify_exp": False,
            "verify_iat": False,
            "verify_nbf": False,
            # An audience is not part of the documented contract: a token that names one (as
            # another correct issuer may) verifies like any other (variant matrix: extra-claims).
            "verify_aud": False,
        },
    )
    return claims


def public_key_from_jwks(jwks: Mapping[str, Any], kid: str) -> rsa.RSAPublicKey:
    """The RSA public key with this `kid`, built from `n` and `e` only (private members ignored)."""
    for jwk in jwks.get("keys", []):
        if isinstance(jwk, Mapping) and jwk.get("kid") == kid and jwk.get("kty") == "RSA":
            modulus = int.from_bytes(b64url_decode(str(jwk["n"])), "big")
            exponent = int.from_bytes(b64url_decode(str(jwk["e"])), "big")
            return rsa.RSAPublicNumbers(exponent, modulus).public_key()
    raise KeyNotFound(f"no RSA key with kid {kid!r} in the JWKS")


def public_key_fingerprint(public_key: PublicKeyTypes) -> str:
    """SHA-256 (hex) of the DER SubjectPublicKeyInfo: stable across PEM/JWK re-encodings."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def pkcs1v15_sha256_encoded(message: bytes, length: int) -> int:
    """EMSA-PKCS1-v1_5 (RFC 8017 section 9.2) of SHA-256(message), as an integer of `length` bytes."""
    digest_info = _SHA256_DIGEST_INFO_PREFIX + hashlib.sha256(message).digest()
    padding_length = length - len(digest_info) - 3
    if padding_length < 8:
        raise MalformedToken("signature too short for an RS256 signature")
    return int.from_bytes(b"\x00\x01" + b"\xff" * padding_length + b"\x00" + digest_info, "big")


def recover_rsa_public_key(
    token_a: str, token_b: str, e: int = 65537, *, allow_pure_python_for_large_e: bool = False
) -> rsa.RSAPublicKey:
    """Recover the RS256 signing key of two tokens: n divides s^e - pad(hash) for each signature.

    Cost: for e = 65537 each s^e is a ~134-Mbit integer. With gmpy2 (GMP) the whole recovery
    takes seconds. In pure CPython it does not: measured on this project's 2-core machines one
    `pow(s, 65537)` takes ~65 s and `math.gcd` is quadratic (~5 s at 2 Mbit), which extrapolates
    to hours at 134 Mbit. So without gmpy2 only small exponents (e <= 17) run unless the caller
    opts in. Recover once per target and cache the result (negative case 25).
    """
    decoded = [decode_unverified(token) for token in (token_a, token_b)]
    if any(token.header.get("alg") != "RS256" for token in decoded):
        raise MalformedToken("key recovery needs RS256 tokens")
    length = len(decoded[0].signature)
    if length == 0 or len(decoded[1].signature) != length:
        raise MalformedToken("both tokens need non-empty signatures of the same length")
    try:
        import gmpy2  # optional accelerator, imported only where it pays

        big_integer: Any = gmpy2.mpz
        greatest_common_divisor: Any = gmpy2.gcd
    except ImportError:
        if e > 17 and not allow_pure_python_for_large_e:
            raise RuntimeError("a large public exponent needs gmpy2: pure Python takes hours") from None
        big_integer, greatest_common_divisor = int, math.gcd

    signatures = [int.from_bytes(token.signature, "big") for token in decoded]
    encoded_hashes = [pkcs1v15_sha256_encoded(token.signing_input, length) for token in decoded]
    multiples = [big_integer(s) ** e - m for s, m in zip(signatures, encoded_hashes, strict=True)]
    candidate = int(greatest_common_divisor(*multiples))
    # The gcd is n times a (usually tiny) cofactor. n exceeds every signature, so a small factor
    # whose removal keeps the quotient above the largest signature cannot be part of n's size.
    largest_signature = max(signatures)
    for small in range(2, 1 << 16):
        while candidate % small == 0 and candidate // small > largest_signature:
            candidate //= small
    verifies = all(pow(s, e, candidate) == m for s, m in zip(signatures, encoded_hashes, strict=True))
    if candidate.bit_length() > 8 * length or not verifies:
        raise ValueError("the recovered modulus does not verify both tokens (different keys or exponent?)")
    return rsa.RSAPublicNumbers(e, candidate).public_key()
