"""What ``torchlint check`` analyses in a file, and the way back to the file.

A Python file is its own text; a notebook (``.ipynb``) is its Python code cells as one module
(:mod:`torchlint.notebook`). Either locates its findings (in the file, or in their cell), turns a
fixed module into the file's new text, and shows a change as a unified diff (per cell in a notebook).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from .analysis.text import split_lines
from .model import Finding
from .notebook import Notebook
from .output import Located, in_file, in_notebook


@dataclass(frozen=True)
class PythonFile:
    name: str
    text: str

    @property
    def module(self) -> str:
        return self.text

    def locate(self, findings: Sequence[Finding]) -> list[Located]:
        return in_file(findings, self.text)

    def written(self, module: str) -> str:
        return module

    def diff(self, module: str, label: str | None = None) -> str:
        return unified(self.text, module, label or self.name)


@dataclass(frozen=True)
class NotebookFile:
    name: str
    notebook: Notebook

    @property
    def module(self) -> str:
        return self.notebook.module

    def locate(self, findings: Sequence[Finding]) -> list[Located]:
        return in_notebook(findings, self.notebook)

    def written(self, module: str) -> str:
        return self.notebook.dump(module)

    def diff(self, module: str, label: str | None = None) -> str:
        return "".join(
            unified(_ended(cell.text), _ended(text), f"{label or self.name}:cell {cell.number}")
            for cell, text in self.notebook.sources(module)
            if text != cell.text
        )


def open_source(text: str, name: str) -> PythonFile | NotebookFile:
    """The file named ``name`` with contents ``text``; a :class:`~torchlint.notebook.NotebookError`
    for an ``.ipynb`` file that is not a notebook."""
    return NotebookFile(name, Notebook.parse(text)) if name.endswith(".ipynb") else PythonFile(name, text)


def unified(old: str, new: str, label: str) -> str:
    """A unified diff that ``patch`` and ``git apply`` take: a last line with no newline is marked."""
    lines = difflib.unified_diff(split_lines(old, keepends=True), split_lines(new, keepends=True), f"a/{label}", f"b/{label}")
    return "".join(line if line.endswith(("\n", "\r")) else f"{line}\n\\ No newline at end of file\n" for line in lines)


def _ended(text: str) -> str:
    """A cell's text ending with a line break, so that its diff reads line by line."""
    return text if text.endswith(("\n", "\r")) else text + "\n"
