"""
``Retry-After`` (RFC 9110 §10.2.3), read one way for every server linkaudit talks to.

The checker (``check.retry``) and the archive client (``archive.client``) both honour it;
one parser keeps them from disagreeing on what a header means.
"""

from __future__ import annotations

import datetime as dt
import email.utils

__all__ = ["retry_after_seconds"]


def retry_after_seconds(value: str, now: dt.datetime) -> float | None:
    """Seconds ``value`` asks to wait: delta-seconds (digits only) or an HTTP date (a past
    date means now); ``None`` for anything else, negative numbers included."""
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())
