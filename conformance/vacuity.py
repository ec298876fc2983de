"""The vacuity guard: a negative verdict counts only between two accepted positive controls.

Every attack is framed by a control with the untouched credentials on the same endpoint: if the
target refused the control too (a lockout, a crash, a revoked token), the refusal of the attack
proves nothing and the test is an error (the negative cases of docs/contract.md invariants, case 53).

Shared controls: in a run of negative tests on the same endpoint and role, the control after
one attack is also the control before the next (N attacks, N+1 controls instead of 2N), which
matters on rate-limited clusters. Tests of other roles may come in between (a run spreads its
attacks over several API keys, whose requests alternate so that each key's pacing overlaps the
others'): their own accepted controls show the target healthy meanwhile, and any failed control
ends all sharing. Nothing is weakened: a failed control errors the tests on both sides of it
(the one that ran it, and the next of its kind, which refuses to attack without a good control).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass

from conformance import protocol
from conformance.checks.failures import VacuousNegative
from conformance.exchange import Exchange


@dataclass
class _LastControl:
    accepted: bool
    detail: str


@dataclass(frozen=True)
class Acceptance:
    """When a control counts as accepted, and how its answer is described when it does not (in the
    terms of its endpoint: a token answer as a token answer, a resource answer as a resource answer)."""

    accepted: Callable[[Exchange], bool]
    describe: Callable[[Exchange], str]


class VacuityGuard:
    def __init__(self) -> None:
        self._last: dict[Hashable, _LastControl] = {}
        self.controls_run = 0
        self.controls_shared = 0

    def frame(self, identity: Hashable, control: Callable[[], Exchange], accepted: Acceptance,
              attack: Callable[[], Exchange], check: Callable[[Exchange], None],
              after_check: Callable[[Exchange], None] | None = None) -> Exchange:
        """control → attack → control, where the first control may be the previous test's last.

        `after_check` also judges the control after the attack: a write attack's control can be
        the read of the record it tried to write, proving the token works *and* nothing was
        stored in one request instead of two."""
        last = self._last.pop(identity, None)  # this attack uses it up: the next needs a newer one
        if last is not None:
            self.controls_shared += 1
            if not last.accepted:
                raise VacuousNegative(f"positive control before the attack (shared with the previous test) was not "
                                      f"accepted ({last.detail}): the negative verdict would mean nothing")
        else:
            self._run(identity, control, accepted, "before")
        attacked = attack()
        try:
            check(attacked)
        finally:
            after = self._run(identity, control, accepted, "after")
        if after_check is not None:
            after_check(after)
        return attacked

    def _run(self, identity: Hashable, control: Callable[[], Exchange], accepted: Acceptance, when: str) -> Exchange:
        self.controls_run += 1
        exchange = control()
        detail = accepted.describe(exchange)
        ok = accepted.accepted(exchange)
        if not ok:  # trouble somewhere: every other control must be run afresh
            self._last = {key: last for key, last in self._last.items() if not last.accepted}
        if when == "after":
            self._last[identity] = _LastControl(ok, detail)
        if not ok:
            raise VacuousNegative(f"positive control {when} the attack was not accepted ({detail}): "
                                  "the negative verdict would mean nothing")
        return exchange


# A resource control: the v1.1 call was accepted. A token control: the endpoint issued a token.
RESOURCE_ACCEPTED = Acceptance(lambda exchange: exchange.api_outcome is protocol.Outcome.ACCEPT,
                               lambda exchange: f"{exchange.api_outcome.value}, HTTP {exchange.status}")
TOKEN_ISSUED = Acceptance(lambda exchange: protocol.access_token(exchange.json) is not None,
                          lambda exchange: f"token endpoint: {exchange.token_outcome.value}, HTTP {exchange.status}")


def identity_of(role: str, control: Callable[..., Exchange]) -> Hashable:
    """Same role, same control code (the same helper line: the same endpoint and request)."""
    code = getattr(control, "__code__", None)
    where = (code.co_filename, code.co_firstlineno) if code is not None else id(control)
    return role, where
