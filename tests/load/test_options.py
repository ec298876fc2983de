"""Load options are declared once: `python -m load run` hands Locust exactly what it was given."""

from __future__ import annotations

import argparse
from typing import Any

import pytest

from load.cli import build_parser
from load.options import SHARED_OPTIONS, add_load_options, locust_arguments


class LocustLikeParser(argparse.ArgumentParser):
    """Locust's parser is configargparse's: it also takes env_var and include_in_web_ui (no locust import here)."""

    def add_argument(self, *names: Any, **keywords: Any) -> Any:
        keywords.pop("env_var", None)
        keywords.pop("include_in_web_ui", None)
        return super().add_argument(*names, **keywords)


def as_locust_sees_it(cli: list[str]) -> argparse.Namespace:
    handed_on = locust_arguments(build_parser().parse_args(["run", "steady_calls", *cli]))
    parser = LocustLikeParser()
    add_load_options(parser)
    return parser.parse_args(handed_on)


@pytest.mark.parametrize("cli", [
    [],
    ["--gate", "customer.get.p95_ms=150", "--gate", "leaked_498=0"],
    ["--token-mode", "naive", "--token-refresh-margin", "1.5", "--token-jitter", "0.25"],
    ["--task-rate", "2", "--invalid-share", "0.5", "--stages", "5s:2:1,10s:4:2", "--polite", "--allow-remote"],
], ids=["defaults", "gates", "token-options", "pacing-and-flags"])
def test_every_shared_option_reaches_locust_with_the_value_given(cli: list[str]) -> None:
    given = build_parser().parse_args(["run", "steady_calls", *cli])
    seen = as_locust_sees_it(cli)
    for option in SHARED_OPTIONS:
        assert getattr(seen, option.dest) == getattr(given, option.dest), option.flag


def test_defaults_are_left_to_locust_so_its_environment_variables_still_apply() -> None:
    assert locust_arguments(build_parser().parse_args(["run", "steady_calls"])) == []
