"""
Reports written whole or not at all: each goes to a temporary file beside its target and
is renamed over it when complete, so a full disk, a signal or a crash never leaves a
truncated or 0-byte report where the last good one was.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from linkaudit.exceptions import OutputError

__all__ = ["remove_temporaries", "write_atomically"]

#: A large buffer: a streamed report comes in many small pieces (docs/reports.md, json).
BUFFER = 1 << 20

_temporaries: set[Path] = set()
"""The temporary files being written, for ``remove_temporaries`` before an immediate exit."""


def write_atomically(path: str | Path, write: Callable[[TextIO], Any]) -> None:
    """Call ``write`` with a text stream whose content replaces ``path`` once complete; an
    ``OutputError`` naming ``path`` (and nothing left behind) when it cannot be written."""
    target = Path(path)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    _temporaries.add(temporary)
    try:
        with temporary.open("w", encoding="utf-8", buffering=BUFFER) as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except OSError as exc:
        _remove(temporary)
        cause = exc.strerror or str(exc)
        raise OutputError(f"{target}: cannot write the report: {cause}") from exc
    except BaseException:
        _remove(temporary)
        raise
    finally:
        _temporaries.discard(temporary)


def remove_temporaries() -> None:
    """Remove the reports half written (a second signal exits without finishing them)."""
    for path in list(_temporaries):
        _remove(path)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
