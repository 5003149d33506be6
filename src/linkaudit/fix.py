"""
``linkaudit fix``: the edits a check's results call for, planned and applied to the text.

A permanent redirect becomes its final URL; a dead link becomes the snapshot closest to the
citation date (in HTML a Robust Link: https://robustlinks.mementoweb.org/, keeping the
original, the snapshot and the date together); a placeholder is listed, never guessed.

Only the targets change: the document is decoded losslessly, each target is replaced where it
stands as a whole target (after ``(``, ``<``, a quote, ``{``, ``=`` or a space and before the
matching closer), and everything else is written back byte for byte. Planning and rewriting
are pure; the command joins them to a check run and to the files.
"""

from __future__ import annotations

import codecs
import difflib
import html
import os
import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from linkaudit.choices import Prefer
from linkaudit.models import DocumentFormat, Occurrence, Result
from linkaudit.printable import neutralise, one_line
from linkaudit.verdicts import Reason, Verdict

__all__ = [
    "REWRITABLE",
    "Edit",
    "EditKind",
    "Rewrite",
    "plan_edits",
    "rewrite",
    "unified_diff",
]

#: Formats whose text linkaudit rewrites; DOCX and PDF get a list of edits to make by hand.
REWRITABLE = frozenset(
    {DocumentFormat.MARKDOWN, DocumentFormat.HTML, DocumentFormat.LATEX, DocumentFormat.BIBTEX}
)


class EditKind(StrEnum):
    """Why a target changes."""

    REDIRECT = "redirect"
    """A permanent redirect: cite where the page lives now."""
    SNAPSHOT = "snapshot"
    """A dead page with an archived copy: cite the copy."""
    PLACEHOLDER = "placeholder"
    """Listed for the editor; nothing to replace it with."""


@dataclass(frozen=True, slots=True)
class Edit:
    """One target to change in one document (``replacement`` None: list it only)."""

    document: str
    kind: EditKind
    raw: str
    replacement: str | None
    occurrence: Occurrence
    version_date: str | None = None
    """``YYYY-MM-DD`` of the snapshot, for Robust Links."""


@dataclass(frozen=True, slots=True)
class Rewrite:
    """A document's new text, and the edits that did not find their target in it."""

    text: str
    applied: tuple[Edit, ...]
    missed: tuple[Edit, ...]


def plan_edits(results: Iterable[Result]) -> list[Edit]:
    """Every edit the results call for, one per document and target, in document order."""
    seen: set[tuple[str, str]] = set()
    edits: list[Edit] = []
    for result in results:
        for occurrence in result.occurrences:
            edit = _edit_for(result, occurrence)
            if edit is None or (occurrence.document, occurrence.raw) in seen:
                continue
            seen.add((occurrence.document, occurrence.raw))
            edits.append(edit)
    return sorted(edits, key=lambda e: (e.document, *_place(e.occurrence)))


def _place(occurrence: Occurrence) -> tuple[int, int, int]:
    return (occurrence.page or 0, occurrence.line or 0, occurrence.column or 0)


def _edit_for(result: Result, occurrence: Occurrence) -> Edit | None:
    document = occurrence.document
    if occurrence.problem is Reason.PLACEHOLDER or result.reason == Reason.PLACEHOLDER:
        return Edit(document, EditKind.PLACEHOLDER, occurrence.raw, None, occurrence)
    if result.doi is not None:
        return None  # a DOI is the stable name of a work: never rewritten to its target
    fragment = _fragment(occurrence.raw)
    if result.verdict is Verdict.REDIRECTED and result.permanent and result.final_url:
        target = result.final_url if "#" in result.final_url else result.final_url + fragment
        if target != occurrence.raw:
            return Edit(document, EditKind.REDIRECT, occurrence.raw, target, occurrence)
    if result.verdict is Verdict.DEAD and result.archive is not None and result.archive.url:
        stamp = result.archive.timestamp or ""
        date = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}" if len(stamp) >= 8 else None
        snapshot = result.archive.url
        return Edit(document, EditKind.SNAPSHOT, occurrence.raw, snapshot, occurrence, date)
    return None


def _fragment(raw: str) -> str:
    return "#" + raw.split("#", 1)[1] if "#" in raw else ""


# A target stands after one of these and before its closer (or space, or the end of a line).
_OPENERS = "(<\"'{= \t\n["
_CLOSERS = ")>\"'} \t\r\n]"


def rewrite(text: str, edits: Sequence[Edit], fmt: DocumentFormat, prefer: Prefer) -> Rewrite:
    """``text`` with every replaceable edit applied where its target stands."""
    applied: list[Edit] = []
    missed: list[Edit] = []
    for edit in edits:
        if edit.replacement is None:
            continue
        if fmt is DocumentFormat.HTML and edit.kind is EditKind.SNAPSHOT:
            new = _robust_html(text, edit, prefer)
        else:
            new = _replace_targets(text, _spellings(edit.raw, fmt), edit.replacement)
        if new == text:
            missed.append(edit)
        else:
            applied.append(edit)
            text = new
    return Rewrite(text, tuple(applied), tuple(missed))


def _spellings(raw: str, fmt: DocumentFormat) -> list[str]:
    """How the target may be written in the source (HTML escapes ``&``)."""
    found = [raw]
    if fmt is DocumentFormat.HTML and "&" in raw:
        found.append(html.escape(raw, quote=False))
    if fmt in (DocumentFormat.LATEX, DocumentFormat.BIBTEX) and ("%" in raw or "#" in raw):
        found.append(raw.replace("%", r"\%").replace("#", r"\#"))
    return found


def _escape_for(spelling: str, raw: str, replacement: str) -> str:
    """The replacement written as the source wrote its target."""
    if spelling == raw:
        return replacement
    if "&amp;" in spelling:
        return html.escape(replacement, quote=False)
    return replacement.replace("%", r"\%").replace("#", r"\#")


def _replace_targets(text: str, spellings: Sequence[str], replacement: str) -> str:
    for spelling in spellings:
        pattern = re.compile(
            rf"(?:(?<=[{re.escape(_OPENERS)}])|^){re.escape(spelling)}(?=[{re.escape(_CLOSERS)}]|$)",
            re.MULTILINE,
        )
        written = _escape_for(spelling, spellings[0], replacement)
        new = pattern.sub(lambda _, written=written: written, text)  # type: ignore[misc]
        if new != text:
            return new
    return text


_HREF = r"""(\bhref\s*=\s*)(["']){target}\2"""


def _robust_html(text: str, edit: Edit, prefer: Prefer) -> str:
    """The ``href`` of a dead link becomes a Robust Link (snapshot, original and date)."""
    assert edit.replacement is not None
    for spelling in _spellings(edit.raw, DocumentFormat.HTML):
        pattern = re.compile(_HREF.format(target=re.escape(spelling)), re.IGNORECASE)

        def robust(match: re.Match[str], spelling: str = spelling) -> str:
            quote = match.group(2)
            href = (
                spelling
                if prefer is Prefer.ORIGINAL
                else _escape_for(spelling, edit.raw, edit.replacement or "")
            )
            attrs = _robust_attributes(edit, quote)
            return f"{match.group(1)}{quote}{href}{quote}{attrs}"

        new = pattern.sub(robust, text)
        if new != text:
            return new
    return text


def _robust_attributes(edit: Edit, quote: str) -> str:
    values = [("data-originalurl", edit.raw), ("data-versionurl", edit.replacement or "")]
    if edit.version_date:
        values.append(("data-versiondate", edit.version_date))
    return "".join(f" {name}={quote}{html.escape(value)}{quote}" for name, value in values)


def decode_exactly(data: bytes) -> tuple[str, str] | None:
    """The text and the encoding that gives back exactly ``data``, or None (then the file is
    not rewritten: a lossy round trip would change bytes outside the targets)."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"),):
        if data.startswith(bom):
            text = data.decode(encoding)
            return text, encoding
    for encoding in ("utf-8", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if text.encode(encoding) == data:
            return text, encoding
    return None


def unified_diff(path: str, before: str, after: str) -> str:
    """A unified diff of one document, as ``git diff`` would show it."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"a/{path}",
        tofile=f"b/{path}",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def describe(edit: Edit) -> str:
    """One line for the list of edits: where, the anchor text, and what to do (every value
    neutralised: file names and anchor texts come from the documents)."""
    occurrence = edit.occurrence
    document = neutralise(edit.document)
    where = f"{document}:{occurrence.line}" if occurrence.line else document
    if occurrence.page is not None:
        where = f"{document} page {occurrence.page}"
    text = f' "{one_line(occurrence.text)}"' if occurrence.text else ""
    match edit.kind:
        case EditKind.PLACEHOLDER:
            return f"{where}{text}: placeholder link {edit.raw!r}: add the target"
        case EditKind.REDIRECT:
            return f"{where}{text}: {edit.raw} → {edit.replacement} (permanent redirect)"
        case EditKind.SNAPSHOT:
            date = f" of {edit.version_date}" if edit.version_date else ""
            return f"{where}{text}: {edit.raw} → {edit.replacement} (dead; snapshot{date})"


@dataclass(frozen=True, slots=True)
class FixOutcome:
    """What ``fix`` did: the text to print and whether any document could not be handled."""

    text: str
    failed: bool


def fix_documents(
    results: Sequence[Result],
    formats: dict[str, DocumentFormat],
    *,
    write: bool,
    diff: bool,
    prefer: Prefer,
) -> FixOutcome:
    """Plan the edits of every document and apply, show or list them."""
    edits = plan_edits(results)
    by_document: dict[str, list[Edit]] = {}
    for edit in edits:
        by_document.setdefault(edit.document, []).append(edit)
    out: list[str] = []
    failed = False
    for document, mine in by_document.items():
        fmt = formats.get(document)
        out.extend(describe(edit) for edit in mine)
        if fmt not in REWRITABLE or not any(e.replacement for e in mine):
            continue
        done, error = _fix_one(Path(document), fmt, mine, write=write, diff=diff, prefer=prefer)
        out.extend(done)
        if error:
            out.append(error)
            failed = True
    if not edits:
        out.append("nothing to fix")
    elif not write and not diff:
        out.append("nothing written: --dry-run shows the diff, --write applies it")
    return FixOutcome("".join(line if line.endswith("\n") else line + "\n" for line in out), failed)


def _fix_one(
    path: Path, fmt: DocumentFormat, edits: list[Edit], *, write: bool, diff: bool, prefer: Prefer
) -> tuple[list[str], str | None]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [], f"{path}: cannot read: {exc.strerror}"
    decoded = decode_exactly(data)
    if decoded is None:
        return [], f"{path}: not rewritten: its encoding does not round-trip exactly"
    text, encoding = decoded
    result = rewrite(text, edits, fmt, prefer)
    lines = [f"{path}: target not found, left as is: {e.raw}" for e in result.missed]
    if diff:
        lines.append(unified_diff(str(path), text, result.text))
    if write and result.applied:
        # A symbolic link stays one: the file it names is rewritten.
        target = Path(os.path.realpath(path)) if path.is_symlink() else path
        temporary = target.with_name(f".{target.name}.linkaudit-fix")
        try:
            temporary.write_bytes(result.text.encode(encoding))
            shutil.copymode(target, temporary)  # the document keeps its permissions
            temporary.replace(target)
        except OSError as exc:
            temporary.unlink(missing_ok=True)
            return lines, f"{path}: cannot write: {exc.strerror}"
        lines.append(f"{path}: {len(result.applied)} targets rewritten")
    return lines, None
