"""
The classify stage: pure rules from what the network said to a verdict and a reason.

``precheck`` decides what needs no fetch (invalid, mailto, tel, excluded); ``classify``
turns an ``Observation`` into a ``Result``. Neither does any I/O.
"""

from __future__ import annotations

from linkaudit.classify.rules import RULES, Context, Decision, Rule, classify, decide, precheck

__all__ = ["RULES", "Context", "Decision", "Rule", "classify", "decide", "precheck"]
