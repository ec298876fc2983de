"""SPEC.md section 3: calling resources with a token (CAP-USE-01..05, 07) and ATTACKS.md 16-42."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.x509.oid import NameOID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jwt.algorithms import RSAAlgorithm

from .helpers import (
    CUSTOMER_ADD,
    CUSTOMER_GET,
    KID,
    PUBLIC_PEM,
    SIGNING_KEY,
    TOKEN_HEADER,
    TOKEN_PATH,
    TRANSACTION_GET,
    UNAUTHORIZED,
    b64u,
    b64u_json,
    claims_for,
    credentials,
    customer_body,
    first_item,
    mint,
    other_key,
    sign,
    status_of,
    unique_mobile,
)

HEADER = {"alg": "RS256", "kid": KID, "typ": "JWT"}
FOREIGN = other_key()


def _segments(token: str) -> list[str]:
    return token.split(".")


def _flip(segment: str, index: int = 5) -> str:
    raw = bytearray(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    raw[index] ^= 0x01
    return b64u(bytes(raw))


def _retamper(token: str, **changes: Any) -> str:
    """Change claims without re-signing (decode-instead-of-verify detector, ATTACKS.md 35)."""
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
    # ATTACKS.md 17: empty and placeholder values.
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


@pytest.mark.parametrize("build", ATTACKS.values(), ids=ATTACKS.keys())
def test_forged_or_malformed_tokens_get_401_and_no_side_effect(
    client: httpx.Client, token: Callable[[str], str], build: Callable[[str], str]
) -> None:
    forged = build(token("pos_gateway"))
    mobile = unique_mobile()
    response = client.post(CUSTOMER_ADD, json=customer_body(mobile), headers={TOKEN_HEADER: forged})
    assert response.status_code == 401, response.text
    assert response.json() == UNAUTHORIZED
    assert response.headers["x-cap-requestid"]
    # Positive control and side-effect check in one: the valid token works and finds nothing.
    control = client.get(CUSTOMER_GET, params={"mobile": mobile}, headers={TOKEN_HEADER: token("pos_gateway")})
    assert control.status_code == 200
    assert first_item(control.json())["item_status"]["code"] == 1012


@pytest.mark.parametrize("name", ["pos_gateway", "globex_gateway", "fallback_pos"])
def test_fresh_valid_token_is_accepted(client: httpx.Client, token: Callable[[str], str], name: str) -> None:
    response = client.post(CUSTOMER_ADD, json=customer_body(unique_mobile()), headers={TOKEN_HEADER: token(name)})
    assert response.status_code == 200
    body = response.json()
    assert status_of(body)["code"] == 200
    assert first_item(body)["item_status"]["code"] == 1000


@pytest.mark.parametrize("header", [TOKEN_HEADER, TOKEN_HEADER.lower(), "x-Cap-Api-Oauth-Token", TOKEN_HEADER.upper()])
def test_token_header_name_is_case_insensitive(client: httpx.Client, token: Callable[[str], str], header: str) -> None:
    response = client.get(CUSTOMER_GET, params={"mobile": "1"}, headers={header: token("pos_gateway")})
    assert response.status_code == 200


def test_suite_minted_token_with_the_configured_key_is_accepted(client: httpx.Client) -> None:
    response = client.get(CUSTOMER_GET, params={"mobile": "1"}, headers={TOKEN_HEADER: mint()})
    assert response.status_code == 200  # positive half of every signed-by-us attack above


def test_token_without_the_newer_claims_is_accepted(client: httpx.Client) -> None:
    claims = claims_for("pos_gateway")  # the docs' older sample token: no client_key, scopes, ...
    assert client.get(CUSTOMER_GET, params={"mobile": "1"}, headers={TOKEN_HEADER: sign(
        {"kid": KID, "alg": "RS256"}, claims)}).status_code == 200


def test_iat_one_second_ahead_is_tolerated_but_not_more(client: httpx.Client) -> None:
    now = int(time.time())
    ahead = client.get(CUSTOMER_GET, params={"mobile": "1"}, headers={TOKEN_HEADER: mint(iat=now + 1, exp=now + 60)})
    assert ahead.status_code == 200
    far = client.get(CUSTOMER_GET, params={"mobile": "1"}, headers={TOKEN_HEADER: mint(iat=now + 3, exp=now + 60)})
    assert far.status_code == 401


@pytest.mark.parametrize("second", ["garbage", "same"])
def test_two_token_headers_are_rejected(client: httpx.Client, token: Callable[[str], str], second: str) -> None:
    valid = token("pos_gateway")
    headers = [(TOKEN_HEADER, valid), (TOKEN_HEADER, "garbage" if second == "garbage" else valid)]
    response = client.get(CUSTOMER_GET, params={"mobile": "1"}, headers=headers)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


@pytest.mark.parametrize("where", ["no-header", "authorization-bearer", "query-access-token", "cookie",
                                   "misspelled-header", "seed-prose-header"])
def test_token_anywhere_but_its_header_is_ignored(
    client: httpx.Client, token: Callable[[str], str], where: str
) -> None:
    valid = token("pos_gateway")
    params: dict[str, str] = {"mobile": "1"}
    headers: dict[str, str] = {}
    if where == "authorization-bearer":
        headers["authorization"] = "Bearer " + valid
    elif where == "query-access-token":
        params["access_token"] = valid
    elif where == "cookie":
        headers["cookie"] = f"{TOKEN_HEADER}={valid}"
    elif where == "misspelled-header":
        headers["X-CAP-API-OAUTH-TOKENS"] = valid
    elif where == "seed-prose-header":
        headers["X-CAP-API-ATTRIBUTION-TILL"] = valid  # the seed's prose swaps the two headers
    response = client.get(CUSTOMER_GET, params=params, headers=headers)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_transaction_endpoints_answer_401_with_a_transactions_member(client: httpx.Client) -> None:
    response = client.get(TRANSACTION_GET, params={"number": "x"}, headers={TOKEN_HEADER: "nope"})
    assert response.status_code == 401
    assert response.json() == {"response": {"status": {"success": False, "code": 401, "message": "Unauthorized"},
                                            "transactions": None}}


def _expired_message(exp: int) -> str:
    zone = dt.timezone(dt.timedelta(hours=5, minutes=30))
    return "Token expired at " + dt.datetime.fromtimestamp(exp, zone).strftime("%Y-%m-%dT%H:%M:%S.000+0530")


def test_short_lived_token_expires_with_498_and_regeneration_works(client: httpx.Client) -> None:
    """CAP-USE-03/04/05 with a real 2-second token: works before exp, 498 from exp on."""
    minted = client.post(TOKEN_PATH, json=credentials("short_lived")).json()["data"]["accessToken"]
    exp = json.loads(base64.urlsafe_b64decode(minted.split(".")[1] + "=="))["exp"]
    mobile = unique_mobile()
    before = client.post(CUSTOMER_ADD, json=customer_body(mobile), headers={TOKEN_HEADER: minted})
    assert time.time() < exp, "the machine was too slow to observe the token before expiry"
    assert before.status_code == 200
    assert first_item(before.json())["item_status"]["code"] == 1000
    while time.time() < exp:  # poll the condition: the server expires it at now >= exp
        time.sleep(min(0.05, max(exp - time.time(), 0.001)))
    after = client.post(CUSTOMER_ADD, json=customer_body(unique_mobile()), headers={TOKEN_HEADER: minted})
    assert after.status_code == 498
    assert after.json() == {"response": {"status": {"success": False, "code": 498, "message": _expired_message(exp)},
                                         "customers": None}}
    regenerated = client.post(TOKEN_PATH, json=credentials("short_lived")).json()["data"]["accessToken"]
    retry = client.post(CUSTOMER_ADD, json=customer_body(unique_mobile()), headers={TOKEN_HEADER: regenerated})
    assert retry.status_code == 200
    assert status_of(retry.json())["code"] == 200


def test_expired_suite_minted_token_names_its_exp(client: httpx.Client) -> None:
    now = int(time.time())
    expired = mint(iat=now - 100, exp=now - 40)
    response = client.get(TRANSACTION_GET, params={"number": "1"}, headers={TOKEN_HEADER: expired})
    assert response.status_code == 498
    assert response.json()["response"] == {
        "status": {"success": False, "code": 498, "message": _expired_message(now - 40)}, "transactions": None}


def test_token_is_expired_in_the_second_of_exp(client: httpx.Client) -> None:
    now = int(time.time())
    response = client.get(CUSTOMER_GET, params={"mobile": "1"}, headers={TOKEN_HEADER: mint(iat=now - 10, exp=now)})
    assert response.status_code == 498  # leeway 0: now >= exp is expired


@pytest.mark.parametrize("variant", ["bad-signature", "deactivated-client", "wrong-issuer", "foreign-key"])
def test_only_fully_valid_expired_tokens_get_498(client: httpx.Client, variant: str) -> None:
    now = int(time.time())
    iat, exp = now - 100, now - 40
    forged = {
        "bad-signature": lambda: mint(iat=iat, exp=exp)[:-6] + "AAAAAA",
        "deactivated-client": lambda: mint("retired", iat=iat, exp=exp),
        "wrong-issuer": lambda: mint(iss="Evil", iat=iat, exp=exp),
        "foreign-key": lambda: sign(HEADER, claims_for("pos_gateway", iat=iat, exp=exp), FOREIGN),
    }[variant]()
    response = client.get(CUSTOMER_GET, params={"mobile": "1"}, headers={TOKEN_HEADER: forged})
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(segment=st.integers(0, 2), position=st.integers(0, 10_000), bit=st.integers(0, 7))
def test_any_change_to_the_decoded_bytes_is_rejected(
    client: httpx.Client, token: Callable[[str], str], segment: int, position: int, bit: int
) -> None:
    """ATTACKS.md D13: flipping any bit of any decoded segment never yields acceptance."""
    parts = token("pos_gateway").split(".")
    raw = bytearray(base64.urlsafe_b64decode(parts[segment] + "=" * (-len(parts[segment]) % 4)))
    raw[position % len(raw)] ^= 1 << bit
    parts[segment] = b64u(bytes(raw))
    response = client.get(CUSTOMER_GET, params={"mobile": "1"}, headers={TOKEN_HEADER: ".".join(parts)})
    assert response.status_code == 401
