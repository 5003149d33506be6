"""Archive helpers and ``--check-originals`` accept only http(s) originals."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.originals import check_originals_of
from linkaudit.archive.lookup import find_snapshot
from linkaudit.archive.recognize import is_web_url, recognize
from linkaudit.config import Settings
from web import SimWeb

FILE_ORIGINALS = ["file:///etc/passwd", "FILE:///etc/hostname", "ftp://x.example/a", "/etc"]


@pytest.mark.parametrize("original", FILE_ORIGINALS)
def test_only_web_urls_are_originals(original: str) -> None:
    assert not is_web_url(original)
    assert is_web_url("https://example.org/a") and is_web_url("HTTP://example.org")


def test_webcite_file_original_is_dropped() -> None:
    """A WebCite query naming ``url=file:///…`` is a snapshot with no original."""
    found = recognize("http://www.webcitation.org/query?url=file:///etc/passwd&date=2012-03-04")
    assert found is not None and found.service == "webcite" and found.original is None


@pytest.mark.anyio
async def test_archive_lookup_never_asks_about_a_file(test_settings: Settings) -> None:
    """No archive service is asked about a file: URL (no client is even used)."""
    for original in FILE_ORIGINALS:
        # None for the client on purpose: any use of it would raise, so none is made.
        assert await find_snapshot(original, None, test_settings, None) is None  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_check_originals_skips_a_file_original(
    web: SimWeb, test_settings: Settings, tmp_path: Path
) -> None:
    """A snapshot whose original is a file is never checked (no file-existence oracle)."""
    secret = tmp_path / "secret.txt"
    secret.write_text("x")
    webcite = "http://www.webcitation.org/query?url=x"
    wayback = f"https://web.archive.org/web/2020/{web.url('/status/200')}"
    snapshots = {webcite: secret.as_uri(), wayback: web.url("/status/200")}
    notes = await check_originals_of(snapshots, tmp_path, web, test_settings)
    assert notes[webcite] is None  # never checked: it would say "alive again"
    checked = notes[wayback]
    assert checked is not None and "alive again" in checked  # the run did check originals
