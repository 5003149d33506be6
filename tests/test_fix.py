"""``linkaudit fix``: redirects and dead links rewritten, everything else kept byte for byte."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.archive_fakes import FakeArchive, serve_archive
from linkaudit.choices import Prefer
from linkaudit.fix import fix_documents, plan_edits, rewrite
from linkaudit.models import DocumentFormat, Occurrence, Redirect, Result, Snapshot
from linkaudit.run.pipeline import run_check
from linkaudit.verdicts import Reason, Verdict
from web import SimWeb

pytestmark = pytest.mark.anyio

OLD = "https://old.example/report?a=1&b=2"
NEW = "https://new.example/report"
DEAD = "https://gone.example/law"
SNAP = "https://web.archive.org/web/20210215000000/https://gone.example/law"
LIVE = "https://live.example/page"


def results(document: str, fmt_raw: dict[str, str] | None = None) -> list[Result]:
    raw = fmt_raw or {}

    def occ(url: str, text: str) -> tuple[Occurrence, ...]:
        return (Occurrence(document=document, raw=raw.get(url, url), url=url, text=text),)

    placeholder = Occurrence(
        document=document, raw="#", url="#", text="formally", problem=Reason.PLACEHOLDER
    )
    return [
        Result(
            url=OLD,
            verdict=Verdict.REDIRECTED,
            reason=Reason.REDIRECT_PERMANENT,
            final_url=NEW,
            permanent=True,
            redirects=(Redirect(OLD, 301),),
            occurrences=occ(OLD, "moved"),
        ),
        Result(
            url=DEAD,
            verdict=Verdict.DEAD,
            reason="http_404",
            archive=Snapshot(SNAP, "20210215000000", DEAD, "wayback"),
            occurrences=occ(DEAD, "the law"),
        ),
        Result(url=LIVE, verdict=Verdict.OK, reason=None, occurrences=occ(LIVE, "live")),
        Result(url="#", verdict=Verdict.INVALID, reason="placeholder", occurrences=(placeholder,)),
    ]


MARKDOWN = f"""# Brief\r
\r
The [moved]({OLD}) page and [the law]({DEAD} "title") and [live]({LIVE}).\r
A [formally](#) placeholder, <{OLD}>, and [ref][r].\r
\r
[r]: {DEAD}\r
Prose that mentions {OLD}x stays.\r
"""


def test_markdown_targets_change_and_nothing_else() -> None:
    edits = plan_edits(results("brief.md"))
    assert [e.kind.value for e in edits] == ["redirect", "snapshot", "placeholder"]
    done = rewrite(MARKDOWN, edits, DocumentFormat.MARKDOWN, Prefer.SNAPSHOT)
    expected = (
        MARKDOWN.replace(f"({OLD})", f"({NEW})")
        .replace(f"<{OLD}>", f"<{NEW}>")
        .replace(f"({DEAD} ", f"({SNAP} ")
        .replace(f"]: {DEAD}", f"]: {SNAP}")
    )
    assert done.text == expected
    assert f"{OLD}x" in done.text and "(#)" in done.text and not done.missed


HTML = f"""<!doctype html><html><body>
<p><a class="x" href="{OLD.replace("&", "&amp;")}">moved</a>
<a href='{DEAD}' title="law">the law</a> <a href="{LIVE}">live</a> <a href="#">formally</a></p>
</body></html>
"""


def test_html_dead_links_become_robust_links() -> None:
    edits = plan_edits(results("brief.html"))
    done = rewrite(HTML, edits, DocumentFormat.HTML, Prefer.SNAPSHOT)
    assert f'href="{NEW}"' in done.text
    assert (
        f"<a href='{SNAP}' data-originalurl='{DEAD}' data-versionurl='{SNAP}' "
        f"data-versiondate='2021-02-15' title=\"law\">" in done.text
    )
    original = rewrite(HTML, edits, DocumentFormat.HTML, Prefer.ORIGINAL)
    assert f"<a href='{DEAD}' data-originalurl='{DEAD}' data-versionurl='{SNAP}'" in original.text
    untouched = HTML.splitlines()[0], HTML.splitlines()[-1]
    assert (done.text.splitlines()[0], done.text.splitlines()[-1]) == untouched


LATEX = rf"""\documentclass{{article}}
\begin{{document}}
See \href{{{OLD.replace("&", "&")}}}{{moved}} and \url{{{DEAD}}} % {DEAD} in a comment too
and \href{{{LIVE}}}{{live}}.
\end{{document}}
"""

BIBTEX = f"""@misc{{law,
  title = {{The law}},
  url = {{{DEAD}}},
  note = {{Moved: \\url{{{OLD}}}}},
  doi = {{10.5555/keep}},
}}
"""


@pytest.mark.parametrize(
    ("fmt", "text", "expected"),
    [
        (DocumentFormat.LATEX, LATEX, LATEX.replace(OLD, NEW).replace(DEAD, SNAP)),
        (DocumentFormat.BIBTEX, BIBTEX, BIBTEX.replace(OLD, NEW).replace(DEAD, SNAP)),
    ],
)
def test_latex_and_bibtex_targets_change(fmt: DocumentFormat, text: str, expected: str) -> None:
    done = rewrite(text, plan_edits(results("refs")), fmt, Prefer.SNAPSHOT)
    assert done.text == expected


def test_write_keeps_every_other_byte_and_dry_run_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "brief.md"
    data = ("\ufeff" + MARKDOWN).encode("utf-8") + b"\n<!-- caf\xc3\xa9 -->\n"
    path.write_bytes(data)
    formats = {str(path): DocumentFormat.MARKDOWN}
    dry = fix_documents(results(str(path)), formats, write=False, diff=True, prefer=Prefer.SNAPSHOT)
    assert path.read_bytes() == data
    assert f"-The [moved]({OLD})" in dry.text and f"+The [moved]({NEW})" in dry.text
    assert "placeholder link '#'" in dry.text
    done = fix_documents(
        results(str(path)), formats, write=True, diff=False, prefer=Prefer.SNAPSHOT
    )
    assert not done.failed and "2 targets rewritten" in done.text
    after = path.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf") and after.endswith(b"\n<!-- caf\xc3\xa9 -->\n")
    assert after.replace(NEW.encode(), OLD.encode()).replace(SNAP.encode(), DEAD.encode()) == data


def test_a_linked_document_stays_a_link_and_keeps_its_mode(tmp_path: Path) -> None:
    """Rewriting a document reached through a symbolic link rewrites the file it names
    (the link stays a link) and keeps that file's permissions; a plain file keeps its
    mode too."""
    real = tmp_path / "real.md"
    real.write_text(MARKDOWN, encoding="utf-8")
    real.chmod(0o640)
    link = tmp_path / "brief.md"
    link.symlink_to(real)
    formats = {str(link): DocumentFormat.MARKDOWN}
    done = fix_documents(
        results(str(link)), formats, write=True, diff=False, prefer=Prefer.SNAPSHOT
    )
    assert not done.failed and "2 targets rewritten" in done.text
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert NEW in real.read_text(encoding="utf-8")
    assert real.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief.md", "real.md"]


def test_pdf_and_docx_get_a_list_of_edits(tmp_path: Path) -> None:
    document = str(tmp_path / "brief.pdf")
    done = fix_documents(
        results(document),
        {document: DocumentFormat.PDF},
        write=True,
        diff=True,
        prefer=Prefer.SNAPSHOT,
    )
    assert f'"moved": {OLD} → {NEW} (permanent redirect)' in done.text
    assert f'"the law": {DEAD} → {SNAP} (dead; snapshot of 2021-02-15)' in done.text
    assert not Path(document).exists()


@pytest.fixture
def fake() -> Iterator[FakeArchive]:
    with serve_archive() as archive:
        yield archive


async def test_fix_after_a_real_check(tmp_path: Path, web: SimWeb, fake: FakeArchive) -> None:
    moved, law, live = web.url("/redirect/301/1"), web.url("/status/404?p=fix"), web.url("/page")
    fake.state.add(law, "20210215000000")
    path = tmp_path / "brief.md"
    source = f"Published 2021.\n\n[moved]({moved}), [law]({law}), [live]({live}), [x](#).\n"
    path.write_text(source, encoding="utf-8")
    # Generous timeouts: a loaded machine must not mark the fake archive down.
    settings = fake.settings(
        network_canaries=(web.url("/"),), soft404=False, retries=0, timeout=10.0,
        connect_timeout=5.0,
    )  # fmt: skip
    outcome = await run_check([str(path)], settings, db=tmp_path / "s.sqlite")
    formats = {d.path: d.format for d in outcome.report.documents}
    done = fix_documents(
        outcome.report.results, formats, write=True, diff=False, prefer=Prefer.SNAPSHOT
    )
    text = path.read_text(encoding="utf-8")
    final = next(r.final_url for r in outcome.report.results if r.url == moved)
    assert final and f"[moved]({final})" in text and f"[live]({live})" in text
    assert "[law](http://127.0.0.1:" in text and "/web/20210215000000" in text
    assert "[x](#)" in text and "placeholder" in done.text
