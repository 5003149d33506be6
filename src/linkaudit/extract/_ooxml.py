"""
Reading an OOXML package (a DOCX) safely: bounded zip reads, XML without DTDs.

Every foreign failure (``zipfile``, ``lxml``) is turned into linkaudit's own
``DocumentError`` here. Limits: the bytes inflated from the package are capped at
``_INFLATE_FACTOR`` × ``max_document_bytes`` in total, checked against the sizes the zip
declares before reading and against the bytes actually read while reading; an XML part
with a ``<!DOCTYPE`` is refused outright (OOXML never has one, and entity expansion is
the billion-laughs attack).
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field

from lxml import etree

from linkaudit.exceptions import CorruptDocument, DocumentTooLarge, EncryptedDocument

__all__ = ["Package", "Relationship", "local", "open_package"]

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_INFLATE_FACTOR = 4
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_OFFICE_DOCUMENT = "/officeDocument"


def local(name: str) -> str:
    """The local part of a Clark-notation ``{namespace}name`` (transitional and strict alike)."""
    return name.rpartition("}")[2]


@dataclass(frozen=True, slots=True)
class Relationship:
    """One ``Relationship`` of a part: its type's last segment, target and mode."""

    kind: str
    target: str
    external: bool


@dataclass
class Package:
    """An open DOCX: its main part's name and a byte budget shared by every read."""

    name: str
    archive: zipfile.ZipFile
    budget: int
    main: str = "word/document.xml"
    _names: set[str] = field(default_factory=set)

    def has(self, part: str) -> bool:
        return part in self._names

    def read(self, part: str) -> bytes:
        """The bytes of ``part``, counted against the budget (actual bytes, not declared)."""
        try:
            with self.archive.open(part) as member:
                data = member.read(self.budget + 1)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
            raise CorruptDocument(self.name, f"broken zip member {part}: {exc}") from exc
        if len(data) > self.budget:
            raise DocumentTooLarge(self.name, f"inflates beyond {self.budget} bytes (zip bomb?)")
        self.budget -= len(data)
        return data

    def xml(self, part: str) -> etree._Element:
        """``part`` parsed without DTDs, entities or network access."""
        data = self.read(part)
        if _DOCTYPE.search(data[:4096]) or _DOCTYPE.search(data):
            raise CorruptDocument(self.name, f"{part} declares a DTD (not allowed in OOXML)")
        parser = etree.XMLParser(
            resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False
        )
        try:
            return etree.fromstring(data, parser)
        except etree.XMLSyntaxError as exc:
            cause = " ".join(str(exc).split())  # libxml2 messages span lines
            raise CorruptDocument(self.name, f"{part} is not well-formed XML: {cause}") from exc

    def relationships(self, part: str) -> dict[str, Relationship]:
        """The relationships of ``part`` by id (an absent .rels file means none)."""
        folder, base = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", base + ".rels")
        if not self.has(rels):
            return {}
        found = {}
        for rel in self.xml(rels):
            if local(rel.tag) != "Relationship" or rel.get("Id") is None:
                continue
            found[rel.get("Id", "")] = Relationship(
                kind=(rel.get("Type") or "").rpartition("/")[2],
                target=rel.get("Target") or "",
                external=(rel.get("TargetMode") or "").lower() == "external",
            )
        return found

    def resolve(self, part: str, target: str) -> str:
        """The package name of an internal ``target`` relative to ``part``."""
        if target.startswith("/"):
            return target.lstrip("/")
        return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))


def open_package(
    data: bytes, name: str, max_document_bytes: int, max_unzipped_bytes: int | None = None
) -> Package:
    """Open ``data`` as a DOCX, or say in one line why it is not one."""
    if data.startswith(_OLE_MAGIC):
        raise EncryptedDocument(name, "password-protected Office document (OLE compound file)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise CorruptDocument(name, f"not a DOCX (not a zip archive: {exc})") from exc
    budget = max_document_bytes * _INFLATE_FACTOR
    if max_unzipped_bytes is not None:
        budget = min(budget, max_unzipped_bytes)
    declared = sum(info.file_size for info in infos if info.filename.endswith((".xml", ".rels")))
    if declared > budget:
        raise DocumentTooLarge(name, f"XML parts declare {declared} bytes > {budget} (zip bomb?)")
    package = Package(name, archive, budget, _names={info.filename for info in infos})
    package.main = _main_part(package)
    if not package.has(package.main):
        raise CorruptDocument(name, "not a DOCX (zip without word/document.xml)")
    return package


def _main_part(package: Package) -> str:
    """The officeDocument target of ``_rels/.rels``, else the usual ``word/document.xml``."""
    if package.has("_rels/.rels"):
        for rel in package.relationships("").values():
            if rel.kind == _OFFICE_DOCUMENT.lstrip("/") and not rel.external:
                return rel.target.lstrip("/")
    return "word/document.xml"


def core_properties(package: Package) -> tuple[str | None, dt.date | None]:
    """``dc:title`` and the ``dcterms:created`` (else ``modified``) date of docProps/core.xml."""
    if not package.has("docProps/core.xml"):
        return None, None
    title = None
    dates: dict[str, dt.date] = {}
    for element in package.xml("docProps/core.xml"):
        name = local(element.tag)
        value = (element.text or "").strip()
        if name == "title" and value:
            title = value
        elif name in ("created", "modified") and value:
            try:
                dates[name] = dt.date.fromisoformat(value[:10])
            except ValueError:
                continue
    return title, dates.get("created") or dates.get("modified")
