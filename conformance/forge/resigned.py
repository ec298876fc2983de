"""negative cases 25-30 and 32: tokens carrying a *valid* signature by a key the server must not trust.

Each keeps the original payload bytes and the server's `kid` (or the caller's `kid`), so the only
thing wrong is who signed, which is what an algorithm allowlist and a pinned key must catch.
"""

from __future__ import annotations

import base64
from collections.abc import Callable

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from conformance.forge.keys import (
    attacker_ec_key,
    attacker_rsa_key,
    ec_public_jwk,
    rsa_public_jwk,
    seeded_bytes,
    self_signed_certificate_der,
)
from conformance.forge.recipe import Builder, ForgeryInputs, Recipe
from conformance.forge.signing import (
    es256_signature,
    hs256_signature,
    json_text,
    ps256_signature,
    rsa_pkcs1v15_signature,
)

DEFAULT_ATTACKER_URL = "http://127.0.0.1:9/jwks.json"  # port 9 (discard): nothing answers by default
WEAK_HMAC_SECRETS = {"empty-secret": b"", "weak-secret-secret": b"secret", "weak-secret-capillary": b"capillary"}


def _pem(public_key: rsa.RSAPublicKey, public_format: serialization.PublicFormat) -> bytes:
    return public_key.public_bytes(serialization.Encoding.PEM, public_format)


# How servers and libraries commonly hold an RSA public key as bytes; each is a guess at the
# "secret" a confused verifier would feed to HMAC (jwt_tool's -X k tries the PEM forms).
PUBLIC_KEY_ENCODINGS: dict[str, Callable[[rsa.RSAPublicKey], bytes]] = {
    "pem": lambda key: _pem(key, serialization.PublicFormat.SubjectPublicKeyInfo),
    "pem-no-newline": lambda key: _pem(key, serialization.PublicFormat.SubjectPublicKeyInfo).rstrip(b"\n"),
    "pem-pkcs1": lambda key: _pem(key, serialization.PublicFormat.PKCS1),
    "der": lambda key: key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo),
    "jwk-json": lambda key: json_text(rsa_public_jwk(key)),
    "modulus": lambda key: key.public_numbers().n.to_bytes((key.key_size + 7) // 8, "big"),
}


def _hs256_confusion(encoding: str) -> Recipe:
    def build(inputs: ForgeryInputs) -> str:
        secret = PUBLIC_KEY_ENCODINGS[encoding](inputs.server_public_key())
        header = inputs.header_with(alg="HS256", kid=inputs.kid)
        return inputs.signed(header, lambda data: hs256_signature(secret, data))

    return Recipe(
        f"hs256-confusion-{encoding}",
        25,
        f"HS256 keyed with the server's RSA public key as {encoding} bytes",
        build,
        requires_public_key=True,
    )


def _signed_by_suite_rsa_key(inputs: ForgeryInputs, alg: str, **extra_header: object) -> str:
    key = attacker_rsa_key(inputs.seed)
    header = inputs.header_with(alg=alg, kid=inputs.kid, **extra_header)
    if alg == "PS256":
        salt = seeded_bytes(inputs.seed, "ps256-salt", 32)
        return inputs.signed(header, lambda data: ps256_signature(key, data, salt))
    return inputs.signed(header, lambda data: rsa_pkcs1v15_signature(key, alg, data))


def _signed_by_suite_ec_key(inputs: ForgeryInputs, **extra_header: object) -> str:
    key = attacker_ec_key(inputs.seed)
    header = inputs.header_with(alg="ES256", kid=inputs.kid, **extra_header)
    return inputs.signed(header, lambda data: es256_signature(key, data))


def _foreign_rsa(alg: str) -> Builder:
    return lambda f: _signed_by_suite_rsa_key(f, alg)


def _embedded_rsa_jwk(inputs: ForgeryInputs) -> str:
    jwk = rsa_public_jwk(attacker_rsa_key(inputs.seed).public_key())
    return _signed_by_suite_rsa_key(inputs, "RS256", jwk=jwk)


def _embedded_ec_jwk(inputs: ForgeryInputs) -> str:
    return _signed_by_suite_ec_key(inputs, jwk=ec_public_jwk(attacker_ec_key(inputs.seed).public_key()))


def _key_url(parameter: str) -> Builder:
    return lambda f: _signed_by_suite_rsa_key(f, "RS256", **{parameter: f.attacker_url})


def _self_signed_x5c(inputs: ForgeryInputs) -> str:
    issued_at = inputs.valid.claims.get("iat")
    certificate = self_signed_certificate_der(inputs.seed, issued_at if isinstance(issued_at, int) else 0)
    # x5c holds standard (not URL-safe) base64 DER, RFC 7515 section 4.1.6.
    return _signed_by_suite_rsa_key(inputs, "RS256", x5c=[base64.b64encode(certificate).decode("ascii")])


def _weak_hmac(name: str, secret: bytes) -> Recipe:
    return Recipe(
        f"hs256-{name}",
        27,
        f"HS256 keyed with {secret.decode()!r}",
        lambda f: f.signed(f.header_with(alg="HS256", kid=f.kid), lambda data: hs256_signature(secret, data)),
    )


RECIPES: tuple[Recipe, ...] = (
    *(_hs256_confusion(encoding) for encoding in PUBLIC_KEY_ENCODINGS),
    *(
        Recipe(f"{alg.lower()}-foreign-key", 26, f"{alg} signed with the suite's RSA key", _foreign_rsa(alg),
               depends_on_seed=True)
        for alg in ("PS256", "RS384", "RS512")
    ),
    Recipe("es256-foreign-key", 26, "ES256 signed with the suite's P-256 key", _signed_by_suite_ec_key,
           depends_on_seed=True),
    *(_weak_hmac(name, secret) for name, secret in WEAK_HMAC_SECRETS.items()),
    Recipe("rs256-foreign-key", 28, "RS256 signed with the suite's RSA-2048 key, same kid and claims",
           _foreign_rsa("RS256"), depends_on_seed=True),
    Recipe("embedded-jwk-rsa", 29, "Header jwk is the suite's RSA public key; RS256 signed with its private half",
           _embedded_rsa_jwk, depends_on_seed=True),
    Recipe("embedded-jwk-ec", 29, "Header jwk is the suite's P-256 public key; ES256 signed with its private half",
           _embedded_ec_jwk, depends_on_seed=True),
    Recipe("jku-suite-url", 30, "jku points at the attacker URL; RS256 signed with the suite's RSA key",
           _key_url("jku"), depends_on_seed=True),
    Recipe("x5u-suite-url", 30, "x5u points at the attacker URL; RS256 signed with the suite's RSA key",
           _key_url("x5u"), depends_on_seed=True),
    Recipe("x5c-self-signed", 30, "x5c holds a self-signed certificate for the suite's RSA key, which signs RS256",
           _self_signed_x5c, depends_on_seed=True),
    Recipe("psychic-es256", 32, "alg ES256 with an all-zero 64-byte signature (r = s = 0, CVE-2022-21449)",
           lambda f: f.with_header(f.header_with(alg="ES256", kid=f.kid), b"\x00" * 64)),
)
