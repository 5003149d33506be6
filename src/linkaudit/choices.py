"""
The closed sets the command line offers, apart from the code that acts on them, so that
building the command line (``linkaudit --version``, ``--help``) imports none of that code:
the exit codes (which one a run ends with is ``gate``'s rule), ``fix --prefer`` and
``--group-by``.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum

__all__ = ["GROUP_BY", "ExitCode", "Prefer", "exit_codes_help"]

#: How a report groups its findings (``--group-by``); the first is the default.
GROUP_BY = ("verdict", "document")


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
    HANGUP = 129, "hung up (SIGHUP): as 130"
    INTERRUPTED = (
        130,
        "interrupted (Ctrl-C); the partial report is written and the run resumes next time",
    )
    TERMINATED = 143, "terminated (SIGTERM, e.g. a cancelled CI job): as 130"

    @classmethod
    def of(cls, value: int) -> ExitCode:
        """The member for ``value`` (a signal's 128 + number, click's usage error); a
        ``ValueError`` for a code linkaudit does not document."""
        for code in cls:
            if code.value == value:
                return code
        raise ValueError(f"{value} is not a linkaudit exit code")


def exit_codes_help() -> str:
    """The exit-code table of ``--help``, from ``ExitCode``."""
    rows = [f"  {code.value:<3} {code.description}" for code in ExitCode]
    return "\b\nExit codes:\n" + "\n".join(rows) + "\n"


class Prefer(StrEnum):
    """Which URL a Robust Link's ``href`` keeps (``fix --prefer``)."""

    SNAPSHOT = "snapshot"
    ORIGINAL = "original"
