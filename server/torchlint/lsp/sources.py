"""What the engine analyses for an open document or notebook, and the way back to the editor.

A :class:`Source` is the text of one Python document, or the code cells of a notebook joined
into one module. Its :class:`Cell` parts remember which editor document each line came from,
so findings, positions and edits map back to the document (or cell) they belong to.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from lsprotocol import types as lsp

from ..model import Position, Range
from ..notebook import Magics, split_module, unmask
from .positions import UTF16, code_points, lines_with_breaks, split_lines, units


@dataclass(frozen=True)
class Cell:
    """One editor document's part of a source."""

    uri: str
    version: int | None
    #: The editor's text of the document.
    text: str
    #: The 0-based line of the source where this part begins.
    start: int
    #: The lines it contributes, without line breaks (for a notebook: IPython magics masked).
    lines: tuple[str, ...]
    #: ``(masked, original)`` for each masked magic line, in order.
    magics: Magics = ()
    newline: str = "\n"

    @property
    def end(self) -> int:
        return self.start + len(self.lines)

    def to_editor(self, analysed: str) -> str:
        """This cell's part of a rewritten notebook module, as the editor's cell text."""
        text = unmask(analysed, self.magics).replace("\n", self.newline)
        if not self.text.endswith(("\n", "\r")) and text.endswith(self.newline):
            text = text[: -len(self.newline)]
        return text


@dataclass(frozen=True)
class Source:
    #: The document's uri, or the notebook's.
    key: str
    #: The file it stands for (settings and messages), if it is a file.
    path: str | None
    version: int | None
    #: What the engine analyses.
    text: str
    cells: tuple[Cell, ...]
    notebook: bool = False

    @classmethod
    def document(cls, uri: str, path: str | None, version: int | None, text: str) -> Source:
        cell = Cell(uri, version, text, 0, tuple(split_lines(text)))
        return cls(uri, path, version, text, (cell,))

    @property
    def name(self) -> str:
        """The name the engine and messages use for this source."""
        return self.path or self.key

    def cell(self, uri: str) -> Cell | None:
        return next((cell for cell in self.cells if cell.uri == uri), None)

    def cell_at(self, line: int) -> Cell:
        """The cell holding the 0-based source ``line`` (the last one past the end)."""
        index = bisect.bisect_right([cell.start for cell in self.cells], line) - 1
        return self.cells[max(index, 0)]

    # -- engine -> editor ---------------------------------------------------------------

    def to_client(self, rng: Range, encoding: str = UTF16) -> tuple[str, lsp.Range]:
        """The document and range in the client's units of an engine range (kept in one cell)."""
        cell = self.cell_at(rng.start.line - 1)
        start = _client_position(cell, rng.start.line - 1, rng.start.column - 1, encoding)
        if rng.end.line - 1 < cell.end:
            end = _client_position(cell, rng.end.line - 1, rng.end.column - 1, encoding)
        else:
            last = cell.end - 1
            end = _client_position(cell, last, len(cell.lines[-1]), encoding)
        return cell.uri, lsp.Range(start, max(start, end, key=_order))

    # -- editor -> engine ---------------------------------------------------------------

    def from_client(self, uri: str, position: lsp.Position, encoding: str = UTF16) -> Position | None:
        """The engine position (1-based, code points) of a position in document ``uri``."""
        cell = self.cell(uri)
        if cell is None:
            return None
        local = min(max(position.line, 0), len(cell.lines) - 1)
        column = code_points(cell.lines[local], position.character, encoding)
        if position.line > local:
            column = len(cell.lines[local])
        return Position(cell.start + local + 1, column + 1)

    # -- edits --------------------------------------------------------------------------

    def edits(self, new_text: str, encoding: str = UTF16) -> list[tuple[Cell, list[lsp.TextEdit]]]:
        """Minimal edits, per editor document, that turn this source's text into ``new_text``."""
        if self.notebook:
            parts = [(cell, cell.to_editor(text)) for cell, text in zip(self.cells, self._split(new_text), strict=True)]
        else:
            parts = [(self.cells[0], new_text)]
        return [(cell, _text_edits(cell.text, text, encoding)) for cell, text in parts if text != cell.text]

    def _split(self, new_text: str) -> list[str]:
        """``new_text`` cut into the cells' parts; lines added at a cell boundary join the cell before."""
        return split_module(lines_with_breaks(self.text), lines_with_breaks(new_text), [cell.start for cell in self.cells[1:]])


def _client_position(cell: Cell, line: int, column: int, encoding: str) -> lsp.Position:
    local = min(max(line - cell.start, 0), len(cell.lines) - 1)
    return lsp.Position(local, units(cell.lines[local][: max(column, 0)], encoding))


def _order(position: lsp.Position) -> tuple[int, int]:
    return position.line, position.character


def _text_edits(old: str, new: str, encoding: str) -> list[lsp.TextEdit]:
    """``torchlint.fixing.text_edits.text_edits`` (1-based lines and code point columns) in the client's units."""
    from ..fixing.text_edits import text_edits

    lines = split_lines(old)

    def convert(position: Position) -> lsp.Position:
        line = position.line - 1
        text = lines[line] if line < len(lines) else ""
        return lsp.Position(line, units(text[: position.column - 1], encoding))

    return [
        lsp.TextEdit(lsp.Range(convert(edit.range.start), convert(edit.range.end)), edit.new_text)
        for edit in text_edits(old, new)
    ]
