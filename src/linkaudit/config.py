"""
Defaults, the one ``Settings`` object, and loading it from ``linkaudit.toml`` or
``[tool.linkaudit]`` in ``pyproject.toml``.

Precedence: defaults < config file < command-line flags. Library and CLI share the
``DEFAULT_*`` constants so that they never disagree.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from linkaudit._version import PROJECT_URL, __version__
from linkaudit.exceptions import ConfigError
from linkaudit.verdicts import Concern, GateTerm, Verdict

__all__ = [
    "ARCHIVE_POLICIES",
    "DEFAULT_CDX_URL",
    "DEFAULT_CROSSREF_URL",
    "DEFAULT_DB",
    "DEFAULT_DOI_API_URL",
    "DEFAULT_MAX_CONCURRENCY",
    "DEFAULT_MAX_PER_HOST",
    "DEFAULT_MAX_REDIRECTS",
    "DEFAULT_MEMENTO_URL",
    "DEFAULT_PRESERVED_WITHIN_DAYS",
    "DEFAULT_RETRIES",
    "DEFAULT_SPN_URL",
    "DEFAULT_TIMEOUT",
    "DEFAULT_UNPAYWALL_URL",
    "DEFAULT_USER_AGENT",
    "DEFAULT_WAYBACK_URL",
    "Settings",
    "check_header",
    "check_regex",
    "find_config_file",
    "load_settings",
    "parse_statuses",
]

DEFAULT_TIMEOUT = 20.0
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_MAX_CONCURRENCY = 64
# Two connections per host is what browsers' politeness guidance and lychee's default settle on.
DEFAULT_MAX_PER_HOST = 2
DEFAULT_RETRIES = 2
DEFAULT_MAX_REDIRECTS = 20
DEFAULT_USER_AGENT = f"linkaudit/{__version__} (+{PROJECT_URL})"
DEFAULT_DB = "linkaudit.sqlite"
DEFAULT_WAYBACK_URL = "https://archive.org/wayback/available"
DEFAULT_CDX_URL = "https://web.archive.org/cdx/search/cdx"
DEFAULT_MEMENTO_URL = "https://timetravel.mementoweb.org/timegate/"
DEFAULT_SPN_URL = "https://web.archive.org/save"
DEFAULT_FAIL_ON = (Verdict.DEAD, Verdict.INVALID)
DEFAULT_DOI_API_URL = "https://doi.org/api/handles/"
DEFAULT_CROSSREF_URL = "https://api.crossref.org/"
DEFAULT_UNPAYWALL_URL = "https://api.unpaywall.org/v2/"
DEFAULT_IGNORE_FILE = ".linkauditignore"
#: ``linkaudit archive --within-days``: a snapshot this recent counts as preserving the page.
DEFAULT_PRESERVED_WITHIN_DAYS = 365
#: Which links get a snapshot look-up.
ARCHIVE_POLICIES = ("none", "dead", "all")

CONFIG_FILENAME = "linkaudit.toml"
_WEB = ("http://", "https://")


@dataclass(frozen=True)
class Settings:
    """Everything a run can be told. Field names are the config keys (``-`` and ``_`` alike)."""

    # --- network
    timeout: float = DEFAULT_TIMEOUT
    """Total seconds for one request (connect, headers and the capped body read)."""
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY
    max_per_host: int = DEFAULT_MAX_PER_HOST
    min_interval: float = 0.0
    """Minimum seconds between the starts of two requests to one host."""
    host_limits: Mapping[str, int] = field(default_factory=dict)
    """Requests in flight per host for hosts matching a glob, e.g. {"*.gov" = 1}."""
    host_intervals: Mapping[str, float] = field(default_factory=dict)
    """Minimum seconds between requests for hosts matching a glob, e.g. {"www.sec.gov" = 1.0}."""
    retries: int = DEFAULT_RETRIES
    retry_after_cap: float = 60.0
    """Longest ``Retry-After`` honoured, in seconds; a longer one ends the retries."""
    backoff_base: float = 0.5
    user_agent: str = DEFAULT_USER_AGENT
    headers: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Extra request headers per host pattern (fnmatch glob on the host name)."""
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    max_body_bytes: int = 2_000_000
    """Bytes of a response body read at most (title, soft 404, fragments, meta refresh)."""
    max_inflated_bytes: int = 8_000_000
    """Bytes a compressed body may inflate to before reading stops (compression bombs)."""
    accept: tuple[int, ...] = ()
    """Extra HTTP statuses taken as ok (e.g. 403 for a site known to block robots)."""
    exclude: tuple[str, ...] = ()
    """Regular expressions; a matching URL is skipped (reason excluded)."""
    include: tuple[str, ...] = ()
    """Regular expressions; when given, only matching URLs are checked."""
    soft404: bool = True
    check_fragments: bool = True
    allow_private: bool = False
    """Allow loopback, private and link-local targets (intranets, tests); see SECURITY.md."""
    allow_networks: tuple[str, ...] = ()
    """Addresses or CIDR networks allowed even though they are private (an intranet host)."""
    allow_file_escape: bool = False
    """Allow file: and relative links outside the document's root directory."""
    root_dir: str | None = None
    """The folder root-relative links (``/about/``) of local documents resolve against, and
    the root their file: links may not leave (lychee's ``--root-dir``)."""
    base_url: str | None = None
    """The site root-relative links (``/about/``) of local documents resolve against when no
    ``root_dir`` is given, e.g. the site the documents are published on (``--base-url``)."""
    network_canaries: tuple[str, ...] = ("https://example.com/", "https://www.wikipedia.org/")
    """Asked only when every remote link failed at the network level: if these fail too, the
    machine is offline and no link is called dead for it (``summary.network = unavailable``)."""
    max_time: float | None = None
    """Seconds the whole run may take; what is unchecked then is reported as such."""
    offline: bool = False
    """No network at all: placeholders, syntax, local files and their fragments are checked;
    remote links are skipped, so a run never exits 3 (the pre-commit hook's mode)."""
    remap: tuple[tuple[str, str], ...] = ()
    """(regex, replacement) pairs applied to each URL before it is checked, in order."""

    # --- gate
    fail_on: tuple[GateTerm, ...] = DEFAULT_FAIL_ON
    baseline: str | None = None

    # --- store
    db: str = DEFAULT_DB
    max_age: float = 24 * 3600.0
    """Seconds a successful check is reused from the store."""
    max_age_failure: float = 3600.0
    """Seconds a failed check is reused; failures are re-checked sooner than successes."""
    fresh: bool = False
    escalate_runs: int = 3
    escalate_days: float = 3.0
    store_timeout: float = 30.0
    """Seconds a store write waits for another process's lock; then the run goes on without
    the store, writes its reports and exits 2 (docs/store.md)."""

    # --- archives
    archive: str = "dead"
    """Which links get a snapshot look-up: none, dead (dead, redirected, unreachable) or all."""
    wayback_url: str = DEFAULT_WAYBACK_URL
    cdx_url: str = DEFAULT_CDX_URL
    memento_url: str = DEFAULT_MEMENTO_URL
    spn_url: str = DEFAULT_SPN_URL
    spn_max_per_minute: int = 12
    cited_on: dt.date | None = None
    check_originals: bool = False
    drift: bool = False
    """Compare each live page with its snapshot closest to the citation date (or with the page
    as first checked) and look for the quotations around its citations (docs/drift.md)."""

    # --- DOIs (docs/doi.md)
    doi_follow: bool = False
    """Also fetch the page a registered DOI points to and classify it (publishers often
    answer robots with 403s, so by default the DOI system alone is asked)."""
    doi_api_url: str = DEFAULT_DOI_API_URL
    """The DOI resolver's handle API; ``<doi>`` is appended."""
    notices: bool = True
    """Ask Crossref for retractions, withdrawals, corrections and expressions of concern."""
    crossref_url: str = DEFAULT_CROSSREF_URL
    mailto: str | None = None
    """A contact address sent to Crossref, which serves identified clients from its polite pool."""
    unpaywall_url: str = DEFAULT_UNPAYWALL_URL
    unpaywall_email: str | None = None
    """Unpaywall requires an e-mail address; without one no open-access copy is looked up."""
    doi_max_age: float = 7 * 24 * 3600.0
    """Seconds a stored Crossref or Unpaywall answer is reused."""

    # --- documents
    max_document_bytes: int = 200_000_000
    max_unzipped_bytes: int = 256_000_000
    """Bytes the XML parts of a DOCX may inflate to in total (zip bombs stop there)."""
    max_pages: int = 5000
    max_links_per_document: int = 100_000
    join_wrapped_pdf_links: bool = True
    """Report two PDF link annotations with one URI on consecutive lines as one link."""
    include_globs: tuple[str, ...] = ()
    exclude_globs: tuple[str, ...] = ()
    gitignore: bool = True
    """In folders, skip what ``.gitignore`` files exclude (as git would)."""
    follow_symlinks: bool = False
    """Read a discovered file whose real path is outside the folder given (off: skipped)."""
    ignore_file: str = DEFAULT_IGNORE_FILE
    """URL regexes to skip, one a line (``#`` comments), read from the working directory."""

    def __post_init__(self) -> None:
        """Refuse what would fail mid-run: a bad regex, an unknown archive policy, a header
        value that could add headers of its own."""
        for name in ("exclude", "include"):
            for pattern in getattr(self, name):
                check_regex(pattern, name)
        for pattern, _ in self.remap:
            check_regex(pattern, "remap")
        if self.archive not in ARCHIVE_POLICIES:
            choices = ", ".join(ARCHIVE_POLICIES)
            raise ConfigError(f"archive: {self.archive!r} is not one of {choices}")
        for host, headers in self.headers.items():
            for name, value in headers.items():
                check_header(name, value, f"headers for {host!r}")
        check_header("User-Agent", self.user_agent, "user_agent")
        if self.base_url is not None and not self.base_url.lower().startswith(_WEB):
            raise ConfigError(f"base_url: {self.base_url!r} is not an http(s) URL")
        if self.root_dir is not None and not Path(self.root_dir).is_dir():
            raise ConfigError(f"root_dir: {self.root_dir!r} is not a folder")

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied (``None`` values are ignored)."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


def check_regex(pattern: str, where: str) -> None:
    """``ConfigError`` naming ``where`` when ``pattern`` is no valid regular expression."""
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ConfigError(f"{where}: {pattern!r} is not a valid regular expression: {exc}") from exc


_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def check_header(name: str, value: str, where: str) -> None:
    """RFC 9110: a field name is a token; a value holds no CR, LF or NUL (no header smuggling)."""
    if not _TOKEN.fullmatch(name):
        raise ConfigError(f"{where}: {name!r} is not a valid header name")
    if any(c in value for c in "\r\n\x00"):
        raise ConfigError(f"{where}: the value of {name} holds CR, LF or NUL")


_RANGE = re.compile(r"(\d{3})\s*(-|\.\.=|\.\.)\s*(\d{3})")


def parse_statuses(items: str | int | list[Any] | tuple[Any, ...]) -> tuple[int, ...]:
    """HTTP statuses from ``403,999``, ranges ``200-299`` or lychee's ``200..=299`` (and
    ``200..300``, end excluded), or a TOML list of numbers and such strings."""
    if isinstance(items, list | tuple):
        return tuple(s for item in items for s in parse_statuses(item))
    if isinstance(items, bool) or not isinstance(items, int | str):
        raise ValueError(f"expected a status or a range such as '200-299', got {items!r}")
    found: list[int] = []
    for part in str(items).split(","):
        part = part.strip()
        if not part:
            continue
        if part.isdigit():
            start, end = int(part), int(part)
        elif match := _RANGE.fullmatch(part):
            start, op, stop = int(match[1]), match[2], int(match[3])
            end = stop - 1 if op == ".." else stop
        else:
            raise ValueError(f"{part!r} is not a status or a range such as 200-299 or 200..=299")
        if not 100 <= start <= end <= 999:
            raise ValueError(f"{part!r} is not a range of HTTP statuses (100 to 999)")
        found.extend(range(start, end + 1))
    return tuple(dict.fromkeys(found))


def find_config_file(start: Path) -> tuple[Path, Mapping[str, Any]] | None:
    """The nearest ``linkaudit.toml`` or ``pyproject.toml`` with ``[tool.linkaudit]``."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_FILENAME
        if candidate.is_file():
            return candidate, _read_toml(candidate)
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            table = _read_toml(pyproject).get("tool", {}).get("linkaudit")
            if isinstance(table, dict):
                return pyproject, table
    return None


def load_settings(
    config: Path | None = None,
    *,
    cwd: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Defaults, then the config file (given, or the nearest one), then ``overrides``."""
    if config is not None:
        if not config.is_file():
            raise ConfigError(f"{config}: no such config file")
        data = _read_toml(config)
        if config.name == "pyproject.toml":
            data = data.get("tool", {}).get("linkaudit", {})
        found: tuple[Path, Mapping[str, Any]] | None = (config, data)
    else:
        found = find_config_file(cwd or Path.cwd())
    settings = Settings()
    if found is not None:
        settings = settings_from_mapping(found[1], source=str(found[0]), base=settings)
    if overrides:
        settings = settings.replace(**overrides)
    return settings


def settings_from_mapping(
    data: Mapping[str, Any], *, source: str, base: Settings | None = None
) -> Settings:
    """Validate ``data`` key by key against ``Settings`` and apply it to ``base``."""
    hints = typing.get_type_hints(Settings)
    known = {f.name for f in dataclasses.fields(Settings)}
    changes: dict[str, Any] = {}
    for raw_key, value in data.items():
        key = raw_key.replace("-", "_")
        if key not in known:
            raise ConfigError(f"{source}: unknown key {raw_key!r}")
        try:
            changes[key] = parse_statuses(value) if key == "accept" else _coerce(value, hints[key])
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{source}: key {raw_key!r}: {exc}") from exc
    try:
        return dataclasses.replace(base or Settings(), **changes)
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc


def _coerce(value: Any, hint: Any) -> Any:
    """Check ``value`` against a Settings field type; lists become tuples, strings enums."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(value, arg)
            except (TypeError, ValueError) as exc:
                errors.append(str(exc))
        raise TypeError("; ".join(errors))
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise TypeError(f"expected a list, got {type(value).__name__}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_coerce(item, args[0]) for item in value)
        if len(value) != len(args):
            raise TypeError(f"expected a list of {len(args)} items, got {len(value)}")
        return tuple(_coerce(item, arg) for item, arg in zip(value, args, strict=True))
    if origin is not None and issubclass(origin, Mapping):
        if not isinstance(value, dict):
            raise TypeError(f"expected a table, got {type(value).__name__}")
        return {str(k): _coerce(v, args[1]) for k, v in value.items()}
    if hint is bool:
        if not isinstance(value, bool):
            raise TypeError(f"expected true or false, got {value!r}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"expected an integer, got {value!r}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"expected a number, got {value!r}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise TypeError(f"expected a string, got {value!r}")
        return value
    if hint is dt.date:
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            return dt.date.fromisoformat(value)
        raise TypeError(f"expected a date, got {value!r}")
    if isinstance(hint, type) and issubclass(hint, Verdict | Concern):
        return hint(value)
    raise TypeError(f"unsupported setting type {hint!r}")  # pragma: no cover
