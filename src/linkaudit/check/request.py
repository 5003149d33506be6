"""
What the check stage is asked: one distinct URL. Apart from ``runner`` so that the run's
feed names it without importing the HTTP stack (docs/development.md#lazy-imports).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CheckRequest"]


@dataclass(frozen=True, slots=True)
class CheckRequest:
    """One distinct URL to check."""

    url: str
    """Absolute: http, https or file:."""
    root: str | None = None
    """The directory file: URLs may not escape unless ``Settings.allow_file_escape``."""
