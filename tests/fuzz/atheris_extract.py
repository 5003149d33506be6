"""
A coverage-guided fuzzer of every extractor with atheris (libFuzzer), run by hand, not in CI:

    pip install atheris
    python tests/fuzz/atheris_extract.py -atheris_runs=100000 -max_len=65536 [corpus_dir]

The first byte picks the format (its suffix), the rest is the document. Any exception but
linkaudit's ``DocumentError`` is a crash that libFuzzer saves as ``crash-*``; ``-timeout``
and ``-rss_limit_mb`` catch hangs and memory blow-ups.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

with atheris.instrument_imports():
    # The extractors are imported lazily by format; import them here to be instrumented.
    import linkaudit.extract.bibtex
    import linkaudit.extract.docx
    import linkaudit.extract.html
    import linkaudit.extract.latex
    import linkaudit.extract.markdown
    import linkaudit.extract.pdf
    import linkaudit.extract.text  # noqa: F401
    from linkaudit.config import Settings
    from linkaudit.exceptions import DocumentError
    from linkaudit.extract import Source, extract_source

SUFFIXES = (".md", ".html", ".txt", ".tex", ".bib", ".pdf", ".docx")
SETTINGS = Settings()


def one_input(data: bytes) -> None:
    """Extract ``data[1:]`` as a document named by ``data[0]``."""
    if not data:
        return
    name = "fuzz" + SUFFIXES[data[0] % len(SUFFIXES)]
    try:
        extract_source(Source(name, data[1:], f"file:///fuzz/{name}"), SETTINGS)
    except DocumentError as exc:
        if "\n" in str(exc).strip():
            raise AssertionError(f"a multi-line error: {exc!r}") from exc


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
