"""Session fixtures the suites use: scope follows cost (target, API and profile live for the session)."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from conformance.client import CapillaryApi
from conformance.context import TargetContext
from conformance.plugin import reporting
from conformance.plugin.options import Plan
from conformance.profiles import Profile

if TYPE_CHECKING:
    from conformance.plugin.session import ConformanceRun

__all__ = ["_capillary_labels", "api", "plan", "profile", "public_key", "seed", "target", "unique_mobile"]


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
    return conformance_run.public_key


@pytest.fixture(scope="session")
def unique_mobile(seed: int) -> Callable[[], str]:
    """Fresh 12-digit mobile numbers, distinct across runs (data created by a run carries its seed)."""
    prefix = random.Random(seed ^ random.SystemRandom().getrandbits(32)).randrange(10**4, 10**5)
    counter = itertools.count(1)
    return lambda: f"91{prefix:05d}{next(counter):05d}"


@pytest.fixture(autouse=True)
def _capillary_labels(request: pytest.FixtureRequest) -> None:
    """Epic, story, severity and documentation link on every requirement-tagged test."""
    if request.node.get_closest_marker("requirement") is not None:
        reporting.allure_labels(request.node)
