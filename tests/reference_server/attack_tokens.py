"""Attack tokens for negative cases 17-42, as data: id -> builder(valid token) -> attack token.

Tokens "signed by us" use the reference key (the profile's `mint_tokens` capability), so the
one thing wrong with them is the thing the id names; the rest damage or forge a real token.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.x509.oid import NameOID
from jwt.algorithms import RSAAlgorithm

from .helpers import KID, PUBLIC_PEM, SIGNING_KEY, b64u, b64u_json, claims_for, mint, other_key, sign

HEADER = {"alg": "RS256", "kid": KID, "typ": "JWT"}
FOREIGN = other_key()


def _segments(token: str) -> list[str]:
    return token.split(".")


def _flip(segment: str, index: int = 5) -> str:
    raw = bytearray(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    raw[index] ^= 0x01
    return b64u(bytes(raw))


def _retamper(token: str, **changes: Any) -> str:
    """Change claims without re-signing (decode-instead-of-verify detector, negative cases 35)."""
    head, body, sig = _segments(token)
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims.update(changes)
    return f"{head}.{b64u_json(claims)}.{sig}"


def _hs256(header: dict[str, Any], claims: dict[str, Any], secret: bytes) -> str:
    signing_input = f"{b64u_json(header)}.{b64u_json(claims)}"
    return f"{signing_input}.{b64u(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())}"


def _signed_with(alg: str, key: Any, header: dict[str, Any] | None = None) -> str:
    head = b64u_json(header or {"alg": alg, "kid": KID, "typ": "JWT"})
    body = b64u_json(claims_for("pos_gateway"))
    data = f"{head}.{body}".encode()
    if alg.startswith("PS"):
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
        sig = key.sign(data, pss, hashes.SHA256())
    elif alg.startswith("ES"):
        from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    else:
        digest = {"RS256": hashes.SHA256(), "RS384": hashes.SHA384(), "RS512": hashes.SHA512()}[alg]
        sig = key.sign(data, padding.PKCS1v15(), digest)
    return f"{head}.{body}.{b64u(sig)}"


def _self_signed_x5c() -> list[str]:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "attacker")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(FOREIGN.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
            .sign(FOREIGN, hashes.SHA256()))
    return [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()]


def _none(alg: str, signature: str) -> Callable[[str], str]:
    return lambda t: f"{b64u_json({'alg': alg, 'kid': KID, 'typ': 'JWT'})}.{_segments(t)[1]}.{signature}"


def _non_canonical(t: str) -> str:
    head, body, sig = _segments(t)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(sig[-1])
    return f"{head}.{body}.{sig[:-1]}{alphabet[last ^ 1]}"  # the flipped bit is one of the unused ones


def _minting(**claims: Any) -> Callable[[str], str]:
    """A builder for a token signed with the configured key whose claims differ as given."""
    return lambda t: mint(**claims)


def _without(claim: str) -> Callable[[str], str]:
    return lambda t: sign(HEADER, {k: v for k, v in claims_for("pos_gateway").items() if k != claim})


PUBLIC_DER = SIGNING_KEY.public_key().public_bytes(serialization.Encoding.DER,
                                                    serialization.PublicFormat.SubjectPublicKeyInfo)
PUBLIC_JWK = RSAAlgorithm.to_jwk(SIGNING_KEY.public_key()).encode()
_TYPE_JUGGLING: dict[str, dict[str, Any]] = {
    "org-id-string": {"org_id": "1115"}, "org-id-array": {"org_id": [1115]}, "org-id-object": {"org_id": {}},
    "org-id-null": {"org_id": None}, "client-id-string": {"client_id": "21"},
    "client-id-bool": {"client_id": True}, "client-id-float": {"client_id": 21.0},
    "sub-array": {"sub": ["pos_gateway"]}, "jti-number": {"jti": 7},
}
MODULUS = SIGNING_KEY.public_key().public_numbers().n.to_bytes(256, "big")
FOREIGN_JWK = RSAAlgorithm.to_jwk(FOREIGN.public_key(), as_dict=True)
NOW = int(time.time())

# Each builder gets a fresh valid server-minted token and returns the attack token.
ATTACKS: dict[str, Callable[[str], str]] = {
    # negative cases 17: empty and placeholder values.
    "empty": lambda t: "", "literal-null": lambda t: "null", "literal-undefined": lambda t: "undefined",
    "bearer-prefixed": lambda t: "Bearer " + t,
    # 20: malformed compact form.
    "one-segment": lambda t: _segments(t)[0], "two-segments": lambda t: ".".join(_segments(t)[:2]),
    "four-segments": lambda t: t + ".AAAA", "five-segments": lambda t: t + ".AAAA.AAAA",
    "trailing-dot": lambda t: t + ".", "leading-dot": lambda t: "." + t,
    "empty-header": lambda t: "." + ".".join(_segments(t)[1:]),
    "empty-payload": lambda t: f"{_segments(t)[0]}..{_segments(t)[2]}",
    "empty-signature": lambda t: ".".join(_segments(t)[:2]) + ".",
    "standard-base64-chars": lambda t: t.replace("-", "+").replace("_", "/") if ("-" in t or "_" in t) else t + "+",
    "asterisk": lambda t: t[:20] + "*" + t[21:], "padding": lambda t: t + "==",
    "header-padding": lambda t: _segments(t)[0] + "=." + ".".join(_segments(t)[1:]),
    "embedded-space": lambda t: t[:30] + " " + t[30:], "embedded-tab": lambda t: t[:30] + "\t" + t[30:],
    "jws-json-serialization": lambda t: json.dumps(dict(zip(("protected", "payload", "signature"), _segments(t),
                                                            strict=True))),
    "non-canonical-base64": _non_canonical,
    "header-not-json": lambda t: sign(b64u(b"not json"), claims_for("pos_gateway")),
    "header-json-array": lambda t: sign(b64u_json(["RS256"]), claims_for("pos_gateway")),
    "payload-json-array": lambda t: sign(HEADER, b64u_json([claims_for("pos_gateway")])),
    "payload-invalid-utf8": lambda t: sign(HEADER, b64u(b'{"iss":"\xff"}')),
    "payload-utf16": lambda t: sign(HEADER, b64u(json.dumps(claims_for("pos_gateway")).encode("utf-16"))),
    "payload-nan": lambda t: sign(HEADER, b64u(json.dumps({**claims_for("pos_gateway"), "x": float("nan")}).encode())),
    # 21-22: signature damage.
    "signature-bit-flipped": lambda t: ".".join([*_segments(t)[:2], _flip(_segments(t)[2])]),
    "signature-truncated": lambda t: t[:-4], "signature-extended": lambda t: t[:-2] + "AAAA",
    "signature-of-another-token": lambda t: ".".join([*_segments(t)[:2], _segments(mint())[2]]),
    "payload-bit-flipped": lambda t: ".".join([_segments(t)[0], _flip(_segments(t)[1], 3), _segments(t)[2]]),
    # 23-24: alg games.
    "alg-none-empty-sig": _none("none", ""), "alg-None": _none("None", ""), "alg-NONE": _none("NONE", ""),
    "alg-nOnE-with-sig": _none("nOnE", "c2ln"),
    "alg-missing": lambda t: sign({"kid": KID, "typ": "JWT"}, claims_for("pos_gateway")),
    "alg-empty": lambda t: sign({"alg": "", "kid": KID}, claims_for("pos_gateway")),
    "alg-null": lambda t: sign({"alg": None, "kid": KID}, claims_for("pos_gateway")),
    "alg-RS257": lambda t: sign({"alg": "RS257", "kid": KID}, claims_for("pos_gateway")),
    "alg-lowercase-rs256": lambda t: sign({"alg": "rs256", "kid": KID}, claims_for("pos_gateway")),
    "alg-array": lambda t: sign({"alg": ["RS256"], "kid": KID}, claims_for("pos_gateway")),
    "alg-number": lambda t: sign({"alg": 256, "kid": KID}, claims_for("pos_gateway")),
    # 25-27: key confusion and family swaps.
    "hs256-pem": lambda t: _hs256({"alg": "HS256", "kid": KID}, claims_for("pos_gateway"), PUBLIC_PEM),
    "hs256-pem-no-newline": lambda t: _hs256({"alg": "HS256", "kid": KID}, claims_for("pos_gateway"),
                                             PUBLIC_PEM.rstrip(b"\n")),
    "hs256-der": lambda t: _hs256({"alg": "HS256", "kid": KID}, claims_for("pos_gateway"), PUBLIC_DER),
    "hs256-jwk-json": lambda t: _hs256({"alg": "HS256", "kid": KID}, claims_for("pos_gateway"), PUBLIC_JWK),
    "hs256-modulus": lambda t: _hs256({"alg": "HS256", "kid": KID}, claims_for("pos_gateway"), MODULUS),
    "hs256-empty-secret": lambda t: _hs256({"alg": "HS256", "kid": KID}, claims_for("pos_gateway"), b""),
    "hs256-weak-secret": lambda t: _hs256({"alg": "HS256", "kid": KID}, claims_for("pos_gateway"), b"secret"),
    "ps256-same-key": lambda t: _signed_with("PS256", SIGNING_KEY),
    "rs384-same-key": lambda t: _signed_with("RS384", SIGNING_KEY),
    "rs512-same-key": lambda t: _signed_with("RS512", SIGNING_KEY),
    "es256-suite-key": lambda t: _signed_with("ES256", ec.generate_private_key(ec.SECP256R1())),
    # 28-30: foreign keys and key-carrying headers.
    "foreign-key": lambda t: sign(HEADER, claims_for("pos_gateway"), FOREIGN),
    "embedded-jwk": lambda t: sign({**HEADER, "jwk": FOREIGN_JWK}, claims_for("pos_gateway"), FOREIGN),
    "jku": lambda t: sign({**HEADER, "jku": "http://127.0.0.1:9/jwks.json"}, claims_for("pos_gateway"), FOREIGN),
    "x5u": lambda t: sign({**HEADER, "x5u": "http://127.0.0.1:9/cert.pem"}, claims_for("pos_gateway"), FOREIGN),
    "x5c-self-signed": lambda t: sign({**HEADER, "x5c": _self_signed_x5c()}, claims_for("pos_gateway"), FOREIGN),
    # 31: kid games (some with our own valid signature, so only the kid is wrong).
    "kid-unknown-our-signature": lambda t: sign({**HEADER, "kid": "k2"}, claims_for("pos_gateway")),
    "kid-missing-our-signature": lambda t: sign({"alg": "RS256"}, claims_for("pos_gateway")),
    "kid-empty": lambda t: sign({**HEADER, "kid": ""}, claims_for("pos_gateway")),
    "kid-number": lambda t: sign({**HEADER, "kid": 1}, claims_for("pos_gateway")),
    "kid-very-long": lambda t: sign({**HEADER, "kid": "k" * 3000}, claims_for("pos_gateway")),
    "kid-path-traversal-hs256": lambda t: _hs256({"alg": "HS256", "kid": "../../../../dev/null"},
                                                 claims_for("pos_gateway"), b""),
    "kid-sql-injection-hs256": lambda t: _hs256({"alg": "HS256", "kid": "' UNION SELECT '1'--"},
                                                claims_for("pos_gateway"), b"1"),
    # 33-34: extensions and duplicate members (signed by us: only the feature is wrong).
    "crit-unknown": lambda t: sign({**HEADER, "crit": ["x"], "x": 1}, claims_for("pos_gateway")),
    "b64-false": lambda t: sign({**HEADER, "b64": False, "crit": ["b64"]}, claims_for("pos_gateway")),
    "zip": lambda t: sign({**HEADER, "zip": "DEF"}, claims_for("pos_gateway")),
    "cty-nested-jwt": lambda t: sign({**HEADER, "cty": "JWT"}, claims_for("pos_gateway")),
    "typ-other": lambda t: sign({**HEADER, "typ": "id_token+jwt"}, claims_for("pos_gateway")),
    "duplicate-alg": lambda t: sign(b64u(b'{"alg":"RS256","alg":"none","kid":"k1"}'), claims_for("pos_gateway")),
    "duplicate-org-id": lambda t: sign(HEADER, b64u(json.dumps(claims_for("pos_gateway"))[:-1].encode()
                                                    + b', "org_id": 2002}')),
    "duplicate-sub": lambda t: sign(HEADER, b64u(json.dumps(claims_for("pos_gateway"))[:-1].encode()
                                                 + b', "sub": "report_reader"}')),
    # 35: claims changed without re-signing.
    "tampered-sub": lambda t: _retamper(t, sub="report_reader"),
    "tampered-client-id": lambda t: _retamper(t, client_id=22),
    "tampered-org-id": lambda t: _retamper(t, org_id=2002),
    "tampered-token-use": lambda t: _retamper(t, token_use="token_refresh"),
    "tampered-exp-extended": lambda t: _retamper(t, exp=NOW + 7200),
    "tampered-default-till": lambda t: _retamper(t, default_till=50003),
    "tampered-scopes": lambda t: _retamper(t, scopes='{"customer":"read-write"}'),
    # 38-42: claims signed by us, each wrong in one way.
    **{f"exp-{label}": _minting(exp=value) for label, value in {
        "string": str(NOW + 60), "float": NOW + 60.0, "null": None, "zero": 0, "negative": -1,
        "far-future": 2**33, "bool": True}.items()},
    "exp-missing": _without("exp"),
    "nbf-future": _minting(nbf=NOW + 120), "nbf-string": _minting(nbf=str(NOW)),
    "iat-future": _minting(iat=NOW + 60, exp=NOW + 600),
    "iat-after-exp": _minting(iat=NOW, exp=NOW - 1),
    **{f"iss-{label}": _minting(iss=value) for label, value in {
        "wrong": "Evil", "lowercase": "capillary", "trailing-space": "Capillary ", "null": None}.items()},
    **{f"missing-{claim}": _without(claim) for claim in ("iss", "iat", "jti", "sub", "client_id", "org_id",
                                                          "token_use")},
    **{f"type-{label}": _minting(**kw) for label, kw in _TYPE_JUGGLING.items()},

    "token-use-refresh": _minting(token_use="token_refresh"),
    "token-use-id": _minting(token_use="id_token"),
    "client-id-unknown": _minting(client_id=99),
    "sub-of-another-client": _minting(sub="report_reader"),
    "org-id-of-another-org": _minting(org_id=2002),
    "deactivated-client": lambda t: mint("retired"),
    "lifetime-over-org-maximum": _minting(iat=NOW, exp=NOW + 3601),
}
