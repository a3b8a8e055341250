"""Each rule's contract as input/expected pairs: one file per rule, named after its code.

A case file ``TLnnn_<name>.py`` defines ``CASES``, a list of :class:`Invalid` (code the rule
must report, at the given 1-based ``(line, column)`` positions, and optionally the text after
its fix or code action) and :class:`Valid` (code it must stay silent on). ``target_torch``
runs a case as in a project whose minimum torch is that version (``target-torch = "2.4"``);
``select`` names the rules it runs beside its own (those whose findings TL001's suppressions silence).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass


def _code(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


@dataclass
class Valid:
    source: str
    why: str = ""
    target_torch: str | None = None
    select: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.source = _code(self.source)


@dataclass
class Invalid:
    source: str
    at: list[tuple[int, int]]
    #: The text after applying every fix of this rule (unsafe ones included).
    fixed: str | None = None
    #: The text after running this rule's code action on the first finding.
    action: str | None = None
    #: A fragment the message must contain.
    message: str | None = None
    target_torch: str | None = None
    select: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.source = _code(self.source)
        if self.fixed is not None:
            self.fixed = _code(self.fixed)
        if self.action is not None:
            self.action = _code(self.action)
