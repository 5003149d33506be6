"""Fixtures for the check stage's tests (helpers are in ``helpers.checking``)."""

from __future__ import annotations

import pytest


@pytest.fixture
def unique(request: pytest.FixtureRequest) -> str:
    """A key unique to the test, for the stateful routes (``?key=…``)."""
    return str(request.node.name).replace("[", "-").replace("]", "")
