"""The client under test as a process: launched with the judge's URL and credentials, watched, stopped.

Its output is redacted line by line on the way to client.log and the terminal: a client may
print its own secret, and nothing the judge writes may carry it. The client runs in its own
session (process group) so a shell script and the programs it starts stop together.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from conformance.redaction import Redactor

STOP_GRACE_SECONDS = 5.0
OUTPUT_DRAIN_SECONDS = 2.0


class ClientCannotStart(Exception):
    """The command could not be executed at all; str() is the one line the user sees."""


@dataclass(frozen=True)
class ClientOutcome:
    exit_code: int | None  # None: it was still running when stopped
    timed_out: bool
    interrupted: bool
    seconds: float


async def _pump(stream: asyncio.StreamReader, redactor: Redactor, log: TextIO) -> None:
    """Each line of the client's output, redacted, to client.log and the judge's stderr."""
    while True:
        line = await stream.readline()
        if not line:
            return
        text = redactor.text(line.decode("utf-8", errors="replace").rstrip("\n"))
        log.write(text + "\n")
        print(f"client| {text}", file=sys.stderr, flush=True)


def _signal_group(process: asyncio.subprocess.Process, signum: int) -> None:
    # Only the group of the process we started (its own session): never anything else.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


async def run_client(command: list[str], env: dict[str, str], *, duration: float, log_path: Path,
                     redactor: Redactor, stop: asyncio.Event) -> ClientOutcome:
    """Run the client until it exits, `duration` passes, or `stop` is set; then stop its process group."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        process = await asyncio.create_subprocess_exec(
            *command, env=env, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT, start_new_session=True)
    except (OSError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise ClientCannotStart(f"cannot start {command[0]!r}: {reason}") from None
    with log_path.open("w", encoding="utf-8") as log:
        if process.stdout is None:  # created with PIPE; this only narrows the type
            raise ClientCannotStart("the client has no output pipe")
        pump = asyncio.create_task(_pump(process.stdout, redactor, log))
        exited = asyncio.create_task(process.wait())
        stopped = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({exited, stopped}, timeout=duration, return_when=asyncio.FIRST_COMPLETED)
        timed_out, interrupted = not done, stopped in done and exited not in done
        if exited not in done:
            _signal_group(process, signal.SIGTERM)
            try:
                await asyncio.wait_for(asyncio.shield(exited), STOP_GRACE_SECONDS)
            except TimeoutError:
                _signal_group(process, signal.SIGKILL)
                await exited
        stopped.cancel()
        # Whatever the client left behind in its group (background jobs of a script) stops with it.
        _signal_group(process, signal.SIGTERM)
        # A grandchild may still hold the pipe open: wait a bounded time for the last lines.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(pump, OUTPUT_DRAIN_SECONDS)
        pump.cancel()
    code = process.returncode
    return ClientOutcome(None if (timed_out or interrupted) else code, timed_out, interrupted,
                         loop.time() - started)
