"""TL141 deprecated-torch-api."""

from __future__ import annotations

import ast
import functools
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import TYPE_CHECKING

from ...analysis.context import ModuleContext
from ...analysis.syntax import has_star_kwargs, int_value
from ...model import Applicability, Finding, Fix, Plan, Severity
from ...rule import Rule
from ._names import (
    FromImport,
    MovePlan,
    RenamePlan,
    apply_move,
    apply_rename,
    dotted_references,
    from_imports,
    move_node,
    move_plan,
    rename_plan,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

TABLE = "deprecated_api.toml"
ARGUMENT_MAPPINGS = ("same", "list", "inclusive-end", "reorder")


@dataclass(frozen=True)
class ApiEntry:
    """One deprecated or removed name of the table (``deprecated_api.toml`` explains the keys)."""

    name: str
    replacement: str
    deprecated: str = ""
    removed: str = ""
    drop_in: bool = False
    exact: bool = False
    arguments: str = "same"
    order: tuple[int, ...] = ()
    positional: tuple[int, int] | None = None
    #: Old keyword -> new keyword; ``None``: every keyword, unchanged.
    keywords: Mapping[str, str] | None = None
    hint: str = ""
    reported_by: str = ""
    source: str = ""

    @property
    def renames_only(self) -> bool:
        """The replacement takes any call of the old name as it is."""
        return self.drop_in and self.arguments == "same" and self.positional is None and self.keywords is None

    @property
    def keeps_name(self) -> bool:
        """The replacement has the old name's last part (``functorch.vmap`` -> ``torch.func.vmap``)."""
        return self.replacement.rpartition(".")[2] == self.name.rpartition(".")[2]


@functools.cache
def deprecated_api() -> Mapping[str, ApiEntry]:
    """The table shipped with the package, read once, by qualified name."""
    text = resources.files(__package__).joinpath(TABLE).read_text(encoding="utf-8")
    return MappingProxyType({name: _entry(name, fields) for name, fields in tomllib.loads(text).items()})


def _entry(name: str, fields: dict) -> ApiEntry:
    fields = dict(fields)
    if "positional" in fields:
        fewest, most = fields["positional"]
        fields["positional"] = (fewest, most)
    if "order" in fields:
        fields["order"] = tuple(fields["order"])
    if "keywords" in fields:
        fields["keywords"] = MappingProxyType(dict(fields["keywords"]))
    entry = ApiEntry(name=name, **fields)
    if entry.arguments not in ARGUMENT_MAPPINGS:
        raise ValueError(f"{TABLE}: {name}: unknown arguments mapping {entry.arguments!r}")
    return entry


@dataclass(frozen=True)
class _CallPlan(Plan):
    """Call the replacement (``rename``) with the arguments mapped as the table says."""

    rename: RenamePlan
    arguments: str
    order: tuple[int, ...]
    keywords: tuple[tuple[str, str], ...]


class DeprecatedTorchApi(Rule):
    """A deprecated or removed torch function, class or module is used.

    Fires on every use through a dotted path (`torch.ger(...)`, `F.tanh(x)`) and on each
    `from ... import` that brings such a name in, from a table shipped with torchlint
    (`deprecated_api.toml`: TorchFix's deprecated and removed functions and a few more). Names
    that are deprecated only after the project's minimum torch are left alone; `torch.cuda.amp`
    and `torch.cpu.amp` are TL102's.
    """

    code = "TL141"
    name = "deprecated-torch-api"
    severity = Severity.WARNING
    aliases = ("TOR001", "TOR004", "TOR101", "TOR103")
    deprecated = True
    message = "Replace the deprecated torch API with its replacement"
    why = """
        Deprecated torch functions warn at every call and are removed in a later release (the
        old `torch.solve`, `torch.symeig` and `torch.lstsq` now only raise). Their replacements
        are the maintained API: `torch.linalg` follows NumPy's conventions, `torch.func` is where
        functorch went, and `torch.outer` or `torch.tanh` are the same functions under the
        names the documentation uses.
    """
    example = """
        import torch
        from functorch import vmap

        p = torch.ger(a, b)
        q = torch.chain_matmul(a, b, c)
        r = torch.range(0, n - 1)
    """
    use_instead = """
        import torch
        from torch.func import vmap

        p = torch.outer(a, b)
        q = torch.linalg.multi_dot([a, b, c])
        r = torch.arange(0, n)
    """
    fix_title = "Use the replacement API"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        table = {name: entry for name, entry in deprecated_api().items() if not entry.reported_by}
        reported = {name for name, entry in table.items() if _applies(entry, ctx.target_torch)}
        if not reported:
            return
        for node in dotted_references(ctx, *reported):
            entry = table[ctx.qualname(node) or ""]
            yield self.finding(ctx, node, _message(entry), fix=self._use_fix(ctx, node, entry))
        imported = list(from_imports(ctx, reported.__contains__))
        moves = self._import_fixes(ctx, imported, table)
        for item in imported:
            entry = table[item.qualname]
            fix = moves.get(id(item.statement), False)
            yield self.finding(ctx, item.alias, _message(entry), fix=fix)

    def _use_fix(self, ctx: ModuleContext, node: ast.Attribute, entry: ApiEntry) -> Fix | bool:
        if not entry.drop_in or entry.removed:
            return False
        rename = rename_plan(ctx, node, entry.replacement)
        if rename is None:
            return False
        applicability = Applicability.SAFE if entry.exact else Applicability.UNSAFE
        call = ctx.parent(node)
        if isinstance(call, ast.Call) and call.func is node:
            if not _fits(call, entry):
                return False
            keywords = tuple((entry.keywords or {}).items())
            plan = _CallPlan(rename, entry.arguments, entry.order, keywords)
            return self.fix_at(ctx, call, plan, node="Call", applicability=applicability)
        if not entry.renames_only:
            return False  # passed around as a value: its calls cannot be seen
        return self.fix_at(ctx, node, rename, node="Attribute", applicability=applicability)

    def _import_fixes(self, ctx: ModuleContext, imported: list[FromImport], table: Mapping[str, ApiEntry]) -> dict[int, Fix]:
        """The fix of each import statement whose reported names all keep their name in their
        new module (``from functorch import vmap`` -> ``from torch.func import vmap``), by statement."""
        by_statement: dict[int, list[FromImport]] = {}
        for item in imported:
            by_statement.setdefault(id(item.statement), []).append(item)
        fixes = {}
        for items in by_statement.values():
            entries = [table[item.qualname] for item in items]
            if not all(e.renames_only and e.keeps_name and not e.removed for e in entries):
                continue
            statement = items[0].statement
            plan = move_plan(ctx, statement, {e.name.rpartition(".")[2]: e.replacement.rpartition(".")[0] for e in entries})
            if plan is not None:
                target, node = move_node(ctx, statement)
                applicability = Applicability.SAFE if all(e.exact for e in entries) else Applicability.UNSAFE
                fixes[id(statement)] = self.fix_at(ctx, target, plan, node=node, applicability=applicability)
        return fixes

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.CSTNode | cst.FlattenSentinel[cst.BaseStatement]:
        import libcst as cst

        plan = fix.plan
        if isinstance(plan, MovePlan):
            return apply_move(node, plan)
        if isinstance(plan, RenamePlan):
            return apply_rename(plan, ctx)
        call_plan = fix.plan_as(_CallPlan)
        assert isinstance(node, cst.Call)
        return node.with_changes(func=apply_rename(call_plan.rename, ctx), args=_mapped_arguments(node, call_plan))


def _applies(entry: ApiEntry, target: tuple[int, ...] | None) -> bool:
    """A removed name always; a deprecated one unless the project's minimum torch predates
    the deprecation (where the replacement may not exist yet)."""
    if entry.removed or target is None or not entry.deprecated:
        return True
    return target >= _version(entry.deprecated)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def _message(entry: ApiEntry) -> str:
    """Says when the name went and what replaces it (the name itself is what the finding marks)."""
    if entry.removed:
        head = f"Removed in torch {entry.removed}"
    else:
        head = f"Deprecated since torch {entry.deprecated}" if entry.deprecated else "Deprecated"
    advice = f"use `{entry.replacement}`"
    if entry.drop_in and entry.exact and not entry.hint:
        advice += ", a drop-in replacement"
    return f"{head}: {advice}" + (f"; {entry.hint}" if entry.hint else "")


def _fits(call: ast.Call, entry: ApiEntry) -> bool:
    """The call is one the table's argument mapping can rewrite."""
    if any(isinstance(arg, ast.Starred) for arg in call.args) or has_star_kwargs(call):
        return False
    if entry.positional is not None and not entry.positional[0] <= len(call.args) <= entry.positional[1]:
        return False
    if entry.keywords is not None and any(kw.arg not in entry.keywords for kw in call.keywords):
        return False
    if entry.arguments == "inclusive-end":
        # Only a step of 1 turns an inclusive end into an exclusive one by adding 1.
        return len(call.args) < 3 or int_value(call.args[2]) == 1
    return True


# -- libcst: mapping the arguments ----------------------------------------------------------------


def _mapped_arguments(call: cst.Call, plan: _CallPlan) -> list[cst.Arg]:
    import libcst as cst

    renamed = dict(plan.keywords)
    positional = [arg for arg in call.args if arg.keyword is None]
    keywords = [
        arg.with_changes(keyword=cst.Name(renamed.get(arg.keyword.value, arg.keyword.value)))
        for arg in call.args
        if arg.keyword is not None
    ]
    if plan.arguments == "list":
        elements = [cst.Element(value=arg.value, comma=arg.comma) for arg in positional]
        elements[-1] = elements[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        last = positional[-1]
        positional = [cst.Arg(value=cst.List(elements), comma=last.comma, whitespace_after_arg=last.whitespace_after_arg)]
    elif plan.arguments == "reorder":
        positional = [slot.with_changes(value=positional[old].value) for slot, old in zip(positional, plan.order, strict=True)]
    elif plan.arguments == "inclusive-end":
        positional[1] = positional[1].with_changes(value=_plus_one(positional[1].value))
    return [*positional, *keywords]


def _plus_one(end: cst.BaseExpression) -> cst.BaseExpression:
    """``end + 1``, simplified where the source allows: ``5`` -> ``6``, ``n - 1`` -> ``n``."""
    import libcst as cst

    if isinstance(end, cst.Integer) and not end.lpar:
        return cst.Integer(str(int(end.evaluated_value) + 1))
    if (
        isinstance(end, cst.BinaryOperation)
        and isinstance(end.operator, cst.Subtract)
        and isinstance(end.right, cst.Integer)
        and end.right.value == "1"
        and not end.lpar
    ):
        return end.left
    left = end if _binds_tighter_than_plus(end) else end.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return cst.BinaryOperation(
        left=left,
        operator=cst.Add(whitespace_before=cst.SimpleWhitespace(" "), whitespace_after=cst.SimpleWhitespace(" ")),
        right=cst.Integer("1"),
    )


def _binds_tighter_than_plus(node: cst.BaseExpression) -> bool:
    """``node + 1`` adds 1 to all of ``node`` (no parentheses needed)."""
    import libcst as cst

    if node.lpar or isinstance(node, (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Integer, cst.Float)):
        return True
    if isinstance(node, cst.UnaryOperation):
        return not isinstance(node.operator, cst.Not)
    arithmetic = (cst.Add, cst.Subtract, cst.Multiply, cst.Divide, cst.FloorDivide, cst.Modulo, cst.Power, cst.MatrixMultiply)
    return isinstance(node, cst.BinaryOperation) and isinstance(node.operator, arithmetic)
