"""
Fuzz every extractor through ``extract_source``: token soups, random bytes and text, and
mutated valid documents. The property: an ``Extraction`` or a one-line ``DocumentError``,
within the memory bound and the time limit (see ``_harness``). A fixed seed keeps CI
reproducible; ``LINKAUDIT_FUZZ_EXAMPLES`` raises the number of examples.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuzz._harness import FUZZ, SUFFIX, TEST_TIMEOUT, docx_members, extract_once, rezip, seed
from fuzz.strategies import mutated, mutations, soup

FORMATS = list(SUFFIX)

pytestmark = pytest.mark.timeout(TEST_TIMEOUT)


@pytest.mark.parametrize("fmt", FORMATS)
@FUZZ
@given(data=st.data())
def test_token_soup(fmt: str, data: st.DataObject) -> None:
    """Random sequences of the format's own tokens (a PDF soup starts with its header)."""
    body = data.draw(soup(fmt))
    if fmt == "docx":
        members = docx_members(seed("docx"))
        members["word/document.xml"] = body
        body = rezip(members)
    elif fmt == "pdf":
        body = b"%PDF-1.7\n" + body
    extract_once("soup" + SUFFIX[fmt], body)


@pytest.mark.parametrize("fmt", FORMATS)
@FUZZ
@given(body=st.one_of(st.binary(max_size=4096), st.text(max_size=2048).map(str.encode)))
def test_random_input(fmt: str, body: bytes) -> None:
    """Random bytes and random text under each format's name."""
    extract_once("random" + SUFFIX[fmt], body)


@pytest.mark.parametrize("fmt", FORMATS)
@FUZZ
@given(edits=mutations())
def test_mutated_seed(fmt: str, edits: list[tuple[str, float, int, bytes, float]]) -> None:
    """A valid document with bytes flipped, inserted, deleted, truncated or duplicated."""
    outcome = extract_once("mutated" + SUFFIX[fmt], mutated(seed(fmt), edits))
    assert outcome.extraction is not None or outcome.error is not None


@FUZZ
@given(
    member=st.sampled_from(["word/document.xml", "word/_rels/document.xml.rels", "_rels/.rels"]),
    edits=mutations(),
)
def test_mutated_docx_member(
    member: str, edits: list[tuple[str, float, int, bytes, float]]
) -> None:
    """A DOCX whose XML part is mutated and zipped again, so the bytes reach the XML reader."""
    members = docx_members(seed("docx"))
    members[member] = mutated(members[member], edits)
    extract_once("member.docx", rezip(members))


def test_seeds_are_valid() -> None:
    """The fuzzers start from documents that extract cleanly with links (else they test nothing)."""
    for fmt in FORMATS:
        outcome = extract_once("seed" + SUFFIX[fmt], seed(fmt))
        assert outcome.error is None, f"{fmt}: {outcome.error}"
        assert outcome.extraction is not None and outcome.extraction.occurrences, fmt
