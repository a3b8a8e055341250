"""The smallest line-wise text edits between two versions of a text (no libcst needed)."""

from __future__ import annotations

import difflib

from ..analysis.text import split_lines
from ..model import Position, Range, TextEdit


def text_edits(old: str, new: str) -> list[TextEdit]:
    """The smallest line-wise edits that turn ``old`` into ``new``."""
    old_lines = split_lines(old, keepends=True)
    new_lines = split_lines(new, keepends=True)
    edits = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        start = _line_start(old_lines, i1)
        end = _line_start(old_lines, i2)
        edits.append(TextEdit(Range(start, end), "".join(new_lines[j1:j2])))
    return edits


def _line_start(lines: list[str], index: int) -> Position:
    """The position where line ``index`` (0-based) starts; past the end, the end of the text."""
    if index < len(lines):
        return Position(index + 1, 1)
    if not lines:
        return Position(1, 1)
    last = lines[-1]
    if last.endswith(("\n", "\r")):
        return Position(len(lines) + 1, 1)
    return Position(len(lines), len(last) + 1)
