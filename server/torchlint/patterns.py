"""Shapes of training code that several rules look for: backward calls, optimizer steps, loops.

They are deliberately syntactic and cheap; a rule that needs more certainty checks more.
"""

from __future__ import annotations

import ast
import operator
from collections import defaultdict
from collections.abc import Iterator
from typing import NamedTuple

from .context import FUNCTION_TYPES, LOOP_TYPES, ModuleContext, dotted

#: Optimizer constructors (``torch.optim.X``) by the names users import them as.
OPTIMIZER_PREFIX = "torch.optim."
SCHEDULER_PREFIX = "torch.optim.lr_scheduler."


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


def optimizer_names(ctx: ModuleContext) -> dict[str, ast.Call]:
    """Names (``opt``, ``self.optimizer``) bound to a ``torch.optim`` constructor, with the call."""
    return ctx.memo("optimizer_names", lambda: _optimizer_names(ctx))


def _optimizer_names(ctx: ModuleContext) -> dict[str, ast.Call]:
    names: dict[str, ast.Call] = {}
    for call in ctx.calls_matching(is_optimizer_class):
        for name in assigned_names(ctx, call):
            names.setdefault(name, call)
    return names


def method_calls(ctx: ModuleContext, method: str) -> list[ast.Call]:
    """Calls of ``<anything>.method(...)``."""
    return ctx.method_calls(method)


def is_backward(call: ast.Call) -> bool:
    """``loss.backward()``, ``scaler.scale(loss).backward()`` or ``accelerator.backward(loss)``."""
    return isinstance(call.func, ast.Attribute) and call.func.attr == "backward"


def backward_calls(ctx: ModuleContext) -> list[ast.Call]:
    return ctx.method_calls("backward")


def looks_like_optimizer(name: str) -> bool:
    last = name.rsplit(".", 1)[-1].lower()
    return "optim" in last or last in {"opt", "optimiser"} or last.endswith(("_opt", "opt"))


def optimizer_step_calls(ctx: ModuleContext) -> list[ast.Call]:
    """``X.step()`` where X is a known optimizer or is named like one (``optimizer``, ``opt_g``)."""
    known = optimizer_names(ctx)
    steps = []
    for call in method_calls(ctx, "step"):
        receiver = dotted(call.func.value)  # type: ignore[attr-defined]
        if receiver and (receiver in known or looks_like_optimizer(receiver)):
            steps.append(call)
        elif isinstance(call.func.value, ast.Call) and is_optimizer_constructor(ctx, call.func.value):  # type: ignore[attr-defined]
            steps.append(call)
    return steps


def enclosing_loop(ctx: ModuleContext, node: ast.AST) -> ast.For | ast.AsyncFor | ast.While | None:
    """The innermost loop around ``node`` within the same function."""
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, LOOP_TYPES):
            return ancestor  # type: ignore[return-value]
        if isinstance(ancestor, FUNCTION_TYPES + (ast.ClassDef,)):
            return None
    return None


def outermost_loop(ctx: ModuleContext, node: ast.AST) -> ast.For | ast.AsyncFor | ast.While | None:
    """The outermost loop around ``node`` within the same function."""
    found = None
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, LOOP_TYPES):
            found = ancestor
        if isinstance(ancestor, FUNCTION_TYPES + (ast.ClassDef,)):
            break
    return found  # type: ignore[return-value]


def loops_with_backward(ctx: ModuleContext) -> set[ast.AST]:
    """Every loop (at any depth) that has a ``backward()`` call somewhere inside."""
    return ctx.memo(
        "loops_with_backward",
        lambda: {a for call in backward_calls(ctx) for a in ctx.ancestors(call) if isinstance(a, LOOP_TYPES)},
    )


def training_loops(ctx: ModuleContext) -> list[ast.For | ast.AsyncFor | ast.While]:
    """Outermost loops (per function) that call ``backward()`` somewhere inside, in source order."""
    return ctx.memo("training_loops", lambda: _training_loops(ctx))


def _training_loops(ctx: ModuleContext) -> list[ast.For | ast.AsyncFor | ast.While]:
    loops: list = []
    for call in backward_calls(ctx):
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


# -- name bindings ------------------------------------------------------------------------------

COMPREHENSION_TYPES = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


class Binding(NamedTuple):
    """One place where a name is bound.

    ``value`` is the expression the name takes its value from (``None`` when there is none to
    read: a parameter, an import, ``+=``, ``with ... as``). ``path`` locates the name inside a
    tuple target (``a, (b, c) = v`` binds ``c`` at ``(1, 1)``); ``iterated`` says the name
    receives the elements of ``value`` (a ``for`` loop or comprehension target).
    """

    node: ast.AST
    value: ast.expr | None = None
    path: tuple[int, ...] = ()
    iterated: bool = False


def lookup(ctx: ModuleContext, name: str, at: ast.AST) -> list[Binding]:
    """The bindings that ``name`` read at ``at`` refers to: those of the innermost enclosing
    scope that binds it (comprehension, function, the class directly around, then the module),
    as Python resolves names; ``[]`` when none does."""
    by_scope = _bindings_by_scope(ctx, name)
    for scope in _lookup_scopes(ctx, at) if by_scope else ():
        found = by_scope.get(scope)
        if found:
            return found
    return []


def binds(ctx: ModuleContext, scope: ast.AST, name: str) -> bool:
    """Whether ``name`` is bound directly in ``scope``."""
    return scope in _bindings_by_scope(ctx, name)


def _lookup_scopes(ctx: ModuleContext, node: ast.AST) -> Iterator[ast.AST]:
    innermost = True
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, FUNCTION_TYPES + COMPREHENSION_TYPES) or (
            innermost and isinstance(ancestor, ast.ClassDef)
        ):
            yield ancestor
            innermost = False
        elif isinstance(ancestor, ast.ClassDef):
            innermost = False
    yield ctx.tree


_BINDING_SCOPES = FUNCTION_TYPES + COMPREHENSION_TYPES + (ast.ClassDef, ast.Module)
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_START = operator.attrgetter("lineno", "col_offset")


def _bindings_by_scope(ctx: ModuleContext, name: str) -> dict[ast.AST, list[Binding]]:
    """Where ``name`` is bound, by scope, in source order: computed for the names rules look up,
    not for every name of the module."""

    def compute() -> dict[ast.AST, list[Binding]]:
        by_scope: dict[ast.AST, list[Binding]] = defaultdict(list)
        stores = [_binding(ctx, n) for n in ctx.names(name) if isinstance(n.ctx, ast.Store)]
        for binding in sorted([*stores, *_other_binders(ctx).get(name, ())], key=lambda b: _START(b.node)):
            # A definition binds its name in the scope around it, not in the one it opens.
            by_scope[ctx.enclosing(binding.node, _BINDING_SCOPES) or ctx.tree].append(binding)
        return dict(by_scope)

    return ctx.memo(f"bindings:{name}", compute)


def _other_binders(ctx: ModuleContext) -> dict[str, list[Binding]]:
    """Bindings by name made otherwise than by assigning a ``Name``: parameters, definitions,
    imports and ``except ... as``."""

    def compute() -> dict[str, list[Binding]]:
        found: dict[str, list[Binding]] = defaultdict(list)
        for arg in ctx.nodes(ast.arg):
            found[arg.arg].append(Binding(arg))
        for definition in ctx.nodes(*_DEFINITIONS):
            found[definition.name].append(Binding(definition))
        for statement in ctx.nodes(ast.Import, ast.ImportFrom):
            for alias in statement.names:
                found[(alias.asname or alias.name).partition(".")[0]].append(Binding(alias))
        for handler in ctx.nodes(ast.ExceptHandler):
            if handler.name:
                found[handler.name].append(Binding(handler))
        return found

    return ctx.memo("other_binders", compute)


def _binding(ctx: ModuleContext, name: ast.Name) -> Binding:
    path: list[int] = []
    node, parent = name, ctx.parent(name)
    while isinstance(parent, (ast.Tuple, ast.List, ast.Starred)):
        if isinstance(parent, ast.Starred):
            return Binding(name)
        path.append(parent.elts.index(node))
        node, parent = parent, ctx.parent(parent)
    where = tuple(reversed(path))
    if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.NamedExpr)):
        return Binding(name, parent.value, where)
    if isinstance(parent, (ast.For, ast.AsyncFor, ast.comprehension)):
        return Binding(name, parent.iter, where, iterated=True)
    return Binding(name)


# -- statement blocks, for fixes that insert or wrap statements -----------------------------------

#: libcst node names of the ``ast`` statements (and the module) whose blocks such a fix rewrites
#: (the fixer finds the libcst node by this name and the ``ast`` node's range).
CST_BLOCK_OWNERS = {
    ast.Module: "Module",
    ast.FunctionDef: "FunctionDef",
    ast.AsyncFunctionDef: "FunctionDef",
    ast.ClassDef: "ClassDef",
    ast.For: "For",
    ast.AsyncFor: "For",
    ast.While: "While",
    ast.With: "With",
    ast.AsyncWith: "With",
    ast.If: "If",
    ast.Try: "Try",
}


def alone_on_its_lines(ctx: ModuleContext, statement: ast.stmt) -> bool:
    """The statement has its lines to itself (so libcst holds it in a line of its own): it does not
    follow ``if x:`` or ``;`` and only a comment may follow it."""
    start = ctx.position(statement.lineno, statement.col_offset).column - 1
    end_line = statement.end_lineno or statement.lineno
    end = ctx.position(end_line, statement.end_col_offset or 0).column - 1
    after = ctx.lines[end_line - 1][end:].strip()
    return not ctx.lines[statement.lineno - 1][:start].strip() and (not after or after.startswith("#"))


def unindented(code: str) -> str:
    """``code`` with every line stripped: how ``ast`` source text (continuation lines indented as
    in the file) and libcst's code for the same node (indented relative to its block) compare."""
    return "\n".join(line.strip() for line in code.strip().splitlines())
