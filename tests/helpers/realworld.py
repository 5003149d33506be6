"""Where the evaluation corpus is: ``../shared/realworld`` (tests that use it skip without it)."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def realworld_dir() -> Path | None:
    """The corpus folder: $LINKAUDIT_SHARED/realworld, else ../shared/realworld."""
    shared = os.environ.get("LINKAUDIT_SHARED")
    folder = (Path(shared) if shared else REPO / ".." / "shared") / "realworld"
    return folder.resolve() if (folder / "score_extract.py").is_file() else None
