"""`linkaudit archive`: what has no recent snapshot, and saving it only when told to."""

from __future__ import annotations

import datetime as dt

import pytest

from helpers.archive_fakes import FakeArchive
from linkaudit.archive.preserve import preserve
from linkaudit.exceptions import ConfigError
from linkaudit.models import Document, DocumentFormat, Extraction, Occurrence
from linkaudit.verdicts import Reason

pytestmark = pytest.mark.anyio

TODAY = dt.date(2025, 3, 1)
RECENT = "https://example.org/recent"
STALE = "https://example.org/stale"
NEVER = "https://example.org/never"


def extraction() -> Extraction:
    targets = [RECENT, STALE, NEVER, RECENT, "mailto:a@example.org", "TODO"]
    occurrences = [
        Occurrence(
            document="b.md",
            raw=url,
            url=url,
            problem=Reason.PLACEHOLDER if url == "TODO" else None,
        )
        for url in targets
    ]
    occurrences.append(
        Occurrence(document="b.md", raw="w", url=f"https://web.archive.org/web/2020/{NEVER}")
    )
    return Extraction(Document("b.md", DocumentFormat.MARKDOWN), occurrences)


@pytest.fixture
def archive(fake: FakeArchive, monkeypatch: pytest.MonkeyPatch) -> FakeArchive:
    fake.state.add(RECENT, "20250101000000")
    fake.state.add(STALE, "20200101000000")
    monkeypatch.setenv("LINKAUDIT_SPN_ACCESS", "test-access")
    monkeypatch.setenv("LINKAUDIT_SPN_SECRET", "test-secret")
    return fake


async def test_shows_without_saving(archive: FakeArchive) -> None:
    """Without --yes nothing is submitted; archive links are not counted as cited pages."""
    text, failed = await preserve(
        [extraction()], archive.settings(), save=True, confirmed=False, within_days=365, today=TODAY
    )
    assert not failed
    assert "2 of 3 cited pages" in text and "add --yes" in text
    assert f"never archived   {NEVER}" in text and f"stale            {STALE}" in text
    assert archive.state.hits["save"] == 0


async def test_saves_when_confirmed(archive: FakeArchive) -> None:
    """With --save --yes, the stale and the never-archived pages are submitted, once each."""
    archive.state.pending_polls = 0
    text, failed = await preserve(
        [extraction()], archive.settings(), save=True, confirmed=True, within_days=365, today=TODAY
    )
    assert not failed
    assert archive.state.hits["save"] == 2
    assert f"saved            {STALE}" in text and f"saved            {NEVER}" in text


async def test_failed_save_is_reported(archive: FakeArchive) -> None:
    """An SPN2 error (returned with HTTP 200) marks the run failed and names the cause."""
    archive.state.pending_polls = 0
    archive.state.blocked.add(NEVER)
    text, failed = await preserve(
        [extraction()], archive.settings(), save=True, confirmed=True, within_days=365, today=TODAY
    )
    assert failed and "blocked-url" in text


async def test_missing_credentials(archive: FakeArchive, monkeypatch: pytest.MonkeyPatch) -> None:
    """Saving without a key pair is a one-line configuration error."""
    for name in ("LINKAUDIT_SPN_ACCESS", "LINKAUDIT_SPN_SECRET", "IA_ACCESS_KEY", "IA_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError):
        await preserve(
            [extraction()],
            archive.settings(),
            save=True,
            confirmed=True,
            within_days=365,
            today=TODAY,
        )
