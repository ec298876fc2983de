"""deploy/locust-operator.yaml: a LocustTest for the Locust k8s operator that runs a real scenario."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
MANIFEST = REPO / "deploy" / "locust-operator.yaml"
IMAGE_ROOT = "/app/"  # where the manifest's image holds this repository


@pytest.fixture(scope="module")
def manifest() -> dict:
    documents = list(yaml.safe_load_all(MANIFEST.read_text()))
    assert len(documents) == 1
    return documents[0]


def option(command: str, name: str) -> str:
    words = shlex.split(command)
    return words[words.index(name) + 1]


def repository_path(image_path: str) -> Path:
    assert image_path.startswith(IMAGE_ROOT), image_path
    return REPO / image_path.removeprefix(IMAGE_ROOT)


def test_the_manifest_is_a_locust_test_of_the_operators_v2_api(manifest):
    assert manifest["apiVersion"] == "locust.io/v2"
    assert manifest["kind"] == "LocustTest"
    assert manifest["metadata"]["name"]


def test_the_manifest_has_the_fields_the_crd_requires(manifest):
    spec = manifest["spec"]

    assert spec["image"]
    assert spec["master"]["command"]
    assert spec["worker"]["command"]
    assert isinstance(spec["worker"]["replicas"], int)
    assert spec["worker"]["replicas"] >= 1


@pytest.mark.parametrize("role", ["master", "worker"])
def test_each_command_points_at_a_real_locustfile_and_config_in_this_repository(manifest, role):
    command = manifest["spec"][role]["command"]
    locustfile = repository_path(option(command, "--locustfile"))

    assert locustfile.is_file()
    assert locustfile.parent == REPO / "load" / "scenarios"
    assert repository_path(option(command, "--config")).is_file()


def test_master_and_workers_run_the_same_scenario(manifest):
    spec = manifest["spec"]

    assert option(spec["master"]["command"], "--locustfile") == option(spec["worker"]["command"], "--locustfile")


def test_the_profile_it_names_exists_and_its_secrets_come_only_from_a_secret(manifest):
    env = manifest["spec"]["env"]
    variables = {v["name"]: v.get("value") for v in env["variables"]}

    assert repository_path(variables["CAP_PROFILE"]).is_file()
    assert not [name for name in variables if "SECRET" in name or "PASSWORD" in name]
    assert env["secretRefs"]
