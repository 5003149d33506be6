"""The ``linkaudit`` command line (placeholder until the pipeline lands)."""

from __future__ import annotations

import click

from linkaudit._version import __version__


@click.group()
@click.version_option(__version__, prog_name="linkaudit")
def cli() -> None:
    """Check the links and citations of briefs, papers and reports."""


def main() -> None:
    """Entry point of the console script."""
    cli()
