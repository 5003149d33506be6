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


#: What a run that fetches nothing never needs: the HTTP stack, the check stage's runner,
#: the archive look-ups and drift (``run/remote.py`` and what it imports), and the
#: standard library's HTTP client (``urllib.request`` brings it, with email and ssl).
THE_NETWORK_HALF = {
    "http.client",
    "urllib.request",
    "httpx",
    "aiohttp",
    "anyio",
    "linkaudit.run.remote",
    "linkaudit.check.runner",
    "linkaudit.check.client",
    "linkaudit.archive.client",
    "linkaudit.archive.lookup",
    "linkaudit.drift",
}


def test_an_offline_run_never_imports_the_http_stack(tmp_path: Path) -> None:
    modules = _offline_check(tmp_path, "--no-store")
    assert not THE_NETWORK_HALF & modules


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
    """A link's anchor test (``fragment``) is apart from the Markdown anchor reader."""
    page = tmp_path / "page.html"
    page.write_text('<p><a href="https://example.org/a#part">a</a> <a href="#">top</a></p>')
    out = tmp_path / "report.json"
    modules = imported(
        "check", str(page), "--offline", "--no-store", "--format", "json", "--output", str(out)
    )
    assert {"linkaudit.fragment", "linkaudit.extract.html", "lxml.etree"} <= modules
    assert not {"markdown_it", "mdit_py_plugins"} & modules
    assert len(json.loads(out.read_text())["results"]) == 2


def test_a_check_of_markdown_imports_markdown_it(tmp_path: Path) -> None:
    assert {"markdown_it", "linkaudit.anchors"} <= _offline_check(tmp_path, "--no-store")


def _docs_folder(tmp_path: Path) -> Path:
    """A docs folder whose pages link to each other by relative links."""
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "guide.md").write_text("# Guide\n\n## Install\n")
    (tmp_path / "page.html").write_text('<h2 id="part">Part</h2>')
    return tmp_path


def _verdicts(out: Path) -> dict[str, tuple[str, str | None]]:
    results = json.loads(out.read_text())["results"]
    return {r["occurrences"][0]["text"]: (r["verdict"], r["reason"]) for r in results}


def test_a_check_of_local_links_never_imports_the_network_half(tmp_path: Path) -> None:
    """A docs repository checked for broken relative links: no URL needs the network, so
    the run loads none of it, with ``--offline`` or without."""
    docs = _docs_folder(tmp_path)
    brief = docs / "index.md"
    brief.write_text(
        "[guide](guide.md#install) [gone](gone.md) [image](img/a.png) [page](page.html#part) "
        f"[nopart](page.html#nope) [absolute]({(docs / 'guide.md').as_uri()})\n"
    )
    out = tmp_path / "report.json"
    for offline in (["--offline"], []):
        modules = imported(
            "check", str(brief), *offline, "--no-store", "--format", "json", "--output", str(out)
        )
        assert not THE_NETWORK_HALF & modules
        assert {"linkaudit.check.local", "linkaudit.run.local"} <= modules
        assert _verdicts(out) == {
            "guide": ("ok", None),
            "gone": ("dead", "missing_file"),
            "image": ("ok", None),
            "page": ("ok", None),
            "nopart": ("dead", "missing_fragment"),
            "absolute": ("ok", None),
        }


def test_an_html_page_reads_markdown_anchors_only_for_a_markdown_fragment(tmp_path: Path) -> None:
    """A local HTML page's links: markdown-it only once a fragment into a Markdown file is
    looked for."""
    docs = _docs_folder(tmp_path)
    page = docs / "index.html"
    out = tmp_path / "report.json"
    command = ("check", str(page), "--offline", "--no-store", "--format", "json", "-o", str(out))
    page.write_text('<a href="img/a.png">image</a> <a href="page.html#part">part</a>')
    modules = imported(*command)
    assert not ({"markdown_it", "mdit_py_plugins"} | THE_NETWORK_HALF) & modules
    assert _verdicts(out) == {"image": ("ok", None), "part": ("ok", None)}
    page.write_text('<a href="guide.md#install">install</a>')
    modules = imported(*command)
    assert "markdown_it" in modules and not THE_NETWORK_HALF & modules
    assert _verdicts(out) == {"install": ("ok", None)}
