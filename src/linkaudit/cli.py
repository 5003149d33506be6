"""
The ``linkaudit`` command line: a thin click layer over the library.

Flags that set a ``Settings`` field are declared once in ``SETTING_FLAGS``: their types,
choices and shown defaults come from the dataclass and its constants. Every argument is
checked before any work starts; every error is one line on stderr and exit code 2
(tracebacks only with ``--debug``); every exit goes through ``ExitCode``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import sys
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from linkaudit._version import __version__
from linkaudit.choices import GROUP_BY, ExitCode, Prefer, exit_codes_help
from linkaudit.config import (
    ARCHIVE_POLICIES,
    DEFAULT_PRESERVED_WITHIN_DAYS,
    Settings,
    check_header,
    check_regex,
    parse_statuses,
)
from linkaudit.exceptions import ConfigError
from linkaudit.printable import neutralise, neutralise_lines, one_line
from linkaudit.report import FORMATS, ReportFormat
from linkaudit.verdicts import Concern, GateTerm, Verdict

if TYPE_CHECKING:
    from linkaudit.report.base import Report

    _ParamType = click.ParamType[Any]  # generic from click 8.5; plain before
    _Choice = click.Choice[str]
else:
    _ParamType = click.ParamType
    _Choice = click.Choice

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CODES_HELP = exit_codes_help()
_DEFAULTS = Settings()


def _exit(code: ExitCode) -> NoReturn:
    sys.exit(int(code))


class _Fatal(click.ClickException):
    exit_code = int(ExitCode.USAGE)

    def __init__(self, message: str) -> None:
        super().__init__(neutralise(message))  # file names and URLs come from documents


class _Group(click.Group):
    """Usage errors as one line (``linkaudit check: error: …``), exit code 2, never the usage
    block click prints by default: CI logs and pre-commit show the reason, nothing else."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run the command; click's exceptions become one line on stderr."""
        if kwargs.get("standalone_mode", True) is False:
            return super().main(*args, **kwargs)
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except click.ClickException as exc:
            where = exc.ctx.command_path if isinstance(exc, click.UsageError) and exc.ctx else ""
            prefix = f"{where}: " if where else "linkaudit: "
            message = one_line(exc.format_message())
            click.echo(f"{prefix}error: {message}", err=True)
            _exit(ExitCode.of(exc.exit_code))  # click's usage errors and _Fatal: 2
        except click.Abort:
            click.echo("linkaudit: aborted", err=True)
            _exit(ExitCode.INTERRUPTED)
        _exit(ExitCode.of(code) if isinstance(code, int) else ExitCode.OK)  # --help, --version


def _one_line_errors(func: F) -> F:
    """Turn linkaudit's own errors into one line and exit code 2 (tracebacks with --debug)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from linkaudit.exceptions import LinkauditError

        debug = bool(click.get_current_context().find_root().params.get("debug"))
        try:
            return func(*args, **kwargs)
        except LinkauditError as exc:
            if debug:
                raise
            raise _Fatal(str(exc)) from exc
        except OSError as exc:
            if debug:
                raise
            name = f"{exc.filename}: " if exc.filename else ""
            raise _Fatal(f"{name}{exc.strerror or exc}") from exc

    return wrapper  # type: ignore[return-value]


@click.group(
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=EXIT_CODES_HELP,
)
@click.version_option(__version__, prog_name="linkaudit")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def cli(debug: bool) -> None:
    """Check the links and citations of briefs, papers and reports.

    \b
    linkaudit extract brief.pdf                 list every link, offline
    linkaudit check brief.docx                  check every link, say what to fix
    linkaudit report --health --format html     archive health from the store
    """


# ----------------------------------------------------------------------------- argument types


class _Regex(_ParamType):
    """A regular expression, compiled now so that a bad one stops the run before it starts."""

    name = "REGEX"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            check_regex(str(value), _flag(param))
        except ConfigError as exc:
            self.fail(str(exc).split(": ", 1)[1], param, ctx)
        return str(value)


class _Statuses(_ParamType):
    """``403,999``, ``200-299`` or ``200..=299``."""

    name = "STATUSES"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[int, ...]:
        if isinstance(value, tuple):
            return value
        try:
            return parse_statuses(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class _Verdicts(_ParamType):
    """Comma-separated verdicts and concerns (``retracted``, ``drifted``); a wrong one lists
    the choices."""

    name = "VERDICTS"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[GateTerm, ...]:
        if isinstance(value, tuple):
            return value
        names = [v.strip() for v in str(value).split(",") if v.strip()]
        terms: dict[str, GateTerm] = {t.value: t for t in (*Verdict, *Concern)}
        choices = ", ".join(terms)
        for name in names:
            if name not in terms:
                self.fail(f"{name!r} is not a verdict (choose from {choices})", param, ctx)
        if not names:
            self.fail(f"no verdict given (choose from {choices})", param, ctx)
        return tuple(terms[n] for n in names)


class _Header(_ParamType):
    """``NAME:VALUE`` for every host, or ``HOSTGLOB=NAME:VALUE`` for matching hosts."""

    name = "[HOST=]NAME:VALUE"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[str, str, str]:
        if isinstance(value, tuple):
            return value
        text = str(value)
        name, colon, header_value = text.partition(":")
        if not colon:
            self.fail(f"{text!r} is not NAME:VALUE (e.g. 'Accept-Language: en')", param, ctx)
        host, equals, name = name.rpartition("=")
        host = host.strip() if equals else "*"
        try:
            check_header(name.strip(), header_value.strip(), "--header")
        except ConfigError as exc:
            self.fail(_safe(str(exc).split(": ", 1)[1]), param, ctx)
        return host or "*", name.strip(), header_value.strip()


def _safe(text: str) -> str:
    return text.encode("unicode_escape").decode("ascii")


def _flag(param: click.Parameter | None) -> str:
    if isinstance(param, click.Option) and param.opts:
        return param.opts[0]
    return param.name or "" if param is not None else ""


# ----------------------------------------------------------------------------- settings flags


@dataclass(frozen=True, slots=True)
class SettingFlag:
    """A command-line flag that overrides one ``Settings`` field (config-file key alike)."""

    field: str
    help: str
    flag: str = ""
    """Default: the field's name with dashes (``max_per_host`` → ``--max-per-host``)."""
    short: str = ""

    @property
    def option(self) -> str:
        return self.flag or "--" + self.field.replace("_", "-")


#: The flags that set ``Settings`` fields, by command. Types come from the dataclass.
SETTING_FLAGS: dict[str, tuple[SettingFlag, ...]] = {
    "discovery": (
        SettingFlag("include_globs", "In folders, read only files matching this glob.", "--glob"),
        SettingFlag(
            "exclude_globs", "In folders, skip files matching this glob.", "--exclude-glob"
        ),
        SettingFlag("gitignore", "Honour .gitignore files in folders (--no-gitignore: read all)."),
        SettingFlag("follow_symlinks", "Read files whose real path is outside the folder given."),
        SettingFlag("root_dir", "Folder root-relative links (/about/) of local files resolve in."),
        SettingFlag("base_url", "Site root-relative links (/about/) of local files resolve on."),
    ),
    "check": (
        SettingFlag("fail_on", "Verdicts that fail the run, comma-separated."),
        SettingFlag("baseline", "Baseline file of accepted findings."),
        SettingFlag("offline", "No network: syntax, placeholders, local files; never exit 3."),
        SettingFlag("max_concurrency", "Requests in flight at once."),
        SettingFlag("max_per_host", "Requests in flight per host."),
        SettingFlag("min_interval", "Seconds between requests to a host."),
        SettingFlag("timeout", "Seconds per request."),
        SettingFlag("retries", "Extra attempts for retryable failures."),
        SettingFlag("user_agent", "User-Agent header."),
        SettingFlag("headers", "Extra request header; repeatable.", "--header"),
        SettingFlag("exclude", "Regex of URLs to skip; repeatable."),
        SettingFlag("include", "Regex: check only these URLs; repeatable."),
        SettingFlag("remap", "Rewrite URLs matching PATTERN before checking; repeatable."),
        SettingFlag("accept", "Extra statuses taken as ok: 403,999 or 200-299 or 200..=299."),
        SettingFlag("max_age", "Seconds a stored success is reused."),
        SettingFlag("max_age_failure", "Seconds a stored failure is reused."),
        SettingFlag("fresh", "Ignore stored results."),
        SettingFlag("allow_private", "Allow loopback, private and link-local targets."),
        SettingFlag("archive", "Which links get a snapshot look-up."),
        SettingFlag("wayback_url", "Wayback availability API endpoint."),
        SettingFlag("cdx_url", "Wayback CDX API endpoint."),
        SettingFlag("memento_url", "Memento TimeGate base URL."),
        SettingFlag("cited_on", "Date the sources were cited (default: the document's date)."),
        SettingFlag("check_originals", "For archive links, also check the original."),
        SettingFlag("drift", "Compare pages with their snapshot at the citation date."),
        SettingFlag("doi_follow", "Also fetch the page a registered DOI points to."),
        SettingFlag("doi_api_url", "The DOI handle API (the DOI is appended)."),
        SettingFlag("notices", "Ask Crossref for retractions and other notices on DOIs."),
        SettingFlag("crossref_url", "Crossref REST API base URL."),
        SettingFlag("unpaywall_url", "Unpaywall API base URL."),
        SettingFlag("max_time", "Seconds the whole run may take."),
    ),
    "archive": (
        SettingFlag("allow_private", "Allow loopback, private and link-local targets."),
        SettingFlag("wayback_url", "Wayback availability API endpoint."),
        SettingFlag("cdx_url", "Wayback CDX API endpoint."),
        SettingFlag("memento_url", "Memento TimeGate base URL."),
        SettingFlag("spn_url", "Save Page Now endpoint."),
    ),
    "store": (SettingFlag("db", "SQLite store."),),
}
_CHOICES: dict[str, tuple[str, ...]] = {"archive": ARCHIVE_POLICIES}
_HINTS = typing.get_type_hints(Settings)


def _option_for(spec: SettingFlag) -> Callable[[F], F]:
    """The click option of one setting: type, multiplicity and shown default from the field."""
    hint = _HINTS[spec.field]
    default = getattr(_DEFAULTS, spec.field)
    names = [spec.option, *([spec.short] if spec.short else [])]
    shown = _shown(default)
    kwargs: dict[str, Any] = {
        "help": f"{spec.help}  [default: {shown}]" if shown else spec.help,
        "default": None,
    }
    plain = _without_none(hint)
    if plain is bool:
        names = [f"{spec.option}/--no-{spec.option[2:]}"] if default else names
        kwargs["is_flag"] = True
    elif spec.field in _CHOICES:
        kwargs["type"] = click.Choice(_CHOICES[spec.field])
    elif spec.field == "fail_on":
        kwargs["type"] = _Verdicts()
    elif spec.field == "accept":
        kwargs["type"] = _Statuses()
    elif spec.field == "headers":
        kwargs.update(type=_Header(), multiple=True)
    elif spec.field == "remap":
        kwargs.update(type=(_Regex(), str), multiple=True, metavar="PATTERN REPLACEMENT")
    elif spec.field in ("exclude", "include"):
        kwargs.update(type=_Regex(), multiple=True)
    elif typing.get_origin(plain) is tuple:
        kwargs["multiple"] = True
    elif plain is dt.date:
        kwargs["type"] = click.DateTime(["%Y-%m-%d"])
    elif plain in (int, float):
        kwargs["type"] = plain
    return click.option(*names, spec.field, **kwargs)


def _without_none(hint: Any) -> Any:
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    return args[0] if typing.get_origin(hint) in (typing.Union, types.UnionType) and args else hint


def _shown(default: Any) -> str:
    """A default as ``--help`` shows it (nothing for an empty or unset one)."""
    if default is None or default == () or isinstance(default, bool | Mapping):
        return ""
    if isinstance(default, str) and " " in default:  # the User-Agent: too long to be useful
        return ""
    if isinstance(default, tuple):
        return ",".join(str(getattr(v, "value", v)) for v in default)
    if isinstance(default, float) and default.is_integer():
        return str(int(default))
    return str(default)


def _setting_options(*groups: str) -> Callable[[F], F]:
    def decorate(func: F) -> F:
        for group in reversed(groups):
            for spec in reversed(SETTING_FLAGS[group]):
                func = _option_for(spec)(func)
        return func

    return decorate


def _overrides(opts: dict[str, Any], *groups: str) -> dict[str, Any]:
    """Pop the setting flags of ``groups`` from ``opts``: the overrides (None keeps the
    config file's value)."""
    found: dict[str, Any] = {}
    for group in groups:
        for spec in SETTING_FLAGS[group]:
            value = opts.pop(spec.field, None)
            if isinstance(value, tuple) and spec.field not in ("fail_on", "accept"):
                value = tuple(value) or None
            if isinstance(value, dt.datetime):
                value = value.date()
            found[spec.field] = value
    return found


def _config_option(func: F) -> F:
    return click.option(
        "--config",
        type=click.Path(dir_okay=False),
        help="Config file (default: nearest linkaudit.toml or [tool.linkaudit] in pyproject.toml).",
    )(func)


def _settings(
    config: str | None, overrides: Mapping[str, Any], *, ignore_file: bool = True
) -> Settings:
    """Defaults < config file < flags, then the ignore file of the working directory (for
    the commands that read documents)."""
    from linkaudit.config import load_settings
    from linkaudit.extract.ignore import read_ignore_file

    changes = dict(overrides)
    headers = changes.pop("headers", None)
    settings = load_settings(Path(config) if config else None, overrides=changes)
    if headers:
        merged = {host: dict(values) for host, values in settings.headers.items()}
        for host, name, value in headers:
            merged.setdefault(host, {})[name] = value
        settings = dataclasses.replace(settings, headers=merged)
    ignored = read_ignore_file(Path(settings.ignore_file)) if ignore_file else ()
    if ignored:
        settings = dataclasses.replace(settings, exclude=settings.exclude + ignored)
    return settings


# ----------------------------------------------------------------------------- helpers


def _read_inputs(inputs: Sequence[str]) -> list[str]:
    """``-`` reads a list of inputs from stdin, one per line."""
    out: list[str] = []
    for item in inputs:
        if item == "-":
            out.extend(line.strip() for line in sys.stdin if line.strip())
        else:
            out.append(item)
    if not out:
        raise _Fatal("no input given")
    return out


def _write(text: str, output: str | None) -> None:
    if output in (None, "-"):
        click.echo(text, nl=not text.endswith("\n"))
    else:
        from linkaudit.run.files import write_atomically

        write_atomically(str(output), lambda stream: stream.write(text))


def _width(output: str | None) -> int:
    import shutil

    if output not in (None, "-") or not sys.stdout.isatty():
        return 80  # docs/reports.md: laid out for 80 columns when piped or written to a file
    return max(80, shutil.get_terminal_size().columns)


def _warn_documents(extractions: Sequence[Any], *, verbose: bool = False) -> None:
    for extraction in extractions:
        error, path = extraction.document.error, extraction.document.path
        if error:
            named = error if error.startswith(path) else f"{path}: {error}"
            click.echo(f"error: {neutralise(named)}", err=True)
        for warning in extraction.warnings:
            named = warning if warning.startswith((path, "skipped ")) else f"{path}: {warning}"
            click.echo(f"warning: {neutralise(named)}", err=True)
        if verbose and not error:
            links = extraction.document.links
            click.echo(f"read {neutralise(path)}: {links} link{'s' * (links != 1)}", err=True)


def _format_choice(*names: str) -> _Choice:
    return click.Choice(list(names or [f.value for f in ReportFormat]))


# ----------------------------------------------------------------------------- extract


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "--format", "fmt", type=_format_choice("table", "json"), default="table", show_default=True
)
@click.option("--output", "-o", help="Write to FILE instead of stdout.")
@_setting_options("discovery")
@_config_option
@_one_line_errors
def extract(
    inputs: tuple[str, ...], fmt: str, output: str | None, config: str | None, **opts: Any
) -> None:
    """List every link in INPUTS (files, folders, URLs, or - for a list on stdin), offline.

    Each link has its anchor text, page or line, part and the problems visible without the
    network (placeholder, malformed, unsupported_scheme). Exit code 2 when a document could
    not be read (the others are still listed).

    \b
    Example:
      linkaudit extract examples/rok-us-policy-brief-2025-03.md --format json
    """
    from linkaudit.extract import iter_inputs
    from linkaudit.report.base import LinksReport

    if output not in (None, "-"):
        _refuse_contradicting_suffix(fmt, output)
    settings = _settings(config, _overrides(opts, "discovery"))
    extractions = list(iter_inputs(_read_inputs(inputs), settings))
    links = LinksReport(
        documents=[e.document for e in extractions],
        links=[o for e in extractions for o in e.occurrences],
    )
    if fmt == "json":
        from linkaudit.report.json import render_links

        _write(render_links(links), output)
    else:
        from linkaudit.report.terminal import render_links_table

        _write(render_links_table(links, width=_width(output)), output)
    _warn_documents(extractions)
    if any(e.document.error for e in extractions):
        _exit(ExitCode.USAGE)


# ----------------------------------------------------------------------------- check


def _targets(formats: Sequence[str], outputs: Sequence[str]) -> list[tuple[str, str | None]]:
    """Pair the n-th --format with the n-th --output; an output alone gets the format of its
    suffix; an output whose suffix names another format is refused."""
    from linkaudit.report import format_for_path

    pairs: list[tuple[str, str | None]] = []
    for index, output in enumerate(outputs):
        fmt = formats[index] if index < len(formats) else format_for_path(output)
        if fmt is None:
            raise _Fatal(f"--output {output}: cannot tell the format from the suffix; add --format")
        if output != "-":
            _refuse_contradicting_suffix(fmt, output)
        pairs.append((fmt, output))
    pairs.extend((fmt, None) for fmt in formats[len(outputs) :])
    if not pairs:
        pairs.append((ReportFormat.TABLE.value, None))
    if sum(1 for _, out in pairs if out in (None, "-")) > 1:
        raise _Fatal("only one --format can go to stdout; give the others an --output")
    return pairs


def _refuse_contradicting_suffix(fmt: str, output: str) -> None:
    from linkaudit.report import contradicting_suffix

    other = contradicting_suffix(fmt, output)
    if other is not None:
        own = FORMATS[ReportFormat(fmt)].suffixes[0]
        raise _Fatal(
            f"--output {output}: its suffix says {other}, but its --format is {fmt} "
            f"(name it *{own}, or pair each --format with its own --output)"
        )


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=_format_choice(),
    help="Output format; repeat for several (the n-th goes to the n-th --output).",
)
@click.option(
    "--output",
    "-o",
    "outputs",
    multiple=True,
    help="File for the matching --format (alone, its suffix picks the format).",
)
@_setting_options("check", "discovery", "store")
@click.option("--no-store", is_flag=True, help="Keep nothing in SQLite for this run.")
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="No progress bar; the table shows only the summary and what fails the gate.",
)
@click.option(
    "--verbose",
    "-v",
    is_flag=True,
    help="Say which documents were read and how; the table lists ok links too.",
)
@click.option(
    "--group-by",
    type=click.Choice(GROUP_BY),
    default=GROUP_BY[0],
    show_default=True,
    help="Order the table by verdict (worst first) or by document.",
)
@_config_option
@_one_line_errors
def check(inputs: tuple[str, ...], **opts: Any) -> None:
    """Check every link in INPUTS and report what is dead, redirected or archived.

    INPUTS are files (.md .html .pdf .docx .txt .tex .bib), folders, URLs of published
    documents, or - to read a list of inputs from stdin. Each distinct URL is fetched once,
    politely (per-host limits, retries with backoff), and every result is kept in the store.

    \b
    Example:
      linkaudit check brief.docx
      linkaudit check briefs/ --format sarif --output linkaudit.sarif --format table
    """
    from linkaudit.gate import apply_baseline, exit_code, load_baseline
    from linkaudit.report.progress import ProgressListener
    from linkaudit.run.pipeline import run_check

    formats, outputs = opts.pop("formats"), opts.pop("outputs")
    quiet, no_store, verbose = opts.pop("quiet"), opts.pop("no_store"), opts.pop("verbose")
    view = {"quiet": quiet, "verbose": verbose, "group_by": opts.pop("group_by")}
    targets = _targets(formats, outputs)
    settings = _settings(opts.pop("config"), _overrides(opts, "check", "discovery", "store"))
    baseline = load_baseline(Path(settings.baseline)) if settings.baseline else None
    to_stdout_is_file = any(out in (None, "-") and fmt != "table" for fmt, out in targets)
    listener = ProgressListener(quiet=quiet)
    names = _read_inputs(inputs)
    coroutine = run_check(
        names,
        settings,
        db=None if no_store else settings.db,
        listener=listener,
        arguments=sys.argv[1:],
        on_document=lambda extraction: _warn_documents([extraction], verbose=verbose),
    )
    from linkaudit.run.interrupts import INTERRUPTS

    INTERRUPTS.install()  # SIGINT, SIGTERM, SIGHUP: stop checking, write the reports
    try:
        import asyncio  # here, not at the top: `linkaudit --version` starts without it

        outcome = asyncio.run(coroutine)
    except KeyboardInterrupt:
        _exit(ExitCode.INTERRUPTED)
    today = dt.date.today()
    marked = apply_baseline(outcome.report, baseline, today, settings.fail_on)
    _emit(marked, targets, settings, terminal_to_stderr=to_stdout_is_file, view=view)
    if INTERRUPTS.exit_code is not None:
        _exit(INTERRUPTS.exit_code)
    if outcome.interrupted:
        _exit(ExitCode.INTERRUPTED)
    if outcome.store_error:
        raise _Fatal(f"{outcome.store_error}; the run went on without the store")
    _exit(exit_code(marked, settings.fail_on, baseline, today))


def _emit(
    report: Report,
    targets: list[tuple[str, str | None]],
    settings: Settings,
    *,
    terminal_to_stderr: bool,
    view: dict[str, Any] | None = None,
) -> None:
    from linkaudit.report import StreamingReporter, get_reporter
    from linkaudit.report.base import ReportOptions

    for fmt, output in targets:
        to_terminal = output in (None, "-")
        options = ReportOptions(
            fail_on=settings.fail_on,
            width=_width(None if to_terminal else output),
            color=None if to_terminal and sys.stdout.isatty() else False,
            **(view or {}),
        )
        reporter = get_reporter(fmt, options)
        if isinstance(reporter, StreamingReporter) and not to_terminal:
            from linkaudit.run.files import write_atomically

            write_atomically(str(output), functools.partial(reporter.write, report))
            continue
        text = reporter.render(report)
        if fmt == ReportFormat.TABLE and to_terminal and terminal_to_stderr:
            click.echo(text, err=True, nl=not text.endswith("\n"))
        else:
            _write(text, output)


# ----------------------------------------------------------------------------- store readers


@cli.command()
@click.argument("url")
@_setting_options("store")
@_config_option
@_one_line_errors
def history(url: str, config: str | None, **opts: Any) -> None:
    """Print the timeline of one URL from the store (no network).

    \b
    Example:
      linkaudit history https://example.org/report.pdf
    """
    from linkaudit.run.stored import render_history
    from linkaudit.store import Store

    settings = _settings(config, _overrides(opts, "store"), ignore_file=False)
    store = Store.open(settings.db, read_only=True)
    try:
        records = store.url_history(url)
    finally:
        store.close()
    if not records:
        raise _Fatal(f"{url}: not in the store {settings.db}")
    click.echo(render_history(url, records), nl=False)  # stored.render_history neutralises


@cli.command()
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Changes since this date.")
@click.option("--run", "run_id", type=int, help="Report this run (default: the latest finished).")
@click.option("--health", is_flag=True, help="The archive health report.")
@click.option(
    "--format",
    "fmt",
    type=_format_choice(),
    default=ReportFormat.TABLE.value,
    show_default=True,
    help="table, json, markdown, html (and for a run: junit, sarif, github, csv).",
)
@click.option(
    "--output", "-o",
    help="Write to FILE (- for stdout). Default: stdout for table, else a dated file in reports/.",
)  # fmt: skip
@_setting_options("store")
@_config_option
@_one_line_errors
def report(
    since: dt.datetime | None,
    run_id: int | None,
    health: bool,
    fmt: str,
    output: str | None,
    config: str | None,
    **opts: Any,
) -> None:
    """Render a report from stored results (no network): a run, changes, or archive health.

    \b
    Example:
      linkaudit report --health --format html        # writes reports/health-<date>.html
      linkaudit report --since 2026-01-01 --format markdown --output -
    """
    from linkaudit.run.stored import render_stored

    if output not in (None, "-"):
        _refuse_contradicting_suffix(fmt, output)
    settings = _settings(config, _overrides(opts, "store"), ignore_file=False)
    text = render_stored(settings, fmt=fmt, run_id=run_id, since=since, health=health)
    if output is None and fmt != ReportFormat.TABLE:
        # The periodic job keeps a dated trail of reports without having to name each one.
        output = _dated_report_path("health" if health else "report", fmt)
        click.echo(f"wrote {output}", err=True)
    _write(text, output)


def _dated_report_path(kind: str, fmt: str) -> str:
    folder = Path("reports")
    folder.mkdir(exist_ok=True)
    suffix = FORMATS[ReportFormat(fmt)].suffixes[0]
    return str(folder / f"{kind}-{dt.date.today().isoformat()}{suffix}")


@cli.command()
@click.option("--output", "-o", default="linkaudit-baseline.toml", show_default=True)
@click.option("--reason", default="accepted when the gate was turned on", show_default=True)
@click.option("--expires", type=click.DateTime(["%Y-%m-%d"]), help="When the entries fail again.")
@_setting_options("store")
@_config_option
@_one_line_errors
def baseline(
    output: str, reason: str, expires: dt.datetime | None, config: str | None, **opts: Any
) -> None:
    """Write a baseline file accepting the latest run's findings (adopt the gate on old briefs).

    \b
    Example:
      linkaudit check briefs/ ; linkaudit baseline --expires 2027-06-30
      linkaudit check briefs/ --baseline linkaudit-baseline.toml
    """
    from linkaudit.gate import write_baseline
    from linkaudit.report.build import build_report
    from linkaudit.store import Store

    settings = _settings(config, _overrides(opts, "store"), ignore_file=False)
    store = Store.open(settings.db, read_only=True)
    try:
        _, results = store.run_results(None)
    finally:
        store.close()
    stored = build_report([], results)
    count = write_baseline(stored, Path(output), reason, expires.date() if expires else None)
    click.echo(f"wrote {count} entries to {output}", err=True)


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--save", is_flag=True, help="Submit the unarchived ones to Save Page Now.")
@click.option("--yes", is_flag=True, help="Do not ask before saving.")
@click.option(
    "--robust-links", is_flag=True, help="Print the Robust Link markup of each archived page."
)
@click.option(
    "--within-days",
    type=int,
    default=DEFAULT_PRESERVED_WITHIN_DAYS,
    show_default=True,
    help="A snapshot this recent counts as preserved.",
)
@_setting_options("archive")
@_config_option
@_one_line_errors
def archive(
    inputs: tuple[str, ...],
    save: bool,
    yes: bool,
    robust_links: bool,
    within_days: int,
    **opts: Any,
) -> None:
    """Show which cited pages have no recent web-archive snapshot, and optionally save them.

    Save Page Now needs an archive.org key pair in LINKAUDIT_SPN_ACCESS and
    LINKAUDIT_SPN_SECRET (see docs/archives.md).

    \b
    Example:
      linkaudit archive brief.md
      linkaudit archive brief.md --save --yes
      linkaudit archive brief.md --robust-links
    """
    import asyncio

    from linkaudit.archive.preserve import preserve
    from linkaudit.archive.preserve import robust_links as markup
    from linkaudit.extract import iter_inputs

    settings = _settings(opts.pop("config"), _overrides(opts, "archive"))
    extractions = list(iter_inputs(_read_inputs(inputs), settings))
    _warn_documents(extractions)
    text, failed = asyncio.run(
        preserve(extractions, settings, save=save, confirmed=yes, within_days=within_days)
    )
    click.echo(text, nl=False)
    if robust_links:
        click.echo(neutralise_lines(asyncio.run(markup(extractions, settings))), nl=False)
    _exit(ExitCode.FINDINGS if failed else ExitCode.OK)


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--dry-run", is_flag=True, help="Print a unified diff of the edits; write nothing.")
@click.option("--write", is_flag=True, help="Rewrite the documents in place.")
@click.option(
    "--prefer",
    type=click.Choice([p.value for p in Prefer]),
    default=Prefer.SNAPSHOT.value,
    show_default=True,
    help="Which URL a Robust Link's href keeps in HTML.",
)
@_setting_options("check", "discovery", "store")
@_config_option
@_one_line_errors
def fix(inputs: tuple[str, ...], dry_run: bool, write: bool, prefer: str, **opts: Any) -> None:
    """Rewrite permanent redirects and dead links (to their snapshots) in INPUTS.

    Uses the stored results within --max-age and checks the rest. Markdown, HTML (as
    Robust Links), LaTeX and BibTeX are rewritten target by target, every other byte kept;
    DOCX and PDF get the list of edits. Nothing is written without --write.

    \b
    Example:
      linkaudit fix brief.md --dry-run
      linkaudit fix site/ --write --prefer original
    """
    import asyncio

    from linkaudit.fix import fix_documents
    from linkaudit.run.pipeline import run_check

    settings = _settings(opts.pop("config"), _overrides(opts, "check", "discovery", "store"))
    outcome = asyncio.run(run_check(_read_inputs(inputs), settings, db=settings.db))
    formats = {d.path: d.format for d in outcome.report.documents}
    done = fix_documents(
        outcome.report.results, formats, write=write, diff=dry_run, prefer=Prefer(prefer)
    )
    click.echo(neutralise_lines(done.text), nl=False)  # anchor texts and documents' lines
    _exit(ExitCode.USAGE if done.failed else ExitCode.OK)


def main() -> None:
    """Entry point of the console script."""
    from linkaudit._tuning import skip_final_collection, tune_interpreter

    tune_interpreter()
    try:
        cli(prog_name="linkaudit")
    finally:
        skip_final_collection()
