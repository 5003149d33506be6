"""The gate: exit codes, fail-on, and the baseline file."""

from __future__ import annotations

import datetime as dt
import signal
import tomllib
from pathlib import Path

import pytest

from linkaudit.choices import ExitCode
from linkaudit.config import DEFAULT_FAIL_ON
from linkaudit.exceptions import ConfigError
from linkaudit.gate import (
    Baseline,
    BaselineEntry,
    apply_baseline,
    exit_code,
    load_baseline,
    write_baseline,
)
from linkaudit.models import Occurrence, Result
from linkaudit.report import Report, build_report
from linkaudit.verdicts import Verdict

TODAY = dt.date(2026, 6, 1)


def _result(url: str, verdict: Verdict, reason: str | None = None) -> Result:
    occurrence = Occurrence(document="a.md", raw=url, url=url, line=1)
    return Result(url=url, verdict=verdict, reason=reason, occurrences=(occurrence,))


def _report(*results: Result, network: str = "ok", interrupted: bool = False) -> Report:
    return build_report([], results, network=network, interrupted=interrupted)


DEAD = _result("https://a.example/gone", Verdict.DEAD, "http_404")
UNREACHABLE = _result("https://b.example/", Verdict.UNREACHABLE, "timeout")
PLACEHOLDER = _result("TODO", Verdict.INVALID, "placeholder")
MISSING = _result("file:///x/missing.pdf", Verdict.DEAD, "missing_file")


@pytest.mark.parametrize(
    ("results", "network", "expected"),
    [
        ((), "ok", ExitCode.OK),
        ((UNREACHABLE,), "ok", ExitCode.OK),  # a warning below the default fail-on
        ((DEAD,), "ok", ExitCode.FINDINGS),
        ((PLACEHOLDER,), "ok", ExitCode.FINDINGS),
        ((UNREACHABLE,), "unavailable", ExitCode.NETWORK_UNAVAILABLE),
        ((DEAD,), "unavailable", ExitCode.NETWORK_UNAVAILABLE),  # the network decided nothing
        ((UNREACHABLE, PLACEHOLDER), "unavailable", ExitCode.FINDINGS),
        ((MISSING,), "unavailable", ExitCode.FINDINGS),
    ],
)
def test_exit_codes(results: tuple[Result, ...], network: str, expected: ExitCode) -> None:
    assert exit_code(_report(*results, network=network), DEFAULT_FAIL_ON, None, TODAY) is expected


def test_exit_code_values() -> None:
    assert [int(c) for c in ExitCode] == [0, 1, 2, 3, 129, 130, 143]


def test_interrupted_wins() -> None:
    assert (
        exit_code(_report(DEAD, interrupted=True), DEFAULT_FAIL_ON, None, TODAY)
        is ExitCode.INTERRUPTED
    )


def test_fail_on_is_respected() -> None:
    report = _report(UNREACHABLE)
    assert exit_code(report, (Verdict.UNREACHABLE,), None, TODAY) is ExitCode.FINDINGS
    assert exit_code(_report(DEAD), (), None, TODAY) is ExitCode.OK


def test_baseline_covers_until_it_expires() -> None:
    baseline = Baseline((BaselineEntry(r"https://a\.example/.*", "known", dt.date(2026, 7, 1)),))
    report = _report(DEAD)
    assert exit_code(report, DEFAULT_FAIL_ON, baseline, TODAY) is ExitCode.OK
    assert exit_code(report, DEFAULT_FAIL_ON, baseline, dt.date(2026, 7, 1)) is ExitCode.FINDINGS
    assert baseline.expired(dt.date(2026, 7, 1)) == list(baseline.entries)
    assert (
        exit_code(_report(DEAD, PLACEHOLDER), DEFAULT_FAIL_ON, baseline, TODAY) is ExitCode.FINDINGS
    )


def test_entry_matches_exact_or_whole_regex() -> None:
    exact = BaselineEntry("https://x.example/a?b=(1")  # not a valid regex: exact only
    assert exact.matches("https://x.example/a?b=(1")
    assert not exact.matches("https://x.example/a?b=(12")
    regex = BaselineEntry(r"https://x\.example/old/.*")
    assert regex.matches("https://x.example/old/page")
    assert not regex.matches("https://y.example/?u=https://x.example/old/page")


def test_load_baseline(tmp_path: Path) -> None:
    path = tmp_path / "baseline.toml"
    path.write_text(
        '[[ignore]]\npattern = "https://a.example/.*"\nreason = "moved"\nexpires = 2027-01-01\n\n'
        '[[ignore]]\npattern = "https://b.example/"\n',
        encoding="utf-8",
    )
    baseline = load_baseline(path)
    assert baseline.entries == (
        BaselineEntry("https://a.example/.*", "moved", dt.date(2027, 1, 1)),
        BaselineEntry("https://b.example/", "", None),
    )
    assert baseline.covers("https://a.example/x", TODAY)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[[ignore]]\nreason = 'x'\n", r"ignore entry 1: give either 'url' \(exact\) or 'pattern'"),
        (
            "[[ignore]]\npattern = 'a'\nexpires = 'soon'\n",
            r"ignore entry 1 \('a'\): 'expires' must be a date",
        ),
        ("[[ignore]]\npattern = 'a'\nreasons = 'x'\n", r"ignore entry 1: unknown key 'reasons'"),
        (
            "[[ignore]]\npattern = 'a'\n[[ignore]]\npattern = '(unclosed'\n",
            r"entry 2 .*regular expression",
        ),
        ("ignores = []\n", r"unknown key 'ignores'"),
        ("ignore = 3\n", r"array of tables"),
        ("[[ignore]\n", r"not valid TOML"),
    ],
)
def test_bad_baseline_names_file_and_entry(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "base.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as caught:
        load_baseline(path)
    assert str(path) in str(caught.value)


def test_missing_baseline(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read baseline"):
        load_baseline(tmp_path / "absent.toml")


def test_write_baseline_round_trips(tmp_path: Path) -> None:
    odd = _result('https://c.example/"quoted"\\path\x7f', Verdict.DEAD, "http_410")
    report = _report(DEAD, odd, PLACEHOLDER, UNREACHABLE)
    path = tmp_path / "baseline.toml"
    count = write_baseline(report, path, 'legacy "rot"', dt.date(2027, 1, 1))
    assert count == 3
    tomllib.loads(path.read_text(encoding="utf-8"))
    baseline = load_baseline(path)
    assert {e.pattern for e in baseline.entries} == {DEAD.url, odd.url, PLACEHOLDER.url}
    assert all(
        e.reason == 'legacy "rot"' and e.expires == dt.date(2027, 1, 1) for e in baseline.entries
    )
    assert exit_code(report, DEFAULT_FAIL_ON, baseline, TODAY) is ExitCode.OK
    assert exit_code(report, DEFAULT_FAIL_ON, baseline, dt.date(2027, 1, 2)) is ExitCode.FINDINGS


# --- the baseline per cited place (#16.4) -------------------------------------------------


def _placeholder(*documents: str) -> Result:
    occurrences = tuple(
        Occurrence(document=d, raw="#", url="#", text="see here", line=3) for d in documents
    )
    return Result(url="#", verdict=Verdict.INVALID, reason="placeholder", occurrences=occurrences)


def test_a_placeholder_accepted_in_one_document_is_not_accepted_elsewhere(tmp_path: Path) -> None:
    path = tmp_path / "baseline.toml"
    write_baseline(_report(_placeholder("old.md")), path, "legacy", None)
    baseline = load_baseline(path)
    assert exit_code(_report(_placeholder("old.md")), DEFAULT_FAIL_ON, baseline, TODAY) == 0
    later = _report(_placeholder("old.md", "new.md"))
    assert exit_code(later, DEFAULT_FAIL_ON, baseline, TODAY) is ExitCode.FINDINGS
    marked = apply_baseline(later, baseline, TODAY, DEFAULT_FAIL_ON)
    assert marked.baselined == frozenset({("old.md", "#", "see here")})
    assert marked.summary.baselined == 1
    # the anchor text is part of the key: a new placeholder in the same document fails too
    other = Result(
        url="#",
        verdict=Verdict.INVALID,
        reason="placeholder",
        occurrences=(Occurrence(document="old.md", raw="#", url="#", text="new words"),),
    )
    assert exit_code(_report(other), DEFAULT_FAIL_ON, baseline, TODAY) is ExitCode.FINDINGS


def test_written_entries_name_document_url_and_text(tmp_path: Path) -> None:
    path = tmp_path / "baseline.toml"
    assert write_baseline(_report(_placeholder("a.md", "b.md")), path, "why", TODAY) == 2
    text = path.read_text(encoding="utf-8")
    assert 'document = "a.md"' in text and 'url = "#"' in text and 'text = "see here"' in text
    assert "pattern" not in text
    entries = load_baseline(path).entries
    assert {(e.document, e.pattern, e.text, e.exact) for e in entries} == {
        ("a.md", "#", "see here", True),
        ("b.md", "#", "see here", True),
    }


def test_old_url_only_baselines_still_work_and_say_how_to_migrate(tmp_path: Path) -> None:
    path = tmp_path / "old.toml"
    path.write_text('[[ignore]]\npattern = "#"\nreason = "old"\n', encoding="utf-8")
    baseline = load_baseline(path)
    report = _report(_placeholder("a.md", "b.md"))
    assert exit_code(report, DEFAULT_FAIL_ON, baseline, TODAY) is ExitCode.OK
    marked = apply_baseline(report, baseline, TODAY, DEFAULT_FAIL_ON)
    assert marked.summary.baselined == 2
    (warning,) = marked.warnings
    assert "URL-only" in warning and "linkaudit baseline" in warning and str(path) in warning


def test_expired_entries_are_warned_about(tmp_path: Path) -> None:
    path = tmp_path / "b.toml"
    path.write_text(
        '[[ignore]]\ndocument = "a.md"\nurl = "#"\ntext = "see here"\nexpires = 2020-01-01\n',
        encoding="utf-8",
    )
    marked = apply_baseline(
        _report(_placeholder("a.md")), load_baseline(path), TODAY, DEFAULT_FAIL_ON
    )
    assert marked.summary.baselined == 0
    assert any("expired on 2020-01-01" in w for w in marked.warnings)


def test_an_entry_with_both_url_and_pattern_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "b.toml"
    path.write_text('[[ignore]]\nurl = "#"\npattern = "#"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="either 'url'"):
        load_baseline(path)


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (signal.SIGHUP, ExitCode.HANGUP),
        (signal.SIGINT, ExitCode.INTERRUPTED),
        (signal.SIGTERM, ExitCode.TERMINATED),
    ],
)
def test_every_stopping_signal_has_a_documented_exit_code(
    number: signal.Signals, expected: ExitCode
) -> None:
    """128 + the signal's number (the shell's convention) is the member the help lists."""
    assert ExitCode.of(128 + number) is expected


def test_an_undocumented_exit_code_is_refused() -> None:
    with pytest.raises(ValueError, match="5 is not a linkaudit exit code"):
        ExitCode.of(5)
