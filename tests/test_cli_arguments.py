"""Arguments are checked before any work: each bad one is one line on stderr and exit code 2."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import linkaudit
from linkaudit.choices import ExitCode
from linkaudit.cli import cli
from linkaudit.config import Settings, load_settings, parse_statuses
from linkaudit.exceptions import ConfigError
from web import SimWeb

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "rok-us-policy-brief-2025-03.md"


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def one_line_error(result: Any) -> str:
    """The run failed with exit code 2 and said why in exactly one line, no traceback."""
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    assert "error" in lines[0]
    return str(lines[0])


@pytest.fixture
def doc(tmp_path: Path) -> Path:
    path = tmp_path / "a.md"
    path.write_text("[x](#)\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--exclude", "(["], "'([' is not a valid regular expression"),
        (["--include", "a)"], "'a)' is not a valid regular expression"),
        (["--remap", "([", "x"], "is not a valid regular expression"),
        (["--format", "yaml"], "'yaml' is not one of 'table', 'json'"),
        (["--fail-on", "deadd"], "'deadd' is not a verdict (choose from ok, redirected, dead"),
        (["--fail-on", ","], "no verdict given"),
        (["--accept", "2xx"], "'2xx' is not a status or a range such as 200-299"),
        (["--accept", "299-200"], "'299-200' is not a range of HTTP statuses"),
        (["--archive", "some"], "'some' is not one of 'none', 'dead', 'all'"),
        (["--timeout", "soon"], "'soon' is not a valid float"),
        (["--header", "X-Token"], "is not NAME:VALUE"),
        (["--header", "X-Token: a\r\nInjected: 1"], "holds CR, LF or NUL"),
        (["--header", "Bad Name: 1"], "is not a valid header name"),
        (["--format", "github", "--output", "linkaudit.sarif"], "its suffix says sarif"),
        (["--format", "sarif", "--output", "report.md"], "its suffix says markdown"),
        (["--output", "report.unknown"], "cannot tell the format from the suffix"),
    ],
)
def test_bad_check_argument(doc: Path, args: list[str], expected: str) -> None:
    """Found before any document is read: no store is created, one line says why."""
    result = run("check", str(doc), "--db", str(doc.parent / "s.sqlite"), *args)
    line = one_line_error(result)
    assert expected in line, line
    assert not (doc.parent / "s.sqlite").exists()


def test_bad_extract_and_report_formats(doc: Path) -> None:
    assert "'csv' is not one of 'table', 'json'" in one_line_error(
        run("extract", str(doc), "--format", "csv")
    )
    assert "'yaml' is not one of" in one_line_error(run("report", "--format", "yaml"))
    line = one_line_error(run("extract", str(doc), "--format", "json", "--output", "x.csv"))
    assert "its suffix says csv" in line


def test_unknown_flag_is_one_line(doc: Path) -> None:
    assert "--colour" in one_line_error(run("check", str(doc), "--colour"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("403", (403,)),
        ("200-202", (200, 201, 202)),
        ("200..=202", (200, 201, 202)),
        ("200..202", (200, 201)),
        ("403, 200-201,403", (403, 200, 201)),
    ],
)
def test_accept_ranges(text: str, expected: tuple[int, ...]) -> None:
    assert parse_statuses(text) == expected


def test_accept_range_on_the_command_line_reaches_the_settings(doc: Path) -> None:
    """`--accept 200..=299` (lychee's spelling) runs; the placeholder still fails the gate."""
    result = run("check", str(doc), "--no-store", "--quiet", "--offline", "--accept", "200..=299")
    assert result.exit_code == ExitCode.FINDINGS, result.output


def test_config_regex_and_accept_range(tmp_path: Path) -> None:
    config = tmp_path / "linkaudit.toml"
    config.write_text('accept = [403, "200-201"]\n', encoding="utf-8")
    assert load_settings(config).accept == (403, 200, 201)
    config.write_text('exclude = ["(["]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"linkaudit.toml: exclude: '\(\[' is not a valid"):
        load_settings(config)
    config.write_text('[headers."*"]\nX-A = "1\\r\\nX-B: 2"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="holds CR, LF or NUL"):
        load_settings(config)
    config.write_text('user_agent = "a\\nb"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="user_agent: the value of User-Agent holds CR"):
        load_settings(config)


def test_config_error_on_the_command_line_is_one_line(doc: Path) -> None:
    config = doc.parent / "linkaudit.toml"
    config.write_text('exclude = ["(["]\n', encoding="utf-8")
    line = one_line_error(run("check", str(doc), "--config", str(config), "--no-store"))
    assert "is not a valid regular expression" in line


def test_bad_ignore_file_names_its_line(doc: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(doc.parent)
    (doc.parent / ".linkauditignore").write_text("# comment\n\nfine\\.example\n([\n")
    line = one_line_error(run("check", str(doc), "--no-store"))
    assert ".linkauditignore:4: '([' is not a valid regular expression" in line


def test_help_lists_exit_codes_from_the_enum() -> None:
    text = run("check", "--help").output
    for code in ExitCode:
        assert f"  {code.value:<3} {code.description}" in text
    assert "[default: dead,invalid]" in text and "[default: 64]" in text


def test_settings_object_refuses_bad_values() -> None:
    with pytest.raises(ConfigError, match="exclude"):
        Settings(exclude=("([",))
    with pytest.raises(ConfigError, match="archive"):
        Settings(archive="everything")


def test_markdown_quoting_pdf_magic_stays_markdown(tmp_path: Path) -> None:
    """Only a file that starts with %PDF- is a PDF; one that mentions it is what it says."""
    doc = tmp_path / "notes.md"
    doc.write_text("A PDF starts with `%PDF-1.7`.\n\nSee [the spec](https://pdf.example/).\n")
    extraction = linkaudit.extract([str(doc)])[0]
    assert extraction.document.error is None
    assert extraction.document.format == linkaudit.DocumentFormat.MARKDOWN
    assert [o.url for o in extraction.occurrences] == ["https://pdf.example/"]


def test_check_inside_a_running_event_loop(doc: Path) -> None:
    """`linkaudit.check` works where a loop already runs (a Jupyter cell); `check_async` too."""
    settings = Settings(offline=True)

    async def notebook_cell() -> tuple[linkaudit.Report, linkaudit.Report]:
        blocking = linkaudit.check([str(doc)], settings, store=False)
        awaited = await linkaudit.check_async([str(doc)], settings, store=False)
        return blocking, awaited

    blocking, awaited = asyncio.run(notebook_cell())
    for report in (blocking, awaited):
        assert report.summary.by_verdict == {"invalid": 1}


def test_header_remap_and_offline_reach_the_wire(tmp_path: Path, web: SimWeb) -> None:
    """--header for one host pattern only; --remap sends the request to the replacement;
    --offline sends nothing at all and never exits 3."""
    doc = tmp_path / "brief.md"
    doc.write_text(
        f"[a]({web.url('/status/200', host='127.0.0.1')}) "
        f"[b]({web.url('/status/200', host='127.0.0.2')}) "
        f"[c](https://staging.invalid/status/204)\n"
    )
    config = tmp_path / "linkaudit.toml"
    config.write_text(f'network_canaries = ["{web.url("/")}"]\nsoft404 = false\n')
    staging = web.url("/", host="127.0.0.3")
    common = ["--config", str(config), "--no-store", "--quiet", "--allow-private",
              "--retries", "0", "--archive", "none"]  # fmt: skip
    web.reset_log()
    result = run(
        "check", str(doc), *common,
        "--header", "127.0.0.1=X-Token: one", "--header", "Accept-Language: en",
        "--remap", r"^https://staging\.invalid/", staging,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    by_host = {(e.host, e.target): e.headers for e in web.requests}
    first = by_host[("127.0.0.1", "/status/200")]
    second = by_host[("127.0.0.2", "/status/200")]
    assert first.get("x-token") == "one" and "x-token" not in second
    assert first.get("accept-language") == second.get("accept-language") == "en"
    assert ("127.0.0.3", "/status/204") in by_host

    web.reset_log()
    offline = run("check", str(doc), *common, "--offline", "--format", "json")
    assert offline.exit_code == 0, offline.output
    assert web.requests == []
    data = json.loads(offline.stdout)
    assert {r["reason"] for r in data["results"]} == {"excluded"}


def test_offline_with_only_unreachable_links_exits_0_not_3(tmp_path: Path) -> None:
    doc = tmp_path / "brief.md"
    doc.write_text("[a](https://unreachable.invalid/x) [b](other.md)\n")
    (tmp_path / "other.md").write_text("# Other\n")
    result = run("check", str(doc), "--no-store", "--quiet", "--offline")
    assert result.exit_code == ExitCode.OK, result.output
