"""Assemble compact JWS text and sign it deterministically with every algorithm the forge uses.

Deterministic on purpose (idea D6 of the negative-case catalogue): RSA PKCS#1 v1.5 and HMAC are deterministic by nature,
ECDSA uses RFC 6979 nonces, and PSS takes its salt from the caller instead of the OS.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from conformance.tokens import b64url_encode

_RSA_HASHES: dict[str, hashes.HashAlgorithm] = {
    "RS256": hashes.SHA256(),
    "RS384": hashes.SHA384(),
    "RS512": hashes.SHA512(),
}


def json_text(value: Any) -> bytes:
    # Compact separators, member order as given: the shape JWT libraries emit, so a forged
    # segment differs from a genuine one only where the attack says it should.
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


def json_segment(value: Any) -> str:
    return b64url_encode(json_text(value))


def compact(header_segment: str, payload_segment: str, signature: bytes) -> str:
    return f"{header_segment}.{payload_segment}.{b64url_encode(signature)}"


def signing_input(header_segment: str, payload_segment: str) -> bytes:
    return f"{header_segment}.{payload_segment}".encode("ascii")


def rsa_pkcs1v15_signature(key: rsa.RSAPrivateKey, alg: str, data: bytes) -> bytes:
    return key.sign(data, padding.PKCS1v15(), _RSA_HASHES[alg])


def ps256_signature(key: rsa.RSAPrivateKey, data: bytes, salt: bytes) -> bytes:
    """RSASSA-PSS with SHA-256, MGF1-SHA-256 and the caller's 32-byte salt (RFC 7518 section 3.5).

    cryptography draws PSS salts from the OS, which would make the token differ per run, so the
    EMSA-PSS encoding (RFC 8017 section 9.1.1) is done here and only the RSA primitive is raw.
    """
    if len(salt) != 32:
        raise ValueError("PS256 needs a salt as long as the SHA-256 output (RFC 7518 section 3.5)")
    numbers = key.private_numbers()
    modulus = numbers.public_numbers.n
    encoded_bits = modulus.bit_length() - 1
    encoded_length = (encoded_bits + 7) // 8
    message_hash = hashlib.sha256(data).digest()
    h = hashlib.sha256(b"\x00" * 8 + message_hash + salt).digest()
    data_block = b"\x00" * (encoded_length - len(salt) - len(h) - 2) + b"\x01" + salt
    masked = bytearray(a ^ b for a, b in zip(data_block, _mgf1_sha256(h, len(data_block)), strict=True))
    masked[0] &= 0xFF >> (8 * encoded_length - encoded_bits)
    encoded = int.from_bytes(bytes(masked) + h + b"\xbc", "big")
    return pow(encoded, numbers.d, modulus).to_bytes((modulus.bit_length() + 7) // 8, "big")


def _mgf1_sha256(seed: bytes, length: int) -> bytes:
    blocks = (hashlib.sha256(seed + counter.to_bytes(4, "big")).digest() for counter in range(-(-length // 32)))
    return b"".join(blocks)[:length]


def es256_signature(key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    """ECDSA P-256 with RFC 6979 nonces, as the fixed-width r||s that JWS uses (RFC 7518 section 3.4)."""
    der = key.sign(data, ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
    r, s = decode_dss_signature(der)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def hs256_signature(secret: bytes, data: bytes) -> bytes:
    # Computed directly: pyjwt refuses PEM-looking HMAC secrets, which is the whole point of case 25.
    return hmac.new(secret, data, hashlib.sha256).digest()


def mint_with_private_key(
    private_key: rsa.RSAPrivateKey,
    kid: str,
    claims: Mapping[str, Any],
    header_overrides: Mapping[str, Any] | None = None,
) -> str:
    """An RS256 token signed with a key the suite was given (case 38: the reference server's key).

    The header starts as docs/contract.md's `{"kid", "alg": "RS256"}`; overrides are merged in for
    header experiments, but the signature is always RS256 over whatever header results.
    """
    header: dict[str, Any] = {"kid": kid, "alg": "RS256", **(header_overrides or {})}
    header_segment, payload_segment = json_segment(header), json_segment(dict(claims))
    data = signing_input(header_segment, payload_segment)
    return compact(header_segment, payload_segment, rsa_pkcs1v15_signature(private_key, "RS256", data))
