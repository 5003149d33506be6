"""
What an error no rule foresaw (a server's answer, a file the system will not read, a bug)
becomes: that URL's own result, so one URL never ends the run (the containment boundary,
SECURITY.md). Apart from ``failures`` (httpx, aiohttp) so that the check of local files
loads no HTTP stack.
"""

from __future__ import annotations

from linkaudit.models import Observation
from linkaudit.verdicts import Reason

__all__ = ["error_line", "unexpected"]


def error_line(exc: BaseException) -> str:
    """One line naming the exception's message (never a traceback)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, TimeoutError) and not str(exc):
        text = "timed out"
    return text[:300]


def unexpected(url: str, exc: Exception, line: str) -> Observation:
    """``url``'s result when checking it raised ``exc``, which ``line`` describes."""
    error = f"unexpected error: {type(exc).__name__}: {line}"
    return Observation(url=url, failure=Reason.PROTOCOL, error=error)
