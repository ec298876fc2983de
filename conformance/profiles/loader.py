"""Load a target profile from TOML; every error names the file, the key and the fix.

One loader serves pytest and Locust. Secrets of real targets come only from `${ENV}`
references: a literal secret is refused unless the profile declares `local_test_target`.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from conformance.profiles.behaviour import read_behaviour
from conformance.profiles.errors import _KNOWN, ProfileError, ProfileErrors
from conformance.profiles.model import (
    REQUIRED_ROLES,
    ROLES,
    Basic,
    BasicCredentials,
    Client,
    ClientEnv,
    ExpectedFailure,
    Integration,
    Launch,
    Profile,
    Secret,
    Tills,
)

PROFILES_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "profiles"
DEFAULT_PROFILE = "reference"
__all__ = ["DEFAULT_PROFILE", "PROFILES_DIR", "ProfileError", "ProfileErrors", "load_profile",
           "resolve_profile_path"]
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_T = TypeVar("_T")

def resolve_profile_path(name_or_path: str) -> Path:
    """`reference` → fixtures/profiles/reference.toml; anything with a slash or .toml is a path."""
    if name_or_path.endswith(".toml") or os.sep in name_or_path or "/" in name_or_path:
        return Path(name_or_path)
    return PROFILES_DIR / f"{name_or_path}.toml"


def load_profile(name_or_path: str, environ: Mapping[str, str] | None = None) -> Profile:
    path = resolve_profile_path(name_or_path)
    if not path.is_file():
        known = sorted(p.stem for p in PROFILES_DIR.glob("*.toml"))
        raise ProfileError(path, "", "no such profile file", f"give a path to a .toml file or one of {known}")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ProfileError(path, "", f"not valid TOML ({error})", "correct the syntax at the position shown") from None
    reader = _Reader(path, raw, os.environ if environ is None else environ)
    profile = reader.profile()
    if reader.problems:
        raise ProfileErrors(reader.problems)
    return profile


class _Reader:
    def __init__(self, path: Path, raw: dict[str, Any], environ: Mapping[str, str]) -> None:
        self.path, self.raw, self.environ = path, raw, environ
        self.local = bool(raw.get("target", {}).get("local_test_target", False))
        self.problems: list[ProfileError] = []

    def fail(self, key: str, problem: str, fix: str) -> NoReturn:
        """A problem the rest of the file cannot be read past: it ends reading, with those found so far."""
        self.problems.append(ProfileError(self.path, key, problem, fix))
        raise ProfileErrors(self.problems)

    def note(self, key: str, problem: str, fix: str) -> None:
        """A problem reading can go on past: collected, so the user sees every one at once."""
        self.problems.append(ProfileError(self.path, key, problem, fix))

    def check_keys(self, table: Mapping[str, Any], kind: str, prefix: str) -> None:
        allowed = _KNOWN[kind]
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(allowed)}"
                self.note(f"{prefix}{key}", "unknown key", hint)

    def table(self, raw: Mapping[str, Any], key: str, dotted: str, kind: str | None = None) -> dict[str, Any]:
        """The sub-table `key`; with `kind`, its unknown keys are noted (the _KNOWN entry of that name)."""
        value = raw.get(key, {})
        if not isinstance(value, dict):
            self.fail(dotted, f"expected a table, got {type(value).__name__}", f"write it as [{dotted}]")
        if kind is not None:
            self.check_keys(value, kind, dotted + ".")
        return value

    def typed(self, raw: Mapping[str, Any], key: str, dotted: str, kind: type[_T], default: _T) -> _T:
        value = raw.get(key, default)
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)  # type: ignore[return-value]
        if not ok:
            self.note(dotted, f"expected {kind.__name__}, got {type(value).__name__} {value!r}",
                      f"set {dotted} to a {kind.__name__}")
            return default
        return value  # type: ignore[no-any-return]

    def text(self, raw: Mapping[str, Any], key: str, dotted: str, default: str = "", secret: bool = False) -> str:
        value = self.typed(raw, key, dotted, str, default)
        names = _ENV_REF.findall(value)
        for name in names:
            if name not in self.environ:
                self.note(dotted, f"environment variable {name} is not set", f"export {name}=... before the run")
        value = _ENV_REF.sub(lambda m: self.environ.get(m.group(1), ""), value)
        if secret and value and not names and not self.local:
            self.note(dotted, "a literal secret in a profile of a real target",
                      f'write {dotted} = "${{SOME_ENV_VAR}}" and export the secret in that variable')
        return value

    def path_of(self, value: str) -> Path | None:
        return (self.path.parent / value).resolve() if value else None

    def profile(self) -> Profile:
        raw = self.raw
        self.check_keys(raw, "", "")
        target = self.table(raw, "target", "target", "target")
        t = "target."
        capabilities = self.typed(target, "capabilities", t + "capabilities", list, [])
        rate = self.typed(target, "rate_limit_per_minute", t + "rate_limit_per_minute", int, 0)
        if rate < 0:
            self.fail(t + "rate_limit_per_minute", "must not be negative", "use 0 for no pacing")
        expired = self.text(target, "expired_token", t + "expired_token", secret=True)
        return Profile(
            source=self.path.resolve(),
            name=self.text(target, "name", t + "name", self.path.stem),
            base_url=self.text(target, "base_url", t + "base_url").rstrip("/"),
            local_test_target=self.local,
            timeout_seconds=self.typed(target, "timeout_seconds", t + "timeout_seconds", float, 10.0),
            max_response_bytes=self.typed(target, "max_response_bytes", t + "max_response_bytes", int, 2 * 1024 * 1024),
            verify_tls=self.typed(target, "verify_tls", t + "verify_tls", bool, True),
            ca_bundle=self.path_of(self.text(target, "ca_bundle", t + "ca_bundle")),
            till_header=self.text(target, "till_header", t + "till_header", "X-CAP-API-ATTRIBUTION-TILL-CODE"),
            issuer=self.text(target, "issuer", t + "issuer", "Capillary"),
            max_token_expiry_seconds=self.typed(target, "max_token_expiry_seconds", t + "max_token_expiry_seconds",
                                                int, 3600),
            rate_limit_per_minute=rate,
            rate_limit_global_per_minute=max(0, self.typed(target, "rate_limit_global_per_minute",
                                                           t + "rate_limit_global_per_minute", int, 0)),
            public_key_url=self.text(target, "public_key_url", t + "public_key_url") or None,
            public_key_file=self.path_of(self.text(target, "public_key_file", t + "public_key_file")),
            signing_key_file=self.path_of(self.text(target, "signing_key_file", t + "signing_key_file")),
            capabilities=frozenset(str(c) for c in capabilities),
            launch=self.launch(),
            clients=self.clients(),
            tills=self.tills(),
            basic=self.basic(),
            expect=self.expect(),
            expected_failures=self.expected_failures(),
            expired_token=Secret(expired) if expired else None,
            load_gates=self.load_gates(),
            integration=self.integration(),
            behaviour=read_behaviour(self.table(self.raw, "behaviour", "behaviour", "behaviour"), self.note),
        )

    def launch(self) -> Launch | None:
        if "launch" not in self.raw:
            return None
        raw = self.table(self.raw, "launch", "launch", "launch")
        command = self.typed(raw, "command", "launch.command", list, [])
        if not command or not all(isinstance(part, str) for part in command):
            self.fail("launch.command", "expected a non-empty list of strings",
                      'e.g. command = ["my-server", "--port", "0"]')
        pattern = self.text(raw, "ready_pattern", "launch.ready_pattern", r"(?P<url>https?://\S+)")
        try:
            if "url" not in re.compile(pattern).groupindex:
                self.fail("launch.ready_pattern", "has no (?P<url>...) group", "capture the base URL as (?P<url>...)")
        except re.error as error:
            self.fail("launch.ready_pattern", f"not a regular expression ({error})", "fix the pattern")
        return Launch(
            command=tuple(part.replace("{python}", sys.executable) for part in command),
            cwd=self.path_of(self.text(raw, "cwd", "launch.cwd", ".")) or self.path.parent,
            ready_pattern=pattern,
            ready_timeout_seconds=self.typed(raw, "ready_timeout_seconds", "launch.ready_timeout_seconds", float, 30.0),
        )

    def clients(self) -> dict[str, Client]:
        raw = self.table(self.raw, "clients", "clients")
        clients: dict[str, Client] = {}
        for role, entry in raw.items():
            dotted = f"clients.{role}"
            if role not in ROLES:
                close = difflib.get_close_matches(role, ROLES, n=1)
                hint = f"did you mean '{close[0]}'?" if close else f"roles: {', '.join(ROLES)}"
                self.fail(dotted, "unknown role", hint)
            if not isinstance(entry, dict):
                self.fail(dotted, "expected a table", f"write it as [{dotted}]")
            self.check_keys(entry, "client", dotted + ".")
            for required in ("key", "secret"):
                if required not in entry:
                    self.fail(f"{dotted}.{required}", "missing", f"add {required} = ... to [{dotted}]")
            denied = self.typed(entry, "denied", dotted + ".denied", list, [])
            clients[role] = Client(
                role=role,
                key=self.text(entry, "key", dotted + ".key"),
                secret=Secret(self.text(entry, "secret", dotted + ".secret", secret=True)),
                expiry_seconds=self.typed(entry, "expiry_seconds", dotted + ".expiry_seconds", int, 3600),
                default_till=self.text(entry, "default_till", dotted + ".default_till"),
                org_id=self.typed(entry, "org_id", dotted + ".org_id", int, 0),
                denied=tuple(str(d) for d in denied),
            )
        for role in REQUIRED_ROLES:
            if role not in clients:
                self.fail(f"clients.{role}", "required role missing",
                          f"add a [clients.{role}] table with key and secret")
        for operation in clients["restricted"].denied:
            if not re.fullmatch(r"(customer|transaction):(read|write)", operation):
                self.fail("clients.restricted.denied", f"unknown operation {operation!r}", "use e.g. 'customer:write'")
        if not clients["restricted"].denied:
            self.fail("clients.restricted.denied", "empty", "list an operation it may not do, e.g. ['customer:write']")
        return clients

    def tills(self) -> Tills:
        raw = self.table(self.raw, "tills", "tills", "tills")
        mode = self.text(raw, "primary_invalid_till", "tills.primary_invalid_till", "error")
        if mode not in ("error", "default"):
            self.fail("tills.primary_invalid_till", f"{mode!r} is not error|default", "use 'error' or 'default'")
        fallback_role = self.text(raw, "fallback_role", "tills.fallback_role") or None
        return Tills(
            override=self.text(raw, "override", "tills.override") or None,
            unknown=self.text(raw, "unknown", "tills.unknown", "no.such.till999"),
            foreign=self.text(raw, "foreign", "tills.foreign") or None,
            primary_invalid_till=mode,
            fallback_role=fallback_role,
        )

    def basic(self) -> Basic | None:
        if "basic" not in self.raw:
            return None
        raw = self.table(self.raw, "basic", "basic", "basic")
        disabled_raw = self.table(raw, "disabled", "basic.disabled", "basic.disabled")
        return Basic(
            enabled=self.typed(raw, "enabled", "basic.enabled", bool, True),
            credentials=self.credentials(raw, "basic"),
            disabled=self.credentials(disabled_raw, "basic.disabled"),
        )

    def credentials(self, raw: Mapping[str, Any], dotted: str) -> BasicCredentials | None:
        till = self.text(raw, "till", dotted + ".till")
        if not till:
            return None
        return BasicCredentials(till, Secret(self.text(raw, "password", dotted + ".password", secret=True)))

    def expect(self) -> dict[str, int]:
        raw = self.table(self.raw, "expect", "expect")
        return {key: self.typed(raw, key, f"expect.{key}", int, 0) for key in raw}

    def expected_failures(self) -> tuple[ExpectedFailure, ...]:
        entries = self.raw.get("expected_failures", [])
        found = []
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            dotted = f"expected_failures[{index}]"
            self.check_keys(entry, "expected_failures", dotted + ".")
            reason = self.text(entry, "reason", dotted + ".reason")
            if not reason.strip():
                self.fail(dotted + ".reason", "missing", "every expected failure needs a reason")
            found.append(ExpectedFailure(self.text(entry, "test", dotted + ".test"), reason))
        return tuple(found)

    def load_gates(self) -> dict[str, float]:
        load = self.table(self.raw, "load", "load", "load")
        gates = self.table(load, "gates", "load.gates")
        number: Callable[[str], float] = lambda k: self.typed(gates, k, f"load.gates.{k}", float, 0.0)  # noqa: E731
        return {key: number(key) for key in gates}

    def integration(self) -> Integration:
        raw = self.table(self.raw, "client", "client", "integration")
        role = self.text(raw, "role", "client.role", "primary")
        if role not in ROLES:
            close = difflib.get_close_matches(role, ROLES, n=1)
            self.fail("client.role", f"unknown role {role!r}", f"did you mean '{close[0]}'?" if close
                      else f"roles: {', '.join(ROLES)}")
        processes = self.typed(raw, "processes", "client.processes", int, 1)
        if processes < 1:
            self.fail("client.processes", "must be at least 1", "give the number of processes of the integration")
        env_raw = self.table(raw, "env", "client.env", "integration.env")
        names = {}
        for key, default in vars(ClientEnv()).items():
            name = self.text(env_raw, key, f"client.env.{key}", default)
            if not _ENV_NAME.fullmatch(name):
                self.fail(f"client.env.{key}", f"{name!r} is not an environment variable name",
                          f'use letters, digits and underscores, e.g. "{default}"')
            names[key] = name
        return Integration(role=role, till=self.text(raw, "till", "client.till") or None, processes=processes,
                           env=ClientEnv(**names))
