"""Our options on Locust's command line (and in locust.conf, and as CAP_* environment variables).

No locust import: `load.hooks` registers `add_load_options` with `events.init_command_line_parser`.
Locust hands custom options from the master to its workers with each spawn message; `python -m
load` also passes them to every worker, so a worker's `init` already sees them.
"""

from __future__ import annotations

from typing import Any

from load.settings import DEFAULT_MAX_ITERATIONS_PER_USER
from load.token_cache import TokenMode


def add_load_options(parser: Any, **_kwargs: Any) -> None:
    # `--profile` is Locust's own (a label that groups runs): we read the same option as our profile.
    add = parser.add_argument
    add("--target", env_var="CAP_TARGET", default="", help="Base URL of the server under test (else the profile's)")
    add("--gate", action="append", default=[], include_in_web_ui=False,
        help="NAME=VALUE pass/fail gate, e.g. customer.get.p95_ms=150 (repeatable; overrides [load.gates])")
    add("--token-mode", env_var="CAP_TOKEN_MODE", default="", choices=["", *(m.value for m in TokenMode)],
        help="How users share tokens (default: the scenario's)")
    add("--token-refresh-margin", type=float, default=0.0, help="Renew tokens this many seconds before exp")
    add("--token-jitter", type=float, default=0.0, help="Renew a random 0..N seconds earlier still")
    add("--polite", action="store_true", env_var="CAP_POLITE", help="Pace to the profile's rate_limit_per_minute")
    add("--task-rate", type=float, default=0.0, help="Task iterations per user per second (default: the scenario's)")
    add("--invalid-share", type=float, default=0.2, help="token_storm: share of calls with wrong credentials")
    add("--report-dir", default="", help="Folder for summary.json and timeline.html")
    add("--allow-remote", action="store_true", env_var="CAP_ALLOW_REMOTE", help="Allow a non-loopback target")
    add("--stages", env_var="CAP_STAGES", default="", help="Stages shape table UNTIL:USERS:RATE,...")
    add("--max-iterations", type=int, default=DEFAULT_MAX_ITERATIONS_PER_USER,
        help="Task iterations after which a user stops")


def options_of(environment: Any) -> Any:
    """Locust's parsed options (set whenever Locust runs from its command line, as here)."""
    if environment.parsed_options is None:
        raise RuntimeError("load scenarios run from Locust's command line (parsed options are missing)")
    return environment.parsed_options
