"""The one secrets module: what a secret looks like, how it is hidden, how a leaked one is found."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from conformance.redaction import (
    MIN_SECRET_LENGTH,
    SIGNATURE_REDACTED,
    LabelledSecret,
    Redactor,
    labelled_secrets,
    leaks_in_text,
    signed_jwts,
)

HEADER, CLAIMS = "eyJhbGciOiJSUzI1NiJ9", "eyJzdWIiOiJ4In0"
SIGNATURE = "Zm9yZ2VkLXNpZ25hdHVyZS1ieXRlcw"
TOKEN = f"{HEADER}.{CLAIMS}.{SIGNATURE}"
SECRET = "s3cret/with+odd chars"


def test_redaction_keeps_a_tokens_header_and_claims_and_hides_its_signature() -> None:
    assert Redactor().text(f"saw {TOKEN}") == f"saw {HEADER}.{CLAIMS}.{SIGNATURE_REDACTED}"


def test_a_redacted_token_is_no_longer_a_signed_jwt() -> None:
    assert signed_jwts(Redactor().text(TOKEN)) == []


def test_an_unsigned_token_is_left_as_it_is_and_is_not_a_signed_jwt() -> None:
    unsigned = f"{HEADER}.{CLAIMS}."
    assert Redactor().text(unsigned) == unsigned
    assert signed_jwts(unsigned) == []


@pytest.mark.parametrize("text", [TOKEN, f'{{"data": {{"accessToken": "{TOKEN}"}}}}', f"Bearer {TOKEN}"],
                         ids=["bare", "in-json", "after-bearer"])
def test_a_signed_jwt_is_found_wherever_it_stands(text: str) -> None:
    assert signed_jwts(text) == [TOKEN]


def test_known_secrets_are_hidden_by_value_and_too_short_ones_are_ignored() -> None:
    short = "x" * (MIN_SECRET_LENGTH - 1)
    redactor = Redactor([SECRET, short])
    assert redactor.text(f"{SECRET} {short}") == f"*** {short}"


def test_a_known_tokens_signature_is_hidden_on_its_own_too() -> None:
    """Forged tokens reuse a genuine signature under another header."""
    redactor = Redactor([TOKEN])
    assert SIGNATURE not in redactor.text(f"forged.payload:{SIGNATURE}")


def test_secret_members_and_basic_credentials_are_hidden_by_shape() -> None:
    text = Redactor().text('{"secret": "abc", "password": "def"} Authorization: Basic dGlsbDpwdw==')
    assert "abc" not in text and "def" not in text and "dGlsbDpwdw" not in text


def test_a_token_header_value_is_never_shown_whole() -> None:
    assert Redactor().header("X-CAP-API-OAUTH-TOKEN", "opaque-token") == "***"
    assert Redactor().header("X-CAP-API-OAUTH-TOKEN", TOKEN).endswith(SIGNATURE_REDACTED)


@pytest.mark.parametrize("spelling", [SECRET, json.dumps(SECRET)[1:-1], quote(SECRET, safe=""),
                                      SECRET.replace("/", "\\/")], ids=["raw", "json", "percent", "slashes"])
def test_the_leak_finder_knows_every_spelling_an_artifact_gives_a_secret(spelling: str) -> None:
    secret = LabelledSecret("client secret of role 'primary'", SECRET)
    assert leaks_in_text(f"... {spelling} ...", [secret]) == ([secret], 0)


def test_the_leak_finder_counts_signed_jwts_and_never_a_redacted_one() -> None:
    assert leaks_in_text(f"{TOKEN} and {Redactor().text(TOKEN)}", []) == ([], 1)


def test_labelled_secrets_leave_out_values_too_short_to_look_for() -> None:
    assert labelled_secrets([("long", "abcd"), ("short", "abc")]) == [LabelledSecret("long", "abcd")]
