"""The one way to a target: resolve where it is (CLI > CAP_TARGET > profile), run it, stop it."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from conformance.profiles import LaunchError, Profile, ProfileError, load_profile, resolve, running_target
from conformance.profiles.target import profile_name, target_url, with_launch_args


@pytest.fixture(scope="module")
def reference() -> Profile:
    return load_profile("reference")


def test_the_command_line_beats_the_environment_beats_the_profile(reference: Profile) -> None:
    environ = {"CAP_TARGET": "http://127.0.0.1:2/"}
    assert resolve(reference, "http://127.0.0.1:1/", environ).base_url == "http://127.0.0.1:1"
    assert resolve(reference, None, environ).base_url == "http://127.0.0.1:2"
    assert resolve(reference, None, {}) == reference


def test_a_target_from_outside_means_launch_nothing(reference: Profile) -> None:
    assert reference.launch is not None
    assert resolve(reference, "http://127.0.0.1:1", {}).launch is None


def test_a_profile_pointing_nowhere_is_one_error_naming_file_key_and_fix(reference: Profile) -> None:
    nowhere = replace(reference, base_url="", launch=None)
    with pytest.raises(ProfileError) as raised:
        resolve(nowhere, None, {})
    message = str(raised.value)
    assert str(reference.source) in message and "target.base_url" in message
    assert "--target URL" in message and "CAP_TARGET" in message and "[launch]" in message


def test_running_a_profile_pointing_nowhere_is_the_same_error(reference: Profile) -> None:
    with pytest.raises(ProfileError, match=r"target\.base_url"), running_target(replace(reference, launch=None)):
        pass


def test_profile_and_target_names_come_from_the_command_line_then_the_environment() -> None:
    environ = {"CAP_PROFILE": "from-env", "CAP_TARGET": "http://127.0.0.1:1/"}
    assert (profile_name("cli", environ), profile_name(None, environ), profile_name(None, {})) == (
        "cli", "from-env", "reference")
    assert (target_url(None, environ), target_url("http://127.0.0.1:2", environ), target_url(None, {})) == (
        "http://127.0.0.1:1", "http://127.0.0.1:2", "")


def test_extra_launch_arguments_are_appended_to_the_command(reference: Profile) -> None:
    faulted = with_launch_args(reference, ["--fault", "alg-none-accepted"])
    assert faulted.launch is not None and reference.launch is not None
    assert faulted.launch.command == (*reference.launch.command, "--fault", "alg-none-accepted")


def test_launch_arguments_for_a_profile_that_launches_nothing_are_refused(reference: Profile) -> None:
    remote = resolve(reference, "http://127.0.0.1:1", {})
    with pytest.raises(ProfileError, match="cannot be applied"):
        with_launch_args(remote, ["--fault", "x"])


def test_a_running_target_answers_inside_the_block_and_is_gone_after_it(reference: Profile) -> None:
    with running_target(reference, ["--variant", "string-codes"]) as live:
        assert live.base_url.startswith("http://127.0.0.1:") and live.launch is not None
        assert httpx.get(live.base_url + "/.well-known/jwks.json", timeout=10).status_code == 200
    with pytest.raises(httpx.TransportError):
        httpx.get(live.base_url + "/.well-known/jwks.json", timeout=2)


def test_a_typo_in_a_launch_argument_fails_at_start(reference: Profile) -> None:
    with pytest.raises(LaunchError, match="exited"), running_target(reference, ["--fault", "no-such-fault"]):
        pass


def test_a_running_remote_target_is_used_as_it_is(reference: Profile) -> None:
    remote = resolve(reference, "http://127.0.0.1:1", {})
    with running_target(remote) as live:
        assert live is remote
