"""Every hostile server of the simulated web, checked and classified: the verdict a user sees."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from helpers.checking import observe_all
from linkaudit.classify import classify
from linkaudit.config import Settings
from linkaudit.verdicts import Verdict
from web import SimWeb

pytestmark = pytest.mark.anyio

#: path on the simulated web → (verdict, reason)
CASES: dict[str, tuple[Verdict, str | None]] = {
    "/status/200": (Verdict.OK, None),
    "/status/404": (Verdict.DEAD, "http_404"),
    "/status/410": (Verdict.DEAD, "http_410"),
    "/status/401": (Verdict.RESTRICTED, "http_401"),
    "/status/403": (Verdict.RESTRICTED, "http_403"),
    "/status/451": (Verdict.RESTRICTED, "http_451"),
    "/status/999": (Verdict.RESTRICTED, "bot_challenge"),
    "/status/500": (Verdict.UNREACHABLE, "http_500"),
    "/cf-challenge": (Verdict.RESTRICTED, "bot_challenge"),
    "/private/report": (Verdict.RESTRICTED, "login_redirect"),
    "/redirect/301/2": (Verdict.REDIRECTED, "redirect_permanent"),
    "/redirect/302/1": (Verdict.REDIRECTED, "redirect_temporary"),
    "/meta-refresh": (Verdict.REDIRECTED, "meta_refresh"),
    "/loop/a": (Verdict.DEAD, "redirect_loop"),
    "/chain/25": (Verdict.DEAD, "too_many_redirects"),
    "/soft/gone-article": (Verdict.DEAD, "soft_404"),
    "/page#nowhere": (Verdict.DEAD, "missing_fragment"),
    "/slow-headers": (Verdict.UNREACHABLE, "timeout"),
    "/malformed": (Verdict.UNREACHABLE, "protocol"),
    "/close": (Verdict.UNREACHABLE, "connection"),
    "/ua-block": (Verdict.OK, None),
    "/head-lies": (Verdict.OK, None),
    "/trickle": (Verdict.OK, None),  # alive: a 200 whose body never ends is read up to the deadline
    "/bomb": (Verdict.OK, None),  # alive: inflated only up to the bound
}


async def test_each_hostile_server_gets_its_verdict(
    web: SimWeb, test_settings: Settings, tmp_path: Path
) -> None:
    """One run over the whole simulated web; retrying routes succeed on their third try."""
    key = uuid.uuid4().hex  # the counting routes count per target: a fresh key per run
    urls = {web.url(path): expected for path, expected in CASES.items()}
    urls[web.url(f"/retry-after?key={key}")] = (Verdict.OK, None)
    urls[web.url(f"/flaky503?key={key}")] = (Verdict.OK, None)
    urls["http://no-such-host.invalid/report"] = (Verdict.DEAD, "dns")
    urls[(tmp_path / "missing.pdf").as_uri()] = (Verdict.DEAD, "missing_file")
    settings = test_settings.replace(retries=2, timeout=2.0, retry_after_cap=2.0)
    observations = await observe_all(urls, settings)
    got = {
        url: (result.verdict, result.reason)
        for url, result in (
            (url, classify(observation, (), settings)) for url, observation in observations.items()
        )
    }
    assert got == urls
