"""conformance.forge: each forgery is what its id says (the token broken, signed or changed as named)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from conformance.forge import (
    DEFAULT_ATTACKER_URL,
    FORGERY_IDS,
    Forgery,
    claims_variants_for_case_38,
    forge_all,
    mint_with_private_key,
)
from conformance.forge.keys import attacker_ec_key, attacker_rsa_key
from conformance.tokens import (
    MalformedToken,
    b64url_decode,
    decode_unverified,
    public_key_fingerprint,
    verify_rs256,
)
from tests.unit.token_support import spec_claims

from .support import MISSING, SEED, member, verifies

# --- each forgery is what its id says ---------------------------------------------------------------

# Case 20: the token text, compared with the valid token's text `v`.
MALFORMED: dict[str, Callable[[str, str], bool]] = {
    "one-segment": lambda t, v: t == v.split(".")[0],
    "two-segments": lambda t, v: t == v.rpartition(".")[0],
    "four-segments": lambda t, v: t.startswith(v + ".") and t.count(".") == 3,
    "five-segments": lambda t, v: t.startswith(v + ".") and t.count(".") == 4,
    "trailing-dot": lambda t, v: t == v + ".",
    "empty-header-segment": lambda t, v: t == v[v.index("."):],
    "empty-payload-segment": lambda t, v: t.split(".")[1] == "" and t.split(".")[::2] == v.split(".")[::2],
    "non-base64url-char": lambda t, v: t.replace("!", "", 1) == v and t != v,
    "padding-equals": lambda t, v: t.replace("=", "") == v and t != v,
    "embedded-space": lambda t, v: t.replace(" ", "", 1) == v and t != v,
    "embedded-newline": lambda t, v: t.replace("\n", "", 1) == v and t != v,
    "jws-json-serialization": lambda t, v: ".".join(json.loads(t).values()) == v,
    "header-not-json": lambda t, v: b64url_decode(t.split(".")[0]) == b"not json",
    "payload-not-json": lambda t, v: b64url_decode(t.split(".")[1]) == b"not json",
    "header-json-array": lambda t, v: json.loads(b64url_decode(t.split(".")[0])) == [decode_unverified(v).header],
    "payload-json-array": lambda t, v: json.loads(b64url_decode(t.split(".")[1])) == [decode_unverified(v).claims],
    "invalid-utf8-header": lambda t, v: b'"k1\xc3\x28"' in b64url_decode(t.split(".")[0]),
}

# Cases 21-22 and 32: the decoded signature `s` against the valid one `v`, header and payload untouched.
SIGNATURES: dict[str, Callable[[bytes, bytes], bool]] = {
    "signature-bit-flipped": lambda s, v: sum(bin(a ^ b).count("1") for a, b in zip(s, v, strict=True)) == 1,
    "signature-truncated": lambda s, v: s == v[:-1],
    "signature-extended": lambda s, v: s == v + b"\x00",
    "signature-stripped": lambda s, v: s == b"",
}

# Header members that change while the payload (and, unless re-signed, the signature) stays.
HEADERS: dict[str, dict[str, Any]] = {
    "alg-none-lowercase": {"alg": "none"}, "alg-none-capitalised": {"alg": "None"}, "alg-none-upper": {"alg": "NONE"},
    "alg-none-mixed": {"alg": "nOnE"}, "alg-none-with-signature": {"alg": "none"},
    "alg-missing": {"alg": MISSING}, "alg-empty": {"alg": ""}, "alg-null": {"alg": None},
    "alg-unknown-rs257": {"alg": "RS257"}, "alg-array": {"alg": ["RS256"]}, "alg-number": {"alg": 256},
    "kid-unknown": {"kid": "conformance-unknown-kid"}, "kid-empty": {"kid": ""}, "kid-missing": {"kid": MISSING},
    "kid-very-long": {"kid": "A" * 4096}, "kid-crlf": {"kid": "k1\r\nX-Conformance-Injected: 1"},
    "kid-command-injection": {"kid": "k1|sleep 5"}, "kid-nosql-injection": {"kid": {"$ne": None}},
    "kid-ldap-injection": {"kid": "k1*)(kid=*"},
    "crit-unknown": {"crit": ["x-conformance-unknown"], "x-conformance-unknown": True},
    "b64-false": {"b64": False, "crit": ["b64"]}, "zip-def": {"zip": "DEF"}, "nested-jwt-cty": {"cty": "JWT"},
    "psychic-es256": {"alg": "ES256"},
}
EMPTY_SIGNATURE = {"alg-none-lowercase", "alg-none-capitalised", "alg-none-upper", "alg-none-mixed"}

SPKI = serialization.PublicFormat.SubjectPublicKeyInfo
# HS256 over the original payload with the key a confused or weak verifier would use.
HMAC_SECRETS: dict[str, Callable[[rsa.RSAPublicKey], bytes]] = {
    "hs256-confusion-pem": lambda k: k.public_bytes(serialization.Encoding.PEM, SPKI),
    "hs256-confusion-pem-no-newline": lambda k: k.public_bytes(serialization.Encoding.PEM, SPKI).strip(),
    "hs256-confusion-pem-pkcs1": lambda k: k.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1),
    "hs256-confusion-der": lambda k: k.public_bytes(serialization.Encoding.DER, SPKI),
    "hs256-confusion-jwk-json": lambda k: json.dumps(
        {name: value for name, value in sorted(json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(k)).items())
         if name in ("e", "kty", "n")}, separators=(",", ":")).encode(),
    "hs256-confusion-modulus": lambda k: k.public_numbers().n.to_bytes(256, "big"),
    "hs256-empty-secret": lambda k: b"", "hs256-weak-secret-secret": lambda k: b"secret",
    "hs256-weak-secret-capillary": lambda k: b"capillary",
    "kid-path-traversal-hs256-empty-key": lambda k: b"", "kid-sql-injection-hs256": lambda k: b"1",
}

# Valid signatures by the suite's own keys, so only "who signed" is wrong.
RESIGNED: dict[str, str] = {
    "ps256-foreign-key": "PS256", "rs384-foreign-key": "RS384", "rs512-foreign-key": "RS512",
    "es256-foreign-key": "ES256", "rs256-foreign-key": "RS256", "embedded-jwk-rsa": "RS256",
    "embedded-jwk-ec": "ES256", "jku-suite-url": "RS256", "x5u-suite-url": "RS256", "x5c-self-signed": "RS256",
}

# Original header and signature; exactly one claim differs, as the predicate (new, old) says.
CLAIMS: dict[str, tuple[str, Callable[[Any, Any], bool]]] = {
    "signature-from-other-token": ("jti", lambda new, old: len(new) == 22 and new != old),
    "duplicate-exp-in-payload": ("exp", lambda new, old: new > old),
    "duplicate-org-id-in-payload": ("org_id", lambda new, old: new != old),
    "duplicate-sub-in-payload": ("sub", lambda new, old: new != old),
    "tamper-sub": ("sub", lambda new, old: new != old),
    "tamper-client-id": ("client_id", lambda new, old: isinstance(new, int) and new != old),
    "tamper-org-id": ("org_id", lambda new, old: isinstance(new, int) and new != old),
    "tamper-token-use": ("token_use", lambda new, old: new != old),
    "tamper-exp-extended": ("exp", lambda new, old: new > old),
    "tamper-default-till": ("default_till", lambda new, old: new != old),
    "tamper-scopes": ("scopes", lambda new, old: "*" in json.loads(new)),
    "iss-wrong": ("iss", lambda new, old: new not in (old, MISSING)),
    "iss-missing": ("iss", lambda new, old: new is MISSING),
    "iss-lowercase": ("iss", lambda new, old: new != old and new.lower() == old.lower()),
    "iss-trailing-space": ("iss", lambda new, old: new == old + " "),
    **{f"missing-{c.replace('_', '-')}": (c, lambda new, old: new is MISSING)
       for c in ("client_id", "org_id", "sub", "jti", "token_use")},
    "org-id-as-string": ("org_id", lambda new, old: new == str(old)),
    "client-id-as-array": ("client_id", lambda new, old: new == [old]),
    "client-id-as-object": ("client_id", lambda new, old: new == {"id": old}),
    "org-id-null": ("org_id", lambda new, old: new is None),
    "sub-as-array": ("sub", lambda new, old: new == [old]),
    "token-use-refresh": ("token_use", lambda new, old: new == "token_refresh"),
    "token-use-id": ("token_use", lambda new, old: new == "token_id"),
}


def test_every_forgery_has_exactly_one_structure_expectation() -> None:
    tables = [set(MALFORMED), set(SIGNATURES), set(HEADERS), set(HMAC_SECRETS), set(RESIGNED), set(CLAIMS),
              {"duplicate-alg-in-header"}]
    assert sorted(i for table in tables for i in table) == sorted(FORGERY_IDS)


@pytest.mark.parametrize("forgery_id", MALFORMED)
def test_malformed_token_is_the_valid_one_broken_as_named(forgery_id: str, forged: dict[str, Forgery],
                                                         valid_token: str) -> None:
    assert MALFORMED[forgery_id](forged[forgery_id].token, valid_token)
    with pytest.raises(MalformedToken):
        decode_unverified(forged[forgery_id].token)


@pytest.mark.parametrize("forgery_id", SIGNATURES)
def test_signature_is_damaged_as_named(forgery_id: str, forged: dict[str, Forgery], valid_token: str) -> None:
    forgery, valid = decode_unverified(forged[forgery_id].token), decode_unverified(valid_token)
    assert forgery.signing_input == valid.signing_input
    assert SIGNATURES[forgery_id](forgery.signature, valid.signature)


@pytest.mark.parametrize("forgery_id", HEADERS)
def test_header_changes_only_the_named_members(forgery_id: str, forged: dict[str, Forgery], valid_token: str) -> None:
    forgery, valid = decode_unverified(forged[forgery_id].token), decode_unverified(valid_token)
    expected = {**valid.header, **HEADERS[forgery_id]}
    assert forgery.header == {name: value for name, value in expected.items() if value is not MISSING}
    assert forgery.segments[1] == valid.segments[1]
    expected_signature = {"psychic-es256": bytes(64)}.get(forgery_id, b"" if forgery_id in EMPTY_SIGNATURE else None)
    assert forgery.signature == (valid.signature if expected_signature is None else expected_signature)


@pytest.mark.parametrize("forgery_id", HMAC_SECRETS)
def test_hs256_token_verifies_with_the_secret_it_claims(forgery_id: str, forged: dict[str, Forgery],
                                                        valid_token: str, server_key: rsa.RSAPrivateKey) -> None:
    forgery, valid = decode_unverified(forged[forgery_id].token), decode_unverified(valid_token)
    assert forgery.header["alg"] == "HS256"
    assert forgery.segments[1] == valid.segments[1]
    secret = HMAC_SECRETS[forgery_id](server_key.public_key())
    assert hmac.compare_digest(forgery.signature, hmac.new(secret, forgery.signing_input, hashlib.sha256).digest())


@pytest.mark.parametrize("forgery_id", RESIGNED)
def test_resigned_token_carries_a_valid_signature_by_the_suite_key(forgery_id: str, forged: dict[str, Forgery],
                                                                    valid_token: str) -> None:
    forgery, valid = decode_unverified(forged[forgery_id].token), decode_unverified(valid_token)
    alg = RESIGNED[forgery_id]
    assert (forgery.header["alg"], forgery.header["kid"], forgery.segments[1]) == (alg, "k1", valid.segments[1])
    suite_key = (attacker_ec_key if alg == "ES256" else attacker_rsa_key)(SEED).public_key()
    verifies(forgery.raw, suite_key, alg)
    if "jwk" in forgery.header:
        embedded = jwt.PyJWK(forgery.header["jwk"]).key
        assert public_key_fingerprint(embedded) == public_key_fingerprint(suite_key)
    for parameter in ("jku", "x5u"):
        assert forgery.header.get(parameter, DEFAULT_ATTACKER_URL) == DEFAULT_ATTACKER_URL


def test_custom_attacker_url_reaches_jku_and_x5u(valid_token: str) -> None:
    url = "http://127.0.0.1:8123/keys"
    headers = [decode_unverified(f.token).header for f in forge_all(valid_token, seed=SEED, attacker_url=url)
               if f.id in ("jku-suite-url", "x5u-suite-url")]
    assert [header.get("jku", header.get("x5u")) for header in headers] == [url, url]


def test_x5c_is_a_self_signed_certificate_for_the_suite_key(forged: dict[str, Forgery], valid_token: str) -> None:
    header = decode_unverified(forged["x5c-self-signed"].token).header
    certificate = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
    suite_key = attacker_rsa_key(SEED).public_key()
    assert public_key_fingerprint(certificate.public_key()) == public_key_fingerprint(suite_key)
    assert certificate.issuer == certificate.subject
    suite_key.verify(certificate.signature, certificate.tbs_certificate_bytes, padding.PKCS1v15(),
                     certificate.signature_hash_algorithm)  # type: ignore[arg-type]
    iat = decode_unverified(valid_token).claims["iat"]
    assert certificate.not_valid_before_utc.timestamp() == iat - 86400


@pytest.mark.parametrize("forgery_id", CLAIMS)
def test_claims_change_only_the_named_claim(forgery_id: str, forged: dict[str, Forgery], valid_token: str) -> None:
    header, payload, signature = forged[forgery_id].token.split(".")
    valid = decode_unverified(valid_token)
    assert (header, signature) == (valid.segments[0], valid.segments[2])
    claims = json.loads(b64url_decode(payload))  # Python's json: the last duplicate wins
    name, predicate = CLAIMS[forgery_id]
    assert {n for n in {*claims, *valid.claims} if member(claims, n) != member(valid.claims, n)} == {name}
    assert predicate(member(claims, name), member(valid.claims, name))


@pytest.mark.parametrize("forgery_id", [i for i in FORGERY_IDS if i.startswith("duplicate-")])
def test_duplicate_member_text_keeps_the_original_first(forgery_id: str, forged: dict[str, Forgery],
                                                        valid_token: str) -> None:
    index = 0 if "header" in forgery_id else 1
    text = b64url_decode(forged[forgery_id].token.split(".")[index])
    original = b64url_decode(valid_token.split(".")[index])
    assert text.startswith(original[:-1] + b",")
    with pytest.raises(MalformedToken, match="duplicate"):
        decode_unverified(forged[forgery_id].token)
    if index == 0:
        assert json.loads(text)["alg"] == "none"


# --- case 38 (reference targets only: minted with the server's own key) ------------------------------

def test_case_38_variants_minted_with_the_server_key_verify_and_carry_their_defect(server_key: Any) -> None:
    now = 1_900_000_000
    variants = claims_variants_for_case_38(spec_claims(iat=now - 100, exp=now + 500), now)
    by_id = {variant_id: (claims, expects) for variant_id, claims, expects in variants}
    assert list(by_id) == ["exp-missing", "exp-string", "exp-float", "exp-negative", "exp-zero", "exp-null",
                           "iat-future-beyond-leeway", "nbf-future-beyond-leeway", "iat-within-leeway",
                           "nbf-within-leeway"]
    assert {v: e for v, (_, e) in by_id.items() if e == "accept"} == {"iat-within-leeway": "accept",
                                                                        "nbf-within-leeway": "accept"}
    assert len({claims["jti"] for claims, _ in by_id.values()}) == len(by_id)
    assert by_id["iat-within-leeway"][0]["exp"] - by_id["iat-within-leeway"][0]["iat"] == 600
    assert by_id["iat-future-beyond-leeway"][0]["iat"] == now + 120
    assert by_id["nbf-future-beyond-leeway"][0]["nbf"] == now + 120
    assert by_id["exp-string"][0]["exp"] == str(now + 600)
    assert "exp" not in by_id["exp-missing"][0]
    token = mint_with_private_key(server_key, "k1", by_id["iat-within-leeway"][0])
    assert decode_unverified(token).header == {"kid": "k1", "alg": "RS256"}
    assert verify_rs256(token, server_key.public_key())["iat"] == now
