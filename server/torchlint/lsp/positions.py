"""Positions between the engine and the editor.

The engine counts 1-based lines and 1-based columns in code points. LSP counts 0-based lines
split at ``\\r\\n``, ``\\r`` or ``\\n`` (the same lines as Python's tokenizer) and columns in the
encoding the client and server agreed on: UTF-16 code units unless the client offers another.
"""

from __future__ import annotations

import re

from lsprotocol.types import Position, PositionEncodingKind, Range

UTF8, UTF16, UTF32 = PositionEncodingKind.Utf8, PositionEncodingKind.Utf16, PositionEncodingKind.Utf32

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_BREAK_AT_END = re.compile(r"(?:\r\n|\r|\n)\Z")


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` as LSP counts them, without line breaks.

    A text that ends with a line break has a last, empty line (where the cursor can stand).
    """
    return _LINE_BREAK.split(text)


def lines_with_breaks(text: str) -> list[str]:
    """The lines of ``text`` as LSP counts them, each with its own line break."""
    starts = line_starts(text)
    ends = starts[1:] + [len(text)]
    return [text[start:end] for start, end in zip(starts, ends, strict=True) if end > start]


def line_starts(text: str) -> list[int]:
    """The offset at which every LSP line of ``text`` starts."""
    return [0, *(match.end() for match in _LINE_BREAK.finditer(text))]


def offset_at(text: str, position: Position, encoding: str = UTF16, starts: list[int] | None = None) -> int:
    """The offset in ``text`` of an LSP position (``starts``: ``line_starts(text)``, if known).

    As LSP says, a column past the end of its line stands at the end of the line (before its
    line break), and a line past the last one at the end of the text.
    """
    starts = line_starts(text) if starts is None else starts
    if position.line >= len(starts):
        return len(text)
    begin = starts[position.line]
    end = starts[position.line + 1] if position.line + 1 < len(starts) else len(text)
    line = _BREAK_AT_END.sub("", text[begin:end])
    return begin + code_points(line, position.character, encoding)


def apply_change(text: str, rng: Range, new_text: str, encoding: str = UTF16) -> str:
    """``text`` with the range ``rng`` (LSP lines, the client's units) replaced by ``new_text``."""
    starts = line_starts(text)
    start = offset_at(text, rng.start, encoding, starts)
    end = offset_at(text, rng.end, encoding, starts)
    start, end = min(start, end), max(start, end)
    return text[:start] + new_text + text[end:]


def units(text: str, encoding: str = UTF16) -> int:
    """The length of ``text`` in the client's units."""
    if text.isascii() or encoding == UTF32:
        return len(text)
    codec = "utf-8" if encoding == UTF8 else "utf-16-le"
    size = len(text.encode(codec, "surrogatepass"))
    return size if encoding == UTF8 else size // 2


def code_points(line: str, column: int, encoding: str = UTF16) -> int:
    """The code point index in ``line`` of a column given in the client's units (clamped)."""
    if line.isascii() or encoding == UTF32:
        return max(0, min(column, len(line)))
    count = 0
    for index, char in enumerate(line):
        if count >= column:
            return index
        count += units(char, encoding)
    return len(line)
