"""Notebooks as one module: their Python code cells joined, and the way back to each cell.

The CLI (``.ipynb`` files) and the language server (notebook documents) share this. IPython syntax
that is not Python (``%magic``, ``!shell``, ``x = !cmd``) is masked as a comment of the same length,
so the cell still parses and every column stays where it was; cells run by a non-Python cell magic
(``%%bash``) are left out; and a fixed module is cut back into its cells, magics restored.
"""

from __future__ import annotations

import bisect
import difflib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .analysis.text import split_lines

_MAGIC = re.compile(r"(\s*)(?:[%!]|[\w.]+\s*=\s*[%!])")
#: Cell magics whose body is Python.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "memit", "profile"})

Magics = tuple[tuple[str, str], ...]


def mask(lines: Sequence[str]) -> tuple[tuple[str, ...], Magics] | None:
    """A cell's lines with IPython syntax masked, and ``(masked, original)`` for each masked line;
    ``None`` for a cell that a non-Python cell magic runs."""
    if lines and lines[0].startswith("%%") and lines[0][2:].split(" ")[0] not in PYTHON_CELL_MAGICS:
        return None
    masked = list(lines)
    magics = []
    for index, line in enumerate(lines):
        match = _MAGIC.match(line)
        if match:
            indent = len(match.group(1))
            masked[index] = line[:indent] + "#" + line[indent + 1 :]
            magics.append((masked[index], line))
    return tuple(masked), tuple(magics)


def unmask(text: str, magics: Magics) -> str:
    """A cell's part of a rewritten module with its masked lines given back their IPython syntax."""
    lines = text.split("\n")
    pending = list(magics)
    for index, line in enumerate(lines):
        if pending and line == pending[0][0]:
            lines[index] = pending.pop(0)[1]
    return "\n".join(lines)


def split_module(old: Sequence[str], new: Sequence[str], starts: Sequence[int]) -> list[str]:
    """The lines ``new`` (each with its line break) of a rewritten module cut into its cells' parts.

    ``old`` is the module before, ``starts`` the 0-based lines where its cells after the first
    begin; lines added at a cell boundary join the cell before.
    """
    opcodes = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    bounds = [0, *(_moved(start, opcodes) for start in starts), len(new)]
    return ["".join(new[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]


def _moved(line: int, opcodes) -> int:
    """Where old line ``line`` starts in the new text."""
    for tag, i1, i2, j1, j2 in opcodes:
        if i1 <= line < i2:
            if tag == "equal" or i2 - i1 == j2 - j1:
                return j1 + (line - i1)
            return j1 if line == i1 else j2
    return opcodes[-1][4] if opcodes else 0


# -- .ipynb files ---------------------------------------------------------------------------


class NotebookError(ValueError):
    """The file is not a notebook torchlint can read; the message says why."""


@dataclass(frozen=True)
class CodeCell:
    """One analysed code cell of a notebook file."""

    #: The cell's number as ruff counts it: its 1-based position among all the notebook's cells.
    number: int
    #: The 0-based line of the module where the cell begins.
    start: int
    #: The cell's source as written.
    text: str
    masked: tuple[str, ...]
    magics: Magics

    @property
    def lines(self) -> list[str]:
        """The cell's lines as written (the ones reports show)."""
        return _cell_lines(self.text)

    @property
    def end(self) -> int:
        """The 0-based module line after the cell's last."""
        return self.start + len(self.masked)


@dataclass(frozen=True)
class Notebook:
    """An ``.ipynb`` file (nbformat 4): its JSON, and its Python code cells as one module."""

    data: dict
    cells: tuple[CodeCell, ...]
    #: The JSON's indentation, to write it back as it was.
    indent: int | None
    final_newline: bool

    @classmethod
    def parse(cls, text: str) -> Notebook:
        """The notebook in ``text``; a notebook in another language has no cells to analyse."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise NotebookError(f"not valid notebook JSON ({error.msg} on line {error.lineno})") from None
        version = data.get("nbformat", 4) if isinstance(data, dict) else None
        if not isinstance(data, dict) or not isinstance(data.get("cells"), list) or not isinstance(version, int) or version < 4:
            raise NotebookError("not a notebook in nbformat 4 (no list of cells)")
        cells = []
        if _language(data) == "python":
            start = 0
            for number, cell in enumerate(data["cells"], 1):
                if not isinstance(cell, dict) or cell.get("cell_type") != "code":
                    continue
                source = _source(cell)
                masked = mask(_cell_lines(source))
                if masked is not None:
                    cells.append(CodeCell(number, start, source, *masked))
                    start += len(masked[0])
        indent = re.match(r"\{\r?\n( *)", text)
        return cls(data, tuple(cells), len(indent.group(1)) if indent else None, text.endswith("\n"))

    @property
    def language(self) -> str:
        return _language(self.data)

    @property
    def module(self) -> str:
        """What the engine analyses: the code cells' lines, IPython syntax masked."""
        return "".join(line + "\n" for cell in self.cells for line in cell.masked)

    def cell_at(self, line: int) -> CodeCell:
        """The cell holding the 1-based module ``line`` (the last one past the end)."""
        index = bisect.bisect_right([cell.start for cell in self.cells], line - 1) - 1
        return self.cells[max(index, 0)]

    def sources(self, module: str) -> list[tuple[CodeCell, str]]:
        """Each cell with its text in ``module``, a rewrite of :attr:`module`."""
        parts = split_module(
            split_lines(self.module, keepends=True), split_lines(module, keepends=True), [c.start for c in self.cells[1:]]
        )
        return [(cell, _cell_text(cell, part)) for cell, part in zip(self.cells, parts, strict=True)]

    def dump(self, module: str) -> str:
        """The notebook's JSON with each cell's source replaced by its part of ``module``; the
        outputs, metadata and everything else as they were."""
        cells = self.data["cells"]
        for cell, text in self.sources(module):
            raw = cells[cell.number - 1]
            if text != cell.text:
                raw["source"] = split_lines(text, keepends=True) if isinstance(raw.get("source"), list) else text
        dumped = json.dumps(self.data, indent=self.indent, ensure_ascii=False)
        return dumped + "\n" if self.final_newline else dumped


def _language(data: dict) -> str:
    """The notebook's language, from its metadata (Python when it does not say)."""
    metadata = data.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    name = (metadata.get("language_info") or {}).get("name") or (metadata.get("kernelspec") or {}).get("language")
    return str(name or "python").lower()


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _cell_text(cell: CodeCell, part: str) -> str:
    """A cell's part of a rewritten module as cell source: magics back, its final newline as it was."""
    text = unmask(part.removesuffix("\n"), cell.magics)
    return text + "\n" if cell.text.endswith(("\n", "\r")) else text


def _cell_lines(text: str) -> list[str]:
    """A cell's lines; an empty cell has one empty line, as an editor shows it."""
    return split_lines(text) or [""]
