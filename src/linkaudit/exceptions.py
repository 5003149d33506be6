"""
Every error linkaudit raises on purpose, in one tree.

    LinkauditError
    ├── ConfigError          a bad config file, key, value or flag
    ├── DocumentError        a document that cannot be read (the rest of the run goes on)
    │   ├── UnsupportedFormat
    │   ├── EncryptedDocument
    │   ├── DocumentTooLarge
    │   └── CorruptDocument
    ├── StoreError           the SQLite store cannot be opened, read or written
    │   └── StoreVersionError
    ├── ArchiveError         a web-archive service failed (never fatal to a run)
    └── OutputError          a report could not be written

A dead link is not an exception: it is a `Result` with a verdict. The CLI turns each
`LinkauditError` into a one-line message; foreign exceptions are translated at the
boundary that calls the foreign library, chained with `from exc`.
"""

from __future__ import annotations

__all__ = [
    "ArchiveError",
    "ConfigError",
    "CorruptDocument",
    "DocumentError",
    "DocumentTooLarge",
    "EncryptedDocument",
    "LinkauditError",
    "OutputError",
    "StoreError",
    "StoreVersionError",
    "UnsupportedFormat",
]


class LinkauditError(Exception):
    """The root of every error linkaudit raises on purpose."""


class ConfigError(LinkauditError):
    """A config file, key, value or command-line flag is wrong."""


class DocumentError(LinkauditError):
    """A document cannot be read; it names the document and the cause."""

    def __init__(self, document: str, cause: str) -> None:
        super().__init__(f"{document}: {cause}")
        self.document = document
        self.cause = cause


class UnsupportedFormat(DocumentError):
    """The content is of no format linkaudit reads."""


class EncryptedDocument(DocumentError):
    """The document is encrypted and no password was given."""


class DocumentTooLarge(DocumentError):
    """The document exceeds a size, page or link bound."""


class CorruptDocument(DocumentError):
    """The document claims a format but its content is broken."""


class StoreError(LinkauditError):
    """The SQLite store cannot be opened, read or written."""


class StoreVersionError(StoreError):
    """The store was written by a newer linkaudit than this one."""


class ArchiveError(LinkauditError):
    """A web-archive service failed or answered nonsense."""


class OutputError(LinkauditError):
    """A report could not be written: the message names the file and the cause."""
