"""
Save Page Now 2 (SPN2): ask the Wayback Machine to capture live citations before they rot.

SPN2 quirks this follows: a submission answers ``{"url", "job_id"}``; refusals come back as
HTTP 200 with ``{"status": "error", "status_ext": …, "message": …}``; a job is polled at
``<spn_url>/status/<job_id>`` until ``success`` or ``error``. Submissions are spaced to
``settings.spn_max_per_minute``; credentials are an archive.org S3 key pair (``LOW key:secret``).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from linkaudit.archive.client import make_archive_client, request, response_json
from linkaudit.archive.recognize import SERVICE_WAYBACK, is_web_url
from linkaudit.config import Settings
from linkaudit.exceptions import ArchiveError
from linkaudit.models import Snapshot

__all__ = ["ENV_ACCESS", "ENV_SECRET", "SaveOutcome", "save_pages", "spn_credentials"]

ENV_ACCESS = "LINKAUDIT_SPN_ACCESS"
ENV_SECRET = "LINKAUDIT_SPN_SECRET"
#: The Internet Archive's own names (the ``ia`` command line tool), read when ours are unset.
IA_ENV_ACCESS = "IA_ACCESS_KEY"
IA_ENV_SECRET = "IA_SECRET_KEY"


@dataclass(frozen=True, slots=True)
class SaveOutcome:
    """What became of one submission: ``success``, ``error`` or ``pending`` (poll limit hit)."""

    url: str
    status: str
    snapshot: Snapshot | None = None
    message: str | None = None


def spn_credentials(environ: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """``(access, secret)`` from LINKAUDIT_SPN_* or else IA_*_KEY, or None when unset."""
    env = os.environ if environ is None else environ
    for access, secret in ((ENV_ACCESS, ENV_SECRET), (IA_ENV_ACCESS, IA_ENV_SECRET)):
        if env.get(access) and env.get(secret):
            return env[access], env[secret]
    return None


async def save_pages(
    urls: Sequence[str],
    settings: Settings,
    *,
    access_key: str,
    secret_key: str,
    poll_interval: float = 5.0,
    max_polls: int = 60,
) -> list[SaveOutcome]:
    """Submit each URL in turn, spaced by the rate limit, and poll each job to its end."""
    headers = {"Authorization": f"LOW {access_key}:{secret_key}", "Accept": "application/json"}
    spacing = 60.0 / max(1, settings.spn_max_per_minute)
    outcomes = []
    async with make_archive_client(settings) as client:
        last_start: float | None = None
        for url in urls:
            if last_start is not None:
                await asyncio.sleep(max(0.0, last_start + spacing - time.monotonic()))
            last_start = time.monotonic()
            job = _Job(client, settings, headers, poll_interval, max_polls)
            outcomes.append(await job.run(url))
    return outcomes


@dataclass(frozen=True, slots=True)
class _Job:
    client: httpx.AsyncClient
    settings: Settings
    headers: Mapping[str, str]
    poll_interval: float
    max_polls: int

    async def run(self, url: str) -> SaveOutcome:
        if not is_web_url(url):  # Save Page Now is never asked about a file: or other URL
            return SaveOutcome(url=url, status="error", message="not an http(s) URL")
        try:
            answer = await self._call("POST", self.settings.spn_url, data={"url": url})
            if answer.get("status") == "error" or not answer.get("job_id"):
                return _failed(url, answer)
            return await self._poll(url, str(answer["job_id"]))
        except ArchiveError as exc:
            return SaveOutcome(url, "error", message=str(exc))

    async def _poll(self, url: str, job_id: str) -> SaveOutcome:
        status_url = f"{self.settings.spn_url.rstrip('/')}/status/{job_id}"
        for _ in range(self.max_polls):
            answer = await self._call("GET", status_url)
            status = answer.get("status")
            if status == "success":
                return SaveOutcome(
                    url, "success", self._snapshot(url, answer), answer.get("message")
                )
            if status != "pending":
                return _failed(url, answer)
            await asyncio.sleep(self.poll_interval)
        return SaveOutcome(url, "pending", message=f"job {job_id} still pending")

    async def _call(
        self, method: str, url: str, data: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        response = await request(
            self.client, method, url, self.settings, headers=self.headers, data=data
        )
        answer = response_json(response)
        if not isinstance(answer, dict):
            raise ArchiveError(f"{url}: unexpected Save Page Now answer {str(answer)[:80]!r}")
        return answer

    def _snapshot(self, url: str, answer: Mapping[str, Any]) -> Snapshot | None:
        timestamp = str(answer.get("timestamp") or "")
        if not timestamp.isdigit():
            return None
        original = str(answer.get("original_url") or url)
        parts = urlsplit(self.settings.spn_url)
        replay = f"{parts.scheme}://{parts.netloc}/web/{timestamp}/{original}"
        return Snapshot(url=replay, timestamp=timestamp, original=original, service=SERVICE_WAYBACK)


def _failed(url: str, answer: Mapping[str, Any]) -> SaveOutcome:
    detail = answer.get("message") or answer.get("status_ext") or "no job id in the answer"
    ext = answer.get("status_ext")
    message = f"{ext}: {detail}" if ext and ext != detail else str(detail)
    return SaveOutcome(url, "error", message=message)
