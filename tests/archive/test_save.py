"""Save Page Now 2 against the fake: submission, polling, errors returned with HTTP 200."""

from __future__ import annotations

import itertools

import pytest

from helpers.archive_fakes import FakeArchive, refused_base
from linkaudit.archive import SaveOutcome, save_pages, spn_credentials
from linkaudit.config import Settings
from linkaudit.models import Snapshot

pytestmark = pytest.mark.anyio


async def save(
    urls: list[str], settings: Settings, *, poll_interval: float = 0.01, max_polls: int = 60
) -> list[SaveOutcome]:
    return await save_pages(
        urls,
        settings,
        access_key="test-access",
        secret_key="test-secret",
        poll_interval=poll_interval,
        max_polls=max_polls,
    )


async def test_success_after_pending(fake: FakeArchive) -> None:
    url = "https://example.org/brief"
    [outcome] = await save([url], fake.settings())
    assert outcome == SaveOutcome(
        url=url,
        status="success",
        snapshot=Snapshot(
            url=f"{fake.base}/web/20250301120000/{url}",
            timestamp="20250301120000",
            original=url,
            service="wayback",
        ),
        message=None,
    )
    assert fake.state.hits["status"] == fake.state.pending_polls + 1


async def test_errors_with_http_200(fake: FakeArchive) -> None:
    fake.state.blocked.add("https://blocked.example/")
    fake.state.failing.add("https://flaky.example/")
    outcomes = await save(["https://blocked.example/", "https://flaky.example/"], fake.settings())
    assert [(o.status, o.snapshot) for o in outcomes] == [("error", None), ("error", None)]
    assert outcomes[0].message is not None and "blocked-url" in outcomes[0].message
    assert outcomes[1].message is not None and "service-unavailable" in outcomes[1].message


async def test_poll_limit_leaves_pending(fake: FakeArchive) -> None:
    fake.state.pending_polls = 10
    [outcome] = await save(["https://example.org/slow"], fake.settings(), max_polls=3)
    assert outcome.status == "pending"
    assert fake.state.hits["status"] == 3


async def test_bad_credentials(fake: FakeArchive) -> None:
    [outcome] = await save_pages(
        ["https://example.org/"], fake.settings(), access_key="x", secret_key="y"
    )
    assert outcome.status == "error"
    assert outcome.message is not None and "401" in outcome.message


async def test_rate_limit_spaces_submissions(fake: FakeArchive) -> None:
    urls = [f"https://example.org/{i}" for i in range(3)]
    await save(urls, fake.settings(spn_max_per_minute=600), poll_interval=0.0)
    times = fake.state.save_times
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    # 600 a minute is one per 0.1 s; the slack absorbs loopback jitter.
    assert len(gaps) == 2 and min(gaps) >= 0.05


async def test_service_down() -> None:
    settings = Settings(spn_url=f"{refused_base()}/save", timeout=0.5, connect_timeout=0.5)
    [outcome] = await save(["https://example.org/"], settings)
    assert outcome.status == "error" and outcome.snapshot is None


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LINKAUDIT_SPN_ACCESS": "a", "LINKAUDIT_SPN_SECRET": "s"}, ("a", "s")),
        ({"IA_ACCESS_KEY": "ia", "IA_SECRET_KEY": "is"}, ("ia", "is")),
        (
            {
                "LINKAUDIT_SPN_ACCESS": "a",
                "LINKAUDIT_SPN_SECRET": "s",
                "IA_ACCESS_KEY": "ia",
                "IA_SECRET_KEY": "is",
            },
            ("a", "s"),
        ),
        ({"LINKAUDIT_SPN_ACCESS": "a"}, None),
        ({}, None),
    ],
)
def test_credentials(environ: dict[str, str], expected: tuple[str, str] | None) -> None:
    assert spn_credentials(environ) == expected
