"""
Ordered pure rules from an ``Observation`` to a verdict: first match wins.

Each rule is a small named function ``(Observation, Context) -> Decision | None``; ``RULES``
is the order. The order matters and is the policy: an archive link is judged as a snapshot
before anything else, a transport failure before any status, walls before 4xx, and the
content signals (soft 404, homepage, fragment) only on a 2xx.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from linkaudit.archive.recognize import (
    SERVICE_ARCHIVE_TODAY,
    SERVICE_PERMA_CC,
    SERVICE_WAYBACK,
    SERVICE_WEBCITE,
    recognize,
)
from linkaudit.classify.signals import (
    is_app_shell,
    is_bot_challenge,
    is_homepage_redirect,
    is_login_page,
    is_login_wall,
    is_not_found_page,
    is_trivial_redirect,
)
from linkaudit.config import Settings
from linkaudit.models import Observation, Occurrence, Redirect, Result, Snapshot
from linkaudit.urls import OTHER_SCHEMES, is_mailto_valid, scheme_of
from linkaudit.verdicts import REASON_VERDICT, Reason, Verdict, http_reason

__all__ = [
    "RULES",
    "SOFT404_SIMILARITY",
    "Context",
    "Decision",
    "Rule",
    "classify",
    "decide",
    "precheck",
]

#: Likeness of a page to a surely-missing sibling above which it is that site's not-found page.
SOFT404_SIMILARITY = 0.9
_RESTRICTED_STATUSES = frozenset({401, 403, 407, 429, 451})
_PERMANENT_STATUSES = frozenset({301, 308})
_SNAPSHOT_GONE_FAILURES = frozenset({Reason.DNS, Reason.REDIRECT_LOOP, Reason.TOO_MANY_REDIRECTS})
_ARCHIVE_REASONS = {
    SERVICE_WAYBACK: Reason.WAYBACK,
    SERVICE_ARCHIVE_TODAY: Reason.ARCHIVE_TODAY,
    SERVICE_PERMA_CC: Reason.PERMA_CC,
}
WEBCITE_DEFUNCT = "WebCite is defunct: it stopped archiving in 2019 and its replay is unreliable"


@dataclass(frozen=True, slots=True)
class Decision:
    """What a rule decided: the verdict, its reason, and evidence the rule produced."""

    verdict: Verdict
    reason: str | None
    permanent: bool | None = None
    archive: Snapshot | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Context:
    """What rules may consult besides the observation."""

    occurrences: Sequence[Occurrence]
    settings: Settings
    snapshot: Snapshot | None = None
    """``recognize(observation.url)``: the cited URL is itself an archive snapshot."""


Rule = Callable[[Observation, Context], "Decision | None"]


def _is_success(status: int | None) -> bool:
    return status is not None and 200 <= status < 300


def _permanent(redirects: Sequence[Redirect]) -> bool | None:
    if not redirects:
        return None
    return all(hop.via == "http" and hop.status in _PERMANENT_STATUSES for hop in redirects)


def archive_link(obs: Observation, ctx: Context) -> Decision | None:
    """A cited snapshot: archived when it resolves, dead when the archive lost it. A lost
    snapshot is never its own replacement: its result carries no snapshot, so the archive
    stage looks for another one of its original."""
    snapshot = ctx.snapshot
    if snapshot is None:
        return None
    if snapshot.service == SERVICE_WEBCITE and not _is_success(obs.status):
        reason = obs.failure.value if obs.failure else _status_reason(obs.status)
        return Decision(Verdict.DEAD, reason, error=WEBCITE_DEFUNCT)
    if _is_success(obs.status) and obs.failure is None:
        served = recognize(obs.final_url) if obs.final_url else None
        if served is not None and served.service == snapshot.service:
            snapshot = _merge(snapshot, served)
        reason = _ARCHIVE_REASONS.get(snapshot.service or "", Reason.MEMENTO)
        return Decision(Verdict.ARCHIVED, reason, _permanent(obs.redirects), archive=snapshot)
    if obs.failure in _SNAPSHOT_GONE_FAILURES:
        return Decision(Verdict.DEAD, obs.failure, error=obs.error)
    if obs.failure is None and obs.status is not None and 400 <= obs.status < 500:
        if obs.status in _RESTRICTED_STATUSES:
            return None  # a wall in front of the archive, not a lost snapshot
        return Decision(Verdict.DEAD, http_reason(obs.status))
    return None


def _merge(cited: Snapshot, served: Snapshot) -> Snapshot:
    """The snapshot actually served (archives redirect to the nearest capture)."""
    return Snapshot(
        url=served.url,
        timestamp=served.timestamp or cited.timestamp,
        original=served.original or cited.original,
        service=cited.service,
    )


_UNREACHABLE_FAILURES = frozenset(r for r, v in REASON_VERDICT.items() if v is Verdict.UNREACHABLE)


def doi_registration(obs: Observation, ctx: Context) -> Decision | None:
    """A DOI is what the DOI system says of it; the publisher's page decides only when it
    was fetched too (``--doi-follow``)."""
    record = obs.doi
    if record is None:
        return None
    if record.registered is False:
        return Decision(Verdict.DEAD, Reason.DOI_NOT_REGISTERED)
    if record.registered is None:
        # The handle API could not be asked: the DOI is unknown, never dead for it.
        failure = obs.failure if obs.failure in _UNREACHABLE_FAILURES else Reason.CONNECTION
        return Decision(Verdict.UNREACHABLE, failure)
    if obs.status is None and obs.failure is None:
        return Decision(Verdict.OK, None)
    return None


def _status_reason(status: int | None) -> str | None:
    return http_reason(status) if status is not None else None


def local_file(obs: Observation, ctx: Context) -> Decision | None:
    """A ``file:`` link found on disk: ok, unless its ``#fragment`` is missing. (Missing and
    refused files carry a failure, which the next rule decides.)"""
    if obs.failure is not None or obs.status is not None or scheme_of(obs.url) != "file":
        return None
    if obs.fragment_found is False and ctx.settings.check_fragments:
        return Decision(
            Verdict.DEAD, Reason.MISSING_FRAGMENT, error=f"#{obs.fragment} is not in the file"
        )
    return Decision(Verdict.OK, None)


def failure(obs: Observation, ctx: Context) -> Decision | None:
    """A transport or policy failure decides alone (dns → dead, timeout → unreachable…)."""
    if obs.failure is None:
        if obs.status is None:
            error = obs.error or "no HTTP response and no failure recorded"
            return Decision(Verdict.UNREACHABLE, Reason.PROTOCOL, error=error)
        return None
    verdict = REASON_VERDICT.get(obs.failure, Verdict.UNREACHABLE)
    return Decision(verdict, obs.failure, _permanent(obs.redirects), error=obs.error)


def accepted(obs: Observation, ctx: Context) -> Decision | None:
    """Statuses the user declared fine (``--accept``) are ok whatever they are."""
    if obs.status in ctx.settings.accept and not _is_success(obs.status):
        return Decision(Verdict.OK, _status_reason(obs.status))
    return None


def bot_challenge(obs: Observation, ctx: Context) -> Decision | None:
    """A robot wall needs a human with a browser, not a fix."""
    if is_bot_challenge(obs.status, obs.headers, obs.title, obs.body):
        return Decision(Verdict.RESTRICTED, Reason.BOT_CHALLENGE, _permanent(obs.redirects))
    return None


def restricted_status(obs: Observation, ctx: Context) -> Decision | None:
    """401, 403, 407, 451, and a 429 that outlived the retries."""
    if obs.status in _RESTRICTED_STATUSES:
        return Decision(Verdict.RESTRICTED, _status_reason(obs.status), _permanent(obs.redirects))
    return None


def login_redirect(obs: Observation, ctx: Context) -> Decision | None:
    """Redirected to a sign-in page: the content exists but is behind a login."""
    if not obs.redirects or not obs.final_url:
        return None
    if is_login_page(obs.url, obs.final_url, obs.title):
        return Decision(Verdict.RESTRICTED, Reason.LOGIN_REDIRECT, _permanent(obs.redirects))
    return None


def client_error(obs: Observation, ctx: Context) -> Decision | None:
    """404, 410 and every other 4xx not caught above: the server says it is not there."""
    if obs.status is not None and 400 <= obs.status < 500:
        return Decision(Verdict.DEAD, _status_reason(obs.status), _permanent(obs.redirects))
    return None


def other_status(obs: Observation, ctx: Context) -> Decision | None:
    """5xx after retries, and oddities (a 3xx without Location, 1xx): no verdict on the page."""
    if not _is_success(obs.status):
        return Decision(Verdict.UNREACHABLE, _status_reason(obs.status), _permanent(obs.redirects))
    return None


def login_wall(obs: Observation, ctx: Context) -> Decision | None:
    """A 2xx page that asks to log in, for the cited path and its random sibling alike (or
    reached by a redirect from the cited path): the content is behind a login, not gone.
    Social networks serve their logged-out interstitial this way, with a 200 for every path.
    """
    if not is_login_wall(obs.title, obs.body) or is_not_found_page(obs.title, obs.body):
        return None  # a not-found page with a login box in its header is a soft 404
    final = obs.final_url
    moved = bool(obs.redirects) and final is not None and not is_trivial_redirect(obs.url, final)
    if moved or _probe_matches(obs):
        return Decision(Verdict.RESTRICTED, Reason.LOGIN_REDIRECT, _permanent(obs.redirects))
    return None


def client_rendered(obs: Observation, ctx: Context) -> Decision | None:
    """The same application shell answers the cited path and a surely missing sibling: the
    page's content is drawn by a script, so its absence cannot be told from the server's
    answer. Alive as far as anyone can tell without running the script."""
    shell = _probe_matches(obs) and is_app_shell(obs.body)
    if shell and not is_not_found_page(obs.title, obs.body):
        return Decision(Verdict.OK, Reason.CLIENT_RENDERED, _permanent(obs.redirects))
    return None


def soft_404(obs: Observation, ctx: Context) -> Decision | None:
    """A 200 that is the site's not-found page: the same as a surely missing sibling that
    also got a 2xx, or a title or main heading that is wholly a not-found phrase."""
    if _probe_matches(obs) or is_not_found_page(obs.title, obs.body):
        return Decision(Verdict.DEAD, Reason.SOFT_404, _permanent(obs.redirects))
    return None


def _probe_matches(obs: Observation) -> bool:
    """The probe is evidence only when it got a 2xx itself (a real 404 for the sibling says
    the site tells missing pages apart, whatever the two bodies share)."""
    if not _is_success(obs.probe_status):
        return False
    if obs.probe_similarity is not None and obs.probe_similarity >= SOFT404_SIMILARITY:
        return True
    final = obs.final_url or obs.url
    return (
        obs.probe_final_url is not None
        and obs.probe_final_url == final
        and final != obs.url  # both were sent elsewhere, to one same page
    )


def homepage_redirect(obs: Observation, ctx: Context) -> Decision | None:
    """A deep link redirected to a site root: the cited page is gone."""
    if obs.redirects and obs.final_url and is_homepage_redirect(obs.url, obs.final_url):
        return Decision(Verdict.DEAD, Reason.HOMEPAGE_REDIRECT, _permanent(obs.redirects))
    return None


def missing_fragment(obs: Observation, ctx: Context) -> Decision | None:
    """The page is there but the cited ``#section`` is not."""
    if obs.fragment_found is False and ctx.settings.check_fragments:
        error = f"#{obs.fragment} is not defined in the page" if obs.fragment else None
        return Decision(
            Verdict.DEAD, Reason.MISSING_FRAGMENT, _permanent(obs.redirects), error=error
        )
    return None


def redirected(obs: Observation, ctx: Context) -> Decision | None:
    """Real redirects get a suggestion to update the citation; trivial ones are ok."""
    if not obs.redirects:
        return None
    permanent = _permanent(obs.redirects)
    if obs.final_url and is_trivial_redirect(obs.url, obs.final_url):
        return Decision(Verdict.OK, None, permanent)
    if any(hop.via == "meta_refresh" for hop in obs.redirects):
        return Decision(Verdict.REDIRECTED, Reason.META_REFRESH, permanent)
    reason = Reason.REDIRECT_PERMANENT if permanent else Reason.REDIRECT_TEMPORARY
    return Decision(Verdict.REDIRECTED, reason, permanent)


def ok(obs: Observation, ctx: Context) -> Decision | None:
    """Nothing is wrong."""
    return Decision(Verdict.OK, None)


RULES: tuple[Rule, ...] = (
    archive_link,
    doi_registration,
    local_file,
    failure,
    accepted,
    bot_challenge,
    restricted_status,
    login_redirect,
    client_error,
    other_status,
    login_wall,
    client_rendered,
    soft_404,
    homepage_redirect,
    missing_fragment,
    redirected,
    ok,
)


def decide(obs: Observation, ctx: Context, rules: Sequence[Rule] = RULES) -> Decision:
    """The first rule's decision (``ok`` always matches, so there is one)."""
    for rule in rules:
        decision = rule(obs, ctx)
        if decision is not None:
            return decision
    raise AssertionError(
        "the rule list must end with a rule that always decides"
    )  # pragma: no cover


def classify(
    observation: Observation, occurrences: Sequence[Occurrence], settings: Settings
) -> Result:
    """The verdict on one checked URL, carrying the observation's evidence."""
    ctx = Context(occurrences, settings, recognize(observation.url))
    decision = decide(observation, ctx)
    return Result(
        url=observation.url,
        verdict=decision.verdict,
        reason=decision.reason,
        status=observation.status,
        final_url=observation.final_url,
        redirects=observation.redirects,
        permanent=decision.permanent,
        title=observation.title,
        checked_at=observation.checked_at,
        elapsed_ms=observation.elapsed_ms,
        attempts=observation.attempts,
        error=decision.error or observation.error,
        # A snapshot that did not resolve is not offered as the link to cite instead.
        archive=decision.archive
        or (ctx.snapshot if decision.verdict is Verdict.ARCHIVED else None),
        occurrences=tuple(occurrences),
        doi=observation.doi,
        notices=observation.notices,
        open_access=observation.open_access,
    )


def precheck(url: str, occurrences: Sequence[Occurrence], settings: Settings) -> Result | None:
    """The verdict when no fetch is needed (invalid, mailto, tel, excluded), else ``None``."""
    decision = _precheck_decision(url, occurrences, settings)
    if decision is None:
        return None
    return Result(
        url=url,
        verdict=decision.verdict,
        reason=decision.reason,
        error=decision.error,
        occurrences=tuple(occurrences),
    )


def _precheck_decision(
    url: str, occurrences: Sequence[Occurrence], settings: Settings
) -> Decision | None:
    problem = next((o.problem for o in occurrences if o.problem is not None), None)
    if problem is not None:
        return Decision(REASON_VERDICT.get(problem, Verdict.INVALID), problem)
    scheme = scheme_of(url)
    if scheme == "mailto":
        if is_mailto_valid(url):
            return Decision(Verdict.SKIPPED, Reason.MAILTO)
        error = "not a valid e-mail address (RFC 5322 addr-spec)"
        return Decision(Verdict.INVALID, Reason.MALFORMED, error=error)
    if scheme == "tel":
        return Decision(Verdict.SKIPPED, Reason.TEL)
    if scheme in OTHER_SCHEMES:
        return Decision(Verdict.SKIPPED, Reason.OTHER_SCHEME)
    if _excluded(url, settings):
        return Decision(Verdict.SKIPPED, Reason.EXCLUDED)
    if settings.offline and scheme not in ("file", ""):
        return Decision(Verdict.SKIPPED, Reason.EXCLUDED, error="not checked: --offline")
    return None


def _excluded(url: str, settings: Settings) -> bool:
    if any(re.search(pattern, url) for pattern in settings.exclude):
        return True
    return bool(settings.include) and not any(re.search(p, url) for p in settings.include)
