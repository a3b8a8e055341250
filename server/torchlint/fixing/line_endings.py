"""Fixing files whose lines end in a bare ``\\r`` (old Mac style, or mixed in by an editor).

Python and ``ast`` accept ``\\r`` as a line end, libcst does not: it glues the next line onto the
one before. The fixer therefore edits such a text with ``\\n`` in place of every bare ``\\r`` (one
character for one, so positions stay valid) and gives each line its own ending back afterwards.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter

from ..analysis.text import split_lines

_BARE_CR = re.compile(r"\r(?!\n)")


def has_bare_cr(text: str) -> bool:
    return _BARE_CR.search(text) is not None


def without_bare_cr(text: str) -> str:
    return _BARE_CR.sub("\n", text)


def restore(original: str, edited: str) -> str:
    """``edited`` (an edit of ``without_bare_cr(original)``) with the line ends of ``original``:
    unchanged lines keep theirs, a changed line takes the one of the line it replaces, and new lines
    the most common one of the file."""
    old_lines = split_lines(original, keepends=True)
    new_lines = split_lines(edited, keepends=True)
    ending = _most_common_ending(old_lines)
    matcher = difflib.SequenceMatcher(a=[without_bare_cr(line) for line in old_lines], b=new_lines, autojunk=False)
    out: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out += old_lines[i1:i2]
        else:
            replaced = old_lines[i1:i2]
            for offset, line in enumerate(new_lines[j1:j2]):
                own = _ending(replaced[offset]) if offset < len(replaced) else ""
                out.append(_ended(line, own or ending))
    return "".join(out)


def _ending(line: str) -> str:
    return "\r\n" if line.endswith("\r\n") else line[-1:] if line.endswith(("\r", "\n")) else ""


def _most_common_ending(lines: list[str]) -> str:
    counts = Counter(ending for ending in map(_ending, lines) if ending)
    return counts.most_common(1)[0][0] if counts else "\r"


def _ended(line: str, ending: str) -> str:
    """A line the fix wrote (ending in ``\\n``, or ``\\r\\n`` where libcst copied a neighbour's)
    with ``ending`` instead; the last line of a text without a final newline stays so."""
    own = _ending(line)
    return line[: len(line) - len(own)] + ending if own else line
