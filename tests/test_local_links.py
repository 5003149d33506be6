"""Local links checked on disk, root-relative links, and fragments read as browsers read them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from linkaudit.anchors import markdown_anchors
from linkaudit.config import Settings
from linkaudit.extract import extract_source
from linkaudit.fragment import element_id
from linkaudit.models import Result, Source
from linkaudit.run.pipeline import run_check
from linkaudit.verdicts import Reason, Verdict
from web import Reply, SimWeb, WebRequest

pytestmark = pytest.mark.anyio

BRIEF = """# Brief

[annex](annex/methodology.md) [method](annex/methodology.md#method)
[pandoc](annex/methodology.md#sampling) [gone](annex/nothing.md)
[nofrag](annex/methodology.md#no-such-part) [folder](annex/) [up](../README.md)
[root](/about/) [top](#top) [text](#:~:text=brief) [route](#!/x)
[text-before-id](annex/methodology.md#method:~:text=x)
[text-before-missing](annex/methodology.md#nope:~:text=x)
[code](annex/methodology.md#in-code) [html-id](annex/methodology.md#kept)
[korean](annex/methodology.md#%ED%95%9C%EA%B5%AD%EC%96%B4-%EC%A0%9C%EB%AA%A9)
[page](annex/report.html#figure-2) [pagebad](annex/report.html#figure-9)
[unc](file://fileserver/share/brief.md)
"""
METHODOLOGY = """# Methodology

## Method

## Sampling frame {#sampling}

Write `<a id="in-code">` to define an anchor; <a id="kept"></a> defines one.

## 한국어 제목
"""


def _tree(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    (site / "docs" / "annex").mkdir(parents=True)
    (site / "about").mkdir()
    (site / "about" / "index.html").write_text("<h1 id=team>About</h1>")
    (site / "README.md").write_text("# Read me\n")
    (site / "docs" / "brief.md").write_text(BRIEF)
    (site / "docs" / "annex" / "methodology.md").write_text(METHODOLOGY)
    (site / "docs" / "annex" / "report.html").write_text('<figure id="figure-2"></figure>')
    return site


async def _results(site: Path, settings: Settings) -> dict[str, Result]:
    settings = dataclasses.replace(settings, archive="none")
    outcome = await run_check([str(site / "docs" / "brief.md")], settings, db=None)
    return {o.text: r for r in outcome.report.results for o in r.occurrences}


async def test_local_links_are_checked_not_guessed(
    tmp_path: Path, test_settings: Settings, web: SimWeb
) -> None:
    site = _tree(tmp_path)
    settings = dataclasses.replace(test_settings, root_dir=str(site))
    web.reset_log()
    found = await _results(site, settings)
    verdicts = {text: (r.verdict, r.reason) for text, r in found.items()}
    alive: tuple[str, ...] = ("annex", "method", "pandoc", "folder", "up", "root", "top", "text")
    alive += ("route", "text-before-id", "html-id", "korean", "page")
    for text in alive:
        assert verdicts[text] == (Verdict.OK, None), text
    assert verdicts["gone"] == (Verdict.DEAD, Reason.MISSING_FILE)
    for text in ("nofrag", "text-before-missing", "code", "pagebad"):
        assert verdicts[text] == (Verdict.DEAD, Reason.MISSING_FRAGMENT), text
    assert verdicts["unc"] == (Verdict.UNREACHABLE, Reason.PROTOCOL)
    assert "another machine" in (found["unc"].error or "")
    assert found["root"].url == (site / "about").as_uri() + "/"
    assert web.requests == []  # local paths never leave the machine


async def test_root_relative_links_need_a_root(tmp_path: Path, test_settings: Settings) -> None:
    site = _tree(tmp_path)
    outcome = await run_check(
        [str(site / "docs" / "brief.md")],
        dataclasses.replace(test_settings, archive="all"),
        db=None,
    )
    root = next(r for r in outcome.report.results if r.occurrences[0].text == "root")
    assert (root.verdict, root.reason, root.url) == (Verdict.SKIPPED, Reason.NEEDS_ROOT, "/about/")
    assert root.occurrences[0].raw == "/about/"
    assert any("needs_root" in w and "--root-dir" in w for w in outcome.report.warnings)


async def test_root_relative_links_against_a_base_url(
    tmp_path: Path, test_settings: Settings, web: SimWeb
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "brief.md").write_text("[alive](/page#intro) [dead](/status/404)")
    settings = dataclasses.replace(test_settings, base_url=web.url("/docs/"), archive="none")
    outcome = await run_check([str(site / "brief.md")], settings, db=None)
    verdicts = {r.url: (r.verdict, r.reason) for r in outcome.report.results}
    assert verdicts == {
        web.url("/page#intro"): (Verdict.OK, None),
        web.url("/status/404"): (Verdict.DEAD, "http_404"),
    }


def test_root_relative_links_resolve_at_extraction(tmp_path: Path) -> None:
    source = Source(
        name="d.md", data=b"[a](/about/?x=1#team) [b](//cdn.example.org/x)",
        base_url=(tmp_path / "d.md").as_uri(),
    )  # fmt: skip
    plain = extract_source(source, Settings()).occurrences
    assert (plain[0].url, plain[0].problem) == ("/about/?x=1#team", Reason.NEEDS_ROOT)
    assert plain[1].problem is None and "cdn.example.org/x" in plain[1].url  # not root-relative
    rooted = extract_source(source, Settings(root_dir=str(tmp_path))).occurrences
    assert rooted[0].url == tmp_path.as_uri() + "/about/?x=1#team"
    based = extract_source(source, Settings(base_url="https://example.org/docs/")).occurrences
    assert based[0].url == "https://example.org/about/?x=1#team"
    assert based[0].raw == "/about/?x=1#team"


def _serve(web: SimWeb, path: str, body: str, content_type: str) -> None:
    async def handler(request: WebRequest) -> Reply:
        return Reply(200, body, {"content-type": content_type})

    web.route(path, handler)


async def test_remote_fragments_as_browsers_read_them(
    tmp_path: Path, test_settings: Settings, web: SimWeb
) -> None:
    _serve(web, "/notes.md", METHODOLOGY, "text/markdown; charset=utf-8")
    _serve(web, "/ids", '<h2 id="%C3%A9t%C3%A9">x</h2><h2 id="résumé">y</h2>', "text/html")
    try:
        links = {
            "md-ok": web.url("/notes.md#sampling"),
            "md-slug": web.url("/notes.md#method"),
            "md-dead": web.url("/notes.md#results"),
            "text-before-id": web.url("/page#intro:~:text=Plenty"),
            "text-before-missing": web.url("/page#gone:~:text=Plenty"),
            "text-only": web.url("/page#:~:text=Plenty%20of%20text"),
            "route": web.url("/page#!/dashboard"),
            "slash-route": web.url("/page#/settings/a"),
            "pdf": web.url("/page#page=3"),
            "encoded": web.url("/ids#r%C3%A9sum%C3%A9"),
            "literal": web.url("/ids#%C3%A9t%C3%A9"),
            "top": web.url("/page#TOP"),
        }
        doc = tmp_path / "remote.md"
        doc.write_text("\n".join(f"[{k}]({v})" for k, v in links.items()))
        settings = dataclasses.replace(test_settings, archive="none")
        outcome = await run_check([str(doc)], settings, db=None)
    finally:
        web.unroute("/notes.md")
        web.unroute("/ids")
    verdicts = {r.occurrences[0].text: (r.verdict, r.reason) for r in outcome.report.results}
    dead = {"md-dead", "text-before-missing"}
    for text, verdict in verdicts.items():
        expected = (Verdict.DEAD, Reason.MISSING_FRAGMENT) if text in dead else (Verdict.OK, None)
        assert verdict == expected, text


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("intro", "intro"),
        ("intro:~:text=a", "intro"),
        (":~:text=a", None),
        ("!/route", None),
        ("/route", None),
        ("page=3", None),
        ("nameddest=Chapter1", None),
        ("zoom=200", None),
        ("Top", ""),
        ("", ""),
    ],
)
def test_element_id(fragment: str, expected: str | None) -> None:
    assert element_id(fragment) == expected


def test_markdown_anchors_follow_the_renderer() -> None:
    text = "# A\n# A\n## B {#bee .x}\n\n`<a id=c>`\n\n    <a id=d>\n\n<a name=e></a>\n"
    assert markdown_anchors(text) == frozenset({"a", "a-1", "bee", "b-bee-x", "e"})


async def test_one_result_per_resource(
    tmp_path: Path, test_settings: Settings, web: SimWeb
) -> None:
    """Spellings of one URL (scheme and host case, default port, escapes of unreserved
    characters, dot segments) are one result with every occurrence, fetched once; each
    occurrence keeps the target as written."""
    page = web.url("/page")
    origin = page[: -len("/page")]
    spellings = [
        page,
        "HTTP://" + origin[len("http://") :] + "/page",
        origin + "/pag%65",
        origin + "/x/../page",
        origin + "/./page",
    ]
    doc = tmp_path / "same.md"
    doc.write_text("\n".join(f"[s{i}]({s})" for i, s in enumerate(spellings)))
    web.reset_log()
    settings = dataclasses.replace(test_settings, archive="none", soft404=False)
    outcome = await run_check([str(doc)], settings, db=None)
    (result,) = outcome.report.results
    assert result.url == page and result.verdict is Verdict.OK
    assert [o.raw for o in result.occurrences] == spellings
    assert sum(1 for e in web.requests if e.path == "/page") == 1
