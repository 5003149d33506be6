"""What users ask not to read or check: .gitignore, inline comments, the ignore file, remap,
and files whose real path leaves the folder given."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import linkaudit
from linkaudit.cli import cli
from linkaudit.config import Settings
from linkaudit.extract.ignore import inline_ignored, read_ignore_file
from linkaudit.extract.inputs import discover
from linkaudit.models import Occurrence


def urls(path: Path, settings: Settings | None = None) -> list[str]:
    [extraction] = linkaudit.extract([str(path)], settings)
    return [o.url for o in extraction.occurrences]


def test_inline_comments_in_markdown(tmp_path: Path) -> None:
    doc = tmp_path / "a.md"
    doc.write_text(
        "[kept](https://a.example/1) <!-- linkaudit-ignore --> [same line](https://a.example/2)\n"
        "<!-- linkaudit-ignore -->\n"
        "\n"
        "The [next link](https://a.example/3) and [a later one](https://a.example/4).\n"
        "<!-- linkaudit-ignore-start -->\n"
        "[in region](https://a.example/5)\n\n<https://a.example/6>\n"
        "<!-- linkaudit-ignore-end -->\n"
        "[after region](https://a.example/7)\n",
        encoding="utf-8",
    )
    assert urls(doc) == ["https://a.example/4", "https://a.example/7"]


def test_inline_comments_in_html(tmp_path: Path) -> None:
    doc = tmp_path / "a.html"
    doc.write_text(
        "<html><body>\n"
        '<p><!-- linkaudit-ignore --><a href="https://h.example/1">a</a>\n'
        '<a href="https://h.example/2">b</a></p>\n'
        "<!-- linkaudit-ignore-start -->\n"
        '<ul><li><a href="https://h.example/3">c</a></li>\n'
        '<li><img src="https://h.example/4.png"></li></ul>\n'
        "<!-- linkaudit-ignore-end -->\n"
        '<a href="https://h.example/5">e</a>\n'
        "</body></html>\n",
        encoding="utf-8",
    )
    assert urls(doc) == ["https://h.example/2", "https://h.example/5"]


def test_a_marker_quoted_as_code_in_markdown_is_text(tmp_path: Path) -> None:
    """Documentation about the marker does not hide links from the checker."""
    doc = tmp_path / "a.md"
    doc.write_text(
        "Write `<!-- linkaudit-ignore -->` before a link: [a](https://a.example/1)\n\n"
        "```html\n<!-- linkaudit-ignore-start -->\n```\n\n"
        "[b](https://a.example/2)\n"
    )
    assert urls(doc) == ["https://a.example/1", "https://a.example/2"]


def test_an_unclosed_region_runs_to_the_end() -> None:
    text = "a\n<!-- linkaudit-ignore-start -->\nb\nc\n"
    occurrences = [
        Occurrence(document="d", raw=u, url=u, line=line, column=1)
        for u, line in (("u1", 1), ("u3", 3), ("u4", 4))
    ]
    assert [o.url for o in inline_ignored(text, occurrences)] == ["u1"]


def test_a_comment_without_a_marker_changes_nothing(tmp_path: Path) -> None:
    doc = tmp_path / "a.md"
    doc.write_text("<!-- linkaudit-ignored? no -->\n[x](https://a.example/)\n")
    assert urls(doc) == ["https://a.example/"]


def test_remap_rewrites_what_is_checked_and_keeps_what_was_cited(tmp_path: Path) -> None:
    doc = tmp_path / "a.md"
    doc.write_text("[x](https://staging.example.org/a) [y](https://other.example/b)\n")
    settings = Settings(remap=((r"^https://staging\.example\.org/", "https://example.org/"),))
    [extraction] = linkaudit.extract([str(doc)], settings)
    assert [(o.raw, o.url) for o in extraction.occurrences] == [
        ("https://staging.example.org/a", "https://example.org/a"),
        ("https://other.example/b", "https://other.example/b"),
    ]


def test_ignore_file_patterns_are_excluded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "brief.md").write_text("[a](https://skip.example/x) [b](#)\n")
    (tmp_path / ".linkauditignore").write_text("# lychee users know this file\nskip\\.example\n")
    assert read_ignore_file(tmp_path / ".linkauditignore") == ("skip\\.example",)
    result = CliRunner().invoke(
        cli, ["check", "brief.md", "--no-store", "--offline", "--format", "json"]
    )
    data = json.loads(result.stdout)
    reasons = {r["url"]: r["reason"] for r in data["results"]}
    assert reasons == {"https://skip.example/x": "excluded", "#": "placeholder"}
    assert result.exit_code == 1


def test_gitignore_is_honoured_in_folders(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / ".gitignore").write_text("node_modules/\n*.draft.md\n")
    (repo / "docs" / "node_modules" / "pkg").mkdir(parents=True)
    (repo / "docs" / "build").mkdir()
    (repo / "docs" / ".gitignore").write_text("build/\n!keep.draft.md\n")
    for name in ("a.md", "b.draft.md", "keep.draft.md", "node_modules/pkg/README.md", "build/x.md"):
        (repo / "docs" / name).write_text("[x](https://a.example/)\n")
    found = [
        Path(p).relative_to(repo / "docs").as_posix()
        for p in discover(str(repo / "docs"), Settings())
    ]
    assert found == ["a.md", "keep.draft.md"]
    everything = discover(str(repo / "docs"), Settings(gitignore=False))
    assert len(list(everything)) == 5


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks here")
def test_a_symlink_out_of_the_folder_is_never_read(tmp_path: Path) -> None:
    """A pull request adds docs/notes.txt -> ../.git/config: its text reaches no report."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    secret = "https://token:s3cr3t@git.example/owner/repo.git"
    (repo / ".git" / "config").write_text(f'[remote "origin"]\n\turl = {secret}\n')
    docs = repo / "docs"
    docs.mkdir()
    (docs / "brief.md").write_text("[x](#)\n")
    (docs / "notes.txt").symlink_to("../.git/config")
    (repo / "outside").mkdir()
    (repo / "outside" / "more.md").write_text(f"<{secret}>\n")
    (docs / "linked").symlink_to("../outside", target_is_directory=True)

    outputs = {}
    for fmt in ("json", "markdown", "sarif", "csv", "table"):
        result = CliRunner().invoke(
            cli, ["check", str(docs), "--no-store", "--offline", "--format", fmt]
        )
        assert result.exit_code == 1, result.output
        outputs[fmt] = result.output
        assert "s3cr3t" not in result.output
        assert "git.example" not in result.output
    assert "skipped" in outputs["json"] and "notes.txt" in outputs["json"]
    extraction = linkaudit.extract([str(docs)])
    assert [e.document.path for e in extraction] == [str(docs / "brief.md")]
    assert any("notes.txt" in w and "outside" in w for w in extraction[0].warnings)

    followed = linkaudit.extract([str(docs)], Settings(follow_symlinks=True))
    assert {Path(e.document.path).name for e in followed} == {"brief.md", "more.md", "notes.txt"}


def test_gitignore_above_the_repository_does_not_apply(tmp_path: Path) -> None:
    """Git reads the ignore files of the repository only: one above its top changes nothing,
    and a folder outside any repository reads only its own."""
    (tmp_path / ".gitignore").write_text("*.md\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "a.md").write_text("[x](https://a.example/)\n")
    assert [Path(p).name for p in discover(str(repo), Settings())] == ["a.md"]
    plain = tmp_path / "plain" / "docs"
    plain.mkdir(parents=True)
    (plain / "b.md").write_text("[x](https://a.example/)\n")
    assert [Path(p).name for p in discover(str(plain), Settings())] == ["b.md"]
    (repo / "sub").mkdir()
    (repo / "sub" / "c.md").write_text("[x](https://a.example/)\n")
    (repo / "sub" / "d.txt").write_text("https://a.example/\n")
    (repo / ".gitignore").write_text("sub/*.txt\n")
    assert [Path(p).name for p in discover(str(repo / "sub"), Settings())] == ["c.md"]
