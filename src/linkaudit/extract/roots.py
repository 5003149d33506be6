"""
Root-relative links of local documents (``/about/``), resolved as their site would serve them.

Apart from ``extract.urls`` (its problem checks, with the anchor test of ``fragment``), so
that resolving a root-relative link loads none of the per-link checks.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import urljoin

from linkaudit.models import Occurrence
from linkaudit.urls import browser_href, identity
from linkaudit.verdicts import Reason

__all__ = ["rooted"]


def rooted(occurrence: Occurrence, root_dir: str | None, base_url: str | None) -> Occurrence:
    """A local document's root-relative link (``/about/``) resolved as its site would:
    under ``root_dir``, else against ``base_url``, else left unresolved with the problem
    ``needs_root`` (a browser would read it against a server this run does not know)."""
    url = occurrence.url
    if url[:5].lower() != "file:":  # most links: no need to read the target as written
        return occurrence
    written = browser_href(occurrence.raw)
    if written[:1] != "/" or written[:2] == "//":
        return occurrence
    if occurrence.problem is not None:
        return occurrence
    reference = url[len("file://") :] if url.startswith("file://") else url[len("file:") :]
    if root_dir is not None:
        return replace(occurrence, url=Path(root_dir).resolve().as_uri().rstrip("/") + reference)
    if base_url is not None:
        return replace(occurrence, url=identity(urljoin(base_url, reference)))
    return replace(occurrence, url=written, problem=Reason.NEEDS_ROOT)
