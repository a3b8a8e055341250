"""Moved and renamed torch names, what TL141 and TL145 (and TL146's renamed callees) share.

A name brought in by ``from module import name`` is reported at that import (as every rule on
deprecated names does) and fixed there when it keeps its name in its new module; a name used
through a dotted path (``torch.ger``, ``F.tanh``) is reported and rewritten at each use, spelled
through an import the module already has.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...analysis.context import ModuleContext, fact
from ...analysis.layout import alone_on_its_lines
from ...analysis.scopes import bound_names
from ...model import Plan

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

#: ``(module, name, alias)``, as :class:`~torchlint.fixing.fix_context.FixContext` takes imports.
Import = tuple[str, "str | None", "str | None"]


# -- detection ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FromImport:
    """One name of a ``from module import ...`` statement whose qualified name a rule reports."""

    statement: ast.ImportFrom
    alias: ast.alias
    qualname: str

    @property
    def local(self) -> str:
        return self.alias.asname or self.alias.name


def from_imports(ctx: ModuleContext, reported: Callable[[str], bool]) -> Iterator[FromImport]:
    """The names imported by ``from ... import`` whose qualified name ``reported`` accepts."""
    for statement in ctx.nodes(ast.ImportFrom):
        if statement.module and not statement.level:
            for alias in statement.names:
                qualname = f"{statement.module}.{alias.name}"
                if reported(qualname):
                    yield FromImport(statement, alias, qualname)


def dotted_references(ctx: ModuleContext, *qualnames: str) -> list[ast.Attribute]:
    """The uses of ``qualnames`` through a dotted path (``torch.ger``); a bare name comes from a
    ``from`` import, where it is reported instead."""
    return [node for node in ctx.references(*qualnames) if isinstance(node, ast.Attribute)]


@fact
def module_imports(ctx: ModuleContext) -> dict[str, str]:
    """Local name -> qualified name of the imports made at the module's top level (visible
    everywhere, unlike an import inside a function)."""
    found: dict[str, str] = {}
    for node in ctx.tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                found[alias.asname or alias.name.partition(".")[0]] = alias.name if alias.asname else alias.name.partition(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.update({alias.asname or alias.name: f"{node.module}.{alias.name}" for alias in node.names})
    return found


@dataclass(frozen=True)
class Spelling:
    """How the module can write a qualified name: ``text``, after adding ``import <module>``
    when ``module`` is set."""

    text: str
    module: str | None = None


def spell(ctx: ModuleContext, qualname: str) -> Spelling | None:
    """``qualname`` written through the module's top-level imports (``th.outer`` after ``import
    torch as th``), else in full with its top package imported; ``None`` when that package's name
    is taken by something else."""
    best: tuple[str, str] | None = None
    for local, target in module_imports(ctx).items():
        if (qualname == target or qualname.startswith(f"{target}.")) and (best is None or len(target) > len(best[1])):
            best = (local, target)
    if best is not None:
        local, target = best
        return Spelling(local + qualname[len(target) :])
    root = qualname.partition(".")[0]
    if root in bound_names(ctx):
        return None
    return Spelling(qualname, root)


def import_of(ctx: ModuleContext, node: ast.expr) -> Import | None:
    """The import that binds the root name of ``node`` (``F`` of ``F.tanh``), for dropping it
    once a fix leaves it unused."""
    while isinstance(node, ast.Attribute):
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    for statement in ctx.nodes(ast.Import, ast.ImportFrom):
        for alias in statement.names:
            if isinstance(statement, ast.Import):
                if (alias.asname or alias.name.partition(".")[0]) == node.id:
                    return (alias.name if alias.asname else node.id, None, alias.asname)
            elif (alias.asname or alias.name) == node.id and statement.module and not statement.level:
                return (statement.module, alias.name, alias.asname)
    return None


# -- fixes --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenamePlan(Plan):
    """Write ``text`` in place of a dotted name, adding ``import <add>`` if set and dropping the
    import ``drop`` if the fix leaves it unused."""

    text: str
    add: str | None = None
    drop: Import | None = None


def rename_plan(ctx: ModuleContext, node: ast.expr, replacement: str) -> RenamePlan | None:
    """The plan that writes ``replacement`` for the dotted ``node``; ``None`` when it cannot be spelled."""
    spelling = spell(ctx, replacement)
    if spelling is None:
        return None
    return RenamePlan(spelling.text, spelling.module, import_of(ctx, node))


def apply_rename(plan: RenamePlan, ctx: FixContext) -> cst.BaseExpression:
    """The expression ``plan`` writes, with its imports asked for."""
    import libcst as cst

    if plan.add:
        ctx.add_import(plan.add)
    if plan.drop:
        ctx.remove_unused_import(*plan.drop)
    return cst.parse_expression(plan.text)


@dataclass(frozen=True)
class MovePlan(Plan):
    """Move names of a ``from`` import to their new modules: ``(new module, name, alias)`` each.
    ``alone``: the import has its line to itself, so the names that stay can keep it."""

    moves: tuple[tuple[str, str, str | None], ...]
    alone: bool


def move_plan(ctx: ModuleContext, statement: ast.ImportFrom, new_modules: dict[str, str]) -> MovePlan | None:
    """The plan that imports each name of ``new_modules`` (name -> its new module) from there;
    ``None`` when the names that stay would need a line of their own and the import has none."""
    moves = tuple((new_modules[a.name], a.name, a.asname) for a in statement.names if a.name in new_modules)
    alone = alone_on_its_lines(ctx, statement)
    stays = len(moves) < len(statement.names)
    if stays and not alone or len({module for module, _, _ in moves}) > 1 and not alone:
        return None
    return MovePlan(moves, alone)


def move_node(ctx: ModuleContext, statement: ast.ImportFrom) -> tuple[ast.stmt, str]:
    """The node (and its libcst type) a :class:`MovePlan` rewrites."""
    return statement, "SimpleStatementLine" if alone_on_its_lines(ctx, statement) else "ImportFrom"


def apply_move(node: cst.CSTNode, plan: MovePlan) -> cst.CSTNode | cst.FlattenSentinel[cst.BaseStatement]:
    """The import statement ``node`` with the plan's names moved; idempotent (a moved name is
    not found again)."""
    import libcst as cst

    line = node if isinstance(node, cst.SimpleStatementLine) else None
    statement = line.body[0] if line is not None else node
    assert isinstance(statement, cst.ImportFrom) and not isinstance(statement.names, cst.ImportStar)
    moving = {(name, alias) for _, name, alias in plan.moves}
    kept = [a for a in statement.names if (_alias_name(a), _alias_local(a)) not in moving]
    if len(kept) == len(statement.names):
        return node
    groups: dict[str, list[cst.ImportAlias]] = {}
    for module, name, alias in plan.moves:
        if any(_alias_name(a) == name and _alias_local(a) == alias for a in statement.names):
            groups.setdefault(module, []).append(
                cst.ImportAlias(name=cst.Name(name), asname=cst.AsName(name=cst.Name(alias)) if alias else None)
            )
    new_imports = [cst.ImportFrom(module=_dotted(module), names=names) for module, names in groups.items()]
    if line is None:  # an import sharing its line: every name moves to one module (see move_plan)
        (only,) = new_imports
        return statement.with_changes(module=only.module, names=only.names)
    lines: list[cst.BaseStatement] = []
    if kept:
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        lines.append(line.with_changes(body=[statement.with_changes(names=kept)]))
    for index, new in enumerate(new_imports):
        first = not lines and index == 0
        lines.append(line.with_changes(body=[new]) if first else cst.SimpleStatementLine(body=[new]))
    return cst.FlattenSentinel(lines)


def _alias_name(alias: cst.ImportAlias) -> str:
    import libcst as cst

    assert isinstance(alias.name, cst.Name)
    return alias.name.value


def _alias_local(alias: cst.ImportAlias) -> str | None:
    import libcst as cst

    return alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else None


def _dotted(module: str) -> cst.Attribute | cst.Name:
    import libcst as cst

    expression = cst.parse_expression(module)
    assert isinstance(expression, (cst.Attribute, cst.Name))
    return expression
