"""pytest11 entry point: options, markers, the target session, verdicts, summary and exit codes.

The plugin stays inert unless the collected tests carry a `requirement` marker (a conformance
run): the project's own tests load it too, and must not launch a target.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conformance.budget import hypothesis_examples
from conformance.outcome import verdict_for
from conformance.plugin import reporting
from conformance.plugin.budget import apply_budget, budget_for, plan_lines
from conformance.plugin.options import ENV, MARKERS, add_options, read_settings
from conformance.plugin.preflight import PreflightStop
from conformance.plugin.session import RUN, ConformanceRun

STOPPED = pytest.StashKey[int]()  # the exit code of a run that could not start


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)
    settings = read_settings(config)
    config.stash[RUN] = ConformanceRun(config, settings)
    # Hypothesis: one named settings profile per plan; the run's seed drives it unless given.
    from hypothesis import Phase
    from hypothesis import settings as hypothesis_settings

    from conformance.plugin.options import PLAN_SETTINGS

    # A request budget (explicit, or a rate-limited target's default) scales the examples of
    # every property test instead of leaving property tests out.
    budget = budget_for(settings, config.stash[RUN].profile_for_collection())
    for plan in PLAN_SETTINGS.values():
        # The gate plan does not shrink a failing example: against a broken target shrinking
        # replays hundreds of requests per property for a smaller counterexample, and a pull-request
        # gate needs the verdict (certification and nightly shrink, for the minimal evidence).
        phases = [phase for phase in Phase if phase is not Phase.shrink or plan.name != "gate"]
        hypothesis_settings.register_profile(
            f"capillary-{plan.name}", max_examples=hypothesis_examples(budget, plan.hypothesis_examples),
            derandomize=plan.derandomize, deadline=None, database=None, print_blob=True, phases=phases,
        )
    hypothesis_settings.load_profile(f"capillary-{settings.plan.name}")
    if hasattr(config.option, "hypothesis_seed") and config.option.hypothesis_seed is None:
        config.option.hypothesis_seed = settings.seed


def header_line(run: ConformanceRun) -> str:
    s = run.settings
    return (f"capillary: profile={s.profile} target={s.target or '(from profile)'} plan={s.plan.name} "
            f"strict={s.strict} seed={s.seed} (env {ENV['seed']}={s.seed} replays this run)")


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [header_line(config.stash[RUN])]


def _say(config: pytest.Config, line: str) -> None:
    """One line to the terminal, whatever pytest's verbosity (-q hides the report header)."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(line)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise by the profile: `denied_operation` runs once per operation the restricted client lacks."""
    if "denied_operation" in metafunc.fixturenames:
        profile = metafunc.config.stash[RUN].profile_for_collection()
        denied = list(profile.clients["restricted"].denied) if profile else []
        metafunc.parametrize("denied_operation", denied or [
            pytest.param(None, marks=pytest.mark.skip(reason="profile lists no clients.restricted.denied"))])


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    run = config.stash[RUN]
    if not any(item.get_closest_marker("requirement") for item in items):
        return
    only = set(run.settings.only_requirements)
    if only:
        chosen = [i for i in items if only & {rid for m in i.iter_markers("requirement") for rid in m.args}]
        config.hook.pytest_deselected(items=[i for i in items if i not in chosen])
        items[:] = chosen
    if config.get_verbosity() < 0:
        _say(config, header_line(run))  # the header comes first, even with -q
    try:
        run.start(items)  # loads the profile, launches and preflights the target
    except PreflightStop as stop:
        # One line with the cause, a summary.json, no tests, the stop's exit code (2 or 3); not
        # pytest.exit, whose "!!! Exit: … !!!" wrapper is noise around the one line that matters.
        _say(config, str(stop))
        run.write_stop_summary(stop)
        config.stash[STOPPED] = stop.code
        config.hook.pytest_deselected(items=list(items))
        items[:] = []
        return
    # The expiry lane and key recovery work in the background from preflight on: the tests that
    # wait for them go last (key users, then expiry), so the waits overlap everything else.
    items.sort(key=_background_order)
    for item in items:
        run.apply_profile_to(item)
    budget = budget_for(run.settings, run.started_profile)
    if budget is not None:
        examples = hypothesis_examples(budget, run.settings.plan.hypothesis_examples)
        run.budget_plan = apply_budget(items, config, run.settings, run.started_profile, run.results, budget, examples)
        for line in plan_lines(run.budget_plan, run.started_profile.rate_limit_per_minute):
            _say(config, line)


def _background_order(item: pytest.Item) -> int:
    fixtures = getattr(item, "fixturenames", ())
    if "boundary" in fixtures:
        return 2
    return 1 if "public_key" in fixtures else 0


def pytest_runtest_setup(item: pytest.Item) -> None:
    run = item.config.stash[RUN]
    if run.active:
        run.before_test(item)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    outcome: Any = yield
    run = item.config.stash[RUN]
    if run.active:
        run.after_phase(item, call, outcome.get_result())


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """The requirement table and the verdict are the run's last lines, after pytest's own tally."""
    run = config.stash.get(RUN, None)
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if run is None or reporter is None:
        return
    if run.active:
        reporting.write_terminal_summary(run.results, run.last_header, reporter, strict=run.settings.strict,
                                         reports_dir=run.settings.reports_dir)
    elif STOPPED in config.stash:
        code = config.stash[STOPPED]
        reporter.write_line(f"verdict: {verdict_for(code).upper()} (exit {code}); summary: "
                            f"{run.settings.reports_dir}/summary.json")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    run = session.config.stash[RUN]
    if STOPPED in session.config.stash:
        session.exitstatus = session.config.stash[STOPPED]
        return
    if not run.active:
        return
    if session.testsfailed and exitstatus == pytest.ExitCode.INTERRUPTED and not run.results.stopped:
        run.results.suite_errors.append("interrupted")
    if exitstatus in (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR):
        run.results.suite_errors.append(f"pytest exit status {exitstatus}")
    if session.config.pluginmanager.has_plugin("terminalreporter"):
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None and reporter.stats.get("error"):
            run.note_collection_errors(len(reporter.stats["error"]))
    session.exitstatus = run.finish()


@pytest.fixture(scope="session")
def conformance_run(request: pytest.FixtureRequest) -> ConformanceRun:
    run = request.config.stash[RUN]
    if not run.active:
        pytest.fail("conformance fixtures need a conformance run (tests marked with @pytest.mark.requirement)")
    return run


from conformance.plugin.fixtures import *  # noqa: E402, F403  (fixtures live in their own module)
