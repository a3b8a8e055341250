"""Shapes of training code that several rules look for: backward calls, optimizer steps, loops.

They are deliberately syntactic and cheap; a rule that needs more certainty checks more.
"""

from __future__ import annotations

import ast

from .context import ModuleContext, fact
from .syntax import FUNCTION_TYPES, LOOP_TYPES, dotted

#: Optimizer constructors (``torch.optim.X``) by the names users import them as.
OPTIMIZER_PREFIX = "torch.optim."
SCHEDULER_PREFIX = "torch.optim.lr_scheduler."
#: L-BFGS steps through a closure: it needs no schedule, no autocast, no zeroing in the loop.
LBFGS = frozenset({"torch.optim.LBFGS", "torch.optim.lbfgs.LBFGS"})
DATALOADER = frozenset({"torch.utils.data.DataLoader", "torch.utils.data.dataloader.DataLoader"})


def is_optimizer_constructor(ctx: ModuleContext, call: ast.Call) -> bool:
    return is_optimizer_class(ctx.qualname(call.func) or "")


def is_optimizer_class(qualname: str) -> bool:
    """``torch.optim.AdamW``, not a scheduler or a function of ``torch.optim``."""
    if not qualname.startswith(OPTIMIZER_PREFIX) or qualname.startswith(SCHEDULER_PREFIX):
        return False
    return qualname.rsplit(".", 1)[-1][:1].isupper()


def assigned_names(ctx: ModuleContext, value: ast.AST) -> list[str]:
    """``["opt"]`` for ``opt = value`` and ``["self.opt"]`` for ``self.opt = value``."""
    parent = ctx.parent(value)
    targets: list[ast.expr] = []
    if isinstance(parent, ast.Assign) and parent.value is value:
        targets = parent.targets
    elif isinstance(parent, (ast.AnnAssign, ast.NamedExpr)) and parent.value is value:
        targets = [parent.target]
    return [name for name in (dotted(t) for t in targets) if name]


@fact
def optimizer_names(ctx: ModuleContext) -> dict[str, ast.Call]:
    """Names (``opt``, ``self.optimizer``) bound to a ``torch.optim`` constructor, with the call."""
    names: dict[str, ast.Call] = {}
    for call in ctx.calls_matching(is_optimizer_class):
        for name in assigned_names(ctx, call):
            names.setdefault(name, call)
    return names


def is_backward(call: ast.Call) -> bool:
    """``loss.backward()``, ``scaler.scale(loss).backward()`` or ``accelerator.backward(loss)``."""
    return isinstance(call.func, ast.Attribute) and call.func.attr == "backward"


def looks_like_optimizer(name: str) -> bool:
    last = name.rsplit(".", 1)[-1].lower()
    return "optim" in last or last in {"opt", "optimiser"} or last.endswith(("_opt", "opt"))


def optimizer_step_calls(ctx: ModuleContext) -> list[ast.Call]:
    """``X.step()`` where X is a known optimizer or is named like one (``optimizer``, ``opt_g``)."""
    known = optimizer_names(ctx)
    steps = []
    for call in ctx.method_calls("step"):
        assert isinstance(call.func, ast.Attribute)  # the method index holds attribute calls only
        owner = call.func.value
        receiver = dotted(owner)
        named = bool(receiver) and (receiver in known or looks_like_optimizer(receiver or ""))
        if named or (isinstance(owner, ast.Call) and is_optimizer_constructor(ctx, owner)):
            steps.append(call)
    return steps


def enclosing_loop(ctx: ModuleContext, node: ast.AST) -> ast.For | ast.AsyncFor | ast.While | None:
    """The innermost loop around ``node`` within the same function."""
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, LOOP_TYPES):
            return ancestor
        if isinstance(ancestor, FUNCTION_TYPES + (ast.ClassDef,)):
            return None
    return None


def outermost_loop(ctx: ModuleContext, node: ast.AST) -> ast.For | ast.AsyncFor | ast.While | None:
    """The outermost loop around ``node`` within the same function."""
    found: ast.For | ast.AsyncFor | ast.While | None = None
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, LOOP_TYPES):
            found = ancestor
        if isinstance(ancestor, FUNCTION_TYPES + (ast.ClassDef,)):
            break
    return found


@fact
def loops_with_backward(ctx: ModuleContext) -> set[ast.AST]:
    """Every loop (at any depth) that has a ``backward()`` call somewhere inside."""
    return {a for call in ctx.method_calls("backward") for a in ctx.ancestors(call) if isinstance(a, LOOP_TYPES)}


@fact
def training_loops(ctx: ModuleContext) -> list[ast.For | ast.AsyncFor | ast.While]:
    """Outermost loops (per function) that call ``backward()`` somewhere inside, in source order."""
    loops: list = []
    for call in ctx.method_calls("backward"):
        loop = outermost_loop(ctx, call)
        if loop is not None and loop not in loops:
            loops.append(loop)
    loops.sort(key=lambda loop: (loop.lineno, loop.col_offset))
    return loops


def is_main_guard(node: ast.AST) -> bool:
    """``if __name__ == "__main__":``."""
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    test = node.test
    sides = [test.left, *test.comparators]
    return (
        any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides)
        and any(isinstance(s, ast.Constant) and s.value == "__main__" for s in sides)
    )


def has_main_guard(ctx: ModuleContext) -> bool:
    return any(is_main_guard(stmt) for stmt in ctx.tree.body)


def parses_arguments(ctx: ModuleContext) -> bool:
    """The module builds a command line (argparse, click, typer, fire, hydra, HfArgumentParser)."""
    return ctx.imports_any("argparse", "click", "typer", "fire", "hydra") or bool(
        ctx.calls_matching(lambda name: name.endswith("HfArgumentParser"))
    )


# -- data loading ---------------------------------------------------------------------------------


@fact
def dataloader_calls(ctx: ModuleContext) -> list[ast.Call]:
    """``DataLoader(...)`` calls, however it was imported."""
    return ctx.calls(*DATALOADER)


def is_dataloader(ctx: ModuleContext, func: ast.expr) -> bool:
    """Whether the callee ``func`` is torch's ``DataLoader``."""
    # The cheap test on the last name first: most calls are not to anything named DataLoader.
    if isinstance(func, ast.Attribute):
        return func.attr == "DataLoader" and ctx.qualname(func) in DATALOADER
    return isinstance(func, ast.Name) and ctx.imports.get(func.id) in DATALOADER

