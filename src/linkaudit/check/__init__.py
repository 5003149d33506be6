"""
The check stage: measure what each URL answers, never decide a verdict.

    check_urls(requests, settings) → async iterator of Observation (as each completes)
    network_available(settings)    → the canary, asked when every remote link failed
    refusal(url, settings)         → why the request guard refuses a URL (sync; DNS in it)

Modules: ``runner`` (the worker pool), ``request`` (what it is asked), ``dispatch``
(per-host queues feeding it), ``waiters`` (their FIFO wake-ups), ``client`` (the one httpx
client, bounded GET), ``pool`` (its connector's bounded idle pool), ``hosts`` (per-host
limits), ``retry`` (predicate + tenacity), ``redirects`` (hops by hand), ``guard``
(private addresses), ``failures`` (exception → reason), ``contain`` (an unforeseen error →
that URL's result), ``charset`` (a body as text), ``soft404``, ``fragments``, ``local``
(file: URLs), ``doi`` (DOIs asked of the DOI system, Crossref and Unpaywall), ``network``
(canary).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from linkaudit._lazy import lazy_names

if TYPE_CHECKING:
    from linkaudit.check.guard import refusal
    from linkaudit.check.network import network_available
    from linkaudit.check.request import CheckRequest
    from linkaudit.check.runner import check_urls

__all__ = ["CheckRequest", "check_urls", "network_available", "refusal"]

# Imported on first use, so that importing linkaudit (and `linkaudit --version`) does not pay
# for httpx.
_HOMES = {
    "CheckRequest": "linkaudit.check.request",
    "check_urls": "linkaudit.check.runner",
    "network_available": "linkaudit.check.network",
    "refusal": "linkaudit.check.guard",
}


__getattr__ = lazy_names(__name__, _HOMES)
