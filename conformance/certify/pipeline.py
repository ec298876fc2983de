"""`run`: the main job for one profile, from conformance to a signed, leak-checked evidence bundle.

conformance → load smoke → Allure single-file HTML → leak scan → summary.{json,html} → signed
bundle → verification of the bundle just written. Every step yields a StepResult; the run's exit
code is the worst of them (conformance.outcome.worst) and a leak is always exit 2.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.status import Status

from conformance.certify import allure_html, keys, leaks, steps
from conformance.certify.allure_metadata import write_allure_metadata
from conformance.certify.bundle import sign_bundle, verify_bundle
from conformance.certify.exchanges_html import EXCHANGES_PAGE
from conformance.certify.outcome import StepResult
from conformance.certify.provenance import target_slug, utc_stamp
from conformance.certify.schema_check import certification_summary_schema, validation_errors
from conformance.certify.summary import build_summary, write_summary_json
from conformance.certify.summary_html import write_summary_pages
from conformance.certify.surface import observed_surface, read_exchanges
from conformance.outcome import ExitCode, verdict_for, worst
from conformance.profiles import Profile, ProfileError, load_profile
from conformance.profiles.loader import DEFAULT_PROFILE
from conformance.redaction import LabelledSecret

MARK = {"passed": "[green]✓[/]", "failed": "[red]✗[/]", "error": "[red]![/]", "incomplete": "[yellow]?[/]"}
PLAIN_PROGRESS_SECONDS = 2.0  # off a terminal (CI logs), a progress line at most this often


@dataclass
class RunOptions:
    profile: str | None = None
    target: str | None = None
    plan: str | None = "certification"
    seed: int | None = None
    strict: bool = False
    load: bool = True
    load_seconds: int = 10
    allow_remote_load: bool = False
    signing_key: Path | None = None
    reports_root: Path = Path("reports/certification")
    passthrough: Sequence[str] = field(default_factory=tuple)


class CertificationRun:
    def __init__(self, options: RunOptions, console: Console) -> None:
        self.options, self.console = options, console
        self.results: list[StepResult] = []
        self.started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self.profile: Profile | None = None
        self.status: Status | None = None  # the running step's spinner, for progress within a step
        self._last_plain_progress = 0.0
        # A broken profile is the conformance step's to report (exit 2, naming key and fix).
        with contextlib.suppress(ProfileError):
            self.profile = load_profile(options.profile or DEFAULT_PROFILE)
        name = self.profile.name if self.profile else Path(options.profile or DEFAULT_PROFILE).stem
        self.bundle = self._new_bundle_dir(target_slug(options.target, name))

    def _new_bundle_dir(self, slug: str) -> Path:
        base = self.options.reports_root / f"{slug}-{utc_stamp()}"
        candidate, n = base, 1
        while candidate.exists():  # two runs in one second: never mix their evidence
            n += 1
            candidate = base.with_name(f"{base.name}-{n}")
        candidate.mkdir(parents=True)
        return candidate

    def step(self, name: str, action: Callable[[], StepResult]) -> StepResult:
        started = time.monotonic()
        with self.console.status(f"{name} …") as self.status:
            try:
                result = action()
            except Exception as error:  # a step's crash is a step result, never the job's crash
                result = StepResult(name, ExitCode.ERROR, "error", f"{type(error).__name__}: {error}")
        self.status = None
        result.seconds = result.seconds or time.monotonic() - started
        self.results.append(result)
        mark = MARK.get(result.status, "[dim]-[/]")
        self.console.print(f"{mark} {name:<12} {result.status:<10} exit {result.exit_code}  {result.detail} "
                           f"[dim]({result.seconds:.1f} s)[/]", highlight=False, soft_wrap=True)
        return result

    def show_progress(self, text: str) -> None:
        """Within a step: the spinner's text on a terminal; elsewhere a plain line every few seconds."""
        if self.console.is_terminal and self.status is not None:
            self.status.update(text)
        elif time.monotonic() - self._last_plain_progress >= PLAIN_PROGRESS_SECONDS:
            self._last_plain_progress = time.monotonic()
            self.console.print(text, highlight=False, soft_wrap=True, markup=False)

    # --- the steps ----------------------------------------------------------------------------
    def conformance(self) -> StepResult:
        o = self.options

        def progress(done: int, total: int, failed: int) -> None:
            failing = f", {failed} failing" if failed else ""
            self.show_progress(f"conformance … {done}/{total} tests{failing}")
        return steps.run_conformance(self.bundle, profile=o.profile, target=o.target, plan=o.plan, seed=o.seed,
                                     strict=o.strict, passthrough=o.passthrough, progress=progress)

    def allure(self) -> StepResult:
        results = self.bundle / "allure-results"
        write_allure_metadata(results, steps.read_json(self.bundle / steps.CONFORMANCE_SUMMARY))
        try:
            allure_html.render_single_file_report(results, self.bundle / "allure-report.html")
        except allure_html.AllureUnavailable as error:
            return StepResult("allure", ExitCode.CONFORMANT, "skipped", f"no Allure HTML: {error}")
        except allure_html.AllureFailed as error:
            return StepResult("allure", ExitCode.ERROR, "error", str(error))
        return StepResult("allure", ExitCode.CONFORMANT, "passed",
                          "allure-report.html (single file, analytics stripped)")

    def scan(self, paths: Sequence[Path], signing_key_pem: bytes) -> tuple[StepResult, dict[str, Any]]:
        secrets = leaks.profile_secrets(self.profile) if self.profile else []
        # The signing key must never travel with the evidence it signs.
        body = b"".join(signing_key_pem.splitlines()[1:-1]).decode()
        secrets.append(LabelledSecret("the bundle signing key", body[-40:]))
        found, scanned = leaks.scan_for_leaks(paths, secrets)
        record = {"status": "leaks" if found else "clean", "files_scanned": scanned,
                  "leaks": [leak.as_json() for leak in found]}
        if found:
            where = "; ".join(f"{leak.file}: {leak.what}" for leak in found[:5])
            return StepResult("leak scan", ExitCode.ERROR, "error", f"{len(found)} leak(s): {where}"), record
        return StepResult("leak scan", ExitCode.CONFORMANT, "passed", f"{scanned} files clean"), record

    # --- the job --------------------------------------------------------------------------------
    def run(self) -> int:
        o = self.options
        self.console.print(f"[bold]certification run[/] → {self.bundle}", highlight=False, soft_wrap=True)
        signing_key, key_note = self._signing_key()
        if key_note:
            self.console.print(key_note, highlight=False, soft_wrap=True)
        self.step("conformance", self.conformance)
        load_record: dict[str, Any] | None = None
        if o.load:
            def load_step() -> StepResult:
                nonlocal load_record
                result, load_record = steps.run_load_smoke(
                    self.bundle, profile=o.profile, target=o.target, seconds=o.load_seconds,
                    remote_url=self.remote_url(), allow_remote=o.allow_remote_load,
                    scenarios=steps.load_scenarios(self.profile), progress=self.show_progress)
                return result
            self.step("load", load_step)
        self.step("allure", self.allure)
        pem = keys.private_pem(signing_key)
        leak_record: dict[str, Any] = {}

        def leak_step() -> StepResult:
            nonlocal leak_record
            result, leak_record = self.scan([self.bundle], pem)
            return result
        self.step("leak scan", leak_step)
        self.step("summary", lambda: self.write_summary(load_record, leak_record))
        # The summary was written after the scan: scan it too, so no file of the bundle goes unchecked.
        summaries = [self.bundle / "summary.json", self.bundle / "summary.html", self.bundle / EXCHANGES_PAGE]
        self.step("summary scan", lambda: self.scan(summaries, pem)[0])
        self.step("bundle", lambda: self.sign(signing_key))
        code = worst(r.exit_code for r in self.results)
        # Progress went to stderr; the verdict goes to stdout, where CI logs and scripts read it.
        print(f"VERDICT: {verdict_for(code).upper()} — bundle: {self.bundle}", flush=True)
        return code

    def write_summary(self, load_record: dict[str, Any] | None, leak_record: dict[str, Any]) -> StepResult:
        conformance = steps.read_json(self.bundle / steps.CONFORMANCE_SUMMARY) or None
        records = list(read_exchanges(self.bundle / "exchanges.jsonl"))
        fallback = {"target": self.options.target, "profile": self.options.profile or DEFAULT_PROFILE,
                    "profile_hash": self.profile.fingerprint() if self.profile else "", "plan": self.options.plan,
                    "strict": self.options.strict}
        # The summary's verdict covers the steps so far plus itself and the signing, which must pass to ship.
        summary = build_summary(conformance=conformance, steps=self.results, surface=observed_surface(records),
                                waivers=self.profile.expected_failures if self.profile else (), load=load_record,
                                leak_scan=leak_record, fallback=fallback, started=self.started)
        write_summary_json(self.bundle / "summary.json", summary)
        write_summary_pages(self.bundle, summary, records, self.profile.secrets() if self.profile else [])
        problems = validation_errors(summary, certification_summary_schema())
        if problems:  # a partner's tooling reads summary.json by its schema: a mismatch is our bug, said loudly
            return StepResult("summary", ExitCode.ERROR, "error", "summary.json does not match its schema: "
                              + "; ".join(problems[:3]))
        return StepResult("summary", ExitCode.CONFORMANT, "passed",
                          f"verdict {summary['verdict']}: summary.json, summary.html, {EXCHANGES_PAGE}")

    def sign(self, key: Any) -> StepResult:
        sign_bundle(self.bundle, key)
        problems = verify_bundle(self.bundle)
        if problems:
            return StepResult("bundle", ExitCode.ERROR, "error",
                              "the new bundle does not verify: " + "; ".join(problems))
        return StepResult("bundle", ExitCode.CONFORMANT, "passed", "MANIFEST.sha256 signed (Ed25519), verified")

    def remote_url(self) -> str | None:
        """The target's URL unless the profile launches it here (then it is loopback by construction)."""
        if self.options.target:
            return self.options.target
        if self.profile is not None and self.profile.launch is None:
            return self.profile.base_url
        return None

    def _signing_key(self) -> tuple[Any, str | None]:
        if self.options.signing_key is not None:
            return keys.load_private_key(self.options.signing_key), None
        key, path, created = keys.local_signing_key(self.options.reports_root / "keys")
        verb = "generated a new" if created else "using the local"
        public = path.with_name("signing-key.pub.pem")
        return key, (f"no --signing-key: {verb} signing key {path} (public key: {public}); "
                     "give partners that public key, or pass --signing-key with the partner's key")


def run_certification(options: RunOptions, console: Console | None = None) -> int:
    console = console or Console(stderr=True)
    run = CertificationRun(options, console)
    try:
        return run.run()
    except keys.SigningKeyError as error:
        with contextlib.suppress(OSError):
            run.bundle.rmdir()  # nothing was written yet: leave no empty bundle behind
        console.print(f"signing key: {error}", markup=False, soft_wrap=True)
        print("VERDICT: INCOMPLETE — bundle: none (no usable signing key)", flush=True)
        return ExitCode.ERROR
