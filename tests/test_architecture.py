"""The pipeline you can read in the folders: stages share contracts, not each other's code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "linkaudit"
STAGES = ("extract", "check", "classify", "archive", "store", "report", "drift")
#: What joins the stages into a run: the run package and the CLI above it.
JOINERS = ("run", "cli")

#: Cross-stage imports that are allowed, and why.
ALLOWED = {
    "linkaudit.extract.formats": "the one table of document formats and their suffixes",
    "linkaudit.archive.recognize": "classify recognises archive links with a pure function",
}
#: Cross-stage imports allowed to one stage only, and why.
ALLOWED_TO = {
    "drift": {
        "linkaudit.archive.client": "drift fetches the snapshot through the archive client",
        "linkaudit.archive.lookup": "drift asks for the snapshot closest to the citation date",
    },
}


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_stages_do_not_import_each_other(path: Path) -> None:
    """A stage imports the base modules, its own package and the allowed contracts only."""
    own = path.relative_to(PACKAGE).parts[0]
    if own not in STAGES:
        return  # run/ and cli.py join the stages
    for name in imports(path):
        parts = name.split(".")
        if len(parts) > 1 and parts[0] == "linkaudit" and parts[1] in STAGES and parts[1] != own:
            allowed = name in ALLOWED or name in ALLOWED_TO.get(own, {})
            assert allowed, f"{path.relative_to(PACKAGE)} imports {name}"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_cli_sits_above_the_run(path: Path) -> None:
    """The stages and the base modules never reach up into ``run/`` or ``cli``."""
    own = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    if own in JOINERS or own in ("__init__", "__main__"):
        return
    for name in imports(path):
        parts = name.split(".")
        assert not (parts[0] == "linkaudit" and len(parts) > 1 and parts[1] in JOINERS), (
            f"{path.relative_to(PACKAGE)} imports {name}"
        )


def test_only_the_cli_imports_click_and_only_cli_and_terminal_import_rich() -> None:
    """The library never renders to a terminal by itself (lychee keeps formatters out too)."""
    users: dict[str, set[str]] = {"click": set(), "rich": set()}
    for path in modules():
        for name in imports(path):
            top = name.split(".")[0]
            if top in users:
                users[top].add(str(path.relative_to(PACKAGE)))
    assert users["click"] == {"cli.py"}
    assert users["rich"] <= {"cli.py", "report/terminal.py", "report/progress.py"}


#: Imports made on first use outside cli.py, each measured or explained in
#: docs/development.md#lazy-imports; every other import sits at the top of its module.
LAZY = {
    ("__init__.py", "linkaudit.run.pipeline"),
    ("anchors.py", "markdown_it"),
    ("anchors.py", "mdit_py_plugins.anchors.index"),
    ("check/charset.py", "charset_normalizer"),
    ("extract/inputs.py", "pathspec"),
    ("extract/inputs.py", "httpx"),
    ("extract/sandbox.py", "resource"),
    ("run/pipeline.py", "linkaudit.run.remote"),
    ("report/progress.py", "rich.console"),
    ("report/progress.py", "rich.progress"),
}


def test_imports_sit_at_module_top_outside_the_cli() -> None:
    """A function-level import outside cli.py is one of the measured ``LAZY`` ones."""
    found: set[tuple[str, str]] = set()
    for path in modules():
        name = str(path.relative_to(PACKAGE))
        if name == "cli.py":
            continue
        for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                for node in ast.walk(function):
                    if isinstance(node, ast.Import):
                        found.update((name, alias.name) for alias in node.names)
                    elif isinstance(node, ast.ImportFrom) and node.module:
                        found.add((name, node.module))
    assert found == LAZY
