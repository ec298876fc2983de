"""conformance.tokens: strict base64url, unverified decoding, redaction, RS256 checks, key recovery."""

from __future__ import annotations

import hashlib
import json
import sys
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import given
from hypothesis import strategies as st

from conformance.tokens import (
    REQUIRED_CLAIMS,
    KeyNotFound,
    MalformedToken,
    b64url_decode,
    b64url_encode,
    decode_unverified,
    public_key_fingerprint,
    public_key_from_jwks,
    recover_rsa_public_key,
    verify_rs256,
)

from .token_support import mint, spec_claims


@given(st.binary(max_size=512))
def test_b64url_encoding_roundtrips_without_padding(data: bytes) -> None:
    encoded = b64url_encode(data)
    assert "=" not in encoded
    assert b64url_decode(encoded) == data


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("AAE=", id="padding"),
        pytest.param("A+E", id="standard-alphabet-plus"),
        pytest.param("A/E", id="standard-alphabet-slash"),
        pytest.param("AA E", id="space"),
        pytest.param("AAAAA", id="impossible-length"),
        pytest.param("AB", id="non-canonical-trailing-bits"),
    ],
)
def test_b64url_decode_is_strict(text: str) -> None:
    with pytest.raises(MalformedToken):
        b64url_decode(text)


segment_text = st.text(alphabet=st.characters(blacklist_characters="."), max_size=20)


@given(st.lists(segment_text, max_size=6).filter(lambda segments: len(segments) != 3))
def test_decode_unverified_rejects_anything_but_three_segments(segments: list[str]) -> None:
    with pytest.raises(MalformedToken, match="segments"):
        decode_unverified(".".join(segments))


def test_decode_unverified_takes_a_valid_token_apart(valid_token: str) -> None:
    decoded = decode_unverified(valid_token)
    header_segment, payload_segment, signature_segment = valid_token.split(".")
    assert decoded.raw == valid_token
    assert decoded.header == {"alg": "RS256", "kid": "k1", "typ": "JWT"}
    assert decoded.claims["org_id"] == 1115
    assert decoded.signing_input == f"{header_segment}.{payload_segment}".encode()
    assert len(decoded.signature) == 256
    assert decoded.segments == (header_segment, payload_segment, signature_segment)


@pytest.mark.parametrize(
    ("header_text", "reason"),
    [
        pytest.param(b'{"alg":"RS256","alg":"none"}', "duplicate", id="duplicate-member"),
        pytest.param(b'["RS256"]', "not an object", id="array"),
        pytest.param(b'{"alg":"RS\xc3\x28"}', "UTF-8", id="invalid-utf8"),
        pytest.param(b"{alg}", "not JSON", id="not-json"),
        pytest.param(b'{"exp":NaN}', "NaN", id="nan-constant"),
    ],
)
def test_decode_unverified_names_the_reason_a_header_is_refused(header_text: bytes, reason: str) -> None:
    with pytest.raises(MalformedToken, match=reason):
        decode_unverified(f"{b64url_encode(header_text)}.{b64url_encode(b'{}')}.")


def test_verify_rs256_returns_the_claims_of_a_valid_token(server_key: rsa.RSAPrivateKey, valid_token: str) -> None:
    assert verify_rs256(valid_token, server_key.public_key())["sub"] == "pos_gateway"


def test_verify_rs256_leaves_expiry_to_the_server_clock(server_key: rsa.RSAPrivateKey) -> None:
    expired = mint(server_key, exp=1_000, iat=500)
    assert verify_rs256(expired, server_key.public_key())["exp"] == 1_000


@pytest.mark.parametrize("claim", REQUIRED_CLAIMS)
def test_verify_rs256_requires_every_spec_claim(server_key: rsa.RSAPrivateKey, claim: str) -> None:
    claims = spec_claims()
    del claims[claim]
    token = jwt.encode(claims, server_key, algorithm="RS256", headers={"kid": "k1"})
    with pytest.raises(jwt.MissingRequiredClaimError):
        verify_rs256(token, server_key.public_key())


def test_verify_rs256_refuses_another_keys_signature(server_key: rsa.RSAPrivateKey) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(jwt.InvalidSignatureError):
        verify_rs256(mint(other), server_key.public_key())


def test_verify_rs256_refuses_other_algorithms(server_key: rsa.RSAPrivateKey) -> None:
    token = jwt.encode(spec_claims(), server_key, algorithm="PS256", headers={"kid": "k1"})
    with pytest.raises(jwt.InvalidAlgorithmError):
        verify_rs256(token, server_key.public_key())


def test_public_key_is_found_in_a_jwks_by_kid(server_key: rsa.RSAPrivateKey) -> None:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(server_key.public_key()))
    jwks = {"keys": [{**jwk, "kid": "other"}, {"kty": "EC", "kid": "k1"}, {**jwk, "kid": "k1", "use": "sig"}]}
    found = public_key_from_jwks(jwks, "k1")
    assert found.public_numbers() == server_key.public_key().public_numbers()


def test_missing_kid_in_a_jwks_raises_a_key_error(server_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(KeyNotFound):
        public_key_from_jwks({"keys": []}, "k1")
    assert issubclass(KeyNotFound, KeyError)  # callers catch KeyError


def test_fingerprint_is_sha256_of_the_der_public_key_and_survives_reencoding(server_key: rsa.RSAPrivateKey) -> None:
    public_key = server_key.public_key()
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    pem = public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1)
    reloaded = serialization.load_pem_public_key(pem)
    assert isinstance(reloaded, rsa.RSAPublicKey)
    assert public_key_fingerprint(public_key) == hashlib.sha256(der).hexdigest()
    assert public_key_fingerprint(reloaded) == public_key_fingerprint(public_key)


def test_rsa_public_key_is_recovered_from_two_tokens() -> None:
    # e = 3 keeps s^e small (6 kbit); with e = 65537 pure Python needs hours (see the docstring).
    key = rsa.generate_private_key(public_exponent=3, key_size=2048)
    started = time.perf_counter()
    first, second = mint(key, jti="first-token-jti-aaaaaaa"), mint(key, jti="second-token-jti-bbbbbb")
    recovered = recover_rsa_public_key(first, second, e=3)
    assert recovered.public_numbers() == key.public_key().public_numbers()
    assert time.perf_counter() - started < 10


def test_recovery_refuses_tokens_of_different_keys() -> None:
    first, second = (rsa.generate_private_key(public_exponent=3, key_size=2048) for _ in range(2))
    with pytest.raises(ValueError, match="does not verify"):
        recover_rsa_public_key(mint(first), mint(second), e=3)


def test_recovery_with_a_large_exponent_refuses_to_run_without_gmpy2(valid_token: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Pure Python would take hours at e = 65537: without gmpy2 it says so instead of hanging.
    (The 65537 recovery itself runs end to end in tests/conformance/test_key_recovery.py.)"""
    monkeypatch.setitem(sys.modules, "gmpy2", None)  # import gmpy2 now raises ImportError
    with pytest.raises(RuntimeError, match="gmpy2"):
        recover_rsa_public_key(valid_token, valid_token)
