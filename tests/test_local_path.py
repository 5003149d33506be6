"""A run checks its local links on disk without the check stage's runner (``run/local.py``);
what it makes of each is what the runner makes of it: the same results, reports and store
rows, whether the run is local only or also fetches.

The runner's way is still there (``check_urls`` takes ``file:`` URLs): with the local path
switched off, every ``file:`` URL of the run goes to it, and the two runs are compared.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from linkaudit.check.runner import Checker
from linkaudit.config import Settings
from linkaudit.models import Observation
from linkaudit.report import FORMATS, get_reporter
from linkaudit.run import local
from linkaudit.run.pipeline import run_check
from linkaudit.verdicts import Reason, Verdict
from web import SimWeb

pytestmark = pytest.mark.anyio

BRIEF = """# Brief

[file](annex/notes.md) [gone](annex/nothing.md) [folder](annex/) [folder-gone](gone/)
[md-frag](annex/notes.md#method) [md-nofrag](annex/notes.md#results)
[md-pandoc](annex/notes.md#sampling) [md-encoded](annex/notes.md#%ED%95%9C%EA%B5%AD%EC%96%B4)
[html-frag](annex/page.html#figure-2) [html-nofrag](annex/page.html#figure-9)
[text-frag](annex/notes.md#intro:~:text=x) [route](annex/page.html#!/x)
[spaced](annex/my%20notes.md) [accented](annex/r%C3%A9sum%C3%A9.md) [image](img/a.png#part)
[up](../README.md) [escape](annex/outside.md) [loop](annex/loop.md) [nul](annex/a%00b.md)
[absolute](ABSOLUTE) [absolute-gone](ABSOLUTE-GONE) [unc](file://fileserver/share/x.md)
[upper](FILE:///etc/hostname)
"""
NOTES = """# Notes

## Method

## Sampling frame {#sampling}

## 한국어
"""


def _tree(tmp_path: Path, web_link: str = "") -> Path:
    """A docs folder with every kind of local link, and a file outside its root."""
    site = tmp_path / "site"
    annex = site / "docs" / "annex"
    annex.mkdir(parents=True)
    (site / "docs" / "img").mkdir()
    (site / "docs" / "img" / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (site / "README.md").write_text("# Read me\n")
    (annex / "notes.md").write_text(NOTES)
    (annex / "my notes.md").write_text("spaced\n")
    (annex / "résumé.md").write_text("accented\n")
    (annex / "page.html").write_text('<figure id="figure-2"></figure>')
    secret = tmp_path / "secret.md"
    secret.write_text("outside the root\n")
    (annex / "outside.md").symlink_to(secret)
    (annex / "loop.md").symlink_to(annex / "loop.md")
    brief = BRIEF.replace("ABSOLUTE-GONE", (annex / "none.md").as_uri())
    brief = brief.replace("ABSOLUTE", (annex / "notes.md").as_uri())
    (site / "docs" / "brief.md").write_text(brief + web_link)
    return site


def _runner_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Switch the local path off: every ``file:`` URL goes to the runner, as before it."""
    monkeypatch.setattr(local, "is_local", lambda url: False)


def _count_runner_checks(monkeypatch: pytest.MonkeyPatch, checked: list[str]) -> None:
    original = Checker.check

    async def check(self: Checker, request: Any) -> Observation:
        checked.append(request.url)
        return await original(self, request)

    monkeypatch.setattr(Checker, "check", check)


_TIME = re.compile(
    r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?"
    r"|datetime\.datetime\([^)]*\)\)?"
)
_ELAPSED = re.compile(r"(elapsed[_ a-z]*\W+)[\d.]+")


def _plain(text: str) -> str:
    """A report without the moments of the run (when each file was looked at, how long)."""
    return _ELAPSED.sub(r"\g<1>0", _TIME.sub("<time>", text))


async def _run(site: Path, settings: Settings, db: Path | None) -> dict[str, str]:
    """Every report format of one run over the brief, and its results as compared data."""
    outcome = await run_check([str(site / "docs" / "brief.md")], settings, db=db)
    report = outcome.report
    rendered = {str(fmt): _plain(get_reporter(fmt).render(report)) for fmt in FORMATS}
    results = [dataclasses.replace(r, checked_at=None, elapsed_ms=None) for r in report.results]
    rendered["results"] = _plain(repr(results))
    return rendered


def _local_urls(rendered: dict[str, str]) -> set[str]:
    results = json.loads(rendered["json"])["results"]
    return {r["url"] for r in results if r["url"].lower().startswith("file:")}


def _rows(db: Path) -> Iterator[tuple[str, list[str]]]:
    """Each table's rows without ids, run numbers and moments, URLs named, in sorted order."""
    with sqlite3.connect(db) as connection:
        connection.row_factory = sqlite3.Row
        urls = dict(connection.execute("SELECT id, url FROM urls").fetchall())
        for table in ("urls", "checks", "documents", "occurrences", "runs"):
            rows = []
            for row in connection.execute(f"SELECT * FROM {table}"):
                kept = {
                    key: urls.get(row[key]) if key == "url_id" else row[key]
                    for key in row.keys()  # noqa: SIM118 - sqlite3.Row has no items()
                    if key == "url_id" or not (key == "id" or key.endswith(("_id", "_ms")))
                }
                rows.append(_plain(json.dumps(kept, sort_keys=True, default=str)))
            yield table, sorted(rows)
    connection.close()


@pytest.mark.parametrize("store", [False, True], ids=["no-store", "store"])
async def test_local_links_end_as_the_runner_ends_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: bool
) -> None:
    site = _tree(tmp_path)
    settings = Settings(offline=True, archive="none", root_dir=str(site))
    checked: list[str] = []
    _count_runner_checks(monkeypatch, checked)
    new = await _run(site, settings, tmp_path / "new.sqlite" if store else None)
    assert checked == []  # the runner never saw a local link
    with monkeypatch.context() as patched:
        _runner_only(patched)
        old = await _run(site, settings, tmp_path / "old.sqlite" if store else None)
    assert set(checked) <= _local_urls(new) and len(checked) == 21  # all to the runner
    assert new == old
    if store:
        assert dict(_rows(tmp_path / "new.sqlite")) == dict(_rows(tmp_path / "old.sqlite"))
    verdicts = {
        o["text"]: (r["verdict"], r["reason"])
        for r in json.loads(new["json"])["results"]
        for o in r["occurrences"]
    }
    assert verdicts["file"] == (Verdict.OK, None)
    assert verdicts["gone"] == (Verdict.DEAD, Reason.MISSING_FILE)
    assert verdicts["md-nofrag"] == (Verdict.DEAD, Reason.MISSING_FRAGMENT)
    assert verdicts["escape"] == (Verdict.SKIPPED, Reason.PRIVATE_ADDRESS)
    # A symlink loop: Python 3.11 and 3.12 raise in Path.resolve (an error no rule foresaw,
    # contained as the URL's result), 3.13 reads it as missing.
    assert verdicts["loop"][1] in (Reason.PROTOCOL, Reason.MISSING_FILE)


async def test_a_mixed_run_ends_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, test_settings: Settings, web: SimWeb
) -> None:
    """Local links beside links to fetch: the same results and reports either way."""
    site = _tree(tmp_path, f"\n[web]({web.url('/page')}) [web-dead]({web.url('/status/404')})\n")
    settings = dataclasses.replace(test_settings, archive="none", root_dir=str(site))
    checked: list[str] = []
    _count_runner_checks(monkeypatch, checked)
    new = await _run(site, settings, None)
    assert {url[:4] for url in checked} == {"http"}
    checked.clear()
    with monkeypatch.context() as patched:
        _runner_only(patched)
        old = await _run(site, settings, None)
    local_links = [url for url in checked if url.lower().startswith("file:")]
    assert set(local_links) <= _local_urls(new) and len(local_links) == 21
    assert new == old
    assert '"reason": "http_404"' in new["json"]


async def test_local_links_keep_to_max_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--max-time`` spent before the first document's links: its local links are reported
    unchecked (``timeout``), by either path; with time left they are checked."""
    site = _tree(tmp_path)
    spent = Settings(offline=True, archive="none", root_dir=str(site), max_time=0.0)
    new = await _run(site, spent, None)
    with monkeypatch.context() as patched:
        _runner_only(patched)
        old = await _run(site, spent, None)
    assert new == old
    reasons = {r["url"]: r["reason"] for r in json.loads(new["json"])["results"]}
    assert {reasons[url] for url in _local_urls(new) if "%00" not in url} == {"timeout"}
    ample = dataclasses.replace(spent, max_time=60.0)
    alive = await _run(site, ample, None)
    assert "timeout" not in {r["reason"] for r in json.loads(alive["json"])["results"]}
