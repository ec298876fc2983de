"""Usage errors, alike in every entry point: one line that names what was wrong, "did you mean …"
when something close exists, exit 2 (conformance.outcome); `--help` still prints the usage, exit 0.

argparse's own error prints the whole usage block and, for a mistyped option or command, no hint:
a person who typed `--plna gate` wants the one line that names `--plna` and the fix. Neutral (no
pytest, no locust): `python -m load`, `python -m conformance.certify` and the suite's wrapper share it.
"""

from __future__ import annotations

import argparse
import difflib
import re
from collections.abc import Iterable, Sequence
from typing import NoReturn

from conformance.outcome import ExitCode

# "--" inflates the likeness of any two options, so options need a closer match than commands.
OPTION_CUTOFF = 0.75
WORD_CUTOFF = 0.6
# argparse's message for a value outside `choices` (3.11 quotes with repr; later versions may not).
_INVALID_CHOICE = re.compile(r"argument (?P<name>.+?): invalid choice: (?P<value>.+?) \(choose from (?P<choices>.*)\)$")
_REQUIRED = "the following arguments are required: "


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate `word` was most likely meant to be, or None when none is close."""
    cutoff = OPTION_CUTOFF if word.startswith("--") else WORD_CUTOFF
    found = difflib.get_close_matches(word, list(candidates), n=1, cutoff=cutoff)
    return found[0] if found else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """" (did you mean X?)" when something is close, else ""."""
    close = closest(word, candidates)
    return f" (did you mean {close}?)" if close else ""


def unknown_option(name: str, known: Iterable[str]) -> str:
    return f"unknown option {name}{did_you_mean(name, known)}"


def unknown_command(name: str, commands: Sequence[str]) -> str:
    hint = did_you_mean(name, commands) or f" (commands: {', '.join(commands)})"
    return f"unknown command {name}{hint}"


def long_options(parser: argparse.ArgumentParser) -> list[str]:
    """Every `--option` the parser knows (what a mistyped long option is compared with)."""
    return [flag for action in parser._actions for flag in action.option_strings if flag.startswith("--")]


def _command_action(parser: argparse.ArgumentParser) -> argparse.Action | None:
    """The parser's sub-command action (the positional whose choices are parsers), if it has one."""
    return next((a for a in parser._actions if not a.option_strings and isinstance(a.choices, dict)), None)


def commands_of(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The parser's sub-commands by name (empty when it has none)."""
    action = _command_action(parser)
    return {str(name): sub for name, sub in action.choices.items()} if action and isinstance(
        action.choices, dict) else {}


def _unquoted(text: str) -> str:
    return text.strip().strip("'\"")


class UsageParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line with a hint, exit 2 (sub-commands inherit it)."""

    def error(self, message: str) -> NoReturn:
        self.exit(ExitCode.ERROR, f"{self.prog}: {self.one_line(message)}\n")

    def fail(self, message: str) -> NoReturn:
        """A usage error found after parsing (a value, a combination of options): the same one line."""
        self.exit(ExitCode.ERROR, f"{self.prog}: {message}\n")

    def one_line(self, message: str) -> str:
        choice = _INVALID_CHOICE.match(message)
        if choice:
            value = _unquoted(choice["value"])
            choices = [_unquoted(c) for c in choice["choices"].split(",")]
            command = _command_action(self)
            if command is not None and choice["name"] in (command.dest, command.metavar):
                return unknown_command(value, choices)
            return f"{choice['name']} {value}: not one of {', '.join(choices)}{did_you_mean(value, choices)}"
        if message.startswith(_REQUIRED) and commands_of(self):
            return f"a command is needed: one of {', '.join(commands_of(self))} (see {self.prog} --help)"
        return message

    def parse_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                   namespace: None = None) -> argparse.Namespace:
        """As argparse's, but an unknown argument is named against the (sub-)command that was given."""
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            self.reject(parsed, extras)
        return parsed

    def reject(self, parsed: argparse.Namespace, extras: Sequence[str]) -> NoReturn:
        """Fail on arguments nothing accepted, naming the first and what it was close to."""
        chosen = self.chosen_parser(parsed)
        options = [e.split("=", 1)[0] for e in extras if e.startswith("-")]
        if options:
            chosen.fail(unknown_option(options[0], long_options(chosen)))
        chosen.fail(f"unexpected argument {extras[0]}")

    def chosen_parser(self, parsed: argparse.Namespace) -> UsageParser:
        """The deepest sub-command parser the arguments chose (this one when there is none)."""
        action = _command_action(self)
        if action is not None and isinstance(action.choices, dict):
            sub = action.choices.get(getattr(parsed, action.dest, None))
            if isinstance(sub, UsageParser):
                return sub.chosen_parser(parsed)
        return self
