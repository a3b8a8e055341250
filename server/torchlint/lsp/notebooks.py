"""Notebook documents: their Python code cells joined into one module, so a seed in cell 1 counts
in cell 5 (masking and the cell map are :mod:`torchlint.notebook`'s, which the CLI shares)."""

from __future__ import annotations

import re
from collections.abc import Callable

from lsprotocol import types as lsp
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument

from ..notebook import mask
from .positions import split_lines
from .sources import Cell, Source

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def notebook_source(notebook: lsp.NotebookDocument, open_document: Callable[[str], TextDocument | None]) -> Source:
    """The notebook's Python code cells, in order, as one module."""
    cells: list[Cell] = []
    start = 0
    for entry in notebook.cells:
        document = open_document(entry.document)
        if entry.kind != lsp.NotebookCellKind.Code or document is None or document.language_id != "python":
            continue
        cell = _cell(document, start)
        if cell is not None:
            cells.append(cell)
            start = cell.end
    text = "".join(line + "\n" for cell in cells for line in cell.lines)
    return Source(notebook.uri, to_fs_path(notebook.uri), notebook.version, text, tuple(cells), notebook=True)


def _cell(document: TextDocument, start: int) -> Cell | None:
    text = document.source
    lines = split_lines(text)
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    masked = mask(lines)
    if masked is None:
        return None
    newline = match.group() if (match := _LINE_BREAK.search(text)) else "\n"
    return Cell(document.uri, document.version, text, start, *masked, newline)
