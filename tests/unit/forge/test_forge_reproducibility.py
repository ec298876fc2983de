"""conformance.forge: every attack token exists, is reproducible and fails RS256."""

from __future__ import annotations

import re
from typing import Any

import jwt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.forge import (
    FORGERY_IDS,
    SEED_DEPENDENT_IDS,
    Forgery,
    forge_all,
    forge_by_id,
    recipe_for,
    requires_public_key,
)
from conformance.forge.keys import attacker_ec_key, attacker_rsa_key
from conformance.tokens import (
    MalformedToken,
    decode_unverified,
    public_key_fingerprint,
)

from .support import OTHER_SEED, SEED, verifies


def test_every_id_is_forged_once_when_the_public_key_is_given(forged: dict[str, Forgery]) -> None:
    assert tuple(forged) == FORGERY_IDS
    assert len(set(FORGERY_IDS)) == len(FORGERY_IDS) == 94


def test_without_the_public_key_only_key_confusion_is_left_out(valid_token: str) -> None:
    forgeries = forge_all(valid_token, seed=SEED)
    assert [f.id for f in forgeries] == [i for i in FORGERY_IDS if not requires_public_key(i)]
    needing_the_key = {i for i in FORGERY_IDS if requires_public_key(i)}
    assert needing_the_key == {i for i in FORGERY_IDS if i.startswith("hs256-confusion")}


def test_ids_are_lowercase_kebab_and_cases_are_attacks_md_cases(forged: dict[str, Forgery]) -> None:
    for forgery in forged.values():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", forgery.id)
        assert forgery.case in {*range(20, 36), *range(39, 43)}
        assert forgery.expects == "reject-token"


def test_every_forgery_differs_from_the_valid_token(forged: dict[str, Forgery], valid_token: str) -> None:
    assert all(f.token != valid_token for f in forged.values())
    assert len({f.token for f in forged.values()}) == len(forged)


def test_same_seed_gives_byte_identical_tokens(forged: dict[str, Forgery], valid_token: str, server_key: Any) -> None:
    again = forge_all(valid_token, seed=SEED, public_key=server_key.public_key())
    assert [f.token for f in again] == [f.token for f in forged.values()]


@pytest.mark.parametrize("forgery_id", FORGERY_IDS)
def test_forge_by_id_matches_forge_all(forgery_id: str, forged: dict[str, Forgery], valid_token: str,
                                       server_key: Any) -> None:
    assert forge_by_id(valid_token, forgery_id, seed=SEED, public_key=server_key.public_key()) == forged[forgery_id]


def test_another_seed_changes_exactly_the_seed_dependent_tokens(forged: dict[str, Forgery], valid_token: str,
                                                                  server_key: Any) -> None:
    other = {f.id: f.token for f in forge_all(valid_token, seed=OTHER_SEED, public_key=server_key.public_key())}
    changed = {i for i in FORGERY_IDS if other[i] != forged[i].token}
    assert changed == SEED_DEPENDENT_IDS


def test_attacker_keys_for_a_recorded_seed_never_change() -> None:
    # Golden values: a seed recorded in an evidence bundle must replay the same keys forever.
    assert public_key_fingerprint(attacker_rsa_key(0).public_key()) == (
        "21b516e30da438db227445184dd9a53e12dcbd301320f887a9051015e69883cf")
    assert public_key_fingerprint(attacker_ec_key(0).public_key()) == (
        "36415ffe97b7195aa77cdf637aad0d0e2db4b087fd394efb4f65b5fa66fe44c3")


@pytest.mark.parametrize("forgery_id", FORGERY_IDS)
def test_no_forgery_verifies_with_the_servers_key(forgery_id: str, forged: dict[str, Forgery], server_key: Any) -> None:
    with pytest.raises(jwt.InvalidTokenError):
        verifies(forged[forgery_id].token, server_key.public_key(), "RS256")


def test_unknown_ids_and_missing_keys_are_refused(valid_token: str) -> None:
    with pytest.raises(KeyError):
        recipe_for("alg-none-sideways")
    with pytest.raises(ValueError, match="public key"):
        forge_by_id(valid_token, "hs256-confusion-pem", seed=SEED)
    with pytest.raises(MalformedToken):
        forge_all("not.a-token", seed=SEED)


def test_kid_override_reaches_resigned_tokens_only(valid_token: str) -> None:
    forgeries = {f.id: decode_unverified(f.token) for f in forge_all(valid_token, seed=SEED, kid="k9")
                 if f.id in ("rs256-foreign-key", "tamper-org-id")}
    assert forgeries["rs256-foreign-key"].header["kid"] == "k9"
    assert forgeries["tamper-org-id"].header["kid"] == "k1"


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**64))
def test_bit_flip_changes_exactly_one_decoded_bit_for_any_seed(valid_token: str, seed: int) -> None:
    flipped = forge_by_id(valid_token, "signature-bit-flipped", seed=seed).token
    original, changed = (decode_unverified(t).signature for t in (valid_token, flipped))
    assert sum(bin(a ^ b).count("1") for a, b in zip(original, changed, strict=True)) == 1

