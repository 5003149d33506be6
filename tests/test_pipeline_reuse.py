"""An unchanged document is not parsed again: the store gives back its occurrences."""

from __future__ import annotations

import dataclasses
import importlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from linkaudit.config import Settings
from linkaudit.extract.key import EXTRACTION_SETTINGS, extraction_key
from linkaudit.models import Source
from linkaudit.report.base import Report
from linkaudit.run.pipeline import run_check
from linkaudit.store import Store
from web import Reply, SimWeb, WebRequest

pytestmark = pytest.mark.anyio

EXTRACT = Path(__file__).parents[1] / "src" / "linkaudit" / "extract"
#: Settings the extract package reads to find or fetch documents, not to parse them.
FINDING_SETTINGS = {
    "connect_timeout",
    "exclude_globs",
    "follow_symlinks",
    "gitignore",
    "include_globs",
    "max_redirects",
    "max_time",  # the deadline of fetching a brief given as a URL, like timeout
    "timeout",
    "user_agent",
}


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the documents an extractor was asked to parse."""
    module = importlib.import_module("linkaudit.extract.document")
    real: Callable[..., Any] = module.get_extractor
    names: list[str] = []

    def counting(fmt: Any, document: str = "") -> Any:
        names.append(Path(document).name)
        return real(fmt, document)

    monkeypatch.setattr(module, "get_extractor", counting)
    return names


@pytest.fixture
def briefs(tmp_path: Path, web: SimWeb) -> list[Path]:
    web.route("/reuse/*", _page)
    md = tmp_path / "a.md"
    md.write_text(
        "# A brief\n\nThe law passed [formally](" + web.url("/reuse/law") + ") in May. "
        "It was [repealed](#) later, [see](" + web.url("/reuse/law") + ") again.\n\n"
        "A third [source](" + web.url("/reuse/third") + ").\n"
    )
    html = tmp_path / "b.html"
    html.write_text(
        "<html><head><title>B</title></head><body><p>Trade fell after "
        f'<a href="{web.url("/reuse/trade")}">economic retaliation</a>.</p></body></html>'
    )
    return [md, html]


async def _page(request: WebRequest) -> Reply:
    return Reply(200, "<title>page</title>" + request.path)


def _settings(test_settings: Settings) -> Settings:
    return test_settings.replace(soft404=False, archive="none", max_links_per_document=3)


async def _check(paths: list[Path], settings: Settings, db: Path) -> Report:
    outcome = await run_check([str(p) for p in paths], settings, db=db)
    return outcome.report


def _without_run(report: Report) -> dict[str, Any]:
    """What the report says of the documents and their links, not of when or from where."""
    return {
        "documents": report.documents,
        "warnings": report.warnings,
        "results": [(r.url, r.verdict, r.occurrences) for r in report.results],
    }


async def test_unchanged_documents_come_back_from_the_store(
    briefs: list[Path], test_settings: Settings, tmp_path: Path, parsed: list[str]
) -> None:
    settings, db = _settings(test_settings), tmp_path / "store.sqlite"
    first = await _check(briefs, settings, db)
    assert parsed == ["a.md", "b.html"]
    assert any("only the first 3 kept" in w for w in first.warnings)  # a bound was hit
    second = await _check(briefs, settings, db)
    assert parsed == ["a.md", "b.html"]  # nothing parsed the second time
    assert _without_run(second) == _without_run(first)
    assert all(r.cached for r in second.results if r.verdict.value != "invalid")
    with Store.open(db) as store:
        counts = store.query(
            "SELECT run_id, count(*) AS n FROM run_documents GROUP BY run_id ORDER BY run_id"
        )
        occurrences = store.query("SELECT count(*) AS n FROM occurrences")
        scanned = store.query("SELECT last_scanned FROM documents ORDER BY path")
    assert [c["n"] for c in counts] == [2, 2]  # both runs scanned both documents
    assert occurrences == [{"n": 4}]  # 3 kept of a.md's 4 links, and b.html's one
    assert all(s["last_scanned"] for s in scanned)


async def test_a_changed_document_setting_or_fresh_run_parses_again(
    briefs: list[Path], test_settings: Settings, tmp_path: Path, parsed: list[str], web: SimWeb
) -> None:
    settings, db = _settings(test_settings), tmp_path / "store.sqlite"
    await _check(briefs, settings, db)
    parsed.clear()
    briefs[1].write_text(f'<p>Now <a href="{web.url("/reuse/new")}">allyshoring</a> instead.</p>')
    changed = await _check(briefs, settings, db)
    assert parsed == ["b.html"]  # only the document whose bytes changed
    assert [o.text for r in changed.results for o in r.occurrences if "new" in r.url] == [
        "allyshoring"
    ]
    parsed.clear()
    await _check(briefs, settings.replace(max_links_per_document=10), db)
    assert parsed == ["a.md", "b.html"]  # a setting the extractors read changed
    parsed.clear()
    await _check(briefs, settings.replace(max_links_per_document=10, fresh=True), db)
    assert parsed == ["a.md", "b.html"]  # --fresh reuses nothing


async def test_an_unreadable_document_is_never_taken_from_the_store(
    tmp_path: Path, test_settings: Settings, parsed: list[str]
) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7 not really")
    settings, db = _settings(test_settings), tmp_path / "store.sqlite"
    for _ in range(2):
        report = await _check([broken], settings, db)
        assert report.documents[0].error
    assert parsed == ["broken.pdf", "broken.pdf"]


def test_the_key_covers_every_setting_the_extractors_read() -> None:
    read = {
        name
        for path in EXTRACT.glob("*.py")
        for name in re.findall(r"settings\.([a-z_]+)", path.read_text())
    }
    assert read - FINDING_SETTINGS == set(EXTRACTION_SETTINGS)


def test_the_key_changes_with_what_the_output_depends_on() -> None:
    source = Source(name="a.md", data=b"[x](y)", base_url="file:///docs/a.md")
    settings = Settings()
    key = extraction_key(source, settings)
    assert key == extraction_key(source, Settings())
    assert key == extraction_key(source, settings.replace(timeout=99))  # not read by parsers
    assert key != extraction_key(dataclasses.replace(source, base_url="file:///b/a.md"), settings)
    assert key != extraction_key(dataclasses.replace(source, content_type="text/html"), settings)
    for name in EXTRACTION_SETTINGS:
        value = getattr(settings, name)
        other: object
        if value is None:  # an unset folder or URL
            other = "https://example.org/" if name == "base_url" else str(Path(__file__).parent)
        elif isinstance(value, tuple):
            other = (*value, ("^x", "y"))
        else:
            other = (not value) if isinstance(value, bool) else value + 1
        assert key != extraction_key(source, settings.replace(**{name: other})), name
