"""TL134 clip-before-unscale."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...analysis.callgraph import owner
from ...analysis.context import ModuleContext
from ...analysis.scopes import lookup
from ...analysis.syntax import dotted, keyword
from ...model import Applicability, Finding, Fix, Plan, Severity
from ...rule import Rule
from ._loops import before, insert_before, insertion_node, self_attribute_values

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

CLIPS = frozenset(
    f"torch.nn.utils.{module}{name}"
    for module in ("", "clip_grad.")
    for name in ("clip_grad_norm_", "clip_grad_value_", "clip_grad_norm")
)
GRAD_SCALERS = frozenset(
    {"torch.amp.GradScaler", "torch.amp.grad_scaler.GradScaler", "torch.cuda.amp.GradScaler", "torch.cpu.amp.GradScaler"}
)


@dataclass(frozen=True)
class _UnscalePlan(Plan):
    scaler: str
    optimizer: str


class ClipBeforeUnscale(Rule):
    """Gradients are clipped while they are still scaled by a `GradScaler`.

    Fires on `clip_grad_norm_` / `clip_grad_value_` that runs after `scaler.scale(loss).backward()`
    and before `scaler.step(opt)` with no `scaler.unscale_(opt)` before it. A scaler built with
    a literal `enabled=False` scales nothing and is left alone.
    """

    code = "TL134"
    name = "clip-before-unscale"
    severity = Severity.WARNING
    message = "Call {scaler}.unscale_({optimizer}) before clipping the scaled gradients"
    why = """
        `scaler.scale(loss).backward()` leaves every gradient multiplied by the loss scale
        (65536 at the start, changing as training goes). Clipping those gradients compares the
        scaled norm with the threshold: clipping happens on nearly every step, by an amount that
        drifts with the scale, and the intended bound on the update is lost. `scaler.unscale_(opt)`
        divides the gradients back first; `scaler.step(opt)` then knows not to unscale twice.
    """
    example = """
        scaler.scale(loss).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        scaler.step(optimizer)
        scaler.update()
    """
    use_instead = """
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        scaler.step(optimizer)
        scaler.update()
    """
    requires = ("clip_grad",)
    fix_applicability = Applicability.UNSAFE
    fix_title = "Insert scaler.unscale_(optimizer) before the clip"
    fix_node = "SimpleStatementLine"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        for clip in ctx.calls(*CLIPS):
            function = owner(ctx, clip)
            for scaler in _scalers_backpropagated_before(ctx, clip, function):
                step = _next_step(ctx, scaler, clip, function)
                if step is None or _unscaled_before(ctx, scaler, clip, function) or _disabled(ctx, scaler, clip):
                    continue
                optimizer = dotted(step.args[0])
                message = self.message.format(scaler=scaler, optimizer=optimizer or "optimizer")
                statement = ctx.statement_of(clip)
                node = insertion_node(ctx, statement) if optimizer else None
                fix = self.fix_at(ctx, statement, _UnscalePlan(scaler, optimizer or ""), node=node) if node else False
                yield self.finding(ctx, clip, message, fix=fix)
                break

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.FlattenSentinel[Any]:
        plan = fix.plan_as(_UnscalePlan)
        return insert_before(node, f"{plan.scaler}.unscale_({plan.optimizer})")


def _in(ctx: ModuleContext, node: ast.AST, function: ast.AST) -> bool:
    return owner(ctx, node) is function


def _scalers_backpropagated_before(ctx: ModuleContext, clip: ast.Call, function: ast.AST) -> list[str]:
    """The scalers ``S`` of the ``S.scale(loss).backward()`` calls before the clip, in its function."""
    scalers: dict[str, None] = {}
    for call in ctx.method_calls("backward"):
        assert isinstance(call.func, ast.Attribute)
        scaled = call.func.value
        if (
            isinstance(scaled, ast.Call)
            and isinstance(scaled.func, ast.Attribute)
            and scaled.func.attr == "scale"
            and before(call, clip)
            and _in(ctx, call, function)
        ):
            name = dotted(scaled.func.value)
            if name:
                scalers[name] = None
    return list(scalers)


def _next_step(ctx: ModuleContext, scaler: str, clip: ast.Call, function: ast.AST) -> ast.Call | None:
    """The first ``scaler.step(opt)`` after the clip, in its function."""
    for call in ctx.method_calls("step"):
        assert isinstance(call.func, ast.Attribute)
        if dotted(call.func.value) == scaler and call.args and before(clip, call) and _in(ctx, call, function):
            return call
    return None


def _unscaled_before(ctx: ModuleContext, scaler: str, clip: ast.Call, function: ast.AST) -> bool:
    """``scaler.unscale_(...)`` runs before the clip (in its function)."""
    for call in ctx.method_calls("unscale_"):
        assert isinstance(call.func, ast.Attribute)
        if dotted(call.func.value) == scaler and before(call, clip) and _in(ctx, call, function):
            return True
    return False


def _disabled(ctx: ModuleContext, scaler: str, at: ast.AST) -> bool:
    """Every construction of the scaler that the module shows passes ``enabled=False``."""
    head, _, attr = scaler.partition(".")
    if attr and "." not in attr:
        receiver = next((a for a in ctx.attributes(attr) if dotted(a) == scaler), None)
        values = self_attribute_values(ctx, receiver) if receiver is not None else []
    else:
        values = [b.value for b in lookup(ctx, head, at) if b.value is not None] if not attr else []
    constructions = [v for v in values if isinstance(v, ast.Call) and ctx.qualname(v.func) in GRAD_SCALERS]
    if not constructions or len(constructions) != len(values):
        return False
    return all(_literal_false(keyword(call, "enabled")) for call in constructions)


def _literal_false(kw: ast.keyword | None) -> bool:
    return kw is not None and isinstance(kw.value, ast.Constant) and kw.value.value is False
