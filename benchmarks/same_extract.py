"""
Whether two linkaudit source trees extract the same links: ``linkaudit extract --format json``
of each tree, byte for byte, over the Markdown and HTML documents a reader change must not
alter (what a CPU change of the readers claims).

    git archive OLD src | tar -x -C /tmp/old
    python benchmarks/same_extract.py /tmp/old/src src [--sizes 200 2000 20000 100000]

The documents, each group read by one command per tree (as a run reads them, one after the
other in one process):

* ``generated-N``: ``bench_extract_text.py``'s Markdown and HTML documents of about N links;
* ``repository``: every Markdown and HTML file under ``tests/``, ``examples/`` and ``docs/``,
  and ``README.md`` and ``SECURITY.md``;
* ``realworld``: the Markdown and HTML documents of ``../shared/realworld`` (read where they
  are, never copied; left out when the corpus is absent).

Prints one line a group and exits 1 when any group's output (or exit code) differs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_extract_text import html_document, markdown_document

__all__ = ["Group", "compare", "groups"]

ROOT = Path(__file__).resolve().parents[1]
SUFFIXES = frozenset({".md", ".markdown", ".html", ".htm"})


@dataclass(frozen=True)
class Group:
    """Documents read by one ``linkaudit extract`` command, with paths relative to ``cwd``."""

    name: str
    cwd: Path
    files: tuple[str, ...]


def _documents(folder: Path, cwd: Path) -> list[str]:
    """The Markdown and HTML files under ``folder``, relative to ``cwd``, sorted."""
    found = (p for p in folder.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file())
    return sorted(str(p.relative_to(cwd)) for p in found)


def shared_realworld() -> Path | None:
    """``$LINKAUDIT_SHARED/realworld``, else ``../shared/realworld``, if it is there."""
    shared = os.environ.get("LINKAUDIT_SHARED")
    folder = (Path(shared) if shared else ROOT.parent / "shared") / "realworld"
    return folder.resolve() if (folder / "files").is_dir() else None


def groups(generated: Path, sizes: list[int], realworld: Path | None) -> list[Group]:
    """The groups to compare; the generated documents are written under ``generated``."""
    found = []
    for size in sizes:
        names = (f"generated-{size}.md", f"generated-{size}.html")
        (generated / names[0]).write_text(markdown_document(size), encoding="utf-8")
        (generated / names[1]).write_text(html_document(size), encoding="utf-8")
        found.append(Group(f"generated-{size}", generated, names))
    mine = [*_documents(ROOT / "tests", ROOT), *_documents(ROOT / "examples", ROOT)]
    mine += [*_documents(ROOT / "docs", ROOT), "README.md", "SECURITY.md"]
    found.append(Group("repository", ROOT, tuple(mine)))
    if realworld is not None:
        corpus = _documents(realworld / "files", realworld)
        found.append(Group("realworld", realworld, tuple(corpus)))
    return found


def _extract(src: Path, group: Group, out: Path) -> tuple[int, bytes]:
    """Exit code and JSON output of ``linkaudit extract`` of ``group`` by the tree ``src``."""
    command = [sys.executable, "-m", "linkaudit", "extract", *group.files]
    command += ["--format", "json", "--output", str(out), "--no-gitignore"]
    env = {**os.environ, "PYTHONPATH": str(src.resolve())}
    done = subprocess.run(command, cwd=group.cwd, env=env, capture_output=True, check=False)
    return done.returncode, out.read_bytes() if out.exists() else b""


def compare(old: Path, new: Path, group: Group, work: Path) -> str | None:
    """``None`` when both trees give the same exit code and bytes, else what differs."""
    old_code, old_bytes = _extract(old, group, work / f"{group.name}-old.json")
    new_code, new_bytes = _extract(new, group, work / f"{group.name}-new.json")
    if old_code != new_code:
        return f"exit code {old_code} -> {new_code}"
    if old_bytes != new_bytes:
        pairs = zip(old_bytes.splitlines(), new_bytes.splitlines(), strict=False)
        line = next((n for n, (a, b) in enumerate(pairs, start=1) if a != b), "the end")
        return f"output differs from line {line} ({len(old_bytes)} -> {len(new_bytes)} bytes)"
    if not new_bytes:
        return "no output"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", type=Path, help="the old tree's src folder")
    parser.add_argument("new", type=Path, help="the new tree's src folder")
    parser.add_argument("--sizes", type=int, nargs="*", default=[200, 2000, 20_000])
    parser.add_argument("--keep", type=Path, help="keep the outputs in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="same-extract-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        failed = 0
        for group in groups(work, args.sizes, shared_realworld()):
            problem = compare(args.old, args.new, group, work)
            failed += problem is not None
            print(f"{group.name}: {len(group.files)} files, {problem or 'same bytes'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
