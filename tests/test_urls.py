"""``linkaudit.urls``' character classes, held to the RFC sets they are written for."""

from __future__ import annotations

import re
import string

from linkaudit import urls

#: Every code point, in order: a class's members are what ``findall`` keeps of it.
EVERY = "".join(map(chr, range(0x110000)))
NON_ASCII = EVERY[0x80:]


def members(character_class: str) -> str:
    return "".join(re.findall(character_class, EVERY))


def ascii_of(extra: str) -> str:
    return "".join(c for c in EVERY[:0x80] if c in string.ascii_letters + string.digits + extra)


def test_atext_is_rfc_5322_atext_with_utf8() -> None:
    """ALPHA, DIGIT, the 19 specials of RFC 5322 and every non-ASCII character (RFC 6532)."""
    assert members(urls._ATEXT) == ascii_of("!#$%&'*+-/=?^_`{|}~") + NON_ASCII


def test_a_label_character_is_a_letter_digit_hyphen_or_non_ascii() -> None:
    assert members(urls._LABEL_CHAR) == ascii_of("-") + NON_ASCII


def test_the_mail_patterns_accept_and_refuse() -> None:
    assert urls.is_address_valid("jo.o'neil+tag@example.org")
    assert urls.is_address_valid("名前@例え.jp")
    assert not urls.is_address_valid("a..b@example.org")
    assert not urls.is_address_valid("a b@example.org")
    assert not urls.is_address_valid("ab@-example.org")
