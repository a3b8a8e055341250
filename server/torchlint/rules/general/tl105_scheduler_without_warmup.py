"""TL105 scheduler-without-warmup."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...analysis.context import ModuleContext, fact
from ...analysis.layout import alone_on_its_lines
from ...analysis.scopes import COMPREHENSION_TYPES
from ...analysis.syntax import dotted, is_constant
from ...analysis.text import unindented
from ...analysis.training import SCHEDULER_PREFIX
from ...model import Applicability, Finding, Fix, Plan, Severity
from ...rule import Rule
from ._schedules import WARMUP_DIVISOR, Imports, assigned_targets, scheduler_spelling, sets_lr_by_hand, warmup_then

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

COSINE = {f"{SCHEDULER_PREFIX}CosineAnnealingLR", f"{SCHEDULER_PREFIX}CosineAnnealingWarmRestarts"}
#: The cosine schedulers' period: ``CosineAnnealingLR(optimizer, T_max)``, ``...WarmRestarts(optimizer, T_0)``.
PERIOD = {"CosineAnnealingLR": "T_max", "CosineAnnealingWarmRestarts": "T_0"}
#: Schedulers that are, or can hold, a warmup.
WARMUP_SCHEDULERS = {
    f"{SCHEDULER_PREFIX}{name}"
    for name in ("LinearLR", "SequentialLR", "LambdaLR", "MultiplicativeLR", "ChainedScheduler", "OneCycleLR")
}
WARMUP = re.compile(r"warm_?up", re.IGNORECASE)


@dataclass(frozen=True)
class _WarmupPlan(Plan):
    """How to chain a warmup before the cosine schedule."""

    #: The source text of the cosine scheduler's call.
    cosine: str
    #: How the module spells ``torch.optim.lr_scheduler.`` (see ``scheduler_spelling``).
    spelling: str
    optimizer: str
    #: The expression of the number of warmup steps.
    warmup: str
    imports: Imports


class SchedulerWithoutWarmup(Rule):
    """A cosine learning-rate schedule starts at the peak learning rate, with no warmup.

    Fires on each `CosineAnnealingLR(...)` / `CosineAnnealingWarmRestarts(...)` in a module that
    has no warmup anywhere: no `LinearLR`, `SequentialLR`, `LambdaLR`, `*_with_warmup` schedule,
    hand-written `param_group["lr"]` update or anything named warmup.
    """

    code = "TL105"
    name = "scheduler-without-warmup"
    severity = Severity.INFO
    requires = ("Cosine",)
    message = "Add a warmup: chain a LinearLR warmup and this cosine scheduler with SequentialLR"
    why = """
        At the first steps the optimizer's statistics (Adam's moments, batch-norm running
        stats) are not yet estimated and the loss surface is steep: the full learning rate
        then causes loss spikes or divergence, most of all with large batches and
        transformers. A short linear warmup lets the run start at the peak rate safely.
    """
    example = """
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    """
    use_instead = """
        warmup_steps = max(1, epochs // 20)
        scheduler = torch.optim.lr_scheduler.SequentialLR(
            optimizer,
            schedulers=[
                torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.01, total_iters=warmup_steps),
                torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs),
            ],
            milestones=[warmup_steps],
        )
    """
    fix_applicability = Applicability.UNSAFE
    fix_title = "Warm up with LinearLR, then the cosine schedule, in a SequentialLR"
    fix_node = "SimpleStatementLine"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        if has_warmup(ctx):
            return
        for call in ctx.calls(*COSINE):
            yield self._finding(ctx, call, ctx.qualname(call.func).rsplit(".", 1)[-1])  # type: ignore[union-attr]

    def _finding(self, ctx: ModuleContext, call: ast.Call, kind: str) -> Finding:
        statement = ctx.statement_of(call)
        optimizer = _argument(call, 0, "optimizer")
        period = _argument(call, 1, PERIOD[kind])
        fixable = (
            isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr, ast.Return))
            and alone_on_its_lines(ctx, statement)
            and optimizer is not None
            and dotted(optimizer) is not None
            and period is not None
            and not _in_nested_scope(ctx, call, statement)
            and not _spans_lines_in_a_string(call)
            and not _stepped_with_arguments(ctx, statement)
        )
        if not fixable:
            return self.finding(ctx, call)
        assert optimizer is not None and period is not None
        spelling, imports = scheduler_spelling(ctx, call.func, ("LinearLR", "SequentialLR"))
        if is_constant(period, int):
            warmup = str(max(1, period.value // WARMUP_DIVISOR))  # type: ignore[attr-defined]
        else:
            operand = ctx.text(period)
            if not isinstance(period, (ast.Name, ast.Attribute, ast.Call, ast.Subscript)):
                operand = f"({operand})"
            warmup = f"max(1, {operand} // {WARMUP_DIVISOR})"
        plan = _WarmupPlan(ctx.text(call), spelling, ctx.text(optimizer), warmup, imports)
        return self.finding(ctx, call, fix=self.fix_at(ctx, statement, plan))

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.CSTNode | cst.FlattenSentinel[cst.BaseStatement]:
        import libcst as cst

        plan = fix.plan_as(_WarmupPlan)
        code = ctx.code

        class Chain(cst.CSTTransformer):
            done = False

            def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
                if self.done or unindented(code(original)) != unindented(plan.cosine):
                    return updated
                self.done = True
                # Two levels deeper inside SequentialLR(schedulers=[...]).
                nested = code(updated).replace("\n", "\n" + " " * 8)
                return cst.parse_expression(warmup_then(plan.spelling, plan.optimizer, "warmup_steps", nested))

        assert isinstance(node, cst.SimpleStatementLine)
        chain = Chain()
        chained = node.visit(chain)
        if not chain.done:
            return node
        assert isinstance(chained, cst.SimpleStatementLine)
        for module, name in plan.imports:
            ctx.add_import(module, name)
        warmup_line = cst.parse_statement(f"warmup_steps = {plan.warmup}\n").with_changes(leading_lines=node.leading_lines)
        return cst.FlattenSentinel([warmup_line, chained.with_changes(leading_lines=())])


@fact
def has_warmup(ctx: ModuleContext) -> bool:
    """The module warms the learning rate up somewhere (or mentions a warmup at all)."""
    if WARMUP.search(ctx.source) or sets_lr_by_hand(ctx):
        return True
    names = {name.rsplit(".", 1)[-1] for name in WARMUP_SCHEDULERS}
    return (
        any(ctx.attributes(name) for name in names)
        or not names.isdisjoint(ctx.identifiers())
        or any(qualname in WARMUP_SCHEDULERS for qualname in ctx.imports.values())
    )


def _argument(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    """The argument at ``position`` or named ``keyword``; ``None`` when absent or hidden by ``*``/``**``."""
    if any(isinstance(a, ast.Starred) for a in call.args) or any(kw.arg is None for kw in call.keywords):
        return None
    if position < len(call.args):
        return call.args[position]
    return next((kw.value for kw in call.keywords if kw.arg == keyword), None)


def _in_nested_scope(ctx: ModuleContext, node: ast.AST, statement: ast.stmt) -> bool:
    """``node`` sits in a lambda or comprehension of ``statement``, whose names a statement
    inserted before it could not read."""
    for ancestor in ctx.ancestors(node):
        if ancestor is statement:
            return False
        if isinstance(ancestor, (ast.Lambda, *COMPREHENSION_TYPES)):
            return True
    return False


def _spans_lines_in_a_string(node: ast.AST) -> bool:
    """A string literal inside ``node`` spans lines (re-indenting ``node`` would change it)."""
    return any(
        (isinstance(n, ast.JoinedStr) or is_constant(n, str)) and n.end_lineno != n.lineno for n in ast.walk(node)  # type: ignore[attr-defined]
    )


def _stepped_with_arguments(ctx: ModuleContext, statement: ast.stmt) -> bool:
    """The scheduler the statement assigns is stepped with an epoch (`scheduler.step(epoch + i / n)`),
    which SequentialLR does not take."""
    names = {dotted(t) for t in assigned_targets(statement)} - {None}
    return any(call.args and dotted(call.func.value) in names for call in ctx.method_calls("step"))  # type: ignore[attr-defined]
