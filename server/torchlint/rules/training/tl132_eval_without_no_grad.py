"""TL132 eval-without-no-grad."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...analysis.callgraph import owner, repeating_loops
from ...analysis.context import ModuleContext, fact
from ...analysis.layout import CST_BLOCK_OWNERS, alone_on_its_lines
from ...analysis.syntax import LOOP_TYPES
from ...analysis.training import GRAD_ON, grad_mode_at
from ...model import Applicability, Finding, Fix, Plan, Severity
from ...rule import Rule
from ._loops import (
    EVAL,
    before,
    in_framework_code,
    is_evaluation_function,
    mode_set,
    model_called,
    needs_grad,
    related,
    start,
    torch_reference,
    uses_torch,
)

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext


@dataclass(frozen=True)
class _NoGradPlan(Plan):
    #: How the fixed code names torch, and whether ``import torch`` must be added.
    torch: str
    add_import: bool


class EvalWithoutNoGrad(Rule):
    """An evaluation loop runs the model with gradient recording on.

    Fires on a loop that calls the model, in a function named for evaluation (`evaluate`,
    `validate`, `test_epoch`, `predict`, `infer`...) or after `model.eval()` in the same function,
    when neither a `torch.no_grad()` / `torch.inference_mode()` context or decorator there nor
    any of the module's calls of the function turn gradients off, and nothing there needs them
    (`backward()`, `torch.autograd.grad`, `requires_grad_()`, reading `.grad`: saliency maps and
    adversarial examples).
    """

    code = "TL132"
    name = "eval-without-no-grad"
    severity = Severity.WARNING
    message = "Run the evaluation under torch.no_grad() (or torch.inference_mode())"
    why = """
        With gradient recording on, each forward pass keeps the activations its backward pass
        would need and builds the graph to reach them. An evaluation loop never calls
        `backward()`, so that work is wasted: evaluation runs slower and needs far more memory
        (often the reason a validation batch size "does not fit"), and outputs stored for
        metrics keep their graphs alive.
    """
    example = """
        def evaluate(model, loader):
            model.eval()
            correct = 0
            for inputs, targets in loader:
                correct += (model(inputs).argmax(1) == targets).sum().item()
            return correct / len(loader.dataset)
    """
    use_instead = """
        @torch.no_grad()
        def evaluate(model, loader):
            model.eval()
            correct = 0
            for inputs, targets in loader:
                correct += (model(inputs).argmax(1) == targets).sum().item()
            return correct / len(loader.dataset)
    """
    requires = ("torch", "transformers", "lightning", "timm", "accelerate")
    fix_applicability = Applicability.UNSAFE
    fix_title = "Run the evaluation under torch.no_grad()"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        if not uses_torch(ctx):
            return
        reported: set[ast.AST] = set()
        for loop in ctx.nodes(*LOOP_TYPES):
            function = owner(ctx, loop)
            if function in reported or any(outer in reported for outer in repeating_loops(ctx, loop)):
                continue
            if in_framework_code(ctx, loop) or not self._evaluates_with_grad(ctx, loop, function):
                continue
            decorate = is_evaluation_function(ctx, function) and isinstance(function, ast.FunctionDef)
            reported.add(function if decorate else loop)
            yield self.finding(ctx, loop, fix=self._fix(ctx, function if decorate else loop))

    def _evaluates_with_grad(self, ctx: ModuleContext, loop: ast.AST, function: ast.AST) -> bool:
        evaluation = is_evaluation_function(ctx, function)
        mode_calls = [] if evaluation else [c for c in _mode_calls(ctx).get(function, ()) if before(c, loop)]
        if not evaluation and not mode_calls:
            return False
        calls = [c for c in ctx.within(loop, ast.Call) if owner(ctx, c) is function and model_called(ctx, c)]
        if not calls or any(grad_mode_at(ctx, call) != GRAD_ON for call in calls):
            return False
        if not evaluation and not _last_mode_is_eval(mode_calls, {model_called(ctx, c) or "" for c in calls}):
            return False
        # Gradients wanted: in the loop at all; elsewhere in an evaluation function, or other than by
        # a training loop's backward() in a function that also trains.
        return not needs_grad(ctx, loop) and not needs_grad(ctx, function, backward=evaluation)

    def _fix(self, ctx: ModuleContext, target: ast.AST) -> Fix | bool:
        reference = torch_reference(ctx)
        if reference is None or (isinstance(target, LOOP_TYPES) and not alone_on_its_lines(ctx, target)):
            return False
        return self.fix_at(ctx, target, _NoGradPlan(*reference), node=CST_BLOCK_OWNERS[type(target)])

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.CSTNode:
        import libcst as cst

        plan = fix.plan_as(_NoGradPlan)
        if plan.add_import:
            ctx.add_import("torch")
        no_grad = cst.parse_expression(f"{plan.torch}.no_grad()")
        if isinstance(node, cst.FunctionDef):
            # Innermost, so that it wraps the function itself under ``@staticmethod`` and the like.
            return node.with_changes(decorators=[*node.decorators, cst.Decorator(decorator=no_grad)])
        assert isinstance(node, (cst.For, cst.While))
        return cst.With(
            items=[cst.WithItem(no_grad)],
            body=cst.IndentedBlock(body=[node.with_changes(leading_lines=())]),
            leading_lines=node.leading_lines,
        )


@fact
def _mode_calls(ctx: ModuleContext) -> dict[ast.AST, list[ast.Call]]:
    """The ``.eval()``/``.train(...)`` calls that set a mode, by the function that makes them, in source order."""
    by_function: dict[ast.AST, list[ast.Call]] = {}
    for call in sorted((*ctx.method_calls("eval"), *ctx.method_calls("train")), key=start):
        if mode_set(call):
            by_function.setdefault(owner(ctx, call), []).append(call)
    return by_function


def _last_mode_is_eval(mode_calls: list[ast.Call], models: set[str]) -> bool:
    """The last of ``mode_calls`` that concerns one of ``models`` puts it in eval mode."""
    mode = None
    for call in mode_calls:
        setting = mode_set(call)
        if setting and any(related(setting[0], model) for model in models):
            mode = setting[1]
    return mode == EVAL
