"""What the matrices share: their command line (the suite's plans) and how they write their reports."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conformance.plans import MATRIX_PLAN, PLANS
from fixtures import kill_matrix, variant_matrix
from fixtures.matrix_runs import matrix_parser, write_matrix


def test_a_matrix_offers_the_suites_plans_and_runs_the_fast_one_by_default() -> None:
    parser = matrix_parser("kill_matrix", "The kill matrix.", only="fault")
    assert parser.parse_args([]).plan == MATRIX_PLAN
    for plan in PLANS:
        assert parser.parse_args([f"--plan={plan}"]).plan == plan
    with pytest.raises(SystemExit):
        parser.parse_args(["--plan=weekly"])


def test_a_matrix_without_plans_has_no_plan_option() -> None:
    assert not hasattr(matrix_parser("client_matrix", "The client matrix.", only="client", plans=False)
                       .parse_args(["--client=curl"]), "plan")


def test_writing_a_matrix_replaces_only_its_own_readme_headline(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("<!-- kill-matrix:start -->old<!-- kill-matrix:end -->\n"
                                        "<!-- variant-matrix:start -->keep<!-- variant-matrix:end -->\n")

    write_matrix("kill-matrix", "Kill matrix", {"faults": []}, "# table\n", "2 faults, 2 caught", root=tmp_path)

    readme = (tmp_path / "README.md").read_text()
    assert ("<!-- kill-matrix:start -->**Kill matrix: 2 faults, 2 caught** "
            "([reports/kill-matrix.md](reports/kill-matrix.md)).<!-- kill-matrix:end -->") in readme
    assert "<!-- variant-matrix:start -->keep<!-- variant-matrix:end -->" in readme
    assert json.loads((tmp_path / "reports" / "kill-matrix.json").read_text()) == {"faults": []}
    assert (tmp_path / "reports" / "kill-matrix.md").read_text() == "# table\n"


@pytest.mark.parametrize(("main", "argv", "message"), [
    (kill_matrix.main, ["--fault", "alg-none-accepted", "--write"], "--write records the whole matrix"),
    (kill_matrix.main, ["--fault", "alg-none-acepted"], "did you mean alg-none-accepted?"),
    (variant_matrix.main, ["--variant", "gzip", "--write"], "--write records the whole matrix"),
    (variant_matrix.main, ["--variant", "gzipp"], "did you mean gzip?"),
], ids=["kill-write", "kill-typo", "variant-write", "variant-typo"])
def test_a_selection_with_write_or_a_name_the_catalogue_lacks_is_a_usage_error(
        main: Callable[[list[str]], int], argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
