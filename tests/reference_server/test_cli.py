"""The command line: ready line, clean stop, --list-faults, unknown faults, org-file errors."""

from __future__ import annotations

import json
import re
import signal
import socket
import time
from pathlib import Path

import httpx
import pytest

from fixtures.reference_server.config import ConfigError, load_config
from fixtures.reference_server.faults import CATALOGUE

from .helpers import ORG_FILE, READY, ROOT, launch, run_cli, start_server

SPEC_IDS = {
    *(f"CAP-TOK-{n:02d}" for n in range(1, 11)), *(f"CAP-JWT-{n:02d}" for n in range(1, 5)),
    *(f"CAP-USE-{n:02d}" for n in range(1, 9)), *(f"CAP-TILL-{n:02d}" for n in range(1, 5)),
    *(f"CAP-BASIC-{n:02d}" for n in range(1, 4)),
}
REAL_TOML = (ROOT / ORG_FILE).read_text()
KEY_LINE = 'signing_key = "keys/reference-k1.pem"'


def _variant(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    """The real org file with one edit, the key path made absolute so tmp_path works."""
    assert old in REAL_TOML, old
    text = REAL_TOML.replace(KEY_LINE, f'signing_key = "{ROOT / "fixtures/data/keys/reference-k1.pem"}"')
    path = tmp_path / "orgs.toml"
    path.write_text(text.replace(old, new, count))
    return path


def test_list_faults_prints_the_catalogue_as_json() -> None:
    result = run_cli("--list-faults")
    assert result.returncode == 0
    listed = json.loads(result.stdout)
    assert [entry["name"] for entry in listed] == [fault.name for fault in CATALOGUE]
    assert len(listed) >= 28
    for entry in listed:
        assert set(entry) == {"name", "description", "violates"}
        assert entry["description"]
        assert "\n" not in entry["description"]
        assert entry["violates"], entry["name"]
        assert set(entry["violates"]) <= SPEC_IDS, entry


def test_every_fault_is_wired_into_the_code_and_every_switch_is_catalogued() -> None:
    source = "\n".join(p.read_text() for p in (ROOT / "fixtures/reference_server").glob("*.py")
                       if p.name not in ("faults.py", "variants.py"))
    used = {name.replace("_", "-") for name in re.findall(r"faults\.([a-z0-9_]+)", source)}
    names = {fault.name for fault in CATALOGUE}
    assert used == names, (sorted(used - names), sorted(names - used))


@pytest.mark.parametrize(("module", "typed"), [("faults", "Faults"), ("variants", "Variants")])
def test_the_typed_switches_are_exactly_the_catalogue(module: str, typed: str) -> None:
    """A switch the code reads is a field; a field is a catalogue entry: a typo cannot pass silently."""
    import dataclasses
    import importlib

    catalogue = importlib.import_module(f"fixtures.reference_server.{module}")
    fields = {field.name.replace("_", "-") for field in dataclasses.fields(getattr(catalogue, typed))}
    assert fields == set(catalogue.BY_NAME)
    with pytest.raises(ValueError, match="did you mean"):
        getattr(catalogue, f"parse_{module}")([next(iter(catalogue.BY_NAME))[:-1]])


def test_every_variant_is_wired_into_the_code() -> None:
    from fixtures.reference_server.variants import CATALOGUE as VARIANTS

    source = "\n".join(p.read_text() for p in (ROOT / "fixtures/reference_server").glob("*.py")
                       if p.name != "variants.py")
    used = {name.replace("_", "-") for name in re.findall(r"variants\.([a-z0-9_]+)", source)}
    derived = {"clock-ahead-30s", "clock-behind-30s", "status-mirror-500", "status-mirror-400"}  # via properties
    assert {v.name for v in VARIANTS} - derived <= used


def test_unknown_fault_exits_2_naming_the_valid_ones() -> None:
    result = run_cli("--org", ORG_FILE, "--fault", "no-such-fault")
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "no-such-fault" in lines[0]
    assert "expiry-not-checked" in lines[0]


def test_a_port_in_use_exits_2_with_one_line() -> None:
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        result = run_cli("--org", ORG_FILE, "--port", str(port))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == f"reference server: cannot listen on 127.0.0.1:{port}: Address already in use\n"


def test_missing_org_exits_2() -> None:
    result = run_cli("--port", "0")
    assert result.returncode == 2
    assert "--org" in result.stderr


def test_ready_line_is_the_only_output_and_sigint_stops_cleanly() -> None:
    server = start_server()
    assert httpx.get(server.base_url + "/.well-known/jwks.json").status_code == 200
    assert server.stop(signal.SIGINT) == 0
    assert server.rest_of_stdout() == ""
    assert "Traceback" not in server.stderr()


def test_repeated_stop_signals_still_exit_0() -> None:
    """Impatient launchers send SIGTERM more than once; none of them may turn into exit -15."""
    server = start_server()
    for _ in range(5):
        if server.proc.poll() is None:
            server.proc.send_signal(signal.SIGTERM)
    server.signalled = True
    assert server.stop() == 0


def _catches_sigterm(pid: int) -> bool:
    """Linux: has the process installed a SIGTERM handler yet (SigCgt bit 15)?"""
    status = Path(f"/proc/{pid}/status").read_text()
    caught = int(next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:")), 16)
    return bool(caught & (1 << (signal.SIGTERM - 1)))


def test_stop_signal_during_start_up_exits_0() -> None:
    """A launcher that gives up before the ready line still gets a clean exit."""
    server = launch()
    deadline = time.monotonic() + 10
    while not _catches_sigterm(server.proc.pid):  # poll the condition: the handler is the first thing installed
        assert time.monotonic() < deadline, "the server never installed its SIGTERM handler"
        time.sleep(0.005)
    server.proc.send_signal(signal.SIGTERM)  # now mid start-up: imports, config or uvicorn
    server.signalled = True
    assert server.stop() == 0
    rest = server.rest_of_stdout()  # nothing, or the ready line if start-up won the race
    assert rest == "" or READY.match(rest), rest


CONFIG_ERRORS = {
    "permission-level": ('permissions = { customer = "read", transaction = "none" }',
                         'permissions = { customer = "rw", transaction = "none" }',
                         "org[0].client[1].permissions.customer: 'rw' is not one of none|read|write|read-write"),
    "unknown-resource": ('permissions = { customer = "read", transaction = "none" }',
                         'permissions = { customer = "read", points = "read" }', "org[0].client[1].permissions.points"),
    "expiry-over-org-maximum": ("expiry_seconds = 2\n", "expiry_seconds = 3601\n",
                                "org[0].client[3].expiry_seconds: 3601 exceeds the org's max_token_expiry_seconds"),
    "duplicate-client-key": ('key = "QUCof6cLkrw2jMn1z7jmtHHBg"', 'key = "JsK1AC1UPbX9SHcgg3mLobWru"',
                             "org[0].client[1].key: duplicate of org[0].client[0].key"),
    "duplicate-client-id-across-orgs": ("id = 31\n", "id = 21\n",
                                        "org[1].client[0].id: duplicate of org[0].client[0].id"),
    "duplicate-client-name": ('name = "report_reader"', 'name = "pos_gateway"', "org[0].client[1].name: duplicate"),
    "unknown-default-till": ('default_till = "globex.hq.till01"', 'default_till = "blr.koramangala.till001"',
                             "org[1].client[0].default_till: 'blr.koramangala.till001' is not a till of this org"),
    "duplicate-till-code": ('  [[org.till]]\n  code = "globex.hq.till01"',
                            '  [[org.till]]\n  code = "store.server"\n  id = 70009\n  name = "x"\n  store_code = "x"\n'
                            '  store_name = "x"\n\n  [[org.till]]\n  code = "globex.hq.till01"',
                            "org[1].till[0].code: duplicate of org[0].till[2].code"),
    "missing-secret": ('secret = "0JQuv3F0dOYzaXoEbojMQd2LyvgDwLhWgcvDWMeP"\n', "",
                       "org[0].client[1].secret: missing"),
    "empty-secret": ('secret = "0JQuv3F0dOYzaXoEbojMQd2LyvgDwLhWgcvDWMeP"', 'secret = ""',
                     "org[0].client[1].secret: must not be empty"),
    "id-as-string": ("id = 22\n", 'id = "22"\n', "org[0].client[1].id: expected int, got '22'"),
    "id-as-bool": ("id = 22\n", "id = true\n", "org[0].client[1].id: expected int, got True"),
    "misspelled-key": ("fallback_to_default_till = true", "fallback_to_default = true",
                       "org[0].client[2].fallback_to_default: unknown key"),
    "active-as-string": ("active = false", 'active = "no"', "org[0].client[4].active: expected bool"),
    "bad-timezone": ('timezone = "+05:30"', 'timezone = "IST"', "server.timezone: 'IST' is not a UTC offset"),
    "zero-max-expiry": ("max_token_expiry_seconds = 3600\n", "max_token_expiry_seconds = 0\n",
                        "org[0].max_token_expiry_seconds: 0 must be at least 1"),
    "bad-till-code": ('code = "store.server"', 'code = "store server"', "org[0].till[2].code: 'store server' must be"),
    "invalid-toml": ('name = "Acme Retail"', "name = Acme Retail", "invalid TOML"),
    "missing-key-file": (KEY_LINE, 'signing_key = "keys/nope.pem"', "server.signing_key: cannot read"),
}


@pytest.mark.parametrize(("old", "new", "expected"), CONFIG_ERRORS.values(), ids=CONFIG_ERRORS.keys())
def test_bad_org_files_name_file_key_and_fix(tmp_path: Path, old: str, new: str, expected: str) -> None:
    path = _variant(tmp_path, old, new)
    if old == KEY_LINE:
        path.write_text(REAL_TOML.replace(old, new))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert expected in message, message
    assert "\n" not in message


def test_more_than_15_clients_is_an_error(tmp_path: Path) -> None:
    block = REAL_TOML[REAL_TOML.index("  [[org.client]]\n  id = 21"):REAL_TOML.index("  [[org.client]]\n  id = 22")]
    clients = "".join(
        block.replace("id = 21", f"id = {100 + n}").replace('name = "pos_gateway"', f'name = "c{n}"')
        .replace('key = "JsK1AC1UPbX9SHcgg3mLobWru"', f'key = "key{n}"')
        for n in range(16 - REAL_TOML.split("[[org]]")[1].count("[[org.client]]")))
    path = _variant(tmp_path, "[[org]]\nid = 2002", clients + "[[org]]\nid = 2002")
    with pytest.raises(ConfigError, match=r"org\[0\]\.client: 16 clients; an org holds at most 15"):
        load_config(path)


def test_missing_signing_key_generates_one(tmp_path: Path) -> None:
    path = _variant(tmp_path, KEY_LINE + "\n", "")
    config = load_config(path)
    assert config.signing_key.key_size == 2048
    assert config.clients_by_key["JsK1AC1UPbX9SHcgg3mLobWru"].name == "pos_gateway"


def test_the_shipped_org_file_loads() -> None:
    config = load_config(ROOT / ORG_FILE)
    assert sorted(config.orgs_by_id) == [1115, 2002]
    assert config.clients_by_id[24].expiry_seconds == 2
    assert config.orgs_by_id[2002].basic_auth is False


@pytest.mark.parametrize("case", ["permission-level", "expiry-over-org-maximum", "invalid-toml"])
def test_bad_org_file_exits_2_with_one_line_and_no_traceback(tmp_path: Path, case: str) -> None:
    old, new, expected = CONFIG_ERRORS[case]
    path = _variant(tmp_path, old, new)
    result = run_cli("--org", str(path), "--port", "0")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{path}: ")
    assert expected in lines[0]


def test_unreadable_org_file_exits_2() -> None:
    result = run_cli("--org", "no/such/orgs.toml")
    assert result.returncode == 2
    assert result.stderr.strip() == "no/such/orgs.toml: cannot read the org file (No such file or directory); " \
                                    "pass --org FILE"
