"""The server reshapes answers only under the variants that shape them (computed once at start)."""

from __future__ import annotations

import pytest

from fixtures.reference_server.switches import attribute
from fixtures.reference_server.variant_answers import reshape, reshapes_answers
from fixtures.reference_server.variants import CATALOGUE, Variants, parse_variants
from fixtures.reference_server.wire import Response, dumps, v3_error, v11_items

# Answers every shaping variant changes at least one of (with a request that accepts gzip).
FAILED_ITEM = {"item_status": {"success": "false", "code": 1000, "message": "bad"}}
SAMPLES = (
    (v11_items("customers", "customer", [FAILED_ITEM]), "customers", "/v1.1/customer/get"),
    (v3_error(401, 320001, "Invalid client key and secret"), "token", "/v3/oauth/token/generate"),
    (Response(200, dumps({"data": {"accessToken": "t", "ttlSeconds": 1}, "errors": None})), "token",
     "/v3/oauth/token/generate"),
)
ACCEPTS_GZIP = {b"accept-encoding": [b"gzip, deflate"]}


def changes_an_answer(variants: Variants) -> bool:
    return any(reshape(response, family, path, ACCEPTS_GZIP, variants) != response
               for response, family, path in SAMPLES)


@pytest.mark.parametrize("names", [(), *((v.name,) for v in CATALOGUE), ("clock-ahead-30s", "no-date-header")],
                         ids=lambda names: "+".join(names) or "none")
def test_reshaping_is_on_exactly_for_the_variants_that_change_answers(names: tuple[str, ...]) -> None:
    variants = parse_variants(names)
    assert reshapes_answers(variants) == changes_an_answer(variants)


def test_most_variants_leave_answers_alone_and_some_do_not() -> None:
    shaping = {v.name for v in CATALOGUE if reshapes_answers(Variants(**{attribute(v.name): True}))}
    assert {"gzip", "connection-close", "token-refusal-200", "string-codes"} <= shaping
    assert {"bearer-accepted", "no-jwks", "kid-scheme", "no-date-header"}.isdisjoint(shaping)
