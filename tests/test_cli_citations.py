"""The command line of the citation features: DOIs and --fail-on retracted, fix, Robust Links."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from helpers.archive_fakes import FakeArchive, serve_archive
from helpers.doi_fakes import FakeDoi, serve_doi
from linkaudit.cli import cli
from web import SimWeb

BIB = """\
@article{retracted, title = {A retracted study}, doi = {10.5555/retracted}}
@article{ghost, title = {Never registered}, doi = {10.5555/ghost}}
"""


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def doi() -> Iterator[FakeDoi]:
    with serve_doi() as fake:
        fake.state.targets["10.5555/retracted"] = fake.publisher("article")
        fake.state.notices.append(
            {"DOI": "10.5555/notice", "type": "retraction", "updates": "10.5555/retracted",
             "date": [2023, 4, 11]}
        )  # fmt: skip
        yield fake


def doi_args(fake: FakeDoi, tmp_path: Path) -> list[str]:
    config = tmp_path / "linkaudit.toml"
    config.write_text(
        'allow_networks = ["127.0.0.1/32"]\n'
        f'network_canaries = ["{fake.publisher("canary")}"]\n'
        'archive = "none"\nretries = 0\n',
        encoding="utf-8",
    )
    return [
        "--config", str(config),
        "--doi-api-url", f"{fake.base}/api/handles/",
        "--crossref-url", f"{fake.base}/",
        "--db", str(tmp_path / "s.sqlite"),
    ]  # fmt: skip


def test_fail_on_retracted_fails_the_gate(tmp_path: Path, doi: FakeDoi) -> None:
    refs = tmp_path / "refs.bib"
    refs.write_text(BIB, encoding="utf-8")
    args = ["check", str(refs), *doi_args(doi, tmp_path), "--format", "json"]
    plain = run(*args, "--fail-on", "invalid")
    assert plain.exit_code == 0, plain.output
    data = json.loads(plain.stdout)
    kinds = {r["doi"]["doi"]: r.get("notices", []) for r in data["results"]}
    assert kinds["10.5555/retracted"][0]["kind"] == "retraction"
    gated = run(*args, "--fail-on", "invalid,retracted")
    assert gated.exit_code == 1
    dead = run(*args, "--fail-on", "dead")
    assert dead.exit_code == 1  # the unregistered DOI is dead


def test_fail_on_lists_the_concerns_among_its_choices() -> None:
    result = run("check", "x.md", "--fail-on", "retractd")
    assert result.exit_code == 2
    assert "retracted" in result.output and "drifted" in result.output


@pytest.fixture
def archive() -> Iterator[FakeArchive]:
    with serve_archive() as fake:
        yield fake


def test_fix_dry_run_then_write(tmp_path: Path, web: SimWeb, archive: FakeArchive) -> None:
    moved, law = web.url("/redirect/301/1"), web.url("/status/404?p=cli-fix")
    archive.state.add(law, "20210215000000")
    brief = tmp_path / "brief.md"
    source = f"# Brief\n\n[moved]({moved}) and [law]({law}) and [todo](#).\n"
    brief.write_text(source, encoding="utf-8")
    config = tmp_path / "linkaudit.toml"
    config.write_text(
        "allow_private = true\nsoft404 = false\nretries = 0\n"
        f'network_canaries = ["{web.url("/")}"]\n'
        f'wayback_url = "{archive.base}/wayback/available"\n'
        f'cdx_url = "{archive.base}/cdx/search/cdx"\nmemento_url = "{archive.base}/timegate/"\n',
        encoding="utf-8",
    )
    args = ["fix", str(brief), "--config", str(config), "--db", str(tmp_path / "s.sqlite")]
    dry = run(*args, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert f"-[moved]({moved})" in dry.output.replace("# Brief\n", "")
    assert "/web/20210215000000" in dry.output and "placeholder" in dry.output
    assert brief.read_text(encoding="utf-8") == source
    wrote = run(*args, "--write")
    assert wrote.exit_code == 0 and "2 targets rewritten" in wrote.output
    text = brief.read_text(encoding="utf-8")
    assert moved not in text and law not in text.replace(f"/{law}", "") and "[todo](#)" in text

    cited = tmp_path / "cited.md"
    cited.write_text(f"The [law]({law}).\n", encoding="utf-8")
    links = run(
        "archive", str(cited), "--robust-links", "--allow-private",
        "--wayback-url", f"{archive.base}/wayback/available",
        "--cdx-url", f"{archive.base}/cdx/search/cdx",
        "--memento-url", f"{archive.base}/timegate/",
    )  # fmt: skip
    assert (
        f'<a href="{law}" data-versionurl="{archive.base}/web/20210215000000/{law}" '
        'data-versiondate="2021-02-15">law</a>'
    ) in links.output
