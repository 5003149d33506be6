# /// script
# dependencies = ["nox>=2024.4.15"]
# ///
"""Sessions: tests, lint, typecheck (default); coverage, realworld, corpus, reports, fuzz, bench
(on demand; corpus: real documents in tests/realdocs)."""

from __future__ import annotations

import os
from pathlib import Path

import nox

nox.needs_version = ">=2024.4.15"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["tests", "lint", "typecheck"]

ROOT = Path(__file__).parent
# Coverage of the test suite: .ci/run uses the same options (docs/development.md says why N).
COVERAGE_ADDOPTS = "--cov=linkaudit --cov-report=term:skip-covered --cov-fail-under=90"
SHARED = Path(os.environ.get("LINKAUDIT_SHARED", ROOT.parent / "shared"))


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (the realworld corpus tests skip when ../shared is absent)."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session(default=False)
def coverage(session: nox.Session) -> None:
    """The test suite with coverage, failing below the threshold in docs/development.md."""
    session.install("-e", ".[test]")
    session.env["PYTEST_ADDOPTS"] = COVERAGE_ADDOPTS
    session.run("python", "-m", "pytest", "-p", "no:cacheprovider", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check, ruff format --check, codespell, validate-pyproject and vulture."""
    session.install("ruff", "codespell", "validate-pyproject", "vulture")
    session.run("ruff", "check", "src", "tests", "benchmarks", "noxfile.py")
    session.run("ruff", "format", "--check", "src", "tests", "benchmarks", "noxfile.py")
    session.run("codespell", "src", "docs", "README.md", "SECURITY.md")
    session.run("validate-pyproject", "pyproject.toml")
    session.run("vulture", "src/linkaudit", "vulture_whitelist.py", "--min-confidence", "80")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over src/linkaudit and tests (which need the test dependencies' types)."""
    session.install("-e", ".[test,lint]")
    session.run("mypy")


@nox.session(default=False)
def realworld(session: nox.Session) -> None:
    """Score `linkaudit extract` (default settings) on ../shared/realworld with its own
    score_extract.py: as the corpus stands, then with each link a reader sees as one, which
    the corpus counts once per annotation, counted once (tests/realworld_joined.json)."""
    corpus = SHARED / "realworld"
    if not corpus.is_dir():
        session.skip(f"{corpus} is absent")
    session.install("-e", ".")
    tmp = Path(session.create_tmp()).resolve()
    out = tmp / "realworld.json"
    as_read = tmp / "realworld-as-read.json"
    session.run("python", "tests/realworld_joined.py", str(corpus), str(as_read), silent=True)
    with session.chdir(corpus):
        listing = session.run("python", "score_extract.py", "--list", silent=True)
        assert isinstance(listing, str)
        session.run(
            "linkaudit",
            "extract",
            *listing.split(),
            "--format",
            "json",
            "--output",
            str(out),
            success_codes=[0, 2],
        )
        session.log("As the corpus stands (one occurrence per PDF link annotation):")
        session.run("python", "score_extract.py", str(out), *session.posargs)
        session.log("Wrapped links counted once, as a reader sees them:")
        session.run(
            "python", "score_extract.py", str(out), "--expected", str(as_read), *session.posargs
        )


@nox.session(default=False)
def corpus(session: nox.Session) -> None:
    """Score the extractors per format on tests/realdocs (real documents, independent truth)."""
    session.install("-e", ".")
    session.run("python", "tests/realdocs/score.py", *session.posargs)


@nox.session(default=False)
def reports(session: nox.Session) -> None:
    """Regenerate the sample reports in reports/ from the example brief (offline)."""
    session.install("-e", ".")
    session.run("python", "scripts/sample_reports.py")


@nox.session(default=False)
def fuzz(session: nox.Session) -> None:
    """Fuzz every extractor with hypothesis for longer:
    LINKAUDIT_FUZZ_EXAMPLES examples per test (default 5,000; 22,000 take about 40 minutes)."""
    session.install("-e", ".[test]")
    examples = os.environ.get("LINKAUDIT_FUZZ_EXAMPLES", "5000")
    session.env["LINKAUDIT_FUZZ_EXAMPLES"] = examples
    session.run("python", "-m", "pytest", "tests/fuzz", "-p", "no:cacheprovider", *session.posargs)


@nox.session(default=False)
def hostile(session: nox.Session) -> None:
    """The hostile corpus (tests/hostile) at the issue's sizes and beyond: every class of
    URL, server answer and document that once crashed or cost unbounded work, plus the
    extractor and HTTP fuzzers (LINKAUDIT_HOSTILE_SCALE, default 4; the suite runs 0.25)."""
    session.install("-e", ".[test]")
    session.env.setdefault(
        "LINKAUDIT_HOSTILE_SCALE", os.environ.get("LINKAUDIT_HOSTILE_SCALE", "4")
    )
    session.run(
        "python", "-m", "pytest", "tests/hostile", "tests/check/test_hostile.py",
        "tests/fuzz", "-p", "no:cacheprovider", "--timeout", "1800", *session.posargs,
    )  # fmt: skip


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Benchmarks on a simulated loopback web, against lychee; writes reports/benchmarks.md."""
    session.install("-e", ".[bench]")
    session.run("python", "benchmarks/run.py", *session.posargs)


if __name__ == "__main__":
    nox.main()
