"""TL102 deprecated-amp-api."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...analysis.context import ModuleContext, fact
from ...analysis.syntax import DEF_TYPES, dotted
from ...model import Applicability, Finding, Fix, Plan, Severity
from ...rule import Rule

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

AMP_NAMES = ("autocast", "GradScaler")
#: Keywords of the deprecated ``autocast(enabled, dtype, cache_enabled)``'s positional parameters.
AUTOCAST_POSITIONAL = ("enabled", "dtype", "cache_enabled")
#: Submodules the deprecated names also live in (``torch.cuda.amp.autocast_mode.autocast``).
AMP_SUBMODULES = {"autocast": "autocast_mode", "GradScaler": "grad_scaler"}


@dataclass(frozen=True)
class _ImportMigrationPlan(Plan):
    """Import the ``moved`` names from ``torch.amp`` instead of ``source`` and give the calls
    through them the device."""

    source: str
    device: str
    #: The imported names that move, as ``(name, asname)``.
    moved: tuple[tuple[str, str | None], ...]
    #: The top-level statements that hold the import and the calls (see ``_top_level_keys``).
    import_keys: frozenset[str]
    call_keys: frozenset[str]


@dataclass(frozen=True)
class _CallMigrationPlan(Plan):
    """Call ``callee`` (``torch.amp.autocast``) with the device first."""

    device: str
    name: str
    callee: str
    #: The import of the module alias the call went through, to drop once unused.
    stale: tuple[str, str | None, str | None] | None


def deprecated_amp(qualname: str | None) -> tuple[str, str] | None:
    """``("cuda", "autocast")`` for ``torch.cuda.amp.autocast`` (or its ``autocast_mode`` path)."""
    if not qualname or not qualname.startswith(("torch.cuda.amp.", "torch.cpu.amp.")):
        return None
    parts = qualname.split(".")
    name = parts[-1]
    if name not in AMP_NAMES or parts[3:-1] not in ([], [AMP_SUBMODULES[name]]):
        return None
    return parts[1], name


class DeprecatedAmpApi(Rule):
    """`torch.cuda.amp` / `torch.cpu.amp` autocast or GradScaler is used.

    Reported at the import that brings the name in and at each use written through a module
    (`torch.cuda.amp.GradScaler()`, `amp.autocast()` after `from torch.cuda import amp`).
    """

    code = "TL102"
    deprecated = True
    name = "deprecated-amp-api"
    severity = Severity.WARNING
    requires = ("amp",)
    message = 'Use torch.amp.autocast / GradScaler("cuda", ...) instead of the deprecated torch.cuda.amp'
    why = """
        `torch.cuda.amp.autocast`, `torch.cuda.amp.GradScaler` and `torch.cpu.amp.autocast` are
        deprecated aliases that emit a `FutureWarning` on every call. `torch.amp` is the one
        device-generic API: the same code runs on CUDA, CPU, MPS or XPU by changing a string.
    """
    example = """
        scaler = torch.cuda.amp.GradScaler()
        with torch.cuda.amp.autocast(dtype=torch.float16):
            loss = model(x).loss
    """
    use_instead = """
        scaler = torch.amp.GradScaler("cuda")
        with torch.amp.autocast("cuda", dtype=torch.float16):
            loss = model(x).loss
    """
    fix_applicability = Applicability.SAFE
    fix_title = "Use torch.amp with the device string"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        for node in ctx.nodes(ast.ImportFrom):
            yield from self._import(ctx, node)
        for attribute in ctx.attributes(*AMP_NAMES):
            if found := deprecated_amp(ctx.qualname(attribute)):
                yield self._use(ctx, attribute, *found)

    def _import(self, ctx: ModuleContext, node: ast.ImportFrom) -> Iterator[Finding]:
        if node.level or not node.module:
            return
        found = []
        for alias in node.names:
            deprecated = deprecated_amp(f"{node.module}.{alias.name}")
            if deprecated and not _has_modern_binding(ctx, alias.asname or alias.name):
                found.append((alias, *deprecated))
        if not found:
            return
        moved = tuple((a.name, a.asname) for a, device, name in found if _only_called(ctx, a.asname or a.name, device, name))
        uses = [load for name, asname in moved for load in _loads(ctx, asname or name)]
        import_keys, call_keys = _top_level_keys(ctx, [node]), _top_level_keys(ctx, uses)
        for alias, device, name in found:
            plan = _ImportMigrationPlan(node.module, device, moved, import_keys, call_keys)
            fix = self.fix_at(ctx, ctx.tree, plan, node="Module") if (alias.name, alias.asname) in moved else False
            yield self.finding(ctx, alias, _message(device, name), fix=fix)

    def _use(self, ctx: ModuleContext, node: ast.Attribute, device: str, name: str) -> Finding:
        call = ctx.parent(node)
        if not (isinstance(call, ast.Call) and call.func is node and _device_insertable(call, name)):
            return self.finding(ctx, node, _message(device, name))
        parts = (dotted(node) or "").split(".")
        if ctx.imports.get(parts[0]) == "torch" and parts[1:3] == [device, "amp"]:
            callee, stale = f"{parts[0]}.amp.{name}", None
        else:  # through a module alias (`from torch.cuda import amp`): spell it out, drop the alias
            callee, stale = f"torch.amp.{name}", _import_of(ctx, parts[0])
        plan = _CallMigrationPlan(device, name, callee, stale)
        return self.finding(ctx, node, _message(device, name), fix=self.fix_at(ctx, call, plan))

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.CSTNode:
        import libcst as cst

        if isinstance(fix.plan, _ImportMigrationPlan):
            assert isinstance(node, cst.Module)
            return _migrate_import(node, fix.plan)
        plan = fix.plan_as(_CallMigrationPlan)
        assert isinstance(node, cst.Call)
        if plan.stale:
            ctx.add_import("torch")
            ctx.remove_unused_import(*plan.stale)
        return _with_device(node.with_changes(func=cst.parse_expression(plan.callee)), plan.device, plan.name)


def _message(device: str, name: str) -> str:
    return f'Use torch.amp.{name}("{device}", ...) instead of the deprecated torch.{device}.amp.{name}'


def _has_modern_binding(ctx: ModuleContext, local: str) -> bool:
    """``local`` is also imported from a current API (a version fallback: `try: from torch.amp ...`)."""
    return any(deprecated_amp(qualname) is None for qualname in _import_bindings(ctx).get(local, ()))


@fact
def _import_bindings(ctx: ModuleContext) -> dict[str, list[str]]:
    """The qualified names each local name is imported as (``from m import n [as local]``)."""
    bindings: dict[str, list[str]] = {}
    for node in ctx.nodes(ast.ImportFrom):
        if node.module and not node.level:
            for alias in node.names:
                bindings.setdefault(alias.asname or alias.name, []).append(f"{node.module}.{alias.name}")
    return bindings


def _import_of(ctx: ModuleContext, local: str) -> tuple[str, str | None, str | None] | None:
    """``(module, name, alias)`` of the import that binds ``local``, as the fixer removes imports."""
    for node in ctx.nodes(ast.Import, ast.ImportFrom):
        for alias in node.names:
            if isinstance(node, ast.Import) and alias.asname == local:
                return alias.name, None, local
            if isinstance(node, ast.ImportFrom) and node.module and (alias.asname or alias.name) == local:
                return node.module, alias.name, alias.asname
    return None


def _device_insertable(call: ast.Call, name: str) -> bool:
    """The device can go first: no ``*args``/``**kwargs``, and autocast's positionals can be named."""
    if any(isinstance(arg, ast.Starred) for arg in call.args) or any(kw.arg is None for kw in call.keywords):
        return False
    return name != "autocast" or len(call.args) <= len(AUTOCAST_POSITIONAL)


def _only_called(ctx: ModuleContext, local: str, device: str, name: str) -> bool:
    """Every read of ``local`` is a call the device can be added to.

    A CUDA GradScaler may also be named without a call (annotations, ``isinstance``): its
    device defaults to "cuda" in ``torch.amp``.
    """
    for node in _loads(ctx, local):
        call = ctx.parent(node)
        if isinstance(call, ast.Call) and call.func is node:
            if not _device_insertable(call, name):
                return False
        elif name != "GradScaler" or device != "cuda":
            return False
    return True


def _loads(ctx: ModuleContext, local: str) -> list[ast.Name]:
    return [node for node in ctx.names(local) if isinstance(node.ctx, ast.Load)]


def _top_level_keys(ctx: ModuleContext, nodes: list[ast.ImportFrom] | list[ast.Name]) -> frozenset[str]:
    """Which top-level statements hold ``nodes``: the names of functions and classes, ``"-"``
    for simple statements, ``"*"`` for other compound statements."""
    keys = set()
    for node in nodes:
        top = next((a for a in ctx.ancestors(node) if ctx.parent(a) is ctx.tree), node)
        if isinstance(top, (*DEF_TYPES, ast.ClassDef)):
            keys.add(top.name)
        else:
            keys.add("*" if any(isinstance(getattr(top, f, None), list) for f in ("body", "handlers")) else "-")
    return frozenset(keys)


def _with_device(call: cst.Call, device: str, name: str) -> cst.Call:
    """``call`` with the device string first; autocast's positional arguments become keywords."""
    import libcst as cst

    args = list(call.args)
    if name == "autocast":
        no_space = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))
        args = [
            arg.with_changes(keyword=cst.Name(AUTOCAST_POSITIONAL[index]), equal=no_space) if arg.keyword is None else arg
            for index, arg in enumerate(args)
        ]
    first = cst.Arg(cst.SimpleString(f'"{device}"'))
    if args:
        spacing = call.whitespace_before_args
        if "\n" not in cst.Module(body=[]).code_for_node(spacing):
            spacing = cst.SimpleWhitespace(" ")
        first = first.with_changes(comma=cst.Comma(whitespace_after=spacing))
    return call.with_changes(args=[first, *args])


def _migrate_import(module: cst.Module, plan: _ImportMigrationPlan) -> cst.Module:
    """Import the plan's moved names from ``torch.amp`` instead of its source module and give
    every call through them the device; unchanged when no such import is left.

    Only the top-level statements the plan names as holding the import and the calls are
    visited, as a libcst transform of a whole module costs as much as parsing it.
    """
    import libcst as cst

    names = set(plan.moved)
    called = {asname or name: name for name, asname in plan.moved}
    torch_amp = cst.Attribute(cst.Name("torch"), cst.Name("amp"))

    class ImportMigration(cst.CSTTransformer):
        changed = False

        def leave_SimpleStatementLine(
            self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
        ) -> cst.SimpleStatementLine | cst.FlattenSentinel[cst.SimpleStatementLine]:
            body: list[cst.BaseSmallStatement] = []
            added: list[cst.BaseSmallStatement] = []
            for small in updated.body:
                if _imports_from(small, plan.source):
                    assert isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar)
                    keep = [a for a in small.names if _alias_key(a) not in names]
                    move = [a for a in small.names if _alias_key(a) in names]
                    if move and keep:
                        # The list ends as it did (a trailing comma and comment in parentheses).
                        keep[-1] = keep[-1].with_changes(comma=small.names[-1].comma)
                        small = small.with_changes(names=keep)
                        added.append(cst.ImportFrom(module=torch_amp, names=_one_line(move)))
                    elif move:
                        small = small.with_changes(module=torch_amp)
                    self.changed |= bool(move)
                body.append(small)
            line = updated.with_changes(body=body)
            return cst.FlattenSentinel([line, cst.SimpleStatementLine(body=added)]) if added else line

    class CallMigration(cst.CSTTransformer):
        def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
            if isinstance(updated.func, cst.Name) and updated.func.value in called:
                return _with_device(updated, plan.device, called[updated.func.value])
            return updated

    imports = ImportMigration()
    body = _visit_top_level(module.body, plan.import_keys, imports)
    if not imports.changed:
        return module
    return module.with_changes(body=_visit_top_level(body, plan.call_keys, CallMigration()))


def _visit_top_level(
    statements: Sequence[cst.BaseStatement], keys: frozenset[str], transformer: cst.CSTTransformer
) -> list[cst.BaseStatement]:
    """``statements`` with the top-level statements that ``keys`` name visited by ``transformer``."""
    import libcst as cst

    visited: list[cst.BaseStatement] = []
    for statement in statements:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            key = statement.name.value
        else:
            key = "-" if isinstance(statement, cst.SimpleStatementLine) else "*"
        result = statement.visit(transformer) if key in keys else statement
        if isinstance(result, cst.FlattenSentinel):
            visited.extend(result.nodes)
        else:
            assert isinstance(result, cst.BaseStatement)  # the transformers remove no statement
            visited.append(result)
    return visited


def _imports_from(node: cst.CSTNode, module: str) -> bool:
    """``node`` is ``from module import names`` (absolute, not ``*``)."""
    import libcst as cst

    return (
        isinstance(node, cst.ImportFrom)
        and not node.relative
        and node.module is not None
        and not isinstance(node.names, cst.ImportStar)
        and cst.Module(body=[]).code_for_node(node.module) == module
    )


def _alias_key(alias: cst.ImportAlias) -> tuple[str, str | None]:
    """``(name, asname)`` of an imported name, as ``ast`` gives them."""
    import libcst as cst

    asname = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else None
    return cst.Module(body=[]).code_for_node(alias.name), asname


def _one_line(aliases: list[cst.ImportAlias]) -> list[cst.ImportAlias]:
    """The aliases separated by ``, `` (they may come from a parenthesized, multi-line import)."""
    import libcst as cst

    separated = [a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) for a in aliases[:-1]]
    return [*separated, aliases[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)]


