"""
The CI gate: which findings fail a run, the exit codes, and the baseline file that lets a
team turn the gate on for an old corpus without fixing years of rot on day one.

A baseline is TOML. An entry accepts one cited place, keyed by document, URL and anchor
text, so that accepting today's ``#`` placeholder in one brief does not accept tomorrow's in
another (``linkaudit baseline`` writes these)::

    [[ignore]]
    document = "briefs/2019-report.md"
    url = "https://example.org/old/report.pdf"   # exact
    text = "the 2019 report"                      # the anchor text, exactly ("" for a bare URL)
    reason = "publisher moved; tracked in #12"
    expires = 2027-01-01                          # optional; from this day on it fails again

The older URL-only form (``pattern``, an exact URL or a regular expression, with no
``document``) still works, and accepts the URL wherever it is cited; loading it warns.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import tomllib
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from linkaudit.choices import ExitCode
from linkaudit.config import DEFAULT_FAIL_ON
from linkaudit.exceptions import ConfigError
from linkaudit.models import Result
from linkaudit.report.base import Report, narrowed
from linkaudit.report.findings import baseline_key
from linkaudit.verdicts import GateTerm, Reason, Verdict

__all__ = [
    "Baseline",
    "BaselineEntry",
    "apply_baseline",
    "exit_code",
    "failing",
    "load_baseline",
    "write_baseline",
]

# Findings the network does not decide: they stand even when the machine is offline.
_OFFLINE_REASONS = frozenset(
    {Reason.MISSING_FILE, Reason.PLACEHOLDER, Reason.MALFORMED, Reason.UNSUPPORTED_SCHEME}
)
_ENTRY_KEYS = frozenset({"pattern", "url", "document", "text", "reason", "expires"})


@dataclass(frozen=True, slots=True)
class BaselineEntry:
    """One accepted finding: which URL (where, with what anchor text), why, until when."""

    pattern: str
    """The URL: exact, or (``exact`` False) also a regular expression matching it whole."""
    reason: str = ""
    expires: dt.date | None = None
    document: str | None = None
    """The citing document; None accepts the URL in every document (the old form)."""
    text: str | None = None
    """The anchor text; None accepts any."""
    exact: bool = False

    def matches(self, url: str, document: str | None = None, text: str | None = None) -> bool:
        """Whether this entry accepts ``url`` cited in ``document`` with anchor ``text``
        (None: the caller does not know, which only an entry without that filter accepts)."""
        if self.document is not None and document != self.document:
            return False
        if self.text is not None and text != self.text:
            return False
        if url == self.pattern:
            return True
        if self.exact:
            return False
        try:
            return re.fullmatch(self.pattern, url) is not None
        except re.error:
            return False

    @property
    def url_only(self) -> bool:
        """The old form: the URL accepted in every document, today's and future ones."""
        return self.document is None

    def is_expired(self, today: dt.date) -> bool:
        """True from the ``expires`` day on."""
        return self.expires is not None and today >= self.expires


@dataclass(frozen=True, slots=True)
class Baseline:
    """Findings a team has accepted for now."""

    entries: tuple[BaselineEntry, ...] = ()
    source: str = ""

    def covers(
        self, url: str, today: dt.date, document: str | None = None, text: str | None = None
    ) -> bool:
        """True when a non-expired entry accepts ``url`` (cited in ``document`` as ``text``)."""
        return any(e.matches(url, document, text) and not e.is_expired(today) for e in self.entries)

    def covers_result(self, result: Result, today: dt.date) -> bool:
        """True when every place citing ``result`` is accepted."""
        if not result.occurrences:
            return self.covers(result.url, today)
        return all(self.covers(result.url, today, o.document, o.text) for o in result.occurrences)

    def warnings(self, today: dt.date) -> list[str]:
        """What a user should hear about this baseline: expired entries, and the old
        URL-only entries that accept a URL in any document (with how to migrate)."""
        out = [
            f"{self.source}: baseline entry {e.pattern!r} expired on {e.expires}; "
            "its findings fail again"
            for e in self.expired(today)
        ]
        old = [e for e in self.entries if e.url_only]
        if old:
            out.append(
                f"{self.source}: {len(old)} URL-only baseline entries accept their URLs in "
                "every document, future ones included; run `linkaudit baseline` to rewrite them "
                "per document and anchor text"
            )
        return out

    def expired(self, today: dt.date) -> list[BaselineEntry]:
        """Entries past their date (their URLs fail again), to warn about."""
        return [e for e in self.entries if e.is_expired(today)]


def apply_baseline(
    report: Report, baseline: Baseline | None, today: dt.date, fail_on: Collection[GateTerm]
) -> Report:
    """``report`` with the places ``baseline`` accepts marked, counted and warned about, so
    that every format shows which findings the baseline covered."""
    if baseline is None:
        return report
    wanted = {*_verdicts(fail_on), *(v for v in Verdict if v.is_problem)}
    keys = frozenset(
        baseline_key(result, occurrence)
        for result in narrowed(report.results, wanted)
        if result.fails(fail_on) or result.verdict.is_problem
        for occurrence in (result.occurrences or (None,))
        if baseline.covers(
            result.url,
            today,
            occurrence.document if occurrence else None,
            occurrence.text if occurrence else None,
        )
    )
    summary = dataclasses.replace(report.summary, baselined=len(keys))
    warnings = [*report.warnings, *baseline.warnings(today)]
    return dataclasses.replace(report, summary=summary, baselined=keys, warnings=warnings)


def failing(
    report: Report, fail_on: Collection[GateTerm], baseline: Baseline | None, today: dt.date
) -> list[Result]:
    """Results at or above ``fail_on`` cited in at least one place no live entry accepts."""
    return list(_failing(report, fail_on, baseline, today))


def _failing(
    report: Report, fail_on: Collection[GateTerm], baseline: Baseline | None, today: dt.date
) -> Iterator[Result]:
    """``failing`` one at a time: the gate needs only the first (held as a list, a large
    run's dead links made the peak of its memory: docs/scale.md)."""
    return (
        r
        for r in narrowed(report.results, _verdicts(fail_on))
        if r.fails(fail_on) and not (baseline is not None and baseline.covers_result(r, today))
    )


def _verdicts(fail_on: Collection[GateTerm]) -> list[Verdict]:
    """The verdicts among ``fail_on``'s terms (a concern is found by ``narrowed`` anyway)."""
    return [term for term in fail_on if isinstance(term, Verdict)]


def exit_code(
    report: Report, fail_on: Collection[GateTerm], baseline: Baseline | None, today: dt.date
) -> ExitCode:
    """
    The gate's decision.

    When the network is unavailable only findings that need no network count (invalid
    links, missing files); with none of those the run decided nothing and exits 3.
    """
    if report.summary.interrupted:
        return ExitCode.INTERRUPTED
    failed = _failing(report, fail_on, baseline, today)
    if report.summary.network != "ok":
        offline = any(_needs_no_network(r) for r in failed)
        code = ExitCode.FINDINGS if offline else ExitCode.NETWORK_UNAVAILABLE
    else:
        code = ExitCode.FINDINGS if next(failed, None) is not None else ExitCode.OK
    if code is ExitCode.OK and any(d.error for d in report.documents):
        return ExitCode.USAGE  # a document that could not be read was not checked
    return code


def _needs_no_network(result: Result) -> bool:
    return result.verdict is Verdict.INVALID or result.reason in _OFFLINE_REASONS


def load_baseline(path: Path) -> Baseline:
    """Read a baseline file; ``ConfigError`` names the file and the entry that is wrong."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read baseline: {exc.strerror}") from exc
    unknown = set(data) - {"ignore"}
    if unknown:
        raise ConfigError(
            f"{path}: unknown key {sorted(unknown)[0]!r} (expected [[ignore]] entries)"
        )
    entries = data.get("ignore", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: 'ignore' must be an array of tables ([[ignore]])")
    return Baseline(
        tuple(_entry(item, f"{path}: ignore entry {n}") for n, item in enumerate(entries, 1)),
        source=str(path),
    )


def _entry(item: Any, where: str) -> BaselineEntry:
    if not isinstance(item, Mapping):
        raise ConfigError(f"{where}: expected a table")
    unknown = set(item) - _ENTRY_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    if ("url" in item) == ("pattern" in item):
        raise ConfigError(f"{where}: give either 'url' (exact) or 'pattern' (a regular expression)")
    key = "url" if "url" in item else "pattern"
    pattern, reason, expires = item.get(key), item.get("reason", ""), item.get("expires")
    if not isinstance(pattern, str) or not pattern:
        raise ConfigError(f"{where}: {key!r} must be a non-empty string")
    where = f"{where} ({pattern!r})"
    document, text = item.get("document"), item.get("text")
    for name, value in (("reason", reason), ("document", document), ("text", text)):
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"{where}: {name!r} must be a string")
    if expires is not None and (
        not isinstance(expires, dt.date) or isinstance(expires, dt.datetime)
    ):
        raise ConfigError(f"{where}: 'expires' must be a date such as 2027-01-01")
    if key == "pattern":
        _check_pattern(pattern, where)
    return BaselineEntry(pattern, reason, expires, document, text, exact=key == "url")


def _check_pattern(pattern: str, where: str) -> None:
    """A pattern that is no valid regex is fine only as an exact URL."""
    try:
        re.compile(pattern)
    except re.error as exc:
        if "://" not in pattern and not pattern.startswith(("mailto:", "file:")):
            raise ConfigError(
                f"{where}: 'pattern' is not a valid regular expression: {exc}"
            ) from exc


def write_baseline(
    report: Report,
    path: Path,
    reason: str,
    expires: dt.date | None,
    *,
    fail_on: Collection[GateTerm] = DEFAULT_FAIL_ON,
) -> int:
    """Write one entry per cited place now failing the gate (document, exact URL, anchor
    text); returns how many."""
    places = sorted(
        {
            baseline_key(result, occurrence)
            for result in narrowed(report.results, _verdicts(fail_on))
            if result.fails(fail_on)
            for occurrence in (result.occurrences or (None,))
        }
    )
    header = (
        "# linkaudit baseline: findings accepted for now, one per cited place (document, exact\n"
        "# URL, anchor text). From its expires date an entry fails again.\n"
    )
    blocks = [header]
    for document, url, text in places:
        lines = ["[[ignore]]"]
        if document:
            lines.append(f"document = {_toml_string(document)}")
        lines.append(f"url = {_toml_string(url)}")
        if document:
            lines.append(f"text = {_toml_string(text)}")
        lines.append(f"reason = {_toml_string(reason)}")
        if expires is not None:
            lines.append(f"expires = {expires.isoformat()}")
        blocks.append("\n".join(lines) + "\n")
    try:
        path.write_text("\n".join(blocks), encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write baseline: {exc.strerror}") from exc
    return len(places)


def _toml_string(text: str) -> str:
    # A JSON string is a valid TOML basic string: same quotes, same escapes.
    # TOML also forbids a raw DEL, which JSON leaves as is.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")
