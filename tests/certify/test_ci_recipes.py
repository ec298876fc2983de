"""The CI recipes parse, have a PR gate and a nightly job, and call only commands and options that exist."""

from __future__ import annotations

import configparser
import re
import shlex
import tomllib
from collections.abc import Iterator
from typing import Any

import pytest

from conformance.certify.__main__ import parser

from .conftest import ROOT

yaml = pytest.importorskip("yaml", reason="PyYAML is needed to parse the CI recipes")

RECIPES = ROOT / "ci-recipes"
CERTIFY = "python -m conformance.certify"


def load(name: str) -> dict[str, Any]:
    document = yaml.safe_load((RECIPES / name).read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def github_scripts(job: dict[str, Any]) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def gitlab_scripts(job: dict[str, Any]) -> list[str]:
    def flat(items: Any) -> Iterator[str]:
        for item in items if isinstance(items, list) else [items]:
            yield from flat(item) if isinstance(item, list) else [str(item)]
    return [line for key in ("before_script", "script", "after_script") for line in flat(job.get(key, []))]


def pipelines() -> dict[str, dict[str, list[str]]]:
    """recipe -> {gate, nightly} -> every shell line those jobs run."""
    github, gitlab = load("github-actions.yml"), load("gitlab-ci.yml")
    return {
        "github": {"gate": github_scripts(github["jobs"]["gate"]),
                   "nightly": github_scripts(github["jobs"]["nightly"])},
        "gitlab": {"gate": gitlab_scripts(gitlab["gate"]),
                   "nightly": gitlab_scripts(gitlab["nightly"]) + gitlab_scripts(gitlab["nightly-drift"])},
    }


def certify_invocations(script: str) -> list[list[str]]:
    """Each `python -m conformance.certify ...` call, as argv, with shell variables replaced by placeholders."""
    calls = []
    for line in script.replace("\\\n", " ").splitlines():
        if CERTIFY not in line:
            continue
        command = re.split(r"\s(?:\|\||&&|>|;)\s", line.split(CERTIFY, 1)[1])[0]
        command = re.sub(r"\$\{\w+:\+([^}]*)\}", r"\1", command)  # ${KEY:+--opt "$KEY"} -> --opt "$KEY"
        command = re.sub(r"\$\(.*?\)|\$\{\w+\}|\$\w+", "PLACEHOLDER", command)
        calls.append(shlex.split(command))
    return calls


ALL_LINES = [(recipe, job, line) for recipe, jobs in pipelines().items() for job, lines in jobs.items()
             for line in lines]


@pytest.mark.parametrize("name", ["github-actions.yml", "gitlab-ci.yml"])
def test_the_recipe_is_valid_yaml(name: str):
    assert load(name)


def test_github_runs_the_gate_on_pull_requests_and_the_nightly_on_a_schedule():
    workflow = load("github-actions.yml")
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` key as True

    assert {"pull_request", "schedule"} <= set(triggers)
    assert "pull_request" in workflow["jobs"]["gate"]["if"]
    assert "schedule" in workflow["jobs"]["nightly"]["if"]


def test_gitlab_runs_the_gate_on_merge_requests_and_the_nightly_on_a_schedule():
    pipeline = load("gitlab-ci.yml")

    assert "merge_request_event" in pipeline["gate"]["rules"][0]["if"]
    assert "schedule" in pipeline["nightly"]["rules"][0]["if"]
    assert pipeline["nightly-drift"]["allow_failure"] == {"exit_codes": [1]}


@pytest.mark.parametrize("recipe", ["github", "gitlab"])
def test_the_gate_runs_the_gate_plan_with_a_short_load(recipe: str):
    runs = [argv for line in pipelines()[recipe]["gate"] for argv in certify_invocations(line) if argv[0] == "run"]
    args = parser().parse_args(runs[0])

    assert (args.plan, args.no_load) == ("gate", False)
    assert args.load_seconds <= 30


@pytest.mark.parametrize("recipe", ["github", "gitlab"])
def test_the_nightly_runs_a_longer_load_checks_drift_and_verifies_the_bundle(recipe: str):
    calls = [argv for line in pipelines()[recipe]["nightly"] for argv in certify_invocations(line)]
    run = parser().parse_args(next(argv for argv in calls if argv[0] == "run"))

    assert (run.plan, run.no_load) == ("nightly", False)
    assert run.load_seconds >= 60
    assert {"run", "drift", "verify"} <= {argv[0] for argv in calls}


@pytest.mark.parametrize(("recipe", "job", "line"), [c for c in ALL_LINES if CERTIFY in c[2]],
                         ids=lambda v: v if isinstance(v, str) and len(v) < 10 else None)
def test_every_certify_call_parses_with_the_real_command_line(recipe: str, job: str, line: str):
    invocations = certify_invocations(line)
    assert invocations, line
    for argv in invocations:
        parser().parse_args(argv)  # SystemExit (an unknown option or command) fails the test


@pytest.mark.parametrize("recipe", ["github", "gitlab"])
def test_the_allure_cli_is_installed_from_the_lockfile(recipe: str):
    assert any(line.strip() == "npm ci" or "npm ci" in line for line in pipelines()[recipe]["gate"])
    assert (ROOT / "package-lock.json").is_file()


def test_pip_installs_only_extras_that_exist():
    extras = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"])
    used = {extra for _, _, line in ALL_LINES for group in re.findall(r'-e "\.\[([\w,-]+)\]"', line)
            for extra in group.split(",")}

    assert used
    assert used <= extras


def declared_tox_envs() -> set[str]:
    config = configparser.ConfigParser(interpolation=None)
    config.read(ROOT / "tox.ini")
    listed = re.split(r"[\s,]+", config.get("tox", "env_list", fallback=config.get("tox", "envlist", fallback="")))
    sections = {s.split(":", 1)[1] for s in config.sections() if s.startswith("testenv:")}
    return {name for name in listed if name} | sections


def test_every_tox_env_the_recipes_use_is_declared_in_tox_ini():
    if not (ROOT / "tox.ini").is_file():
        pytest.skip("tox.ini is not in the repository yet: the recipes' `tox -e lint,type,tests` is unchecked")
    used = {env for _, _, line in ALL_LINES for group in re.findall(r"tox -e ([\w,-]+)", line)
            for env in group.split(",")}

    assert used <= declared_tox_envs()


def uploaded_paths() -> list[str]:
    github, gitlab = load("github-actions.yml"), load("gitlab-ci.yml")
    paths = [line.strip() for job in github["jobs"].values() for step in job["steps"]
             if "upload-artifact" in step.get("uses", "") for line in step["with"]["path"].splitlines()]
    return paths + [p for job in gitlab.values() if isinstance(job, dict) and "artifacts" in job
                    for p in job["artifacts"]["paths"]]


def test_no_recipe_uploads_the_private_signing_key():
    # Bundle folders are named <target>-<UTC timestamp>; the key lives in reports/certification/keys/.
    uploads = [p for p in uploaded_paths() if p.startswith("reports/")]

    assert uploads
    assert all(p == "reports/certification/*-*/" for p in uploads)
