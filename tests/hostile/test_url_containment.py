"""
Hostile URLs, wherever they are made (a document, a ``Location``, a meta refresh) or met
(a worker's unexpected exception): each ends as a result for that URL, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from helpers.checking import observe, observe_all
from linkaudit.check import CheckRequest
from linkaudit.check.runner import Checker
from linkaudit.cli import cli
from linkaudit.config import Settings
from linkaudit.extract import extract_source
from linkaudit.models import Observation, Source
from linkaudit.urls import url_defect
from linkaudit.verdicts import Reason
from web import Reply, SimWeb, WebRequest

#: Targets no request can carry, as a document may write them.
BAD_TARGETS = [
    "http://exa\x01mple.com/",
    "http://example.com/a\x01b",
    "http://example.com/\x7f",
    "http://example.com:99999/",
    "http://example.com:65536/x",
    "http://example.com:-1/",
    "http://[::1/",
    "https://[not-an-address]/",
]


@pytest.mark.parametrize("target", BAD_TARGETS)
def test_defects_are_named(target: str) -> None:
    """Each hostile target has a one-line defect; a plain URL has none."""
    found = url_defect(target)
    assert found is not None and "\n" not in found and not any(c < " " for c in found)
    assert url_defect("https://example.com:8443/a?b=c#d") is None


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("ctrl.html", b'<p><a href="http://exa&#1;mple.com/">x</a> <a href="/a&#1;b">y</a>'),
        ("port.html", b'<a href="http://example.com:99999/">x</a>'),
        ("v6.html", b'<a href="http://[::1/">x</a><img src="https://[zz]/i.png">'),
        ("nul.md", b"[x](a%00.md) and [y](sub/%00) and <http://example.com:70000/>\n"),
        ("ctrl.md", b"[y](<http://a\x01b/>) [z](http://a.com:123456/)\n"),
    ],
)
def test_extracted_defects_are_malformed(name: str, body: bytes) -> None:
    """A control character, a NUL in a file path, a port out of range: ``malformed``."""
    source = Source(name, body, "file:///tmp/brief/" + name)
    extraction = extract_source(source, Settings())
    assert extraction.occurrences
    assert all(o.problem is Reason.MALFORMED for o in extraction.occurrences), [
        (o.url, o.problem) for o in extraction.occurrences
    ]


LOCATIONS = [
    "http://[::1/",
    "http://example.com:99999/",
    "http://exa\x01mple.com/",
    "/next\x7fpath",
    "https://[zz]:1/",
]


@pytest.mark.anyio
@pytest.mark.parametrize("location", LOCATIONS)
async def test_hostile_location_is_a_protocol_result(
    web: SimWeb, test_settings: Settings, location: str
) -> None:
    """A redirect to a URL that cannot be requested ends that URL as ``protocol``."""
    url = web.url("/to?url=" + quote(location, safe=""))
    found = await observe(url, test_settings.replace(soft404=False))
    assert found.failure is Reason.PROTOCOL
    assert "invalid URL" in (found.error or "")
    assert found.redirects and found.redirects[0].status == 302


@pytest.mark.anyio
async def test_hostile_meta_refresh_is_a_protocol_result(
    web: SimWeb, test_settings: Settings
) -> None:
    """A meta refresh to ``http://[::1/`` is the same invalid hop."""

    async def refresh(request: WebRequest) -> Reply:
        body = b'<meta http-equiv="refresh" content="0; url=http://[::1/">'
        return Reply(200, body=body, headers={"content-type": "text/html"})

    web.route("/hostile/refresh", refresh)
    try:
        found = await observe(web.url("/hostile/refresh"), test_settings.replace(soft404=False))
    finally:
        web.unroute("/hostile/refresh")
    assert found.failure is Reason.PROTOCOL
    assert found.redirects[0].via == "meta_refresh"


@pytest.mark.anyio
async def test_a_worker_exception_is_that_urls_result(
    web: SimWeb, test_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An exception no rule foresaw becomes one URL's result; the others are checked."""
    original = Checker.check
    poisoned = web.url("/status/200?poison")

    async def check(self: Checker, request: CheckRequest) -> Observation:
        if getattr(request, "url", None) == poisoned:
            raise IndexError("a bug deep in the check")
        return await original(self, request)

    monkeypatch.setattr(Checker, "check", check)
    urls = [web.url("/status/200"), poisoned, web.url("/status/404")]
    found = await observe_all(urls, test_settings.replace(soft404=False))
    assert found[poisoned].failure is Reason.PROTOCOL
    assert "IndexError" in (found[poisoned].error or "")
    assert found[urls[0]].status == 200 and found[urls[2]].status == 404


@pytest.mark.anyio
async def test_a_malformed_request_is_not_sent(web: SimWeb, test_settings: Settings) -> None:
    """A URL with a control character reaching the checker is ``malformed``, unsent."""
    web.reset_log()
    found = await observe(web.url("/status/200") + "\x01", test_settings)
    assert found.failure is Reason.MALFORMED
    assert not web.requests


def test_cli_ends_without_a_traceback(tmp_path: Path, web: SimWeb) -> None:
    """Every case above in one run: exit 0-3, a report, no traceback."""
    doc = tmp_path / "brief.md"
    doc.write_text(
        "[a](a%00.md) [b](http://example.com:70000/) [c](http://[::1/x)\n"
        f"[d]({web.url('/to?url=' + quote('http://[::1/', safe=''))})\n"
        f"[e]({web.url('/to?url=' + quote('http://a:99999/', safe=''))})\n",
        encoding="utf-8",
    )
    doc.with_name("ctrl.html").write_bytes(b'<a href="http://exa&#1;mple.com/">x</a>')
    args = ["check", str(tmp_path), "--allow-private", "--no-store", "--timeout", "3"]
    result = CliRunner().invoke(cli, [*args, "--retries", "0", "--archive", "none"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code in (0, 1, 2, 3)
    assert "Traceback" not in result.output
