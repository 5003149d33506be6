"""
Reports written whole or not at all: each goes to a temporary file beside its target and
is renamed over it when complete, so a full disk, a signal or a crash never leaves a
truncated or 0-byte report where the last good one was.

Only a regular file is replaced. A target that is a device, a pipe or a socket
(``--output /dev/null``, ``/dev/stdout``, a FIFO a CI step reads) is written into as it is:
renaming over it would put a regular file in its place, and a run as root (as in many CI
containers) would replace the machine's ``/dev/null``. A symbolic link is followed, so
the file it names gets the report and the link stays.
"""

from __future__ import annotations

import contextlib
import os
import stat
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
    if _special(target):
        _write_into(target, write)
        return
    target = _followed(target)
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


def _followed(target: Path) -> Path:
    """The file a rename should replace for ``target``: the one a symbolic link names (so the
    link stays a link), else ``target`` itself."""
    return Path(os.path.realpath(target)) if target.is_symlink() else target


def _special(target: Path) -> bool:
    """Whether ``target`` exists and is neither a regular file nor a directory."""
    try:
        mode = target.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _write_into(target: Path, write: Callable[[TextIO], Any]) -> None:
    try:
        with target.open("w", encoding="utf-8", buffering=BUFFER) as stream:
            write(stream)
    except OSError as exc:
        cause = exc.strerror or str(exc)
        raise OutputError(f"{target}: cannot write the report: {cause}") from exc


def remove_temporaries() -> None:
    """Remove the reports half written (a second signal exits without finishing them)."""
    for path in list(_temporaries):
        _remove(path)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
