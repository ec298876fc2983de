"""negative cases 23, 24, 31, 33 and 34 (header half): header parameters a verifier must not trust.

Unless the description says the token is re-signed, the original RS256 signature is kept: it no
longer covers the changed header, so only a verifier that skips or bypasses checking accepts.
"""

from __future__ import annotations

from typing import Any

from conformance.forge.recipe import REMOVED, ForgeryInputs, Recipe
from conformance.forge.signing import hs256_signature, json_text
from conformance.tokens import b64url_decode, b64url_encode

PATH_TRAVERSAL_KID = "../../../../../../dev/null"
SQL_INJECTION_KID = "' UNION SELECT '1'--"
UNKNOWN_CRITICAL_PARAMETER = "x-conformance-unknown"


def with_duplicate_member(json_object_text: bytes, name: str, value: Any) -> bytes:
    """The object text with `name` appended once more: a last-wins parser sees `value`.

    Built on the original text so a first-wins parser still sees every original member as it was.
    """
    body = json_object_text.rstrip()
    if not body.endswith(b"}"):
        raise ValueError("not a JSON object text")
    return body[:-1] + b"," + json_text(name) + b":" + json_text(value) + b"}"


_NONE_SPELLINGS = {"lowercase": "none", "capitalised": "None", "upper": "NONE", "mixed": "nOnE"}


def _alg_none(name: str, spelling: str, keep_signature: bool = False) -> Recipe:
    signature = "original signature kept" if keep_signature else "empty signature"
    return Recipe(
        f"alg-none-{name}",
        23,
        f'alg "{spelling}", {signature}',
        lambda f: f.with_header(f.header_with(alg=spelling), None if keep_signature else b""),
    )


def _alg(name: str, value: Any, description: str) -> Recipe:
    return _header_parameter(f"alg-{name}", 24, description, alg=value)


def _kid(name: str, kid: Any, description: str) -> Recipe:
    return _header_parameter(f"kid-{name}", 31, description, kid=kid)


def _kid_relative(name: str, suffix: str, description: str) -> Recipe:
    # Appended to the real kid so that a server concatenating it into a path, query or shell
    # command still finds the key it knows and reaches the injected part.
    return Recipe(
        f"kid-{name}",
        31,
        f"{description}, original signature kept",
        lambda f: f.with_header(f.header_with(kid=f"{f.original_kid}{suffix}")),
    )


def _kid_hs256(name: str, kid: str, secret: bytes, description: str) -> Recipe:
    return Recipe(
        f"kid-{name}",
        31,
        description,
        lambda f: f.signed(f.header_with(alg="HS256", kid=kid), lambda data: hs256_signature(secret, data)),
    )


def _header_parameter(forgery_id: str, case: int, description: str, **parameters: Any) -> Recipe:
    """The header with `parameters` set (or REMOVED) over the original payload and signature."""
    description = f"{description}, original signature kept"
    return Recipe(forgery_id, case, description, lambda f: f.with_header(f.header_with(**parameters)))


def _duplicate_alg(inputs: ForgeryInputs) -> str:
    header_text = with_duplicate_member(b64url_decode(inputs.header_segment), "alg", "none")
    return f"{b64url_encode(header_text)}.{inputs.payload_segment}.{inputs.signature_segment}"


RECIPES: tuple[Recipe, ...] = (
    *(_alg_none(name, spelling) for name, spelling in _NONE_SPELLINGS.items()),
    _alg_none("with-signature", "none", keep_signature=True),
    _alg("missing", REMOVED, "No alg member"),
    _alg("empty", "", 'alg ""'),
    _alg("null", None, "alg null"),
    _alg("unknown-rs257", "RS257", 'alg "RS257"'),
    _alg("array", ["RS256"], 'alg ["RS256"]'),
    _alg("number", 256, "alg 256"),
    _kid("unknown", "conformance-unknown-kid", "kid that names no key"),
    _kid("empty", "", 'kid ""'),
    _kid("missing", REMOVED, "No kid member"),
    _kid("very-long", "A" * 4096, "kid of 4096 characters"),
    _kid_hs256("path-traversal-hs256-empty-key", PATH_TRAVERSAL_KID, b"",
               f"kid {PATH_TRAVERSAL_KID!r}, HS256 with an empty key (what reading /dev/null yields)"),
    _kid_hs256("sql-injection-hs256", SQL_INJECTION_KID, b"1",
               f"kid {SQL_INJECTION_KID!r}, HS256 with key '1' (what the injected SELECT yields)"),
    _kid_relative("crlf", "\r\nX-Conformance-Injected: 1", "kid with CR LF and a header line appended"),
    _kid_relative("command-injection", "|sleep 5", "kid with '|sleep 5' appended (watch for a 5 s latency)"),
    _kid("nosql-injection", {"$ne": None}, 'kid as the object {"$ne": null}'),
    _kid_relative("ldap-injection", "*)(kid=*", "kid with an LDAP filter break-out appended"),
    _header_parameter("crit-unknown", 33, f"crit names the unknown parameter {UNKNOWN_CRITICAL_PARAMETER!r}",
                      crit=[UNKNOWN_CRITICAL_PARAMETER], **{UNKNOWN_CRITICAL_PARAMETER: True}),
    _header_parameter("b64-false", 33, "b64 false, listed in crit (RFC 7797)", b64=False, crit=["b64"]),
    _header_parameter("zip-def", 33, 'zip "DEF" (a JWE-only parameter)', zip="DEF"),
    _header_parameter("nested-jwt-cty", 33, 'cty "JWT" (claims a nested JWT)', cty="JWT"),
    Recipe("duplicate-alg-in-header", 34, 'Header text has alg "RS256" then alg "none"; original signature kept',
           _duplicate_alg),
)
