"""The findings of the last text that parsed, moved onto a text that does not (yet).

While a file does not parse (every few keystrokes while typing), the engine finds nothing but
the syntax error. As Pylance and ruff do, the editor keeps showing the last findings beside
it: each is moved through the edits since, which are the part between the texts' common
beginning and common end. A finding that touches that part is dropped (it was being edited),
and the findings kept carry no fix or action (those were computed for the other text).
"""

from __future__ import annotations

import bisect
from dataclasses import replace

from ..model import Finding, Position, Range
from .positions import line_starts


def carry(findings: tuple[Finding, ...], old: str, new: str) -> tuple[Finding, ...]:
    """``findings`` of ``old``, at their places in ``new``; those in the edited part are dropped."""
    if not findings:
        return ()
    edit_start = _common_prefix(old, new)
    edit_end = len(old) - _common_suffix(old[edit_start:], new[edit_start:])
    old_starts, new_starts = line_starts(old), line_starts(new)

    def offset(position: Position) -> int:
        return min(old_starts[min(position.line, len(old_starts)) - 1] + position.column - 1, len(old))

    def position(at: int) -> Position:
        line = bisect.bisect_right(new_starts, at) - 1
        return Position(line + 1, at - new_starts[line] + 1)

    kept = []
    for finding in findings:
        first, last = offset(finding.range.start), offset(finding.range.end)
        if last <= edit_start:
            shift = 0
        elif first >= edit_end:
            shift = len(new) - len(old)
        else:
            continue
        kept.append(replace(finding, range=Range(position(first + shift), position(last + shift)), fix=None, actions=()))
    return tuple(kept)


def _common_prefix(a: str, b: str) -> int:
    """The length of the longest common beginning (slices compared in C, halving the range)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix(a: str, b: str) -> int:
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[len(a) - middle :] == b[len(b) - middle :]:
            low = middle
        else:
            high = middle - 1
    return low
