"""The profile's [client] table: defaults, overrides, and errors that name the key and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.profiles import ProfileError, load_profile
from conformance.profiles.model import ClientEnv
from tests.judge.conftest import ROOT


def _profile_with(tmp_path: Path, table: str) -> Path:
    path = tmp_path / "with-client.toml"
    path.write_text((ROOT / "fixtures/profiles/reference.toml").read_text(encoding="utf-8") + "\n" + table,
                    encoding="utf-8")
    return path


def test_without_a_client_table_the_documented_defaults_apply() -> None:
    integration = load_profile("reference").integration
    assert (integration.role, integration.till, integration.processes) == ("primary", None, 1)
    assert integration.env == ClientEnv("CAP_BASE_URL", "CAP_CLIENT_KEY", "CAP_CLIENT_SECRET", "CAP_TILL_CODE",
                                        "CAP_TILL_HEADER")


def test_the_client_table_declares_role_till_processes_and_variable_names(tmp_path: Path) -> None:
    path = _profile_with(tmp_path, '[client]\nrole = "fallback"\ntill = "pos.till.7"\nprocesses = 2\n'
                                   '[client.env]\nsecret = "POS_SECRET"\n')
    integration = load_profile(str(path)).integration
    assert (integration.role, integration.till, integration.processes) == ("fallback", "pos.till.7", 2)
    assert (integration.env.secret, integration.env.key) == ("POS_SECRET", "CAP_CLIENT_KEY")


@pytest.mark.parametrize(("table", "message"), [
    pytest.param('[client]\ntil = "x"\n', "client.til: unknown key (fix: did you mean 'till'?)", id="typo"),
    pytest.param('[client]\nrole = "primery"\n', "client.role: unknown role 'primery'", id="role"),
    pytest.param("[client]\nprocesses = 0\n", "client.processes: must be at least 1", id="processes"),
    pytest.param('[client.env]\nkey = "MY-KEY"\n', "client.env.key: 'MY-KEY' is not an environment variable name",
                 id="env-name"),
])
def test_a_wrong_client_table_is_one_error_naming_the_key(tmp_path: Path, table: str, message: str) -> None:
    with pytest.raises(ProfileError) as raised:
        load_profile(str(_profile_with(tmp_path, table)))
    assert message in str(raised.value) and "\n" not in str(raised.value)
