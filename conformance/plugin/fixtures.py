"""Session fixtures the suites use: scope follows cost (target, API and profile live for the session)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from conformance.client import CapillaryApi
from conformance.context import TargetContext
from conformance.plugin import reporting
from conformance.plugin.levels import JUDGED_AS, Judgement, requirement_ids
from conformance.plugin.options import Plan
from conformance.profiles import Profile
from conformance.requirements import Level

if TYPE_CHECKING:
    from conformance.plugin.session import ConformanceRun

__all__ = ["_capillary_labels", "api", "judged_as", "observe", "plan", "profile", "public_key", "seed", "target",
           "unique_mobile"]


@pytest.fixture(scope="session")
def target(conformance_run: ConformanceRun) -> TargetContext:
    if conformance_run.context is None:
        pytest.fail("the conformance run has no target context (preflight did not complete)")
    return conformance_run.context


@pytest.fixture(scope="session")
def api(target: TargetContext) -> CapillaryApi:
    return target.api


@pytest.fixture(scope="session")
def profile(target: TargetContext) -> Profile:
    return target.profile


@pytest.fixture(scope="session")
def plan(conformance_run: ConformanceRun) -> Plan:
    return conformance_run.settings.plan


@pytest.fixture(scope="session")
def seed(conformance_run: ConformanceRun) -> int:
    return conformance_run.settings.seed


@pytest.fixture(scope="session")
def public_key(conformance_run: ConformanceRun) -> Any:
    """The profile's public key, else the one recovered from two token signatures (or None)."""
    return conformance_run.key()


@pytest.fixture(scope="session")
def unique_mobile(target: TargetContext) -> Callable[[], str]:
    """Fresh mobile numbers in the documented form, distinct across runs: the target context's one
    generator (a random run prefix), which the positive controls' records draw from too."""
    return target.fresh_mobile


@pytest.fixture
def judged_as(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """Set this test's level and basis while it runs, for choices that depend on the profile
    (e.g. MUST when the profile lists the header form under test, an observation otherwise)."""
    def judge(level: str, basis: str) -> None:
        rid = requirement_ids(request.node)[0]
        request.node.stash[JUDGED_AS] = Judgement(rid, Level(level), basis)

    return judge


@pytest.fixture
def observe(request: pytest.FixtureRequest, conformance_run: ConformanceRun) -> Callable[[str, str], None]:
    """Record what this target does where the docs are silent: listed in the summary, never a verdict."""
    def record(what: str, observed: str) -> None:
        rids = requirement_ids(request.node)
        conformance_run.results.observe(request.node.nodeid, rids[0] if rids else "", what,
                                        conformance_run.redactor.text(observed))

    return record


@pytest.fixture(autouse=True)
def _capillary_labels(request: pytest.FixtureRequest) -> None:
    """Epic, story, severity and documentation link on every requirement-tagged test."""
    if request.node.get_closest_marker("requirement") is not None:
        reporting.allure_labels(request.node)
