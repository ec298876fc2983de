"""The judge in front of a remote target (a reference server launched on its own, given by URL), the
env-variable contract from a profile's [client] table, and --serve for clients that run elsewhere."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from conformance.profiles import load_profile
from fixtures.client_matrix import judge_command, signing_key
from tests.judge.conftest import ROOT, Judge, JudgedRun


def test_judge_chained_in_front_of_a_separately_launched_reference_server(judge: Judge,
                                                                          separate_reference_server: str) -> None:
    run = judge("--strict", f"--target={separate_reference_server}",
                command=[sys.executable, "-m", "fixtures.clients.reference"])
    assert run.code == 0, run.done.stdout + run.done.stderr
    assert run.summary["target"].endswith(f"judged in front of {separate_reference_server}")


def test_a_remote_profile_with_a_base_url_and_its_client_table_naming_the_variables(
        judge: Judge, separate_reference_server: str, tmp_path: Path) -> None:
    # A profile of a remote target: a base_url and no [launch], as a partner's sandbox profile would be.
    text = (ROOT / "fixtures/profiles/reference.toml").read_text(encoding="utf-8")
    text = re.sub(r"\n\[launch\]\n.*?(?=\n\[)", "\n", text, flags=re.S)
    text = text.replace('base_url = ""', f'base_url = "{separate_reference_server}"', 1)
    profile = tmp_path / "remote.toml"
    profile.write_text(text + '\n[client]\nrole = "primary"\n\n[client.env]\nbase_url = "MY_URL"\n'
                       'key = "MY_KEY"\nsecret = "MY_SECRET"\n', encoding="utf-8")
    assert load_profile(str(profile)).launch is None
    # Only the renamed variables carry the credentials: the script maps them onto what curl_client.sh reads.
    mapped = 'CAP_BASE_URL="$MY_URL" CAP_CLIENT_KEY="$MY_KEY" CAP_CLIENT_SECRET="$MY_SECRET" ' \
             'exec sh fixtures/clients/curl_client.sh'
    run = judge(f"--profile={profile}", "--role=primary", "--scenario=expire_on_call",
                command=["env", "-u", "CAP_BASE_URL", "sh", "-c", mapped])
    assert run.code == 0, run.done.stdout + run.done.stderr
    assert run.summary["judge"]["role"] == "primary"
    assert run.summary["target"].endswith(f"judged in front of {separate_reference_server}")


def test_serve_mode_judges_a_client_that_runs_elsewhere_until_stopped(separate_reference_server: str,
                                                                      tmp_path: Path) -> None:
    bundle = tmp_path / "served"
    judge = subprocess.Popen(
        judge_command(bundle, signing_key(tmp_path), "--serve", f"--target={separate_reference_server}", seed=5),
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready = judge.stdout.readline() if judge.stdout else ""  # the judge's first line names its URL
        assert ready.startswith("judge listening on http://127.0.0.1:"), ready
        client = load_profile("reference").clients["short_lived"]
        env = {**os.environ, "CAP_BASE_URL": ready.split()[-1], "CAP_CLIENT_KEY": client.key,
               "CAP_CLIENT_SECRET": str(client.secret)}
        done = subprocess.run([sys.executable, "-m", "fixtures.clients.reference"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 3  # it stops once the judge deactivates it, as documented
    finally:
        judge.send_signal(signal.SIGINT)
        out, err = judge.communicate(timeout=60)
    run = JudgedRun(subprocess.CompletedProcess(judge.args, judge.returncode, out, err), bundle)
    assert run.code == 0, out + err
    assert run.summary["client"]["command"] == ["(--serve)"] and run.summary["requests"] > 10
