"""negative cases 20-22: broken compact serialization and damaged signatures.

Every token here keeps the valid token's bytes wherever the attack does not touch them, so a
server that accepts one is tolerating exactly the damage the id names.
"""

from __future__ import annotations

from conformance.forge.keys import seeded_bytes, seeded_int
from conformance.forge.recipe import ForgeryInputs, Recipe
from conformance.forge.signing import json_segment, json_text
from conformance.tokens import b64url_encode

# Wycheproof-style invalid UTF-8: 0xC3 opens a two-byte sequence that 0x28 ('(') cannot continue.
INVALID_UTF8 = b"\xc3\x28"
_PLACEHOLDER = "INVALID-UTF8-GOES-HERE"


def _inserted_mid_payload(inputs: ForgeryInputs, text: str) -> str:
    payload = inputs.payload_segment
    middle = len(payload) // 2
    return f"{inputs.header_segment}.{payload[:middle]}{text}{payload[middle:]}.{inputs.signature_segment}"


def _with_padding(inputs: ForgeryInputs) -> str:
    segments = [segment + "=" * (-len(segment) % 4) for segment in inputs.valid.segments]
    if segments == list(inputs.valid.segments):
        # Every segment happens to be 4-aligned; a surplus "=" is still padding a strict
        # parser must refuse (RFC 7515 section 2: base64url without padding).
        segments[2] += "="
    return ".".join(segments)


def _json_serialization(inputs: ForgeryInputs) -> str:
    header, payload, signature = inputs.valid.segments
    return json_text({"protected": header, "payload": payload, "signature": signature}).decode("ascii")


def _invalid_utf8_header(inputs: ForgeryInputs) -> str:
    text = json_text(inputs.header_with(kid=f"{inputs.original_kid}{_PLACEHOLDER}"))
    header_segment = b64url_encode(text.replace(_PLACEHOLDER.encode(), INVALID_UTF8))
    return f"{header_segment}.{inputs.payload_segment}.{inputs.signature_segment}"


def _replace_header_segment(inputs: ForgeryInputs, header_segment: str) -> str:
    return f"{header_segment}.{inputs.payload_segment}.{inputs.signature_segment}"


def _replace_payload_segment(inputs: ForgeryInputs, payload_segment: str) -> str:
    return f"{inputs.header_segment}.{payload_segment}.{inputs.signature_segment}"


def flipped_signature_bit(inputs: ForgeryInputs) -> int:
    """The signature bit the seed picks: bit (i % 8), least significant first, of byte (i // 8).

    Counted over the decoded signature, not its base64url text: the last character of a segment
    has unused bits, and changing those leaves the signature bytes as they were (case 21).
    """
    return seeded_int(inputs.seed, "signature-bit", 32) % (8 * len(inputs.valid.signature))


def _bit_flipped(inputs: ForgeryInputs) -> str:
    signature = bytearray(inputs.valid.signature)
    bit = flipped_signature_bit(inputs)
    signature[bit // 8] ^= 1 << (bit % 8)
    return _with_signature(inputs, bytes(signature))


def _with_signature(inputs: ForgeryInputs, signature: bytes) -> str:
    return f"{inputs.header_segment}.{inputs.payload_segment}.{b64url_encode(signature)}"


def other_jti(inputs: ForgeryInputs) -> str:
    # 16 bytes encode to 22 base64url characters: the shape of docs/contract.md's jti.
    return b64url_encode(seeded_bytes(inputs.seed, "other-token-jti", 16))


RECIPES: tuple[Recipe, ...] = (
    Recipe("one-segment", 20, "Header segment alone, no dots", lambda f: f.header_segment),
    Recipe("two-segments", 20, "Header and payload only, no second dot",
           lambda f: f"{f.header_segment}.{f.payload_segment}"),
    Recipe("four-segments", 20, "The valid token plus a fourth segment (its signature again)",
           lambda f: f"{f.valid.raw}.{f.signature_segment}"),
    Recipe("five-segments", 20, "The valid token plus two more segments (JWE-shaped)",
           lambda f: f"{f.valid.raw}.{f.payload_segment}.{f.signature_segment}"),
    Recipe("trailing-dot", 20, "The valid token followed by a dot", lambda f: f"{f.valid.raw}."),
    Recipe("empty-header-segment", 20, "Header segment empty, payload and signature kept",
           lambda f: _replace_header_segment(f, "")),
    Recipe("empty-payload-segment", 20, "Payload segment empty, header and signature kept",
           lambda f: _replace_payload_segment(f, "")),
    Recipe("non-base64url-char", 20, "A '!' inside the payload segment (lenient decoders skip it: signed bytes)",
           lambda f: _inserted_mid_payload(f, "!")),
    Recipe("padding-equals", 20, "Segments carry base64 '=' padding; same decoded bytes", _with_padding),
    Recipe("embedded-space", 20, "A space inside the payload segment", lambda f: _inserted_mid_payload(f, " ")),
    Recipe("embedded-newline", 20, "A line feed inside the payload segment (HTTP clients may refuse to send it)",
           lambda f: _inserted_mid_payload(f, "\n")),
    Recipe("jws-json-serialization", 20, "Flattened JWS JSON serialization (RFC 7515 section 7.2.2) of the valid token",
           _json_serialization),
    Recipe("header-not-json", 20, "Header segment decodes to text that is not JSON",
           lambda f: _replace_header_segment(f, b64url_encode(b"not json"))),
    Recipe("payload-not-json", 20, "Payload segment decodes to text that is not JSON",
           lambda f: _replace_payload_segment(f, b64url_encode(b"not json"))),
    Recipe("header-json-array", 20, "Header is a JSON array holding the original header object",
           lambda f: _replace_header_segment(f, json_segment([f.valid.header]))),
    Recipe("payload-json-array", 20, "Payload is a JSON array holding the original claims object",
           lambda f: _replace_payload_segment(f, json_segment([f.valid.claims]))),
    Recipe("invalid-utf8-header", 20, "Header JSON whose kid contains an invalid UTF-8 sequence (C3 28)",
           _invalid_utf8_header),
    Recipe("signature-bit-flipped", 21, "One seed-chosen bit of the decoded signature flipped", _bit_flipped,
           depends_on_seed=True),
    Recipe("signature-truncated", 21, "Decoded signature missing its last byte",
           lambda f: _with_signature(f, f.valid.signature[:-1])),
    Recipe("signature-extended", 21, "Decoded signature with a zero byte appended",
           lambda f: _with_signature(f, f.valid.signature + b"\x00")),
    Recipe("signature-from-other-token", 21, "The valid signature over the same claims with a different (seeded) jti",
           lambda f: f.with_claims(f.claims_with(jti=other_jti(f))), depends_on_seed=True),
    Recipe("signature-stripped", 22, "Original header and payload, empty signature ('header.payload.')",
           lambda f: _with_signature(f, b"")),
)
