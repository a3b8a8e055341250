"""DataLoader options that training throughput depends on (TL110, TL111)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from ..context import ModuleContext, dotted
from ..model import Applicability, Finding, Severity
from ..patterns import Binding, lookup
from ..rule import Rule

if TYPE_CHECKING:
    import libcst as cst

DATALOADER = {"torch.utils.data.DataLoader", "torch.utils.data.dataloader.DataLoader"}
#: Positions of the options in ``DataLoader(dataset, batch_size, shuffle, sampler,
#: batch_sampler, num_workers, collate_fn, pin_memory, ...)``.
NUM_WORKERS = ("num_workers", 5)
PIN_MEMORY = ("pin_memory", 7)
#: Names a worker count goes by in configs, arguments and attributes.
WORKER_NAMES = ("num_workers", "n_workers", "workers")
CPU_COUNT = "os.cpu_count()"
DEFS = (ast.FunctionDef, ast.AsyncFunctionDef)


def dataloader_calls(ctx: ModuleContext) -> list[ast.Call]:
    return ctx.memo("dataloader_calls", lambda: ctx.calls(*DATALOADER))


def is_dataloader(ctx: ModuleContext, func: ast.expr) -> bool:
    # The cheap test on the last name first: most calls are not to anything named DataLoader.
    if isinstance(func, ast.Attribute):
        return func.attr == "DataLoader" and ctx.qualname(func) in DATALOADER
    return isinstance(func, ast.Name) and ctx.imports.get(func.id) in DATALOADER


def option(call: ast.Call, name: str, position: int) -> tuple[bool, ast.expr | None]:
    """Whether the call shows if option ``name`` is given, and its value (``None``: not given).

    A ``**kwargs`` or a ``*args`` that reaches the option's position hides it.
    """
    for kw in call.keywords:
        if kw.arg == name:
            return True, kw.value
    if any(kw.arg is None for kw in call.keywords):
        return False, None
    for index, arg in enumerate(call.args[: position + 1]):
        if isinstance(arg, ast.Starred):
            return False, None
        if index == position:
            return True, arg
    return True, None


def mentions_cuda(ctx: ModuleContext) -> bool:
    """The module trains on GPU: ``.cuda()``, ``torch.cuda``, or a ``"cuda"`` / ``"cuda:N"`` string."""
    return ctx.memo("mentions_cuda", lambda: "cuda" in ctx.source and _mentions_cuda(ctx))


def _mentions_cuda(ctx: ModuleContext) -> bool:
    if ctx.attributes("cuda"):
        return True
    return any(
        isinstance(node.value, str) and (node.value == "cuda" or node.value.startswith("cuda:"))
        for node in ctx.nodes(ast.Constant)
    )


class DataLoaderOptionRule(Rule):
    """Shared detection of a DataLoader option that is missing or set to a poor literal."""

    option: tuple[str, int]
    requires = ("DataLoader",)

    def applies(self, ctx: ModuleContext) -> bool:
        """Whether the module is one where the option matters at all."""
        return True

    def poor(self, value: ast.expr) -> bool:
        """Whether the value given for the option is one to report."""
        raise NotImplementedError

    def fixed_value(self, ctx: ModuleContext, call: ast.Call) -> str:
        """Source of the value the fix sets the option to."""
        raise NotImplementedError

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        calls = dataloader_calls(ctx)
        if not calls or not self.applies(ctx):
            return
        for call in calls:
            visible, value = option(call, *self.option)
            if visible and (value is None or self.poor(value)):
                yield self.finding(ctx, call.func, fix=True, fix_target=call, fix_data=(self.fixed_value(ctx, call),))

    def fix(self, node, fix, ctx):
        import libcst as cst

        (text,) = fix.data
        if text == CPU_COUNT:
            ctx.add_import("os")
        return set_option(node, *self.option, cst.parse_expression(text))


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
    option = NUM_WORKERS
    message = (
        "Set num_workers from configuration (or os.cpu_count()) instead of the default 0 or a "
        "hard-coded count, so batches are prepared by parallel worker processes"
    )
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


class DataLoaderPinMemory(DataLoaderOptionRule):
    """A `DataLoader` in GPU training code does not pin its batches' memory.

    Fires on `torch.utils.data.DataLoader(...)` without `pin_memory`, or with
    `pin_memory=False`, in a module that mentions CUDA (`.cuda()`, `torch.cuda`, `"cuda"`).
    `pin_memory=True`, a variable or expression, and `**kwargs` are left alone. Reported at the
    `DataLoader` name.
    """

    code = "TL111"
    name = "dataloader-pin-memory"
    severity = Severity.WARNING
    option = PIN_MEMORY
    message = (
        "Pass pin_memory=True so batches are copied to the GPU from page-locked memory, "
        "faster and asynchronously"
    )
    why = """
        Host-to-GPU copies from ordinary (pageable) memory go through a staging buffer and block
        the host. With `pin_memory=True` the loader's workers place batches in page-locked
        memory, which the GPU reads directly, and `.to(device, non_blocking=True)` overlaps the
        copy with computation.
    """
    example = """
        loader = DataLoader(train_set, batch_size=64, num_workers=cfg.num_workers)
        for images, labels in loader:
            images, labels = images.cuda(), labels.cuda()
    """
    use_instead = """
        loader = DataLoader(train_set, batch_size=64, num_workers=cfg.num_workers, pin_memory=True)
        for images, labels in loader:
            images = images.cuda(non_blocking=True)
            labels = labels.cuda(non_blocking=True)
    """
    fix_applicability = Applicability.SAFE
    fix_title = "Set pin_memory=True"

    def applies(self, ctx: ModuleContext) -> bool:
        return mentions_cuda(ctx)

    def poor(self, value: ast.expr) -> bool:
        return isinstance(value, ast.Constant) and value.value is False

    def fixed_value(self, ctx: ModuleContext, call: ast.Call) -> str:
        return "True"


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
    function = ctx.enclosing(call, DEFS)
    usages, not_counts = ctx.memo("dataloader.worker_attributes", lambda: _worker_attributes(ctx))
    for node, text, _ in sorted(usages, key=lambda usage: usage.function is not function):
        if text and text not in not_counts and _root_in_scope(ctx, text.partition(".")[0], node, call):
            return text
    return None


class _Usage(NamedTuple):
    """An attribute named like a worker count, its text and the function it is in."""

    node: ast.Attribute
    text: str | None
    function: ast.AST | None


def _worker_attributes(ctx: ModuleContext) -> tuple[list[_Usage], set[str | None]]:
    """The attributes named like a worker count, in source order, and the texts of those that
    are ever given something other than a number."""
    usages = [_Usage(node, dotted(node), ctx.enclosing(node, DEFS)) for node in ctx.attributes(*WORKER_NAMES)]
    return usages, {usage.text for usage in usages if not _count_like_store(ctx, usage.node)}


#: Expressions that can evaluate to a number (unlike a list, a dict or a comprehension).
COUNT_LIKE = (
    ast.Constant, ast.Name, ast.Attribute, ast.Call, ast.BinOp, ast.BoolOp, ast.UnaryOp, ast.IfExp, ast.Subscript
)
COLLECTIONS = {"list", "tuple", "dict", "set", "sorted", "frozenset"}


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
    return binding.lineno < call.lineno


def _root_in_scope(ctx: ModuleContext, root: str, usage: ast.AST, call: ast.Call) -> bool:
    if root == "self":
        # ``self.num_workers`` means the same thing only within one class.
        cls = ctx.enclosing(call, ast.ClassDef)
        return cls is not None and ctx.enclosing(usage, ast.ClassDef) is cls and bool(lookup(ctx, root, call))
    return any(_visible(ctx, b.node, call) for b in lookup(ctx, root, call))


# -- libcst: setting a keyword argument ----------------------------------------------------------


def set_option(call: cst.Call, name: str, position: int, value: cst.BaseExpression) -> cst.Call:
    """``call`` with option ``name`` (given by keyword or at ``position``) set to ``value``,
    appended as a keyword in the call's own layout when it is not given."""
    import libcst as cst

    args = list(call.args)
    for index, arg in enumerate(args):
        keyword = arg.keyword.value if arg.keyword else None
        if keyword == name or (keyword is None and not arg.star and index == position):
            args[index] = arg.with_changes(value=value)
            return call.with_changes(args=args)
    tight = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))
    new = cst.Arg(value=value, keyword=cst.Name(name), equal=tight)
    return call.with_changes(args=_appended(call, new))


def _appended(call: cst.Call, new: cst.Arg) -> list[cst.Arg]:
    import libcst as cst

    args = list(call.args)
    if not args:
        return [new]
    last = args[-1]
    trailing = last.comma if isinstance(last.comma, cst.Comma) else None
    # The whitespace after the last argument: before ``)`` or after its trailing comma.
    gap = trailing.whitespace_after if trailing else last.whitespace_after_arg
    # The whitespace that separates arguments, so the new one follows the call's layout.
    separator = args[-2].comma.whitespace_after if len(args) > 1 else call.whitespace_before_args
    if not isinstance(separator, cst.ParenthesizedWhitespace):
        between, closing = cst.SimpleWhitespace(" "), gap
    elif isinstance(gap, cst.ParenthesizedWhitespace):
        # One argument per line: a comment after the last one stays on its line.
        between = gap.with_changes(indent=separator.indent, last_line=separator.last_line)
        closing = gap.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=())
    else:
        between = separator.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=())
        closing = gap
    if trailing:
        args[-1] = last.with_changes(comma=trailing.with_changes(whitespace_after=between))
        return [*args, new.with_changes(comma=cst.Comma(whitespace_after=closing))]
    comma = cst.Comma(whitespace_after=between)
    args[-1] = last.with_changes(comma=comma, whitespace_after_arg=cst.SimpleWhitespace(""))
    return [*args, new.with_changes(whitespace_after_arg=closing)]
