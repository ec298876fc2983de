"""Profile loading: the embedded profiles load; every broken profile names file, key and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.profiles import ProfileError, Secret, load_profile
from conformance.profiles.loader import PROFILES_DIR

REFERENCE = (PROFILES_DIR / "reference.toml").read_text()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "target.toml"
    path.write_text(text)
    return path


def test_reference_profile_loads_with_every_role() -> None:
    profile = load_profile("reference")
    assert set(profile.clients) == {"primary", "restricted", "fallback", "short_lived", "deactivated", "other_org",
                                    "authz_unavailable"}
    assert profile.launch is not None and profile.local_test_target
    assert profile.clients["short_lived"].expiry_seconds == 2


def test_reference_profile_matches_the_reference_org_file() -> None:
    """The profile names the same credentials the reference server serves (they are one fixture)."""
    import tomllib

    orgs = tomllib.loads((PROFILES_DIR.parent / "data" / "orgs.toml").read_text())
    clients = {c["key"]: (c, org) for org in orgs["org"] for c in org["client"]}
    for role, client in load_profile("reference").clients.items():
        entry, org = clients[client.key]
        assert (entry["secret"], entry["expiry_seconds"], entry["default_till"], org["id"]) == (
            client.secret, client.expiry_seconds, client.default_till, client.org_id), role
        assert entry["active"] is (role != "deactivated"), role


def test_example_remote_profile_loads_when_its_variables_are_set() -> None:
    names = ["CAP_PRIMARY_KEY", "CAP_PRIMARY_SECRET", "CAP_DEFAULT_TILL", "CAP_RESTRICTED_KEY",
             "CAP_RESTRICTED_SECRET", "CAP_OVERRIDE_TILL"]
    profile = load_profile("example-remote", environ={n: f"value-of-{n}" for n in names})
    assert profile.clients["primary"].secret == "value-of-CAP_PRIMARY_SECRET"
    assert profile.rate_limit_per_minute == 90 and profile.launch is None


def test_secrets_never_show_in_repr() -> None:
    profile = load_profile("reference")
    secret = profile.clients["primary"].secret
    assert isinstance(secret, Secret)
    assert secret not in repr(profile)


def test_fingerprint_is_secret_free_and_stable() -> None:
    first, second = load_profile("reference"), load_profile("reference")
    assert first.fingerprint() == second.fingerprint()
    assert all(s not in first.fingerprint() for s in first.secrets())


@pytest.mark.parametrize(
    ("edit", "key", "words"),
    [
        pytest.param(("[target]", "[target]\nbase_urll = 'x'"), "target.base_urll", "did you mean 'base_url'",
                     id="unknown-key-with-suggestion"),
        pytest.param(("timeout_seconds = 10", "timeout_seconds = 'ten'"), "target.timeout_seconds", "expected float",
                     id="wrong-type"),
        pytest.param(("[clients.restricted]", "[clients.restrictd]"), "clients.restrictd", "did you mean 'restricted'",
                     id="unknown-role"),
        pytest.param(("local_test_target = true", "local_test_target = false"), "target.expired_token",
                     "literal secret", id="literal-secret-in-real-target"),
        pytest.param(('primary_invalid_till = "error"', 'primary_invalid_till = "maybe"'),
                     "tills.primary_invalid_till", "error|default", id="bad-enum"),
        pytest.param(('ready_pattern = "listening on (?P<url>http://\\\\S+)"', 'ready_pattern = "listening"'),
                     "launch.ready_pattern", "(?P<url>", id="ready-pattern-without-url-group"),
        pytest.param(("[target]", "[target\n"), "", "not valid TOML", id="toml-syntax"),
    ],
)
def test_broken_profile_names_file_key_and_fix(tmp_path: Path, edit: tuple[str, str], key: str, words: str) -> None:
    old, new = edit
    assert old in REFERENCE
    path = write(tmp_path, REFERENCE.replace(old, new, 1))
    with pytest.raises(ProfileError) as caught:
        load_profile(str(path))
    message = str(caught.value)
    assert str(path) in message and key in message and words in message and "fix:" in message


def test_missing_required_role_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    path.write_text("[target]\nname='x'\nlocal_test_target=true\n[clients.primary]\nkey='k'\nsecret='s'\n")
    with pytest.raises(ProfileError, match=r"clients.restricted: required role missing"):
        load_profile(str(path))


def test_missing_environment_variable_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "[target]\nbase_url='https://x'\n[clients.primary]\nkey='k'\nsecret='${NOPE_SECRET}'\n")
    with pytest.raises(ProfileError, match=r"clients.primary.secret: environment variable NOPE_SECRET is not set"):
        load_profile(str(path), environ={})


def test_unknown_profile_name_lists_the_known_ones() -> None:
    with pytest.raises(ProfileError, match=r"no such profile file.*reference"):
        load_profile("no-such-profile")


def test_expected_failure_needs_a_reason(tmp_path: Path) -> None:
    path = write(tmp_path, REFERENCE + '\n[[expected_failures]]\ntest = "x"\nreason = ""\n')
    with pytest.raises(ProfileError, match=r"expected_failures\[0\].reason: missing"):
        load_profile(str(path))


def test_every_problem_of_the_behaviour_table_is_reported_at_once(tmp_path: Path) -> None:
    """Two unknown keys and a bad value: three lines, each naming its key and a fix."""
    old = "[behaviour]\n"
    assert old in REFERENCE
    path = write(tmp_path, REFERENCE.replace(
        old, old + 'sample_token_shap = true\ntill_header = ["X"]\nbearer_authorisation = "refused"\n', 1).replace(
        'duplicate_token_headers = "refused"', 'duplicate_token_headers = "sometimes"', 1))
    with pytest.raises(ProfileError) as caught:
        load_profile(str(path))
    lines = str(caught.value).splitlines()
    assert any("behaviour.sample_token_shap: unknown key" in line and "did you mean 'sample_token_shape'" in line
               for line in lines), lines
    assert any("behaviour.till_header: unknown key" in line and "did you mean 'till_headers'" in line
               for line in lines), lines
    assert any("behaviour.bearer_authorisation: unknown key" in line for line in lines), lines
    assert any("behaviour.duplicate_token_headers: 'sometimes' is not one of refused" in line for line in lines), lines
    assert all("fix:" in line for line in lines)


def test_the_expired_status_check_needs_a_pinned_status_and_says_so() -> None:
    """The pages give no HTTP status for 498: without `[expect] expired_token` the test is skipped, not passed."""
    from dataclasses import replace

    from conformance.plugin.capabilities import missing

    reference = load_profile("reference")
    assert reference.expect.get("expired_token") and missing(reference, "expired_status") is None
    unpinned = replace(reference, expect={k: v for k, v in reference.expect.items() if k != "expired_token"})
    assert missing(unpinned, "expired_status") == "profile reference.toml lacks [expect] expired_token"
