"""
A memory, CPU and time budget per document, for the formats whose parsers are native code
that linkaudit cannot bound from inside (pdfium for PDF; libxml2 trees for DOCX).

Such a document is parsed in a forked child process, with an address space limit
(``RLIMIT_AS``) and a CPU limit (``RLIMIT_CPU``) set in the child before it reads a byte,
and a wall-clock limit kept by the parent; the child sends its ``Extraction`` back pickled
and always ends with ``os._exit``. Only the forking thread exists in the child, and it
runs nothing but the extractor (no lock another thread may hold: no logging, no store, no
network), which is what makes a fork from a threaded run safe here. A document that crosses one
becomes one line (``CorruptDocument``) and the run goes on: a small document that would
take gigabytes costs at most the budget (SECURITY.md, "Hostile documents", has the cases).

Where ``fork`` or ``resource`` is missing (Windows), the extractor runs in-process
as before.
"""

from __future__ import annotations

import faulthandler
import os
import pickle
import select
import signal
import time
import warnings
from dataclasses import dataclass
from typing import Any

from linkaudit.config import Settings
from linkaudit.exceptions import CorruptDocument, DocumentError
from linkaudit.extract.base import Extractor
from linkaudit.models import DocumentFormat, Extraction, Source

__all__ = ["SANDBOXED", "Budget", "budget", "described", "run_contained"]

#: Formats parsed in a child process with a budget.
SANDBOXED = frozenset({DocumentFormat.PDF, DocumentFormat.DOCX})

_MIB = 1 << 20


@dataclass(frozen=True, slots=True)
class Budget:
    """What one document may cost."""

    memory_bytes: int = 1024 * _MIB
    """Address space of the child (RLIMIT_AS): the Python runtime, the parser and the data."""
    cpu_seconds: int = 15
    wall_seconds: float = 20.0


def budget() -> Budget:
    """The per-document budget; ``LINKAUDIT_DOCUMENT_MEMORY_MB`` and
    ``LINKAUDIT_DOCUMENT_SECONDS`` lower (or raise) it, e.g. for tests."""
    memory = os.environ.get("LINKAUDIT_DOCUMENT_MEMORY_MB")
    seconds = os.environ.get("LINKAUDIT_DOCUMENT_SECONDS")
    default = Budget()
    return Budget(
        memory_bytes=int(memory) * _MIB if memory else default.memory_bytes,
        cpu_seconds=max(1, int(float(seconds))) if seconds else default.cpu_seconds,
        wall_seconds=float(seconds) + 5.0 if seconds else default.wall_seconds,
    )


def _available() -> bool:
    if os.environ.get("LINKAUDIT_NO_SANDBOX"):
        return False
    try:
        import resource  # noqa: F401  (POSIX only)
    except ImportError:
        return False
    return hasattr(os, "fork")


def run_contained(
    fmt: DocumentFormat, extractor: Extractor, source: Source, settings: Settings
) -> Extraction:
    """``extractor.extract(source, settings)``, in a budgeted child for ``SANDBOXED``
    formats; a document over its budget raises ``CorruptDocument``."""
    if fmt not in SANDBOXED or not _available():
        return extractor.extract(source, settings)
    limits = budget()
    reader, writer = os.pipe()
    with warnings.catch_warnings():  # 3.12+ warns about fork with threads: see the docstring
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: never returns
        code = _INTERNAL
        try:
            os.close(reader)
            code = _child(writer, extractor, source, settings, limits)
        finally:
            os._exit(code)
    os.close(writer)
    try:
        payload = _read(reader, limits.wall_seconds)
    finally:
        os.close(reader)
        status = _reap(pid)
    return _unpack(payload, status, source.name, limits)


def _read(reader: int, seconds: float) -> bytes | None:
    """Everything the child writes, or ``None`` when it is still writing after ``seconds``."""
    deadline = time.monotonic() + seconds
    chunks: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([reader], [], [], left)[0]:
            return None
        chunk = os.read(reader, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _reap(pid: int) -> int:
    """The child's wait status, killing it first if it is still running."""
    done, status = os.waitpid(pid, os.WNOHANG)
    if done == 0:
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    return status


def _unpack(payload: bytes | None, status: int, name: str, limits: Budget) -> Extraction:
    if payload and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
        answer = pickle.loads(payload)
        if answer[0] == "ok":
            extraction: Extraction = answer[1]
            return extraction
        kind: type[DocumentError] = answer[1]
        raise kind(name, answer[2])
    raise CorruptDocument(name, _death(payload is None, status, limits))


_OUT_OF_MEMORY = 3
_INTERNAL = 4


def _death(timed_out: bool, status: int, limits: Budget) -> str:
    """One line saying which budget the document crossed."""
    memory = f"{limits.memory_bytes // _MIB} MiB of memory"
    if timed_out:
        return f"not read within {limits.wall_seconds:g} s (the per-document time budget)"
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == getattr(signal, "SIGXCPU", 24):
        return f"more than {limits.cpu_seconds} s of CPU to read (the per-document budget)"
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == _OUT_OF_MEMORY:
        return f"more than {memory} to read (the per-document budget)"
    if os.WIFSIGNALED(status):
        return f"the parser crashed (signal {os.WTERMSIG(status)}), perhaps over {memory}"
    return f"the parser stopped (exit code {os.WEXITSTATUS(status)})"


def _child(
    writer: int, extractor: Extractor, source: Source, settings: Settings, limits: Budget
) -> int:
    """Set the limits, extract, write ``("ok", extraction)`` or ``("error", kind, cause)``
    pickled; the exit code. Whatever goes wrong on the way (an answer that cannot be
    pickled, memory running out while an error is being described) still ends as an
    answer or as ``_OUT_OF_MEMORY``: the parent names the cause, never a bare exit code."""
    try:
        _limit(limits)
        return _send(writer, _answer(extractor, source, settings))
    except MemoryError:
        return _OUT_OF_MEMORY
    except Exception as exc:  # the answer itself failed: say what failed, in a smaller one
        try:
            return _send(writer, ("error", CorruptDocument, described(exc)))
        except MemoryError:
            return _OUT_OF_MEMORY


def _answer(extractor: Extractor, source: Source, settings: Settings) -> tuple[Any, ...]:
    try:
        return ("ok", extractor.extract(source, settings))
    except DocumentError as exc:
        return ("error", type(exc), exc.cause)
    except RecursionError:
        return ("error", CorruptDocument, "nested too deeply to read")
    except MemoryError:
        raise
    except Exception as exc:  # what the parent's catch-all would say
        return ("error", CorruptDocument, described(exc))


def described(exc: Exception) -> str:
    """An unforeseen error in one line, whatever the library wrote: the same words from the
    child as from ``document``'s catch-all in the parent."""
    return " ".join(f"{type(exc).__name__}: {exc}".split())


def _send(writer: int, answer: tuple[Any, ...]) -> int:
    payload = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(payload)
    while view:
        view = view[os.write(writer, view) :]
    return 0


def _limit(limits: Budget) -> None:
    import resource  # POSIX only: _available() found it before any child was forked

    def lower(kind: int, value: int) -> None:
        _, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(kind, (value, hard))

    lower(resource.RLIMIT_AS, limits.memory_bytes)
    times = os.times()
    lower(resource.RLIMIT_CPU, int(times.user + times.system) + limits.cpu_seconds)
    # A native parser that fails to allocate may print before it aborts: not on the
    # user's terminal (the parent reports the document in one line).
    faulthandler.disable()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
