"""Where statements sit in the source, for fixes that insert or wrap statements."""

from __future__ import annotations

import ast

from .context import ModuleContext

#: libcst node names of the ``ast`` statements (and the module) whose blocks such a fix rewrites
#: (the fixer finds the libcst node by this name and the ``ast`` node's range).
CST_BLOCK_OWNERS = {
    ast.Module: "Module",
    ast.FunctionDef: "FunctionDef",
    ast.AsyncFunctionDef: "FunctionDef",
    ast.ClassDef: "ClassDef",
    ast.For: "For",
    ast.AsyncFor: "For",
    ast.While: "While",
    ast.With: "With",
    ast.AsyncWith: "With",
    ast.If: "If",
    ast.Try: "Try",
}


def alone_on_its_lines(ctx: ModuleContext, statement: ast.stmt) -> bool:
    """The statement has its lines to itself (so libcst holds it in a line of its own): it does not
    follow ``if x:`` or ``;`` and only a comment may follow it."""
    start = ctx.position(statement.lineno, statement.col_offset).column - 1
    end_line = statement.end_lineno or statement.lineno
    end = ctx.position(end_line, statement.end_col_offset or 0).column - 1
    after = ctx.lines[end_line - 1][end:].strip()
    return not ctx.lines[statement.lineno - 1][:start].strip() and (not after or after.startswith("#"))
