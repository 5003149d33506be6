"""
When to try a request again, and how long to wait: a pure predicate apart from the loop.

Retried: timeouts, dropped connections, 408, 425, 429, 500, 502, 503 and 504 (lychee's
``retry.rs`` is the model), and the origin errors a CDN puts in front of a site that is
briefly away: Cloudflare's 520-527 and 530, and 598/599 of other proxies. Not retried:
DNS and TLS failures, protocol errors, other 4xx, policy refusals. Unlike lychee, a
refused connection (``connection``) IS retried: linkaudit's failure reasons do not tell a
refusal from a reset, a reset is transient, and a refusal fails in microseconds, so the
extra attempt costs almost nothing.

Waits are exponential with full jitter from ``Settings.backoff_base``; a ``Retry-After``
header is honoured up to ``Settings.retry_after_cap`` and a longer one ends the retries.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Protocol

from tenacity import AsyncRetrying, RetryCallState, retry_if_result, stop_after_attempt

from linkaudit.config import Settings
from linkaudit.verdicts import Reason

__all__ = [
    "RETRYABLE_FAILURES",
    "RETRYABLE_STATUSES",
    "Outcome",
    "backoff_seconds",
    "build_retrying",
    "is_retryable",
    "should_retry",
    "wait_seconds",
]

RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504, *range(520, 528), 530, 598, 599})
"""Transient statuses: the same request may well succeed a moment later."""
RETRYABLE_FAILURES = frozenset({Reason.TIMEOUT, Reason.CONNECTION})


class Outcome(Protocol):
    """What one attempt produced, as far as retrying cares."""

    @property
    def status(self) -> int | None: ...
    @property
    def failure(self) -> Reason | None: ...
    @property
    def retry_after(self) -> float | None: ...


def is_retryable(status: int | None, failure: Reason | None) -> bool:
    """Whether an attempt that ended with ``status`` or ``failure`` is worth repeating."""
    if failure is not None:
        return failure in RETRYABLE_FAILURES
    return status in RETRYABLE_STATUSES


def backoff_seconds(attempt: int, base: float, rand: Callable[[], float] = random.random) -> float:
    """Full-jitter exponential backoff before attempt ``attempt + 1`` (``attempt`` ≥ 1)."""
    return base * 2.0 ** (attempt - 1) * (0.5 + rand())


def should_retry(outcome: Outcome, settings: Settings) -> bool:
    """Retryable, and not asking (by ``Retry-After``) for a wait beyond the cap."""
    if not is_retryable(outcome.status, outcome.failure):
        return False
    wait = outcome.retry_after
    return wait is None or wait <= settings.retry_after_cap


def wait_seconds(attempt: int, outcome: Outcome | None, settings: Settings) -> float:
    """The wait after attempt ``attempt``: the backoff, or a longer ``Retry-After``."""
    backoff = backoff_seconds(attempt, settings.backoff_base)
    asked: float | None = getattr(outcome, "retry_after", None)
    return max(backoff, asked) if asked is not None else backoff


def build_retrying(settings: Settings, done: int = 0) -> AsyncRetrying:
    """The tenacity loop for one request: ``settings.retries`` extra attempts at most.

    ``done`` attempts already made outside the loop (the runner makes the first one
    directly, as most requests need no retry) count against the limit and the backoff.
    """

    def wait(state: RetryCallState) -> float:
        outcome = state.outcome.result() if state.outcome is not None else None
        return wait_seconds(state.attempt_number + done, outcome, settings)

    return AsyncRetrying(
        stop=stop_after_attempt(max(1, settings.retries + 1 - done)),
        wait=wait,
        retry=retry_if_result(lambda outcome: should_retry(outcome, settings)),
        retry_error_callback=lambda state: state.outcome.result() if state.outcome else None,
        reraise=True,
    )
