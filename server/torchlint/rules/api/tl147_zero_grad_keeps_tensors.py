"""TL147 zero-grad-keeps-tensors."""

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

#: The torch whose ``zero_grad`` defaults to ``set_to_none=True``.
NONE_DEFAULT = (2, 0)


@dataclass(frozen=True)
class _SetToNonePlan(Plan):
    """Which argument says ``set_to_none=False`` (its index), and whether to drop it (the default
    is ``True``) or to pass ``True`` (older torch)."""

    index: int
    drop: bool


class ZeroGradKeepsTensors(Rule):
    """`zero_grad(set_to_none=False)` fills the gradients with zeros instead of freeing them.

    Fires on `zero_grad(set_to_none=False)` (or `zero_grad(False)`) of any object: optimizers
    and modules both have it. `set_to_none=True` and a value from a variable are not reported.
    """

    code = "TL147"
    name = "zero-grad-keeps-tensors"
    severity = Severity.INFO
    aliases = ("TOR402",)
    requires = ("zero_grad",)
    message = "zero_grad(set_to_none=False) keeps zero-filled gradients: drop the argument to free them"
    why = """
        With `set_to_none=False`, every step writes zeros into each parameter's gradient and
        keeps that memory allocated between steps; with `set_to_none=True` (the default since
        torch 2.0) the gradients are released and the next `backward()` allocates them fresh,
        which saves memory and a kernel launch per parameter. Code that reads `.grad` before the
        next backward sees `None` instead of zeros.
    """
    example = """
        optimizer.zero_grad(set_to_none=False)
    """
    use_instead = """
        optimizer.zero_grad()
    """
    fix_applicability = Applicability.UNSAFE
    fix_title = "Let zero_grad set the gradients to None"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        old_default = ctx.target_torch is not None and ctx.target_torch < NONE_DEFAULT
        for call in ctx.method_calls("zero_grad"):
            index = _false_argument(call)
            if index is None:
                continue
            message = None
            if old_default:
                message = "zero_grad(set_to_none=False) keeps zero-filled gradients: pass set_to_none=True"
            yield self.finding(ctx, call.func, message, fix=self.fix_at(ctx, call, _SetToNonePlan(index, not old_default)))

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.Call:
        import libcst as cst

        from ...fixing.arguments import without_argument

        assert isinstance(node, cst.Call)
        plan = fix.plan_as(_SetToNonePlan)
        if plan.drop:
            return without_argument(node, plan.index)
        args = list(node.args)
        args[plan.index] = args[plan.index].with_changes(value=cst.Name("True"))
        return node.with_changes(args=args)


def _false_argument(call: ast.Call) -> int | None:
    """The index among the call's arguments of a literal ``set_to_none=False`` (``zero_grad``'s
    only parameter, so also a first positional ``False``), if any."""
    given = [*call.args[:1], *(kw.value for kw in call.keywords if kw.arg == "set_to_none")]
    if len(given) != 1 or not (isinstance(given[0], ast.Constant) and given[0].value is False):
        return None
    if call.args:
        return 0
    return len(call.args) + next(i for i, kw in enumerate(call.keywords) if kw.arg == "set_to_none")
