"""What a command imports: a run pays at start only for what it uses (docs/development.md).

Each command runs in a fresh interpreter, as the console script does, and reports the
modules it ended with; a module that should be left out is, and the same module comes in
when the command does use it (so the check cannot pass by never looking).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "rok-us-policy-brief-2025-03.md"

#: Runs ``linkaudit ARGS`` as the console script does, then prints the modules it imported.
SCRIPT = """
import json, sys
sys.argv = ["linkaudit", *json.loads(sys.argv[1])]
from linkaudit.cli import main
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(name for name, module in sys.modules.items() if module is not None)))
"""


def imported(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=ROOT,
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def _offline_check(tmp_path: Path, *store: str) -> set[str]:
    out = tmp_path / "report.json"
    return imported(
        "check", str(EXAMPLE), "--offline", "--quiet", "--format", "json", "--output", str(out),
        *store,
    )  # fmt: skip


def test_a_run_without_a_store_never_imports_sqlite_utils(tmp_path: Path) -> None:
    """The per-run ledger is stdlib ``sqlite3``; sqlite-utils is the store's alone."""
    modules = _offline_check(tmp_path, "--no-store")
    assert "linkaudit.store.ledger" in modules and "sqlite3" in modules
    assert not {"sqlite_utils", "dateutil", "linkaudit.store.database"} & modules


def test_a_run_with_a_store_imports_it(tmp_path: Path) -> None:
    modules = _offline_check(tmp_path, "--db", str(tmp_path / "store.sqlite"))
    assert {"sqlite_utils", "linkaudit.store.database"} <= modules


def test_an_offline_run_never_imports_the_http_stack(tmp_path: Path) -> None:
    modules = _offline_check(tmp_path, "--no-store")
    assert not {"httpx", "aiohttp", "linkaudit.check.client", "linkaudit.run.remote"} & modules


def test_a_run_with_a_link_to_fetch_imports_the_http_stack(tmp_path: Path) -> None:
    brief = tmp_path / "brief.md"
    brief.write_text("[closed](http://127.0.0.1:9/page)\n")  # a closed loopback port
    out = tmp_path / "report.json"
    modules = imported(
        "check", str(brief), "--no-store", "--quiet", "--allow-private", "--retries", "0",
        "--archive", "none", "--format", "json", "--output", str(out),
    )  # fmt: skip
    assert {"httpx", "aiohttp", "linkaudit.run.remote"} <= modules
    assert json.loads(out.read_text())["results"][0]["verdict"] != "ok"


#: What ``--version`` and ``--help`` never need: the models, the stages' work, asyncio.
NOT_FOR_THE_COMMAND_LINE = {
    "asyncio",
    "linkaudit.models",
    "linkaudit.extract.document",
    "linkaudit.fix",
    "linkaudit.gate",
    "linkaudit.report.base",
    "yarl",
}


def test_version_builds_the_command_line_and_nothing_else() -> None:
    assert not NOT_FOR_THE_COMMAND_LINE & imported("--version")
    assert not NOT_FOR_THE_COMMAND_LINE & imported("--help")


def test_a_check_imports_what_the_command_line_leaves_out(tmp_path: Path) -> None:
    modules = _offline_check(tmp_path, "--no-store")
    assert NOT_FOR_THE_COMMAND_LINE - {"linkaudit.fix"} <= modules
    assert "linkaudit.fix" not in modules  # only the fix command rewrites documents


def test_a_check_of_html_alone_never_imports_markdown_it(tmp_path: Path) -> None:
    """A link's anchor test (``fragment``) is apart from the Markdown anchor reader.

    (A link to a local file is checked by the check stage, which reads Markdown targets.)"""
    page = tmp_path / "page.html"
    page.write_text('<p><a href="https://example.org/a#part">a</a> <a href="#">top</a></p>')
    out = tmp_path / "report.json"
    modules = imported(
        "check", str(page), "--offline", "--no-store", "--format", "json", "--output", str(out)
    )
    assert {"linkaudit.fragment", "linkaudit.extract.html", "lxml.etree"} <= modules
    assert not {"markdown_it", "mdit_py_plugins", "linkaudit.anchors"} & modules
    assert len(json.loads(out.read_text())["results"]) == 2


def test_a_check_of_markdown_imports_markdown_it(tmp_path: Path) -> None:
    assert {"markdown_it", "linkaudit.anchors"} <= _offline_check(tmp_path, "--no-store")
