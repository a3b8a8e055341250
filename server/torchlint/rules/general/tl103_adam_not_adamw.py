"""TL103 adam-not-adamw."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...analysis.context import ModuleContext
from ...model import Applicability, Finding, Fix, Plan, Severity
from ...rule import Rule

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

ADAM = {"torch.optim.Adam", "torch.optim.adam.Adam"}
#: ``Adam(params, lr, betas, eps, weight_decay, ...)``: the position of ``weight_decay``.
WEIGHT_DECAY_POSITION = 4


@dataclass(frozen=True)
class _KeepNoDecayPlan(Plan):
    """The call sets no weight decay: AdamW gets ``weight_decay=0.0``, since its default (0.01)
    would start decaying the weights."""


class AdamNotAdamW(Rule):
    """`torch.optim.Adam` is used where `AdamW` belongs.

    Fires on every reference to `torch.optim.Adam`, however it was imported. The fix renames it;
    a call that sets no weight decay also gets `weight_decay=0.0`, which keeps its behaviour
    (AdamW's default is 0.01, Adam's 0).
    """

    code = "TL103"
    name = "adam-not-adamw"
    severity = Severity.WARNING
    message = "Use torch.optim.AdamW instead of Adam (weight_decay becomes decoupled: re-check its value)"
    why = """
        `Adam` with `weight_decay` adds the decay to the gradient, where the adaptive step size
        rescales it: the effective regularisation differs per parameter and is much weaker than
        intended. `AdamW` (Loshchilov & Hutter) applies the decay directly to the weights and is
        the default optimizer of modern training recipes.
    """
    example = """
        optimizer = torch.optim.Adam(model.parameters(), lr=3e-4, weight_decay=1e-2)
    """
    use_instead = """
        optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=1e-2)
    """
    fix_applicability = Applicability.UNSAFE
    fix_title = "Replace Adam with AdamW"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        for node in ctx.references(*ADAM):
            call = ctx.parent(node)
            if isinstance(call, ast.Call) and call.func is node and not _sets_weight_decay(call):
                yield self.finding(ctx, node, fix=self.fix_at(ctx, call, _KeepNoDecayPlan(), node="Call"))
            else:
                yield self.finding(ctx, node, fix=self.fix_at(ctx, node, node=type(node).__name__))

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.CSTNode:
        import libcst as cst

        if isinstance(fix.plan, _KeepNoDecayPlan):
            assert isinstance(node, cst.Call) and isinstance(node.func, (cst.Name, cst.Attribute))
            return _with_no_decay(node.with_changes(func=_renamed(node.func, ctx)))
        assert isinstance(node, (cst.Name, cst.Attribute))
        return _renamed(node, ctx)


def _renamed(node: cst.Name | cst.Attribute, ctx: FixContext) -> cst.Name | cst.Attribute:
    """The reference to ``Adam`` as one to ``AdamW``."""
    import libcst as cst

    if isinstance(node, cst.Attribute):
        return node.with_changes(attr=node.attr.with_changes(value="AdamW"))
    # `Adam` came from `from torch.optim import Adam`: import AdamW in its place.
    ctx.add_import("torch.optim", "AdamW")
    ctx.remove_unused_import("torch.optim", "Adam", None if node.value == "Adam" else node.value)
    return node.with_changes(value="AdamW")

def _sets_weight_decay(call: ast.Call) -> bool:
    """The call passes ``weight_decay`` (by keyword or position), or may (``*args``, ``**kwargs``)."""
    if any(isinstance(arg, ast.Starred) for arg in call.args) or len(call.args) > WEIGHT_DECAY_POSITION:
        return True
    return any(keyword.arg in (None, "weight_decay") for keyword in call.keywords)


def _with_no_decay(call: cst.Call) -> cst.Call:
    """``call`` with ``weight_decay=0.0`` appended, in the call's own layout (a trailing comma stays last)."""
    import libcst as cst

    args = list(call.args)
    new = cst.Arg(
        value=cst.Float("0.0"),
        keyword=cst.Name("weight_decay"),
        equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")),
    )
    if args and isinstance(args[-1].comma, cst.Comma):  # ``Adam(\n    params,\n)``
        between = args[-2].comma if len(args) > 1 and isinstance(args[-2].comma, cst.Comma) else cst.Comma(
            whitespace_after=cst.SimpleWhitespace(" ")
        )
        new = new.with_changes(comma=args[-1].comma)
        args[-1] = args[-1].with_changes(comma=between)
    elif args:
        args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    return call.with_changes(args=[*args, new])
