"""`run`: the main job for one profile, from conformance to a signed, leak-checked evidence bundle.

conformance → load smoke → Allure single-file HTML → leak scan → summary.{json,html} → signed
bundle → verification of the bundle just written. Every step yields a StepResult; the run's exit
code is the worst of them (conformance.outcome.worst) and a leak is always exit 2.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
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
from conformance.redaction import Redactor

MARK = {"passed": "[green]✓[/]", "failed": "[red]✗[/]", "error": "[red]![/]", "incomplete": "[yellow]?[/]"}
PROG = "python -m conformance.certify run"
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
        # A step's detail and cause reach the console, the summary pages and the verdict line: never a secret.
        self.redact = Redactor(self.profile.secrets() if self.profile else []).text

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
        result.detail, result.stopped_because = self.redact(result.detail), self.redact(result.stopped_because)
        result.seconds = result.seconds or time.monotonic() - started
        self.results.append(result)
        mark = MARK.get(result.status, "[dim]-[/]")
        # The detail is text from the run ("add a [clients.primary] table"), never rich markup.
        self.console.print(f"{mark} {name:<12} {result.status:<10} exit {result.exit_code}  {escape(result.detail)} "
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

    @staticmethod
    def not_run(name: str) -> StepResult:
        """A step the conformance step's stop made meaningless: listed, never run (the cause is that step's)."""
        return StepResult(name, ExitCode.CONFORMANT, "not run", "not run: the conformance step stopped the run")

    def allure(self, stopped_because: str = "") -> StepResult:
        results = self.bundle / "allure-results"
        if stopped_because and not any(results.glob("*-result.json")):
            return self.not_run("allure")  # no test ran: an empty report shows nothing
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
        found, record = leaks.scan_record(paths, leaks.bundle_secrets(self.profile, signing_key_pem))
        if found:
            where = "; ".join(f"{leak.file}: {leak.what}" for leak in found[:5])
            return StepResult("leak scan", ExitCode.ERROR, "error", f"{len(found)} leak(s): {where}"), record
        return StepResult("leak scan", ExitCode.CONFORMANT, "passed", f"{record['files_scanned']} files clean"), record

    # --- the job --------------------------------------------------------------------------------
    def run(self, signing_key: Any, key_note: str | None = None) -> int:
        """Every step in order; after a conformance step that stopped the run (see
        steps.suite_stop_cause) only the evidence is kept: leak scan, summary, signed bundle.
        `signing_key` is signing_key_for's: a key that cannot be used is a usage error before the run."""
        o = self.options
        self.console.print(f"[bold]certification run[/] → {self.bundle}", highlight=False, soft_wrap=True)
        if key_note:
            self.console.print(key_note, highlight=False, soft_wrap=True)
        stopped_because = self.step("conformance", self.conformance).stopped_because
        load_record: dict[str, Any] | None = None
        if o.load and stopped_because:
            skipped = self.step("load", lambda: self.not_run("load"))
            load_record = {"status": skipped.status, "exit_code": None, "detail": skipped.detail}
        elif o.load:
            def load_step() -> StepResult:
                nonlocal load_record
                result, load_record = steps.run_load_smoke(
                    self.bundle, profile=o.profile, target=o.target, seconds=o.load_seconds,
                    remote_url=self.remote_url(), allow_remote=o.allow_remote_load,
                    scenarios=steps.load_scenarios(self.profile), progress=self.show_progress)
                return result
            loaded = self.step("load", load_step)
            if load_record is not None:  # the summary's load record says what the step said, as redacted
                load_record["detail"] = loaded.detail
        self.step("allure", lambda: self.allure(stopped_because))
        pem = keys.private_pem(signing_key)
        leak_record: dict[str, Any] = {}

        def leak_step() -> StepResult:
            nonlocal leak_record
            result, leak_record = self.scan([self.bundle], pem)
            return result
        self.step("leak scan", leak_step)
        self.step("summary", lambda: self.write_summary(load_record, leak_record, stopped_because))
        # The summary was written after the scan: scan it too, so no file of the bundle goes unchecked.
        summaries = [self.bundle / "summary.json", self.bundle / "summary.html", self.bundle / EXCHANGES_PAGE]
        self.step("summary scan", lambda: self.scan(summaries, pem)[0])
        self.step("bundle", lambda: self.sign(signing_key, incomplete=bool(stopped_because)))
        code = worst(r.exit_code for r in self.results)
        # Progress went to stderr; the verdict goes to stdout, where CI logs and scripts read it,
        # with the cause when the run stopped (the one line a reader acts on).
        cause = f" — {stopped_because}" if stopped_because else ""
        print(f"VERDICT: {verdict_for(code).upper()}{cause} — bundle: {self.bundle}", flush=True)
        return code

    def write_summary(self, load_record: dict[str, Any] | None, leak_record: dict[str, Any],
                      stopped_because: str = "") -> StepResult:
        conformance = steps.read_json(self.bundle / steps.CONFORMANCE_SUMMARY) or None
        records = list(read_exchanges(self.bundle / "exchanges.jsonl"))
        fallback = {"target": self.options.target, "profile": self.options.profile or DEFAULT_PROFILE,
                    "profile_hash": self.profile.fingerprint() if self.profile else "", "plan": self.options.plan,
                    "strict": self.options.strict}
        # The summary's verdict covers the steps so far plus itself and the signing, which must pass to ship.
        summary = build_summary(conformance=conformance, steps=self.results, surface=observed_surface(records),
                                waivers=self.profile.expected_failures if self.profile else (), load=load_record,
                                leak_scan=leak_record, fallback=fallback, started=self.started,
                                stopped={"after": "conformance", "cause": stopped_because} if stopped_because else None)
        write_summary_json(self.bundle / "summary.json", summary)
        write_summary_pages(self.bundle, summary, records, self.profile.secrets() if self.profile else [])
        problems = validation_errors(summary, certification_summary_schema())
        if problems:  # a partner's tooling reads summary.json by its schema: a mismatch is our bug, said loudly
            return StepResult("summary", ExitCode.ERROR, "error", "summary.json does not match its schema: "
                              + "; ".join(problems[:3]))
        return StepResult("summary", ExitCode.CONFORMANT, "passed",
                          f"verdict {summary['verdict']}: summary.json, summary.html, {EXCHANGES_PAGE}")

    def sign(self, key: Any, *, incomplete: bool = False) -> StepResult:
        sign_bundle(self.bundle, key)
        problems = verify_bundle(self.bundle)
        if problems:
            return StepResult("bundle", ExitCode.ERROR, "error",
                              "the new bundle does not verify: " + "; ".join(problems))
        # The signature vouches for the evidence, never for a verdict the run did not reach.
        what = ": the evidence of a run that stopped, not a certification" if incomplete else ""
        return StepResult("bundle", ExitCode.CONFORMANT, "passed", f"MANIFEST.sha256 signed (Ed25519), verified{what}")

    def remote_url(self) -> str | None:
        """The target's URL unless the profile launches it here (then it is loopback by construction)."""
        if self.options.target:
            return self.options.target
        if self.profile is not None and self.profile.launch is None:
            return self.profile.base_url
        return None



def signing_key_for(options: RunOptions) -> tuple[Any, str | None]:
    """The key that will sign the bundle (SigningKeyError when unusable) and a note when it is the local one."""
    if options.signing_key is not None:
        return keys.load_private_key(options.signing_key), None
    key, path, created = keys.local_signing_key(options.reports_root / "keys")
    verb = "generated a new" if created else "using the local"
    public = path.with_name("signing-key.pub.pem")
    return key, (f"no --signing-key: {verb} signing key {path} (public key: {public}); "
                 "give partners that public key, or pass --signing-key with the partner's key")


def run_certification(options: RunOptions, console: Console | None = None) -> int:
    """The job; a signing key or a reports root that cannot be used is an argument error: one line,
    exit 2, no bundle."""
    console = console or Console(stderr=True)
    try:
        signing_key, key_note = signing_key_for(options)
        run = CertificationRun(options, console)  # makes the bundle folder
    except keys.SigningKeyError as error:
        print(f"{PROG}: signing key: {error}", file=sys.stderr, flush=True)
        return ExitCode.ERROR
    except OSError as error:  # a --reports-root that cannot hold a key folder or a bundle
        print(f"{PROG}: --reports-root {options.reports_root}: {error.strerror or error}", file=sys.stderr, flush=True)
        return ExitCode.ERROR
    return run.run(signing_key, key_note)
