"""Small facts about ``ast`` nodes that need no module context."""

from __future__ import annotations

import ast

DEF_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef)
FUNCTION_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
SCOPE_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.Module)
LOOP_TYPES = (ast.For, ast.AsyncFor, ast.While)
COMPOUND_TYPES = (
    ast.For, ast.AsyncFor, ast.While, ast.If, ast.With, ast.AsyncWith, ast.Try,
    ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Match,
) + ((ast.TryStar,) if hasattr(ast, "TryStar") else ())


def outer_first(node: ast.AST) -> tuple[int, int, int, int]:
    """Sort key for source order: by start, and an outer node before the nodes that start where
    it does (``x.to(d)`` before ``x.to`` and ``x``), as ``ast.walk`` meets them."""
    return (node.lineno, node.col_offset, -node.end_lineno, -node.end_col_offset)  # type: ignore[attr-defined]


def dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a chain of names and attributes, without resolving imports."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def keyword(call: ast.Call, name: str) -> ast.keyword | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw
    return None


def has_star_kwargs(call: ast.Call) -> bool:
    return any(kw.arg is None for kw in call.keywords)


def is_constant(node: ast.AST | None, kind: type | tuple[type, ...] = object) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, kind)


def callee_name(func: ast.expr) -> str:
    """The name a callee is called by: ``f`` for ``f(...)``, ``step`` for ``opt.step(...)``;
    ``""`` for any other callee (``fs[0](...)``)."""
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def int_value(node: ast.AST | None) -> int | None:
    """The value of an ``int`` literal (``True``/``False`` too, as ``is_constant(node, int)``
    accepts them), else ``None``: ``is_constant`` with the value typed."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    return None
