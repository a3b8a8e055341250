"""Name bindings: where a name read at some place was bound, as Python resolves it."""

from __future__ import annotations

import ast
import operator
from collections import defaultdict
from collections.abc import Set
from typing import NamedTuple

from .context import ModuleContext, fact
from .syntax import FUNCTION_TYPES

COMPREHENSION_TYPES = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


class Binding(NamedTuple):
    """One place where a name is bound.

    ``value`` is the expression the name takes its value from (``None`` when there is none to
    read: a parameter, an import, ``+=``, ``with ... as``). ``path`` locates the name inside a
    tuple target (``a, (b, c) = v`` binds ``c`` at ``(1, 1)``); ``iterated`` says the name
    receives the elements of ``value`` (a ``for`` loop or comprehension target).
    """

    node: ast.AST
    value: ast.expr | None = None
    path: tuple[int, ...] = ()
    iterated: bool = False


def lookup(ctx: ModuleContext, name: str, at: ast.AST) -> list[Binding]:
    """The bindings that ``name`` read at ``at`` refers to: those of the innermost enclosing
    scope that binds it (comprehension, function, the class directly around, then the module),
    as Python resolves names; ``[]`` when none does."""
    by_scope = _bindings_by_scope(ctx, name)
    for scope in _lookup_scopes(ctx, at) if by_scope else ():
        found = by_scope.get(scope)
        if found:
            return found
    return []


def binds(ctx: ModuleContext, scope: ast.AST, name: str) -> bool:
    """Whether ``name`` is bound directly in ``scope``."""
    return scope in _bindings_by_scope(ctx, name)


def _lookup_scopes(ctx: ModuleContext, node: ast.AST) -> tuple[ast.AST, ...]:
    """The scopes a name read at ``node`` is looked up in, innermost first: the scope around it
    (a class only when it is the innermost), the functions and comprehensions around that, the module."""
    innermost = ctx.enclosing(node, _BINDING_SCOPES)
    if innermost is None or innermost is ctx.tree:
        return (ctx.tree,)
    return (innermost, *_scopes_around(ctx, innermost))


@fact
def _scopes_around(ctx: ModuleContext, scope: ast.AST) -> tuple[ast.AST, ...]:
    """The function and comprehension scopes around ``scope`` (a class body is not one), then the module."""
    around = ctx.enclosing(scope, _NESTING_SCOPES)
    return (ctx.tree,) if around is None else (around, *_scopes_around(ctx, around))


_NESTING_SCOPES = FUNCTION_TYPES + COMPREHENSION_TYPES
_BINDING_SCOPES = _NESTING_SCOPES + (ast.ClassDef, ast.Module)
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_START = operator.attrgetter("lineno", "col_offset")


@fact
def _bindings_by_scope(ctx: ModuleContext, name: str) -> dict[ast.AST, list[Binding]]:
    """Where ``name`` is bound, by scope, in source order: computed for the names rules look up,
    not for every name of the module."""
    by_scope: dict[ast.AST, list[Binding]] = defaultdict(list)
    stores = [_binding(ctx, n) for n in ctx.names(name) if isinstance(n.ctx, ast.Store)]
    others = [Binding(node) for node in _other_binders(ctx).get(name, ())]
    for binding in sorted([*stores, *others], key=lambda b: _START(b.node)):
        # A definition binds its name in the scope around it, not in the one it opens.
        by_scope[ctx.enclosing(binding.node, _BINDING_SCOPES) or ctx.tree].append(binding)
    return dict(by_scope)


@fact
def _other_binders(ctx: ModuleContext) -> dict[str, list[ast.AST]]:
    """The nodes that bind a name otherwise than by assigning a ``Name``, by the name: parameters,
    definitions, imports and ``except ... as`` (none has a value to read)."""
    found: dict[str, list[ast.AST]] = defaultdict(list)
    for arg in ctx.nodes(ast.arg):
        found[arg.arg].append(arg)
    for definition in ctx.nodes(*_DEFINITIONS):
        found[definition.name].append(definition)
    for statement in ctx.nodes(ast.Import, ast.ImportFrom):
        for alias in statement.names:
            found[(alias.asname or alias.name).partition(".")[0]].append(alias)
    for handler in ctx.nodes(ast.ExceptHandler):
        if handler.name:
            found[handler.name].append(handler)
    return found


def _binding(ctx: ModuleContext, name: ast.Name) -> Binding:
    path: list[int] = []
    node: ast.expr = name
    parent = ctx.parent(name)
    while isinstance(parent, (ast.Tuple, ast.List, ast.Starred)):
        if isinstance(parent, ast.Starred):
            return Binding(name)
        path.append(parent.elts.index(node))
        node, parent = parent, ctx.parent(parent)
    where = tuple(reversed(path))
    if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.NamedExpr)):
        return Binding(name, parent.value, where)
    if isinstance(parent, (ast.For, ast.AsyncFor, ast.comprehension)):
        return Binding(name, parent.iter, where, iterated=True)
    return Binding(name)


# -- new names ------------------------------------------------------------------------------------


@fact
def bound_names(ctx: ModuleContext) -> frozenset[str]:
    """Every name the module binds or reads anywhere: names, imports, parameters, functions and
    classes (so that a new name clashes with none of them)."""
    names = set(ctx.identifiers()) | set(ctx.imports)
    names |= {node.arg for node in ctx.nodes(ast.arg)}
    names |= {node.name for node in ctx.nodes(*_DEFINITIONS)}
    return frozenset(names)


def fresh_name(ctx: ModuleContext, *candidates: str, taken: Set[str] = frozenset()) -> str:
    """The first candidate that the module does not use (nor ``taken``), else the first one with
    the lowest free number appended (``scheduler_2``)."""
    bound = bound_names(ctx)

    def free(name: str) -> bool:
        return name not in bound and name not in taken

    for candidate in candidates:
        if free(candidate):
            return candidate
    number = 2
    while not free(f"{candidates[0]}_{number}"):
        number += 1
    return f"{candidates[0]}_{number}"
