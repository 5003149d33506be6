"""``new_occurrence``, the extractors' fast way to make an ``Occurrence``, is the dataclass."""

from __future__ import annotations

import dataclasses
import inspect
import pickle

from linkaudit.models import Element, Occurrence, Part, RobustLink, new_occurrence
from linkaudit.verdicts import Reason


def test_new_occurrence_takes_every_field_in_order() -> None:
    """A field added to ``Occurrence`` and not to ``new_occurrence`` fails here."""
    names = [field.name for field in dataclasses.fields(Occurrence)]
    assert list(inspect.signature(new_occurrence).parameters) == names
    assert list(Occurrence.__slots__) == names


def test_new_occurrence_is_the_dataclass_made_by_its_init() -> None:
    values = (
        "brief.pdf",
        "www.x.org/a b",
        "http://www.x.org/a%20b",
        "the report",
        3,
        7,
        12,
        Part.ENDNOTE,
        Element.ANNOTATION,
        "The sentence around it.",
        Reason.MALFORMED,
        RobustLink(original_url="http://x.org/"),
    )
    fast = new_occurrence(*values)
    made = Occurrence(*values)
    assert fast == made and hash(fast) == hash(made) and repr(fast) == repr(made)
    assert tuple(getattr(fast, name) for name in Occurrence.__slots__) == values
    assert pickle.loads(pickle.dumps(fast)) == made
    assert dataclasses.replace(fast, text="other") == dataclasses.replace(made, text="other")
    try:
        fast.text = "changed"  # type: ignore[misc]
    except dataclasses.FrozenInstanceError:
        pass
    else:
        raise AssertionError("an Occurrence made fast must stay frozen")
    other = new_occurrence(
        *values[:3], "", None, None, None, Part.BODY, Element.LINK, None, None, None
    )
    assert other == Occurrence(*values[:3])
    assert other != made
