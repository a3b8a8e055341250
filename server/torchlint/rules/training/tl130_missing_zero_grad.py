"""TL130 missing-zero-grad."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...analysis.callgraph import Function, Loop, call_graph, owner, reachable, repeating_loops
from ...analysis.context import ModuleContext
from ...analysis.syntax import DEF_TYPES, LOOP_TYPES, callee_name, dotted
from ...analysis.training import LBFGS, is_backward, looks_like_optimizer, optimizer_names, optimizer_step_calls
from ...model import Applicability, Finding, Fix, Plan, Severity
from ...rule import Rule
from ._loops import before, in_framework_code, insert_before, insertion_node, inside, parameter_owners, related, uses_torch

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext


@dataclass(frozen=True)
class _ZeroGradPlan(Plan):
    optimizer: str


class MissingZeroGrad(Rule):
    """A training loop steps an optimizer but never zeroes its gradients.

    Fires on `opt.step()` (or `scaler.step(opt)`) in a loop that calls `backward()` when neither
    the loop, nor a loop around it, nor a function of the module that they call zeroes the
    gradients (`opt.zero_grad()`, `model.zero_grad()`, `p.grad = None`). A training step without
    a loop of its own counts when every call of it in the module sits in such a loop. LBFGS
    closures, Lightning and `Trainer` code are left alone.
    """

    code = "TL130"
    name = "missing-zero-grad"
    severity = Severity.WARNING
    message = "Call {optimizer}.zero_grad(set_to_none=True) in the loop before backward()"
    #: The message when the step is guarded for accumulation, where zeroing goes after the step.
    accumulation_message = "Call {optimizer}.zero_grad(set_to_none=True) right after {optimizer}.step()"
    why = """
        `backward()` adds to `.grad`; it never overwrites it. A loop that never zeroes the
        gradients steps the optimizer with the running sum of every batch seen so far: the
        effective learning rate grows with each step and the updates point along stale
        gradients, so training diverges or stalls without any error. Zero once per optimizer
        step (in the outer loop when accumulating on purpose over micro-batches).
    """
    example = """
        for inputs, targets in loader:
            loss = criterion(model(inputs), targets)
            loss.backward()
            optimizer.step()
    """
    use_instead = """
        for inputs, targets in loader:
            loss = criterion(model(inputs), targets)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    """
    requires = ("backward",)
    fix_applicability = Applicability.UNSAFE
    fix_title = "Insert optimizer.zero_grad(set_to_none=True) before backward()"
    fix_node = "SimpleStatementLine"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        if not uses_torch(ctx):
            return
        steps = _optimizer_steps(ctx)
        for step, optimizer in steps.items():
            if not in_framework_code(ctx, step) and not _is_lbfgs(ctx, optimizer):
                finding = self._check_step(ctx, step, optimizer, steps)
                if finding is not None:
                    yield finding

    def _check_step(self, ctx: ModuleContext, step: ast.Call, optimizer: str, steps: dict[ast.Call, str]) -> Finding | None:
        function = owner(ctx, step)
        backwards = [c for c in ctx.method_calls("backward") if is_backward(c) and owner(ctx, c) is function]
        loops = repeating_loops(ctx, step)
        loop = next((loop for loop in loops if any(loop in repeating_loops(ctx, b) for b in backwards)), None)
        regions: list[Loop | Function | ast.Module]
        if loop is not None:
            regions = [loops[-1]]
            candidates = [b for b in backwards if loop in repeating_loops(ctx, b)]
            scope: ast.AST = loop
        elif not loops and not isinstance(function, ast.Module):
            # A training step of its own (``def train_step(batch)``): its callers' loops repeat it.
            candidates = [b for b in backwards if before(b, step) and not repeating_loops(ctx, b)]
            sites = call_graph(ctx).callers(function)
            if not candidates or not sites or any(not site.loops for site in sites):
                return None
            regions = [function]
            scope = function
        else:
            return None
        if isinstance(function, DEF_TYPES):
            regions += [site.loops[-1] for site in call_graph(ctx).callers(function) if site.loops]
        stepped = {steps[call] for call in inside(ctx, regions[0], ast.Call) if call in steps}
        constructor = optimizer_names(ctx).get(optimizer)
        models = parameter_owners(constructor) if constructor is not None else None
        if any(_zeroes(ctx, region, optimizer, models, len(stepped) <= 1) for region in regions):
            return None
        backward = _feeding_backward(ctx, step, candidates, steps, scope)
        if _accumulates(ctx, step, backward, scope):
            return self.finding(ctx, step, self.accumulation_message.format(optimizer=optimizer))
        message = self.message.format(optimizer=optimizer)
        statement = _statement_in(ctx, backward, scope)
        node = insertion_node(ctx, statement)
        if node is None:
            return self.finding(ctx, step, message)
        return self.finding(ctx, step, message, fix=self.fix_at(ctx, statement, _ZeroGradPlan(optimizer), node=node))

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.FlattenSentinel[Any]:
        return insert_before(node, f"{fix.plan_as(_ZeroGradPlan).optimizer}.zero_grad(set_to_none=True)")


def _optimizer_steps(ctx: ModuleContext) -> dict[ast.Call, str]:
    """Each optimizer step, ``opt.step()`` or ``scaler.step(opt)``, with the optimizer's dotted
    name; steps that pass a closure (LBFGS style) are left out."""
    steps: dict[ast.Call, str] = {}
    for call in optimizer_step_calls(ctx):
        assert isinstance(call.func, ast.Attribute)
        name = dotted(call.func.value)
        if name and not call.args and not call.keywords:
            steps[call] = name
    known = optimizer_names(ctx)
    for call in ctx.method_calls("step"):
        assert isinstance(call.func, ast.Attribute)
        receiver = (dotted(call.func.value) or "").rsplit(".", 1)[-1].lower()
        if "scaler" in receiver and len(call.args) == 1 and not call.keywords:
            name = dotted(call.args[0])
            if name and (name in known or looks_like_optimizer(name)):
                steps[call] = name
    return steps


def _is_lbfgs(ctx: ModuleContext, optimizer: str) -> bool:
    constructor = optimizer_names(ctx).get(optimizer)
    return constructor is not None and ctx.qualname(constructor.func) in LBFGS


def _zeroes(
    ctx: ModuleContext, region: ast.AST, optimizer: str, models: frozenset[str] | None, alone: bool
) -> bool:
    """``region`` (or a function of the module it calls) zeroes the optimizer's gradients. In the
    region itself ``other_opt.zero_grad()`` and ``other_model.zero_grad()`` do not count when
    several optimizers step there; in a helper any zeroing does."""
    assert isinstance(region, (*LOOP_TYPES, ast.FunctionDef, ast.AsyncFunctionDef, ast.Module))
    parts: list[ast.AST] = [region, *reachable(ctx, region)]
    for part in parts:
        strict = part is region and not alone
        for attribute in inside(ctx, part, ast.Attribute):
            if attribute.attr == "zero_grad" and (not strict or _covers(ctx, attribute, optimizer, models)):
                return True
            if attribute.attr == "grad" and (not isinstance(attribute.ctx, ast.Load) or _mutated(ctx, attribute)):
                return True
        for call in inside(ctx, part, ast.Call):
            name = callee_name(call.func).lower()  # a helper such as ``zero_grads(model)``
            if name != "zero_grad" and ("zero" in name or "clear" in name or "reset" in name) and "grad" in name:
                return True
    return False


def _covers(ctx: ModuleContext, zero_grad: ast.Attribute, optimizer: str, models: frozenset[str] | None) -> bool:
    receiver = dotted(zero_grad.value)
    if receiver is None or receiver == optimizer:
        return True
    if receiver in optimizer_names(ctx) or looks_like_optimizer(receiver):
        return False
    return models is None or any(related(receiver, model) for model in models)


def _mutated(ctx: ModuleContext, grad: ast.Attribute) -> bool:
    """``p.grad.zero_()``, ``p.grad.data.fill_(0)``: an in-place method called on the gradient."""
    node: ast.AST = grad
    while isinstance(parent := ctx.parent(node), ast.Attribute):
        node = parent
    call = ctx.parent(node)
    in_place = isinstance(node, ast.Attribute) and node.attr.endswith("_")
    return node is not grad and in_place and isinstance(call, ast.Call) and call.func is node


def _feeding_backward(
    ctx: ModuleContext, step: ast.Call, candidates: list[ast.Call], steps: dict[ast.Call, str], scope: ast.AST
) -> ast.Call:
    """The first ``backward()`` that feeds ``step``: after the step before it in the same loop."""
    earlier = [other for other in steps if other is not step and before(other, step) and other in inside(ctx, scope, ast.Call)]
    preceding = [b for b in candidates if before(b, step)]
    after_previous = [b for b in preceding if not earlier or before(earlier[-1], b)]
    return (after_previous or preceding or candidates)[0]


def _statement_in(ctx: ModuleContext, backward: ast.Call, scope: ast.AST) -> ast.stmt:
    """The statement before which zeroing goes: the backward's own, or the loop inside ``scope``
    that repeats it (``for micro_step in ...:`` when accumulating over micro-batches)."""
    statement = ctx.statement_of(backward)
    for ancestor in ctx.ancestors(statement):
        if ancestor is scope:
            break
        if isinstance(ancestor, LOOP_TYPES):
            statement = ancestor
    return statement


def _accumulates(ctx: ModuleContext, step: ast.Call, backward: ast.Call, scope: ast.AST) -> bool:
    """``if (i + 1) % accum_steps == 0: opt.step()`` with the backward outside that ``if``: zeroing
    before every backward would undo the accumulation, so no edit is offered."""
    for ancestor in ctx.ancestors(step):
        if ancestor is scope:
            return False
        modulo = isinstance(ancestor, ast.If) and any(isinstance(n, ast.Mod) for n in ast.walk(ancestor.test))
        if modulo and not any(n is backward for n in ast.walk(ancestor)):
            return True
    return False
