"""Docs that tests keep honest: every command has help and is in the README; every reason too."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from linkaudit.choices import ExitCode
from linkaudit.cli import cli
from linkaudit.extract.formats import DOCUMENT_TYPES
from linkaudit.verdicts import Reason

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_and_an_example(name: str) -> None:
    """`linkaudit NAME --help` works, has an example, and the README mentions the command."""
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert f"linkaudit {name}" in README


def test_exit_codes_are_in_help_and_readme() -> None:
    """The documented exit codes are the same in --help and the README."""
    result = CliRunner().invoke(cli, ["check", "--help"])
    for code in ExitCode:
        assert f"  {code.value:<3} {code.description}" in result.output
        assert f"| {code.value} |" in README


@pytest.mark.parametrize("reason", [r.value for r in Reason if r is not Reason.HTTP_STATUS])
def test_every_reason_is_documented(reason: str) -> None:
    """Each reason code appears in the README's verdict table."""
    assert f"`{reason}`" in README


def test_check_help_names_every_readable_format() -> None:
    """The suffixes ``check --help`` lists are the table's (one per format, in its order)."""
    listed = " ".join(kind.suffixes[0] for kind in DOCUMENT_TYPES)
    assert f"INPUTS are files ({listed})," in (cli.commands["check"].help or "")
