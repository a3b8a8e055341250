"""Findings where their reader looks for them: in the file, or in a notebook's cell."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..analysis.text import split_lines
from ..model import Finding, Position, Range
from ..notebook import CodeCell, Notebook


@dataclass(frozen=True)
class Located:
    """A finding with the range a report shows: the file's, or (in a notebook) its cell's."""

    finding: Finding
    range: Range
    #: The lines ``range`` counts in: the file's, or the cell's as written (for source snippets).
    lines: tuple[str, ...]
    #: The notebook cell's number (see :class:`~torchlint.notebook.CodeCell`), for a notebook.
    cell: int | None = None

    @property
    def path(self) -> str:
        return self.finding.path

    @property
    def line(self) -> int:
        return self.range.start.line

    @property
    def column(self) -> int:
        return self.range.start.column

    def where(self) -> str:
        """``path:line:col``, or ``path:cell N:line:col`` in a notebook."""
        cell = f"cell {self.cell}:" if self.cell is not None else ""
        return f"{self.path}:{cell}{self.line}:{self.column}"

    def to_dict(self) -> dict:
        """The finding's JSON shape, lines counted in the cell (whose number ``cell`` adds) in a notebook."""
        record = self.finding.to_dict()
        start, end = self.range.start, self.range.end
        record.update(line=start.line, column=start.column, end_line=end.line, end_column=end.column)
        return record if self.cell is None else {"path": record.pop("path"), "cell": self.cell, **record}


def in_file(findings: Sequence[Finding], text: str) -> list[Located]:
    lines = tuple(split_lines(text))
    return [Located(finding, finding.range, lines) for finding in findings]


def in_notebook(findings: Sequence[Finding], notebook: Notebook) -> list[Located]:
    """Findings of the notebook's module, each moved into the cell it starts in (and cut at its end)."""
    lines: dict[int, tuple[str, ...]] = {}
    located = []
    for finding in findings:
        cell = notebook.cell_at(finding.line)
        if cell.number not in lines:
            lines[cell.number] = tuple(cell.lines)
        located.append(Located(finding, _in_cell(finding.range, cell), lines[cell.number], cell.number))
    return located


def _in_cell(rng: Range, cell: CodeCell) -> Range:
    start = Position(rng.start.line - cell.start, rng.start.column)
    if rng.end.line <= cell.end:
        return Range(start, Position(rng.end.line - cell.start, rng.end.column))
    last = len(cell.masked)
    return Range(start, Position(last, len(cell.masked[-1]) + 1))
