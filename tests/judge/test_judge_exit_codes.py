"""Exit codes and one-line errors: a client that cannot start is 2, one that never calls is 3 (never a pass),
and bad input gets one line naming the fix, never a traceback."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from fixtures.client_matrix import judge_command, signing_key
from tests.judge.conftest import ROOT, Judge


def _one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def test_client_that_cannot_start_exits_2_with_one_line_and_no_bundle(judge: Judge) -> None:
    run = judge(command=["./no-such-client"])
    assert run.code == 2
    assert _one_line(run.done.stderr) == "client judge: cannot start './no-such-client': No such file or directory"
    assert not run.bundle.exists()


def test_client_that_never_calls_the_judge_is_incomplete_never_a_pass(judge: Judge) -> None:
    run = judge(command=["true"], entry="conformance.judge")
    assert run.code == 3
    assert run.summary["verdict"] == "incomplete" and run.summary["requests"] == 0
    assert "note: the client never called the judge" in run.done.stdout
    assert run.done.stdout.strip().splitlines()[-1].startswith("VERDICT: INCOMPLETE")


@pytest.mark.parametrize(("args", "expected"), [
    pytest.param(["--profile=nowhere", "--", "true"], "nowhere.toml: no such profile file", id="unknown-profile"),
    pytest.param(["--scenario=throttel", "--", "true"], "did you mean 'throttle'?", id="misspelt-scenario"),
    pytest.param(["--role=restricted_x", "--", "true"], "clients.restricted_x: no such role", id="unknown-role"),
    pytest.param(["--processes=0", "--", "true"], "--processes must be at least 1", id="zero-processes"),
    pytest.param(["--seed=abc", "--", "true"], "invalid int value: 'abc'", id="bad-seed"),
    pytest.param([], "no client command", id="no-command"),
    pytest.param(["--serve", "--", "true"], "--serve takes no client command", id="serve-with-command"),
])
def test_bad_input_gets_one_line_and_exit_2(args: list[str], expected: str) -> None:
    done = subprocess.run([sys.executable, "-m", "conformance.judge", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert expected in _one_line(done.stderr)


def test_a_reports_dir_with_files_in_it_is_refused(tmp_path: Path) -> None:
    (tmp_path / "old.txt").write_text("evidence of another run", encoding="utf-8")
    done = subprocess.run(judge_command(tmp_path, signing_key(tmp_path / "key"), client=["true"]),
                          cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2 and "not an empty directory" in _one_line(done.stderr)


def test_a_port_already_in_use_is_one_line_naming_it_and_exit_2(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        done = subprocess.run(judge_command(tmp_path / "bundle", signing_key(tmp_path), "--serve", f"--port={port}"),
                              cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert _one_line(done.stderr) == f"client judge: cannot listen on 127.0.0.1:{port}: Address already in use"
    assert not (tmp_path / "bundle").exists()  # nothing was judged: no empty bundle is left behind
