"""Deterministic attack tokens (negative cases 20-42) built from one fresh valid RS256 token.

The same valid token, seed, public key and options give byte-identical tokens (idea D6 of the negative-case catalogue),
so a recorded seed replays a failure exactly. Pure: no I/O, no network, no pytest, no logging.

    forgeries = forge_all(valid_token, seed=run_seed, public_key=server_key)
    @pytest.mark.parametrize("forgery_id", FORGERY_IDS)  # known at collection time, no token needed
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import rsa

from conformance.forge import claims, headers, resigned, structure
from conformance.forge.claims import claims_variants_for_case_38
from conformance.forge.recipe import ForgeryInputs, Recipe
from conformance.forge.resigned import DEFAULT_ATTACKER_URL
from conformance.forge.signing import mint_with_private_key
from conformance.protocol import Outcome
from conformance.tokens import MalformedToken, decode_unverified

__all__ = [
    "DEFAULT_ATTACKER_URL",
    "FORGERY_IDS",
    "RECIPES",
    "SEED_DEPENDENT_IDS",
    "Forgery",
    "Recipe",
    "claims_variants_for_case_38",
    "forge_all",
    "forge_by_id",
    "mint_with_private_key",
    "recipe_for",
    "requires_public_key",
]


@dataclass(frozen=True)
class Forgery:
    id: str
    case: int
    description: str
    token: str
    requires_public_key: bool = False
    expects: str = Outcome.REJECT_TOKEN.value


# Ordered by negative case; within a case, in the order the modules list them. sorted() is
# stable, so the order (and thus pytest's parametrize ids) only changes when a recipe does.
RECIPES: tuple[Recipe, ...] = tuple(
    sorted((*structure.RECIPES, *headers.RECIPES, *resigned.RECIPES, *claims.RECIPES), key=lambda recipe: recipe.case)
)
_RECIPES_BY_ID: dict[str, Recipe] = {recipe.id: recipe for recipe in RECIPES}
if len(_RECIPES_BY_ID) != len(RECIPES):
    raise RuntimeError("two forgery recipes share an id")

FORGERY_IDS: tuple[str, ...] = tuple(recipe.id for recipe in RECIPES)
SEED_DEPENDENT_IDS: frozenset[str] = frozenset(recipe.id for recipe in RECIPES if recipe.depends_on_seed)


def recipe_for(forgery_id: str) -> Recipe:
    try:
        return _RECIPES_BY_ID[forgery_id]
    except KeyError:
        raise KeyError(f"unknown forgery id {forgery_id!r}") from None


def requires_public_key(forgery_id: str) -> bool:
    return recipe_for(forgery_id).requires_public_key


def _inputs(
    valid_token: str, seed: int, public_key: rsa.RSAPublicKey | None, kid: str | None, attacker_url: str
) -> ForgeryInputs:
    valid = decode_unverified(valid_token)
    if not valid.signature:
        raise MalformedToken("the valid token has no signature to forge from")
    # Re-signed forgeries name the server's own kid unless told otherwise: the attack is that a
    # different key or algorithm signed, not that the key id is unknown (that is case 31).
    own_kid = valid.header.get("kid")
    chosen_kid = kid if kid is not None else own_kid if isinstance(own_kid, str) else "k1"
    return ForgeryInputs(valid, seed, public_key, chosen_kid, attacker_url)


def _forged(recipe: Recipe, inputs: ForgeryInputs) -> Forgery:
    return Forgery(recipe.id, recipe.case, recipe.description, recipe.build(inputs), recipe.requires_public_key)


def forge_all(
    valid_token: str,
    *,
    seed: int,
    public_key: rsa.RSAPublicKey | None = None,
    kid: str | None = None,
    attacker_url: str = DEFAULT_ATTACKER_URL,
) -> list[Forgery]:
    """Every forgery in FORGERY_IDS order; those needing the public key only when it is given.

    `kid` (default: the valid token's own, else "k1") goes into the headers of tokens the suite
    signs itself; tokens that keep the original signature keep the original header otherwise.
    Raises `MalformedToken` when `valid_token` is not a signed compact JWS.
    """
    inputs = _inputs(valid_token, seed, public_key, kid, attacker_url)
    return [_forged(recipe, inputs) for recipe in RECIPES if public_key is not None or not recipe.requires_public_key]


def forge_by_id(
    valid_token: str,
    forgery_id: str,
    *,
    seed: int,
    public_key: rsa.RSAPublicKey | None = None,
    kid: str | None = None,
    attacker_url: str = DEFAULT_ATTACKER_URL,
) -> Forgery:
    """One forgery, byte-identical to its entry in `forge_all` with the same arguments."""
    recipe = recipe_for(forgery_id)
    if recipe.requires_public_key and public_key is None:
        raise ValueError(f"forgery {forgery_id!r} needs the server's public key")
    return _forged(recipe, _inputs(valid_token, seed, public_key, kid, attacker_url))
