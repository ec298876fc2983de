"""Our load options, declared once: on Locust's command line (and in locust.conf, and as CAP_*
environment variables) and on `python -m load run`, which hands them on to every Locust process.

No locust import: `load.hooks` registers `add_load_options` with `events.init_command_line_parser`.
Locust hands custom options from the master to its workers with each spawn message; `python -m
load` also passes them to every worker (`locust_arguments`), so a worker's `init` already sees them.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from conformance.environment import ENV
from load.settings import DEFAULT_MAX_ITERATIONS_PER_USER
from load.token_cache import TokenMode

_TOKEN_MODES = [mode.value for mode in TokenMode]


@dataclass(frozen=True)
class LoadOption:
    """One option: its flag, argparse's keywords, and the environment variable Locust reads it from."""

    flag: str
    keywords: Mapping[str, Any] = field(default_factory=dict)
    env: str | None = None
    in_web_ui: bool = True

    @property
    def dest(self) -> str:
        return self.flag.removeprefix("--").replace("-", "_")

    @property
    def default(self) -> Any:
        return self.keywords.get("default")

    def argparse_keywords(self) -> dict[str, Any]:
        keywords = dict(self.keywords)
        if self.env:
            keywords["help"] = f"{keywords['help']} (env {self.env})"
        return keywords


# Accepted by `python -m load run` and by Locust alike; the former hands them on (`locust_arguments`).
SHARED_OPTIONS = (
    LoadOption("--gate", {"action": "append", "default": [], "metavar": "NAME=VALUE",
                          "help": "pass/fail gate, e.g. customer.get.p95_ms=150 (repeatable; overrides [load.gates])"},
               in_web_ui=False),
    LoadOption("--token-mode", {"default": "", "choices": ["", *_TOKEN_MODES], "metavar": "|".join(_TOKEN_MODES),
                                "help": "how users share tokens (default: the scenario's)"}, env="CAP_TOKEN_MODE"),
    LoadOption("--token-refresh-margin", {"type": float, "default": 0.0, "metavar": "S",
                                          "help": "renew tokens this many seconds before exp"}),
    LoadOption("--token-jitter", {"type": float, "default": 0.0, "metavar": "S",
                                  "help": "renew a random 0..S seconds earlier still"}),
    LoadOption("--task-rate", {"type": float, "default": 0.0,
                               "help": "task iterations per user per second (default: the scenario's)"}),
    LoadOption("--invalid-share", {"type": float, "default": 0.2,
                                   "help": "token_storm: share of calls with wrong credentials"}),
    LoadOption("--stages", {"default": "", "help": "stages shape table UNTIL:USERS:RATE,... "
                                                   "(default: ramp/plateau/spike)"}, env="CAP_STAGES"),
    LoadOption("--polite", {"action": "store_true", "help": "pace to the profile's rate_limit_per_minute"},
               env="CAP_POLITE"),
    LoadOption("--allow-remote", {"action": "store_true", "help": "allow a target that is not on loopback"},
               env="CAP_ALLOW_REMOTE"),
)
# Locust's only: `python -m load` gives the target as --host and the report folder its own way.
LOCUST_OPTIONS = (
    # `--profile` is Locust's own (a label that groups runs): we read the same option as our profile.
    LoadOption("--target", {"default": "", "help": "base URL of the server under test (else the profile's)"},
               env=ENV["target"]),
    LoadOption("--report-dir", {"default": "", "help": "folder for summary.json and timeline.html"}),
    LoadOption("--max-iterations", {"type": int, "default": DEFAULT_MAX_ITERATIONS_PER_USER,
                                    "help": "task iterations after which a user stops"}),
    LoadOption("--redacted-by-parent", {"action": "store_true",
                                        "help": "the calling `python -m load` redacts Locust's own report files "
                                                "once every process has exited (it passes this flag)"},
               in_web_ui=False),
)


def add_load_options(parser: Any, **_kwargs: Any) -> None:
    """Register every option on Locust's parser (configargparse: env_var, include_in_web_ui)."""
    for option in (*SHARED_OPTIONS, *LOCUST_OPTIONS):
        extra: dict[str, Any] = {"env_var": option.env} if option.env else {}
        if not option.in_web_ui:
            extra["include_in_web_ui"] = False
        parser.add_argument(option.flag, **option.keywords, **extra)


def add_shared_options(parser: argparse.ArgumentParser) -> None:
    """Register the shared options on `python -m load run`."""
    for option in SHARED_OPTIONS:
        parser.add_argument(option.flag, **option.argparse_keywords())


def locust_arguments(namespace: argparse.Namespace) -> list[str]:
    """The shared options as Locust's command line: every value that is not the default.

    Defaults are left out so that Locust reads the same defaults, and the CAP_* variables, itself.
    """
    arguments: list[str] = []
    for option in SHARED_OPTIONS:
        value = getattr(namespace, option.dest)
        action = option.keywords.get("action")
        if action == "append":
            arguments += [f"{option.flag}={item}" for item in value]
        elif action == "store_true":
            arguments += [option.flag] if value else []
        elif value != option.default:
            arguments += [option.flag, f"{value:g}" if isinstance(value, float) else str(value)]
    return arguments


def options_of(environment: Any) -> Any:
    """Locust's parsed options (set whenever Locust runs from its command line, as here)."""
    if environment.parsed_options is None:
        raise RuntimeError("load scenarios run from Locust's command line (parsed options are missing)")
    return environment.parsed_options
