"""The test-run heartbeat speaks only after a quiet interval, and names the oldest running tests."""

from __future__ import annotations

from tests.heartbeat import Heartbeat


def test_the_heartbeat_is_quiet_while_tests_finish_and_names_the_slow_ones_after_a_silence():
    now = [0.0]
    heartbeat = Heartbeat(writer=None, interval=15.0, clock=lambda: now[0])
    for nodeid in ("tests/a.py::test_kill_matrix", "tests/b.py::test_bundle", "tests/c.py::x", "tests/d.py::y"):
        heartbeat.pytest_runtest_logstart(nodeid, None)
        now[0] += 1.0
    heartbeat.pytest_runtest_logfinish("tests/d.py::y", None)
    now[0] = 10.0
    assert heartbeat.line() is None  # a test finished 6 s ago: nothing to say

    now[0] = 19.0
    assert heartbeat.line() == ("[still running: tests/a.py::test_kill_matrix (19 s), tests/b.py::test_bundle (18 s), "
                                "tests/c.py::x (17 s)]")
    assert heartbeat.line() is None  # said; the next line comes after another quiet interval


def test_nothing_running_means_nothing_to_say():
    now = [100.0]
    heartbeat = Heartbeat(writer=None, interval=1.0, clock=lambda: now[0])
    now[0] = 200.0

    assert heartbeat.line() is None
