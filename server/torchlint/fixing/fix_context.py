"""What a rule's fix may do besides replacing its node: ask for imports, print a node's code."""

from __future__ import annotations

import ast

import libcst as cst

from ..analysis.parsing import parse_quietly
from ..analysis.text import split_lines
from .imports import Import, edit_block


class FixContext:
    """What a rule's fix may do besides replacing its node."""

    def __init__(self) -> None:
        self._additions: list[Import] = []
        self._removals: list[Import] = []

    def add_import(self, module: str, name: str | None = None, alias: str | None = None) -> None:
        """Ensure ``import module`` (or ``from module import name``) exists, added at most once."""
        self._additions.append((module, name, alias))

    def remove_unused_import(self, module: str, name: str | None = None, alias: str | None = None) -> None:
        """Drop ``import module`` / ``from module import name`` if nothing uses it after the fixes."""
        self._removals.append((module, name, alias))

    @staticmethod
    def code(node: cst.CSTNode) -> str:
        return cst.Module(body=[]).code_for_node(node)

    def finish(self, source: str) -> str:
        """``source`` with the requested imports added and the unused ones removed."""
        if not self._additions and not self._removals:
            return source
        tree = parse_quietly(source)
        used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)} if self._removals else set()
        removals = [r for r in self._removals if (r[2] or (r[1] or r[0]).split(".")[0]) not in used]
        lines = split_lines(source, keepends=True)
        end = _header_end(tree)
        header = "".join(lines[:end])
        new_header = edit_block(header, tree, self._additions, removals)
        if not header and new_header:
            rest = "".join(lines)
            new_header = new_header.rstrip("\n") + "\n" + ("\n" if rest.strip() and not rest.startswith("\n") else "")
        return new_header + "".join(lines[end:])


def _header_end(tree: ast.Module) -> int:
    """The last line of the module's leading run of docstring and import statements (0 if none)."""
    end = 0
    for stmt in tree.body:
        is_docstring = isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)
        if not (isinstance(stmt, (ast.Import, ast.ImportFrom)) or is_docstring):
            break
        end = stmt.end_lineno or stmt.lineno
    return end
