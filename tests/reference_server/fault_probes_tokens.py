"""Probes for the token faults: expiry, signature and header, claims, minting, credentials."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import time

import httpx
import jwt
from jwt.algorithms import RSAAlgorithm

from .fault_probes import (
    FOREIGN,
    expired_token,
    headers_with_token,
    probe,
    read_customer,
    token_for,
)
from .helpers import (
    CUSTOMER_ADD,
    CUSTOMER_GET,
    KID,
    PUBLIC_PEM,
    TOKEN_HEADER,
    TOKEN_PATH,
    b64u,
    b64u_json,
    claims_for,
    credentials,
    customer_body,
    decode_part,
    first_item,
    mint,
    sign,
    unique_mobile,
)


# -- expiry ------------------------------------------------------------------------------------
@probe("expiry-not-checked")
def _(http: httpx.Client) -> bool:
    return read_customer(http, expired_token(3000)).status_code == 200


@probe("expiry-gt-instead-of-ge")
def _(http: httpx.Client) -> bool:
    for _attempt in range(3):  # the request must land in the second where now == exp
        fraction = time.time() % 1
        if fraction > 0.6:
            time.sleep(1.02 - fraction)
        now = int(time.time())
        if read_customer(http, mint(iat=now - 60, exp=now)).status_code == 200:
            return True
    return False


@probe("leeway-minutes")
def _(http: httpx.Client) -> bool:
    return read_customer(http, expired_token(120)).status_code == 200


@probe("expired-as-401")
def _(http: httpx.Client) -> bool:
    return read_customer(http, expired_token(120)).status_code == 401


@probe("expired-message-wrong-time")
def _(http: httpx.Client) -> bool:
    token = expired_token(40)
    exp = decode_part(token, 1)["exp"]
    zone = dt.timezone(dt.timedelta(hours=5, minutes=30))
    expected = "Token expired at " + dt.datetime.fromtimestamp(exp, zone).strftime("%Y-%m-%dT%H:%M:%S.000+0530")
    return str(read_customer(http, token).json()["response"]["status"]["message"]) != expected


@probe("expiry-checked-before-signature")
def _(http: httpx.Client) -> bool:
    return read_customer(http, expired_token(120)[:-8] + "AAAAAAAA").status_code == 498


@probe("token-header-needs-bearer-prefix")
def _(http: httpx.Client) -> bool:
    return read_customer(http, token_for(http)).status_code == 401


# -- signature and header ----------------------------------------------------------------------
@probe("alg-none-accepted")
def _(http: httpx.Client) -> bool:
    token = f"{b64u_json({'alg': 'none', 'kid': KID})}.{b64u_json(claims_for('pos_gateway'))}."
    return read_customer(http, token).status_code == 200


@probe("signature-checked-only-for-known-kid")
def _(http: httpx.Client) -> bool:
    return read_customer(http, sign({"alg": "RS256"}, claims_for("pos_gateway"), FOREIGN)).status_code == 200


@probe("hs256-public-key-confusion")
def _(http: httpx.Client) -> bool:
    signing_input = f"{b64u_json({'alg': 'HS256', 'kid': KID})}.{b64u_json(claims_for('pos_gateway'))}"
    signature = hmac.new(PUBLIC_PEM, signing_input.encode(), hashlib.sha256).digest()
    return read_customer(http, f"{signing_input}.{b64u(signature)}").status_code == 200


@probe("claims-not-verified")
def _(http: httpx.Client) -> bool:
    head, body, _sig = token_for(http).split(".")
    return read_customer(http, f"{head}.{body}.{b64u(b'x' * 256)}").status_code == 200


@probe("embedded-jwk-trusted")
def _(http: httpx.Client) -> bool:
    header = {"alg": "RS256", "kid": KID, "jwk": RSAAlgorithm.to_jwk(FOREIGN.public_key(), as_dict=True)}
    return read_customer(http, sign(header, claims_for("pos_gateway"), FOREIGN)).status_code == 200


@probe("malformed-token-500")
def _(http: httpx.Client) -> bool:
    return read_customer(http, "abc.def").status_code == 500


@probe("two-token-headers-first-wins")
def _(http: httpx.Client) -> bool:
    headers = [(TOKEN_HEADER, token_for(http)), (TOKEN_HEADER, "garbage")]
    return http.get(CUSTOMER_GET, params={"mobile": "1"}, headers=headers).status_code == 200


@probe("token-in-query-accepted")
def _(http: httpx.Client) -> bool:
    return http.get(CUSTOMER_GET, params={"mobile": "1", "access_token": token_for(http)}).status_code == 200


# -- claims ------------------------------------------------------------------------------------
@probe("issuer-not-checked")
def _(http: httpx.Client) -> bool:
    return read_customer(http, mint(iss="Evil")).status_code == 200


@probe("wrong-token-use-accepted")
def _(http: httpx.Client) -> bool:
    return read_customer(http, mint(token_use="token_refresh")).status_code == 200


@probe("org-id-not-compared")
def _(http: httpx.Client) -> bool:
    mobile = unique_mobile()
    http.post(CUSTOMER_ADD, json=customer_body(mobile), headers=headers_with_token("globex_gateway", http))
    response = read_customer(http, mint("pos_gateway", org_id=2002), mobile)
    return response.status_code == 200 and first_item(response.json())["item_status"]["code"] == 1000


# -- minting -----------------------------------------------------------------------------------
def _minted(http: httpx.Client, name: str = "pos_gateway") -> tuple[dict[str, int], dict[str, object]]:
    data = http.post(TOKEN_PATH, json=credentials(name)).json()["data"]
    return data, decode_part(data["accessToken"], 1)


@probe("ttl-in-minutes")
def _(http: httpx.Client) -> bool:
    data, _claims = _minted(http)
    return data["ttlSeconds"] != 3600


@probe("iat-in-past")
def _(http: httpx.Client) -> bool:
    data, claims = _minted(http)
    return bool(data["ttlSeconds"] != claims["exp"] - claims["iat"])  # type: ignore[operator]


@probe("tokens-cached-per-client")
def _(http: httpx.Client) -> bool:
    return token_for(http) == token_for(http)


@probe("jti-missing")
def _(http: httpx.Client) -> bool:
    return "jti" not in _minted(http)[1]


@probe("ttl-seconds-as-string")
def _(http: httpx.Client) -> bool:
    return isinstance(_minted(http)[0]["ttlSeconds"], str)


@probe("kid-missing")
def _(http: httpx.Client) -> bool:
    return "kid" not in decode_part(token_for(http), 0)


@probe("mint-clock-behind")
def _(http: httpx.Client) -> bool:
    return bool(_minted(http)[1]["iat"] < time.time() - 300)  # type: ignore[operator]


@probe("jwks-stale-key")
def _(http: httpx.Client) -> bool:
    published = RSAAlgorithm.from_jwk(http.get("/.well-known/jwks.json").json()["keys"][0])
    try:
        jwt.decode(token_for(http), published, algorithms=["RS256"])  # type: ignore[arg-type]
    except jwt.InvalidSignatureError:
        return True
    return False


@probe("token-cache-never-expires")
def _(http: httpx.Client) -> bool:
    first = token_for(http, "short_lived")
    exp = decode_part(first, 1)["exp"]
    while time.time() < exp:  # poll until the first token has certainly expired
        time.sleep(min(0.05, max(exp - time.time(), 0.001)))
    return token_for(http, "short_lived") == first


# -- credentials -------------------------------------------------------------------------------
def _generate(http: httpx.Client, key: str, secret: str) -> httpx.Response:
    return http.post(TOKEN_PATH, json={"key": key, "secret": secret})


@probe("deactivated-client-mints")
def _(http: httpx.Client) -> bool:
    return http.post(TOKEN_PATH, json=credentials("retired")).status_code == 200


@probe("secret-prefix-compare")
def _(http: httpx.Client) -> bool:
    creds = credentials("pos_gateway")
    return _generate(http, creds["key"], creds["secret"][:-1]).status_code == 200


@probe("secret-case-insensitive")
def _(http: httpx.Client) -> bool:
    creds = credentials("pos_gateway")
    return _generate(http, creds["key"], creds["secret"].swapcase()).status_code == 200


@probe("secret-echoed-in-error")
def _(http: httpx.Client) -> bool:
    return "probe-secret-4711" in _generate(http, credentials("pos_gateway")["key"], "probe-secret-4711").text


@probe("unknown-key-distinct-error")
def _(http: httpx.Client) -> bool:
    wrong_secret = _generate(http, credentials("pos_gateway")["key"], "nope")
    unknown_key = _generate(http, "NoSuchKeyNoSuchKeyNoSuchK", "nope")
    return (wrong_secret.status_code, wrong_secret.content) != (unknown_key.status_code, unknown_key.content)


@probe("non-object-json-500")
def _(http: httpx.Client) -> bool:
    return http.post(TOKEN_PATH, content=b"[1, 2]").status_code == 500


