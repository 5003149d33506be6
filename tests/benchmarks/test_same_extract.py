"""The byte-for-byte comparison of two source trees' extraction (benchmarks/same_extract.py):
it lists what it promises, finds a tree the same as itself and a changed tree different."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from same_extract import ROOT, Group, compare, groups, shared_realworld

SRC = ROOT / "src"


def test_the_groups_are_the_generated_documents_and_the_repositorys_files(tmp_path: Path) -> None:
    found = groups(tmp_path, [50], None)
    assert [g.name for g in found] == ["generated-50", "repository"]
    assert (tmp_path / "generated-50.md").read_text(encoding="utf-8").count("](") > 10
    files = found[1].files
    assert "examples/rok-us-policy-brief-2025-03.md" in files
    assert "tests/fixtures/docs/base-href.html" in files
    assert "README.md" in files and not any(f.endswith(".py") for f in files)


def test_the_realworld_group_reads_the_corpus_where_it_is(tmp_path: Path) -> None:
    corpus = shared_realworld()
    found = groups(tmp_path, [], corpus)
    if corpus is None:
        assert [g.name for g in found] == ["repository"]
        return
    realworld = found[-1]
    assert realworld.name == "realworld" and realworld.cwd == corpus
    assert any(f.endswith(".md") for f in realworld.files)
    assert any(f.endswith(".html") for f in realworld.files)


def test_a_tree_is_the_same_as_itself_and_a_changed_tree_is_not(tmp_path: Path) -> None:
    brief = tmp_path / "brief.md"
    brief.write_text("# Brief\n\nSee [the data](https://example.org/data) here.\n")
    group = Group("brief", tmp_path, ("brief.md",))
    changed = tmp_path / "changed"
    shutil.copytree(SRC / "linkaudit", changed / "linkaudit")
    context = changed / "linkaudit" / "extract" / "context.py"
    code = context.read_text(encoding="utf-8")
    folded = '    return " ".join(s.split())\n'
    assert folded in code
    context.write_text(code.replace(folded, '    return " ".join(s.split()).upper()\n'))
    assert compare(SRC, SRC, group, tmp_path) is None
    assert (compare(SRC, changed, group, tmp_path) or "").startswith("output differs from line")
