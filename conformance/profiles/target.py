"""The one way to a target: where it is (`resolve`), and running it for as long as a `with` lasts.

Precedence is the project's: a target URL on the command line, then `CAP_TARGET`, then the
profile's `base_url` or `[launch]`. A URL from outside means "the target is already running":
the profile's `[launch]` is dropped. Faults and conformant variants of the reference server are
extra launch arguments (`--fault X`, `--variant Y`) appended to the profile's command line.
Every program that needs a live target (the plugin, load, the matrices, benchmarks, the
project's tests) comes through here; the process itself is conformance/profiles/launcher.py's.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from urllib.parse import urlsplit

from conformance.environment import ENV
from conformance.profiles.launcher import LaunchedTarget, start
from conformance.profiles.loader import DEFAULT_PROFILE, ProfileError
from conformance.profiles.model import Profile


def profile_name(cli_value: str | None, environ: Mapping[str, str] | None = None) -> str:
    """Which profile: `--profile`, then CAP_PROFILE, then the embedded reference server's."""
    environ = os.environ if environ is None else environ
    return cli_value or environ.get(ENV["profile"]) or DEFAULT_PROFILE


def target_url(cli_value: str | None, environ: Mapping[str, str] | None = None) -> str:
    """A target URL from outside the profile: `--target`, then CAP_TARGET; "" when neither is set."""
    environ = os.environ if environ is None else environ
    return (cli_value or environ.get(ENV["target"]) or "").rstrip("/")


def is_loopback(url: str) -> bool:
    """Whether the target is on this machine (load and the main job put load only there unless told)."""
    host = urlsplit(url).hostname or ""
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def no_target_error(profile: Profile) -> ProfileError:
    """The one "this profile points nowhere" error, naming the file, the key and every fix."""
    return ProfileError(profile.source, "target.base_url", "empty, and the profile has no [launch]",
                        f"set target.base_url, add a [launch] table, or pass --target URL (or {ENV['target']})")


def resolve(profile: Profile, target: str | None, environ: Mapping[str, str] | None = None) -> Profile:
    """The profile pointed at its target: `target` (the command line's) > CAP_TARGET > the profile.

    A URL from outside replaces base_url and drops [launch]. Raises ProfileError when the result
    has neither a base_url nor a [launch] to start.
    """
    url = target_url(target, environ)
    if url:
        return profile.with_base_url(url).without_launch()
    if not profile.base_url and profile.launch is None:
        raise no_target_error(profile)
    return profile


def with_launch_args(profile: Profile, extra_launch_args: Sequence[str]) -> Profile:
    """The profile whose [launch] command ends with `extra_launch_args` (e.g. `--fault X`)."""
    if not extra_launch_args:
        return profile
    if profile.launch is None:
        raise ProfileError(profile.source, "launch", f"absent, so {' '.join(extra_launch_args)} cannot be applied",
                           "give faults and variants only to a profile that launches its target")
    launch = replace(profile.launch, command=(*profile.launch.command, *extra_launch_args))
    return replace(profile, launch=launch)


@contextmanager
def launched_target(profile: Profile, extra_launch_args: Sequence[str] = ()) -> Iterator[LaunchedTarget]:
    """The profile's [launch] started (with `extra_launch_args`) and stopped when the block ends:
    for callers that watch the process itself, such as the benchmarks (its CPU)."""
    profile = with_launch_args(profile, extra_launch_args)
    if profile.launch is None:
        raise ProfileError(profile.source, "launch", "absent, and this needs a target it can start",
                           "use a profile with a [launch] table")
    launched = start(profile.launch)
    try:
        yield launched
    finally:
        launched.stop()


@contextmanager
def running_target(profile: Profile, extra_launch_args: Sequence[str] = ()) -> Iterator[Profile]:
    """Yield the profile with the base URL of a live target; launch it first when the profile says how.

    A launched target is stopped when the block ends, however it ends. Raises LaunchError when it
    does not become ready, ProfileError when there is nothing to reach or launch.
    """
    profile = with_launch_args(profile, extra_launch_args)
    if profile.launch is None:
        if not profile.base_url:
            raise no_target_error(profile)
        yield profile
        return
    with launched_target(profile) as launched:
        yield profile.with_base_url(launched.base_url)
