"""
Interpreter tuning for the ``linkaudit`` command's own process (never the library's host).

The figures behind each setting are in docs/benchmarks.md and reports/benchmarks.md.
"""

from __future__ import annotations

import gc
import sys
import warnings

__all__ = ["skip_final_collection", "tune_interpreter"]


def tune_interpreter() -> None:
    """Fewer cycle collections, a shorter GIL switch interval, two unused imports skipped."""
    _tune_gc()
    _tune_switching()
    _skip_unused_imports()


def skip_final_collection() -> None:
    """The command is done and the process exits: freeze every object, so that the
    interpreter's last cycle collection at exit does not walk the whole heap. Every file,
    report and store was closed explicitly by then; the operating system takes the memory
    back."""
    gc.freeze()


def _skip_unused_imports() -> None:
    """Two imports no command uses: httpx's own command line (``httpx._main``, which brings
    rich and pygments at ``import httpx``) and bs4's CSS selectors (soupsieve compiles its
    grammar at import). Marked missing, both packages fall back as they do when those are
    not installed, and every ``check`` starts sooner."""
    for name in ("httpx._main", "soupsieve"):
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
    warnings.filterwarnings("ignore", "The soupsieve package is not installed", UserWarning)


def _tune_switching() -> None:
    """Hand the GIL to a waiting thread after 1 ms instead of Python's 5 ms: while a document
    is parsed in the worker thread, each response that arrives waits for the event loop's turn
    at most that long."""
    sys.setswitchinterval(0.001)


def _tune_gc() -> None:
    """Collect cycles less often than Python's default (every 700 allocations): a check run
    allocates a few objects per response and keeps few cycles."""
    gc.set_threshold(10_000, 20, 20)
