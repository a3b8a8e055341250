"""Shapes of training code that several rules look for: backward calls, optimizer steps, loops.

They are deliberately syntactic and cheap; a rule that needs more certainty checks more.
"""

from __future__ import annotations

import ast

from .callgraph import call_graph, owner
from .context import ModuleContext, fact
from .scopes import lookup
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


@fact
def assignments_to(ctx: ModuleContext) -> dict[str, list[ast.Assign]]:
    """The ``=`` statements of the module by the dotted name they assign (``model``,
    ``self.model``), in source order: ``a = b = x`` is listed under both."""
    by_target: dict[str, list[ast.Assign]] = {}
    for node in ctx.nodes(ast.Assign):
        for name in dict.fromkeys(filter(None, map(dotted, node.targets))):
            by_target.setdefault(name, []).append(node)
    return by_target


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


# -- gradient mode --------------------------------------------------------------------------------

#: Context managers (also decorators) that turn gradient recording off.
NO_GRAD = frozenset(
    {
        "torch.no_grad", "torch.inference_mode", "torch.autograd.no_grad", "torch.autograd.inference_mode",
        "torch.autograd.grad_mode.no_grad", "torch.autograd.grad_mode.inference_mode",
    }
)
#: ``set_grad_enabled(flag)``: off, on or either, as its argument says.
SET_GRAD_ENABLED = frozenset(
    {"torch.set_grad_enabled", "torch.autograd.set_grad_enabled", "torch.autograd.grad_mode.set_grad_enabled"}
)
ENABLE_GRAD = frozenset({"torch.enable_grad", "torch.autograd.enable_grad", "torch.autograd.grad_mode.enable_grad"})

GRAD_OFF, GRAD_ON, GRAD_UNKNOWN = "off", "on", "unknown"


def grad_mode_of(ctx: ModuleContext, expr: ast.expr) -> str | None:
    """What the context manager or decorator ``expr`` does to gradient recording: ``"off"``,
    ``"on"``, ``"unknown"`` (``set_grad_enabled(flag)``, a context kept in a variable the module
    does not show, a helper named for gradients), or ``None`` (nothing: ``torch.autocast``...)."""
    func = expr.func if isinstance(expr, ast.Call) else expr
    name = ctx.qualname(func)
    if name in NO_GRAD:
        return GRAD_OFF
    if name in ENABLE_GRAD:
        return GRAD_ON
    if name in SET_GRAD_ENABLED:
        flag = expr.args[0] if isinstance(expr, ast.Call) and expr.args else None
        if isinstance(flag, ast.Constant) and flag.value in (True, False):
            return GRAD_ON if flag.value else GRAD_OFF
        return GRAD_UNKNOWN
    if name is None and isinstance(expr, (ast.Name, ast.Attribute)) and not _is_unbound(ctx, expr):
        return _grad_mode_of_variable(ctx, expr)
    spelled = (dotted(func) or "").rsplit(".", 1)[-1].lower()
    return GRAD_UNKNOWN if "grad" in spelled or "inference" in spelled else None


def _is_unbound(ctx: ModuleContext, expr: ast.expr) -> bool:
    """A name the module never binds: a builtin (``@staticmethod``, ``@property``)."""
    return isinstance(expr, ast.Name) and not lookup(ctx, expr.id, expr)


def _grad_mode_of_variable(ctx: ModuleContext, expr: ast.Name | ast.Attribute) -> str | None:
    """``with ctx:``: what every value bound to ``ctx`` does, when the module shows them all."""
    bindings = lookup(ctx, expr.id, expr) if isinstance(expr, ast.Name) else []
    values: list[ast.expr] = []
    for binding in bindings:
        if binding.value is None or binding.path or binding.iterated:
            return GRAD_UNKNOWN
        value = binding.value
        values.extend([value.body, value.orelse] if isinstance(value, ast.IfExp) else [value])
    if not values or not all(isinstance(v, ast.Call) and ctx.qualname(v.func) for v in values):
        return GRAD_UNKNOWN
    modes = {grad_mode_of(ctx, value) for value in values} - {None}
    return modes.pop() if len(modes) == 1 else (GRAD_UNKNOWN if modes else None)


@fact
def grad_mode_at(ctx: ModuleContext, node: ast.AST) -> str:
    """Whether gradients are recorded where ``node`` runs: the innermost ``with`` or decorator that
    sets the mode decides; without one, the module's call sites of the function around it do (off
    at one of them: ``"off"``; else unknown at one: ``"unknown"``). A function that the module
    never calls, and top-level code, run with gradients ``"on"``."""
    return _grad_mode_at(ctx, node, frozenset())


def _grad_mode_at(ctx: ModuleContext, node: ast.AST, seen: frozenset[ast.AST]) -> str:
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, (ast.With, ast.AsyncWith)):
            for item in reversed(ancestor.items):
                mode = grad_mode_of(ctx, item.context_expr)
                if mode is not None:
                    return mode
        elif isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in ancestor.decorator_list:
                mode = grad_mode_of(ctx, decorator)
                if mode is not None:
                    return mode
            break
        elif isinstance(ancestor, (ast.Lambda, ast.ClassDef)):
            break
    function = owner(ctx, node)
    if isinstance(function, ast.Module) or function in seen:
        return GRAD_ON
    modes = {_grad_mode_at(ctx, site.call, seen | {function}) for site in call_graph(ctx).callers(function)}
    return next((mode for mode in (GRAD_OFF, GRAD_UNKNOWN) if mode in modes), GRAD_ON)
