"""
Issue #14, item 2: nothing from input reaches a terminal or a CI log as a command.

One hostile corpus (URLs, anchor texts, context sentences, document names, warnings and
errors holding ``\\n::error …``, ``##[error]``, ``ESC[2J``, OSC 8 links, OSC 0 titles, C1
controls and bidi overrides) is rendered in every format, and through the command line on
stdout and stderr. No line may start with ``::`` (the runner strips leading blanks first),
hold ``##[`` or hold ESC; only the ``github`` format's own commands start with ``::``.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from linkaudit.models import Document, DocumentFormat, Occurrence, Result
from linkaudit.printable import ZWSP, guard_lines, json_text, neutralise, one_line
from linkaudit.report import (
    REPORTERS,
    HealthPoint,
    LinksReport,
    Report,
    ReportOptions,
    build_report,
    get_reporter,
)
from linkaudit.report.health import render_health
from linkaudit.report.json import render_links
from linkaudit.report.terminal import render_links_table
from linkaudit.verdicts import Reason, Verdict

WHEN = dt.datetime(2025, 3, 14, 9, 30, tzinfo=dt.UTC)

#: Each a way to break out of a line or take over a terminal or a CI runner.
HOSTILE = (
    "x\n::error file=a.md,line=1::pwned",
    "::warning::at the start",
    "  ::set-output name=x::leading blanks",
    "##[error]legacy form",
    "mid ##[group]line",
    "clear \x1b[2J screen",
    "\x1b]8;;https://evil.invalid/\x1b\\OSC 8 link\x1b]8;;\x1b\\",
    "\x1b]0;title\x07 OSC 0",
    "C1 \x9b31m CSI and \x9d OSC and \x85 NEL",
    "cr\rcarriage ::error::return",
    "sep\u2028line\u2029para",
    "bidi \u202eevil\u202c \u2066iso\u2069",
    "nul\x00 del\x7f bell\x07 tab\t::error::x",
)


def _hostile_report() -> tuple[list[Document], list[Result]]:
    documents = [
        Document(
            path=f"docs/{name}.md",
            format=DocumentFormat.MARKDOWN,
            title=name,
            published=dt.date(2019, 1, 1),
            links=1,
        )
        for name in HOSTILE
    ]
    documents.append(
        Document(path=HOSTILE[0] + ".pdf", format=DocumentFormat.PDF, error=HOSTILE[5])
    )
    results = []
    for index, name in enumerate(HOSTILE):
        url = f"https://h{index}.invalid/{name}"
        verdict = (Verdict.DEAD, Verdict.INVALID, Verdict.UNREACHABLE, Verdict.REDIRECTED)[
            index % 4
        ]
        occurrence = Occurrence(
            document=f"docs/{name}.md",
            raw=name,
            url=url,
            text=name,
            line=index + 1,
            column=1,
            context=f"Before {name} after.",
            problem=Reason.PLACEHOLDER if verdict is Verdict.INVALID else None,
        )
        pdf = Occurrence(document=HOSTILE[index % 3] + ".pdf", raw=url, url=url, text=name, page=2)
        results.append(
            Result(
                url=url,
                verdict=verdict,
                reason=Reason.PLACEHOLDER.value if verdict is Verdict.INVALID else name,
                final_url=name if verdict is Verdict.REDIRECTED else None,
                permanent=True if verdict is Verdict.REDIRECTED else None,
                error=name,
                title=name,
                occurrences=(occurrence, pdf),
            )
        )
    results.append(Result(url=HOSTILE[0], verdict=Verdict.OK, reason=None, occurrences=()))
    return documents, results


def _report() -> Report:
    documents, results = _hostile_report()
    points = [HealthPoint(WHEN - dt.timedelta(days=n), {"ok": 3, "dead": n}) for n in (2, 1)]
    return build_report(
        documents, results, generated_at=WHEN, warnings=list(HOSTILE), health=points
    )


def assert_safe(text: str, *, commands_allowed: bool = False) -> None:
    """No line starts with ``::`` or holds ``##[`` or ESC (``github``: its own ``::`` only)."""
    assert "\x1b" not in text
    for line in text.splitlines():
        assert "##[" not in line, line
        if commands_allowed and line:
            assert line.startswith(("::error ", "::warning ", "::notice ")), line
        else:
            assert not line.lstrip().startswith("::"), line
    # a value never adds a line: each C1/CR/separator is shown, not sent
    for char in "\x9b\x9d\x85\r\u2028\u2029\u202e\x00\x07":
        assert char not in text


FORMATS = [name for name in REPORTERS]
LAYOUTS = [
    ReportOptions(color=False),
    ReportOptions(color=False, width=160, verbose=True),
    ReportOptions(color=False, group_by="document"),
    ReportOptions(color=False, quiet=True),
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_neutralises_the_hostile_corpus(fmt: str) -> None:
    report = _report()
    for options in LAYOUTS if fmt == "table" else LAYOUTS[:1]:
        text = get_reporter(fmt, options).render(report)
        assert_safe(text, commands_allowed=fmt == "github")


def test_github_commands_cannot_be_forged() -> None:
    """Every line is one of ours: a value's newline never starts a second command."""
    report = _report()
    text = get_reporter("github", ReportOptions(color=False)).render(report)
    _, results = _hostile_report()
    groups = {(r.url, o.document) for r in results if r.verdict.is_problem for o in r.occurrences}
    errors = sum(line.startswith("::error ") for line in text.splitlines())
    assert errors <= 10 and len(text.splitlines()) <= 30 and len(groups) > 10


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_json_formats_keep_the_data_exact(fmt: str) -> None:
    report = _report()
    text = get_reporter(fmt).render(report)
    data = json.loads(text)
    if fmt == "json":
        assert [r["url"] for r in data["results"]][:3] == [
            f"https://h{i}.invalid/{HOSTILE[i]}" for i in range(3)
        ]
        assert data["warnings"] == list(HOSTILE)
    else:
        urls = {r["properties"]["url"] for r in data["runs"][0]["results"]}
        assert f"https://h0.invalid/{HOSTILE[0]}" in urls


@pytest.mark.parametrize("fmt", ["table", "json", "markdown", "html"])
def test_health_report_neutralises(fmt: str) -> None:
    report = _report()
    text = render_health(report, {}, fmt=fmt, today=dt.date(2026, 1, 1))
    assert_safe(text)


def test_extract_outputs_neutralise() -> None:
    documents, results = _hostile_report()
    links = LinksReport(documents, [o for r in results for o in r.occurrences])
    assert_safe(render_links_table(links))
    assert_safe(render_links(links))


def test_neutralise_promises() -> None:
    assert neutralise("a\nb") == "a\\nb"
    assert neutralise("\x1b[2Jx") == "[2Jx"
    assert neutralise("::error::x") == f":{ZWSP}:error::x"
    assert neutralise("  ::x") == f"  :{ZWSP}:x"
    assert neutralise("a ##[error]") == f"a #{ZWSP}#[error]"
    assert neutralise("\x9b\u202e") == "\\x9b\\u202e"
    assert neutralise("plain text, ünïcode 한국어") == "plain text, ünïcode 한국어"
    assert one_line("White House\n  briefing\troom") == "White House briefing room"
    assert guard_lines("ok\n ::error::x\n##[y") == f"ok\n :{ZWSP}:error::x\n#{ZWSP}#[y"
    encoded = json_text(json.dumps({"k": "##[\x9b\u2028\x1b"}, ensure_ascii=False))
    assert json.loads(encoded) == {"k": "##[\x9b\u2028\x1b"}
    assert "##[" not in encoded and "\x9b" not in encoded and "\x1b" not in encoded


def test_json_text_escapes_del_in_ascii_text_and_leaves_the_rest() -> None:
    """ASCII text skips the search for non-ASCII controls; DEL, the one ASCII one, does not."""
    encoded = json_text(json.dumps({"k": "a\x7fb"}, ensure_ascii=False))
    assert encoded == '{"k": "a\\u007fb"}'
    plain = json.dumps({"url": "https://example.org/a?b=c#d", "n": [1, None, True]})
    assert json_text(plain) == plain
    assert json_text(json.dumps("\u2028 é", ensure_ascii=False)) == '"\\u2028 é"'


def _entities(text: str) -> str:
    """``text`` as HTML character references: the parser hands back the raw controls."""
    return "".join(f"&#{ord(c)};" if not c.isalnum() else c for c in text)


def _write_hostile_tree(root: Path) -> Path:
    folder = root / "docs"
    folder.mkdir()
    links = "\n".join(
        f'<p>Para {i} <a href="#">{_entities(name)}</a> and '
        f'<a href="missing-{i}.html#{_entities(name)}">missing</a>.</p>'
        for i, name in enumerate(HOSTILE)
    )
    markdown = "[two\n::error file=a::lines](#) and [##[error] x](https://h.invalid/##[e])\n"
    for name in ("x\n::error file=a::pwned", "##[error]legacy", "esc\x1b[2J", "plain"):
        (folder / f"{name}.html").write_text(f"<html><body>{links}</body></html>", "utf-8")
        (folder / f"{name}.md").write_text(markdown, encoding="utf-8")
    (folder / "\x1b]0;owned\x07\n::warning::broken.pdf").write_bytes(b"%PDF-1.4 not really")
    return folder


@pytest.mark.skipif(sys.platform == "win32", reason="file names with newlines")
@pytest.mark.parametrize("fmt", FORMATS)
def test_command_line_stdout_and_stderr(tmp_path: Path, fmt: str) -> None:
    """End to end: hostile file names and anchor texts, every format, stdout and stderr."""
    folder = _write_hostile_tree(tmp_path)
    completed = subprocess.run(
        [sys.executable, "-m", "linkaudit", "check", str(folder), "--no-store", "--format", fmt],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "CI": "true", "NO_COLOR": "1", "HOME": str(tmp_path)},
        timeout=120,
        check=False,
    )
    assert completed.returncode in (0, 1, 2, 3), completed.stderr
    assert "Traceback" not in completed.stderr
    assert_safe(completed.stdout, commands_allowed=fmt == "github")
    assert_safe(completed.stderr)
    assert completed.stdout.strip()


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--no-store", "docs/\x1b]0;t\x07\n::error::missing.md"],
        ["extract", "--format", "yaml\n::error::x"],
        ["history", "::error::x\x1b[2J\n##[error]y", "--db", "store.sqlite"],
        ["fix", "--dry-run", "--db", "store.sqlite", "docs"],
    ],
)
def test_errors_and_other_commands_are_neutralised(tmp_path: Path, argv: list[str]) -> None:
    """One-line errors and the other commands' output go through the same function."""
    _write_hostile_tree(tmp_path)
    completed = subprocess.run(
        [sys.executable, "-m", "linkaudit", *argv],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "CI": "true", "NO_COLOR": "1", "HOME": str(tmp_path)},
        timeout=120,
        check=False,
    )
    assert "Traceback" not in completed.stderr
    assert_safe(completed.stdout)
    assert_safe(completed.stderr)
    assert completed.stdout.strip() or completed.stderr.strip()
