"""TL145 private-data-api."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ...analysis.context import ModuleContext
from ...model import Finding, Fix, Severity
from ...rule import Rule
from ._names import (
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

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

PRIVATE_MODULE = "torch.utils.data._utils.collate"
PUBLIC_MODULE = "torch.utils.data"
NAMES = ("default_collate", "default_convert")
#: Each private qualified name -> its public one.
PUBLIC = {f"{PRIVATE_MODULE}.{name}": f"{PUBLIC_MODULE}.{name}" for name in NAMES}
#: The torch that made them public.
PUBLIC_SINCE = (1, 11)


class PrivateDataApi(Rule):
    """`default_collate` / `default_convert` are taken from the private `torch.utils.data._utils`.

    Fires on each `from torch.utils.data._utils.collate import ...` of them and on each use
    through a dotted path into the private module, however it was imported. The public
    `torch.utils.data.default_collate` is the same function; projects that support a torch older
    than 1.11, which did not have it, are left alone.
    """

    code = "TL145"
    name = "private-data-api"
    severity = Severity.WARNING
    aliases = ("TOR104", "TOR105")
    requires = ("_utils",)
    message = "Use the public torch.utils.data.default_collate / default_convert, not _utils.collate"
    why = """
        `torch.utils.data._utils` is private: PyTorch may move or change it in any release
        without a deprecation. Since torch 1.11 the collate helpers are public as
        `torch.utils.data.default_collate` and `default_convert`, the very same functions.
    """
    example = """
        from torch.utils.data._utils.collate import default_collate

        loader = DataLoader(dataset, batch_size=32, collate_fn=default_collate)
    """
    use_instead = """
        from torch.utils.data import default_collate

        loader = DataLoader(dataset, batch_size=32, collate_fn=default_collate)
    """
    fix_title = "Use the public torch.utils.data name"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        if ctx.target_torch is not None and ctx.target_torch < PUBLIC_SINCE:
            return
        for node in dotted_references(ctx, *PUBLIC):
            plan = rename_plan(ctx, node, PUBLIC[ctx.qualname(node) or ""])
            fix = self.fix_at(ctx, node, plan, node="Attribute") if plan else False
            yield self.finding(ctx, node, _message(node.attr), fix=fix)
        fixes: dict[int, Fix | bool] = {}
        for item in from_imports(ctx, PUBLIC.__contains__):
            statement = item.statement
            if id(statement) not in fixes:
                names = {a.name: PUBLIC_MODULE for a in statement.names if f"{statement.module}.{a.name}" in PUBLIC}
                move = move_plan(ctx, statement, names)
                target, kind = move_node(ctx, statement)
                fixes[id(statement)] = self.fix_at(ctx, target, move, node=kind) if move else False
            yield self.finding(ctx, item.alias, _message(item.alias.name), fix=fixes[id(statement)])

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.CSTNode | cst.FlattenSentinel[cst.BaseStatement]:
        if isinstance(fix.plan, MovePlan):
            return apply_move(node, fix.plan)
        return apply_rename(fix.plan_as(RenamePlan), ctx)


def _message(name: str) -> str:
    return f"Use torch.utils.data.{name}, the public name of the same function"
