"""
The CI gate: which findings fail a run, the exit codes, and the baseline file that lets a
team turn the gate on for an old corpus without fixing years of rot on day one.

A baseline is TOML::

    [[ignore]]
    pattern = "https://example.org/old/.*"   # a regular expression, or an exact URL
    reason = "publisher moved; tracked in #12"
    expires = 2027-01-01                      # optional; from this day on the entry fails again
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Any

from linkaudit.config import DEFAULT_FAIL_ON
from linkaudit.exceptions import ConfigError
from linkaudit.models import Result
from linkaudit.report.base import Report
from linkaudit.verdicts import Reason, Verdict

__all__ = [
    "Baseline",
    "BaselineEntry",
    "ExitCode",
    "exit_code",
    "exit_codes_help",
    "failing",
    "load_baseline",
    "write_baseline",
]

# Findings the network does not decide: they stand even when the machine is offline.
_OFFLINE_REASONS = frozenset(
    {Reason.MISSING_FILE, Reason.PLACEHOLDER, Reason.MALFORMED, Reason.UNSUPPORTED_SCHEME}
)
_ENTRY_KEYS = frozenset({"pattern", "reason", "expires"})


class ExitCode(IntEnum):
    """What ``linkaudit`` exits with; ``--help`` lists these from here."""

    description: str

    def __new__(cls, value: int, description: str) -> ExitCode:
        member = int.__new__(cls, value)
        member._value_ = value
        member.description = description
        return member

    OK = 0, "no finding at or above --fail-on"
    FINDINGS = 1, "findings at or above --fail-on (default: dead, invalid)"
    USAGE = 2, "usage, config, input or store error"
    NETWORK_UNAVAILABLE = 3, "network unavailable and nothing else to report"
    INTERRUPTED = (
        130,
        "interrupted (Ctrl-C); the partial report is written and the run resumes next time",
    )


def exit_codes_help() -> str:
    """The exit-code table of ``--help``, from ``ExitCode``."""
    rows = [f"  {code.value:<3} {code.description}" for code in ExitCode]
    return "\b\nExit codes:\n" + "\n".join(rows) + "\n"


@dataclass(frozen=True, slots=True)
class BaselineEntry:
    """One accepted finding: a URL pattern, why, and until when."""

    pattern: str
    reason: str = ""
    expires: dt.date | None = None

    def matches(self, url: str) -> bool:
        """The exact URL, or a regular expression matching the whole URL."""
        if url == self.pattern:
            return True
        try:
            return re.fullmatch(self.pattern, url) is not None
        except re.error:
            return False

    def is_expired(self, today: dt.date) -> bool:
        """True from the ``expires`` day on."""
        return self.expires is not None and today >= self.expires


@dataclass(frozen=True, slots=True)
class Baseline:
    """Findings a team has accepted for now."""

    entries: tuple[BaselineEntry, ...] = ()
    source: str = ""

    def covers(self, url: str, today: dt.date) -> bool:
        """True when a non-expired entry matches ``url``."""
        return any(e.matches(url) and not e.is_expired(today) for e in self.entries)

    def expired(self, today: dt.date) -> list[BaselineEntry]:
        """Entries past their date (their URLs fail again), to warn about."""
        return [e for e in self.entries if e.is_expired(today)]


def failing(
    report: Report, fail_on: Collection[Verdict], baseline: Baseline | None, today: dt.date
) -> list[Result]:
    """Results at or above ``fail_on`` that no live baseline entry covers."""
    return [
        r
        for r in report.results
        if r.verdict in fail_on and not (baseline is not None and baseline.covers(r.url, today))
    ]


def exit_code(
    report: Report, fail_on: Collection[Verdict], baseline: Baseline | None, today: dt.date
) -> ExitCode:
    """
    The gate's decision.

    When the network is unavailable only findings that need no network count (invalid
    links, missing files); with none of those the run decided nothing and exits 3.
    """
    if report.summary.interrupted:
        return ExitCode.INTERRUPTED
    failed = failing(report, fail_on, baseline, today)
    if report.summary.network != "ok":
        offline = [r for r in failed if _needs_no_network(r)]
        code = ExitCode.FINDINGS if offline else ExitCode.NETWORK_UNAVAILABLE
    else:
        code = ExitCode.FINDINGS if failed else ExitCode.OK
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
    pattern, reason, expires = item.get("pattern"), item.get("reason", ""), item.get("expires")
    if not isinstance(pattern, str) or not pattern:
        raise ConfigError(f"{where}: 'pattern' must be a non-empty string")
    where = f"{where} ({pattern!r})"
    if not isinstance(reason, str):
        raise ConfigError(f"{where}: 'reason' must be a string")
    if expires is not None and (
        not isinstance(expires, dt.date) or isinstance(expires, dt.datetime)
    ):
        raise ConfigError(f"{where}: 'expires' must be a date such as 2027-01-01")
    _check_pattern(pattern, where)
    return BaselineEntry(pattern, reason, expires)


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
    fail_on: Collection[Verdict] = DEFAULT_FAIL_ON,
) -> int:
    """Write one entry per URL now failing the gate (exact URLs); returns how many."""
    urls = sorted({r.url for r in report.results if r.verdict in fail_on})
    header = (
        "# linkaudit baseline: findings accepted for now. Each pattern is an exact URL or a\n"
        "# regular expression matching the whole URL; from its expires date an entry fails again.\n"
    )
    blocks = [header]
    for url in urls:
        lines = ["[[ignore]]", f"pattern = {_toml_string(url)}", f"reason = {_toml_string(reason)}"]
        if expires is not None:
            lines.append(f"expires = {expires.isoformat()}")
        blocks.append("\n".join(lines) + "\n")
    try:
        path.write_text("\n".join(blocks), encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write baseline: {exc.strerror}") from exc
    return len(urls)


def _toml_string(text: str) -> str:
    # A JSON string is a valid TOML basic string: same quotes, same escapes.
    # TOML also forbids a raw DEL, which JSON leaves as is.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")
