"""TL110 dataloader-num-workers."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, NamedTuple

from ...analysis.context import ModuleContext, fact
from ...analysis.scopes import Binding, lookup
from ...analysis.syntax import DEF_TYPES, dotted
from ...model import Applicability, Fix, Severity
from ._dataloader_options import DataLoaderOptionRule, OptionPlan

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

#: Names a worker count goes by in configs, arguments and attributes.
WORKER_NAMES = ("num_workers", "n_workers", "workers")
CPU_COUNT = "os.cpu_count()"
#: Expressions that can evaluate to a number (unlike a list, a dict or a comprehension).
COUNT_LIKE = (
    ast.Constant, ast.Name, ast.Attribute, ast.Call, ast.BinOp, ast.BoolOp, ast.UnaryOp, ast.IfExp, ast.Subscript
)
COLLECTIONS = {"list", "tuple", "dict", "set", "sorted", "frozenset"}


class DataLoaderNumWorkers(DataLoaderOptionRule):
    """A `DataLoader` loads batches in the training process, or with a hard-coded worker count.

    Fires on `torch.utils.data.DataLoader(...)` (however imported) without `num_workers`, or
    with an integer literal for it (`0` included). A value from a config, an argument, a
    variable or `os.cpu_count()` is left alone, and so is a call whose options come through
    `**kwargs`. Reported at the `DataLoader` name.

    The fix sets the worker count the call can see (a `num_workers` / `workers` variable or
    parameter, or an attribute such as `args.workers` or `cfg.data.num_workers` that the
    module uses), else `os.cpu_count()`. It is unsafe: workers are separate processes, so the
    dataset must pickle and any state it mutates is no longer shared with the training loop.
    """

    code = "TL110"
    name = "dataloader-num-workers"
    severity = Severity.WARNING
    aliases = ("TOR401",)
    option = ("num_workers", 5)
    message = "Set num_workers from configuration (or os.cpu_count()) instead of 0 or a fixed count"
    why = """
        With the default `num_workers=0` every batch is loaded and augmented in the training
        process, between optimizer steps: the GPU waits while the CPU decodes images. A
        hard-coded count is tuned for one machine and is wrong on the next (too few cores on a
        laptop, idle cores on a server). Take the count from the run's configuration.
    """
    example = """
        loader = DataLoader(train_set, batch_size=64, shuffle=True)
    """
    use_instead = """
        loader = DataLoader(train_set, batch_size=64, shuffle=True, num_workers=cfg.num_workers)
    """
    fix_applicability = Applicability.UNSAFE
    fix_title = "Set num_workers from the configuration in scope, or os.cpu_count()"

    def poor(self, value: ast.expr) -> bool:
        return isinstance(value, ast.Constant) and type(value.value) is int

    def fixed_value(self, ctx: ModuleContext, call: ast.Call) -> str:
        return configured_workers(ctx, call) or CPU_COUNT

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.Call:
        if fix.plan_as(OptionPlan).value == CPU_COUNT:
            ctx.add_import("os")
        return super().fix(node, fix, ctx)


# -- the worker count in scope --------------------------------------------------------------------


def configured_workers(ctx: ModuleContext, call: ast.Call) -> str | None:
    """Source of a worker count the call can see: a variable or parameter named like one
    (``num_workers``, ``workers``), else an attribute (``args.workers``, ``cfg.data.num_workers``,
    ``self.num_workers``) the module uses, whose root name is in scope at the call. Names that
    are ever given a collection (``workers = [Process(...)]``) are not counts."""
    for name in WORKER_NAMES:
        bindings = lookup(ctx, name, call)
        if any(_visible(ctx, b.node, call) for b in bindings) and all(_count_like(b) for b in bindings):
            return name
    function = ctx.enclosing(call, DEF_TYPES)
    usages, not_counts = _worker_attributes(ctx)
    for node, text, _ in sorted(usages, key=lambda usage: usage.function is not function):
        if text and text not in not_counts and _root_in_scope(ctx, text.partition(".")[0], node, call):
            return text
    return None


class _Usage(NamedTuple):
    """An attribute named like a worker count, its text and the function it is in."""

    node: ast.Attribute
    text: str | None
    function: ast.AST | None


@fact
def _worker_attributes(ctx: ModuleContext) -> tuple[list[_Usage], set[str | None]]:
    """The attributes named like a worker count, in source order, and the texts of those that
    are ever given something other than a number."""
    usages = [_Usage(node, dotted(node), ctx.enclosing(node, DEF_TYPES)) for node in ctx.attributes(*WORKER_NAMES)]
    return usages, {usage.text for usage in usages if not _count_like_store(ctx, usage.node)}


def _count_like(binding: Binding) -> bool:
    if isinstance(binding.node, ast.arg):
        return True
    return not binding.iterated and not binding.path and _number_like(binding.value)


def _count_like_store(ctx: ModuleContext, node: ast.Attribute) -> bool:
    """``node`` is not assigned, or is assigned something that can be a number."""
    parent = ctx.parent(node)
    if not isinstance(node.ctx, ast.Store) or not isinstance(parent, (ast.Assign, ast.AnnAssign)):
        return True
    return _number_like(parent.value)


def _number_like(value: ast.expr | None) -> bool:
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
        return value.func.id not in COLLECTIONS
    return isinstance(value, COUNT_LIKE)


def _visible(ctx: ModuleContext, binding: ast.AST, call: ast.Call) -> bool:
    """A binding in the call's own scope counts when it comes first; an outer one always does
    (a module-level name is set before the functions that read it run)."""
    if isinstance(binding, ast.arg) or ctx.scope_of(binding) is not ctx.scope_of(call):
        return True
    return ctx.range(binding).start.line < call.lineno


def _root_in_scope(ctx: ModuleContext, root: str, usage: ast.AST, call: ast.Call) -> bool:
    if root == "self":
        # ``self.num_workers`` means the same thing only within one class.
        cls = ctx.enclosing(call, ast.ClassDef)
        return cls is not None and ctx.enclosing(usage, ast.ClassDef) is cls and bool(lookup(ctx, root, call))
    return any(_visible(ctx, b.node, call) for b in lookup(ctx, root, call))
