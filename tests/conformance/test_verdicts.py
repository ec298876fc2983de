"""SHOULD warnings, --strict, and the profile's expected failures (strict xfails with reasons)."""

from __future__ import annotations

from pathlib import Path

from conformance.profiles.loader import PROFILES_DIR
from tests.support import reference_server, run_suite

WAIVED = "test_token_generation.py::test_wrong_secret_is_not_echoed"


def test_should_failure_is_a_warning_and_fails_only_under_strict(tmp_path: Path) -> None:
    with reference_server("unknown-key-distinct-error") as url:
        lenient = run_suite(tmp_path / "lenient", f"--target={url}", "--plan=gate", "--requirement=CAP-TOK-04")
        strict = run_suite(tmp_path / "strict", f"--target={url}", "--plan=gate", "--requirement=CAP-TOK-04",
                           "--strict")
    assert lenient.exit_code == 0, lenient.output[-2000:]
    assert lenient.summary is not None and lenient.summary["requirements"]["CAP-TOK-04"]["verdict"] == "warning"
    assert "SHOULD-level warning (CAP-TOK-04)" in lenient.output
    assert strict.exit_code == 1


def waiving_profile(tmp_path: Path) -> Path:
    text = (PROFILES_DIR / "reference.toml").read_text().replace('cwd = "../.."', f'cwd = "{PROFILES_DIR.parents[1]}"')
    text = text.replace('signing_key_file = "../data/keys/', f'signing_key_file = "{PROFILES_DIR.parent}/data/keys/')
    path = tmp_path / "waiving.toml"
    waiver = f'\n[[expected_failures]]\ntest = "{WAIVED}"\nreason = "vendor ticket 42: echo fix pending"\n'
    path.write_text(text + waiver)
    return path


def test_expected_failure_waives_a_known_deviation(tmp_path: Path) -> None:
    profile = waiving_profile(tmp_path)
    with reference_server("secret-echoed-in-error") as url:
        run = run_suite(tmp_path, f"--profile={profile}", f"--target={url}", "--plan=gate",
                        "--requirement=CAP-TOK-09")
    assert run.exit_code == 0, run.output[-2000:]
    assert run.verdicts()[WAIVED.split("::")[1]] == "xfail"
    assert "vendor ticket 42" in run.output


def test_expected_failure_that_no_longer_fails_fails_the_run(tmp_path: Path) -> None:
    """Strict xfail: a waiver cannot rot once the target is fixed."""
    profile = waiving_profile(tmp_path)
    with reference_server() as url:
        run = run_suite(tmp_path, f"--profile={profile}", f"--target={url}", "--plan=gate",
                        "--requirement=CAP-TOK-09")
    assert run.exit_code == 1, run.output[-2000:]
    assert run.verdicts()[WAIVED.split("::")[1]] == "fail"


def test_a_test_that_fails_in_its_call_and_errors_in_teardown_makes_the_run_not_conformant() -> None:
    """The failure is the news (exit 1); the teardown error must not turn it into 'incomplete' (3)."""
    from conformance.plugin.results import RunResults, TestResult

    results = RunResults()
    for phase_verdict in ("pass", "fail", "error"):  # setup, call, teardown
        results.record(TestResult("suites/test_x.py::test_y", ["CAP-USE-01"], "MUST", phase_verdict, 0.1))
    assert results.tests["suites/test_x.py::test_y"].verdict == "fail"
    assert results.exit_code(strict=False) == 1


def test_a_profiles_expected_failure_names_one_test_exactly() -> None:
    from conformance.plugin.session import _same_test

    nodeid = "conformance/suites/test_token_use.py::test_token_sent_anywhere_but_its_header_is_refused[cookie-only]"
    assert _same_test(nodeid, "test_token_use.py::test_token_sent_anywhere_but_its_header_is_refused[cookie-only]")
    assert _same_test(nodeid, nodeid)
    assert not _same_test(nodeid, "only]")  # a suffix is not a name
    assert not _same_test(nodeid, "test_token_use.py::test_token_sent_anywhere_but_its_header_is_refused")
