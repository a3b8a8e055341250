"""The module's own call graph: which of its functions each function and each loop calls.

Rules that follow training across the functions of a script (a ``train()`` and an
``evaluate()`` called from ``main()``'s epoch loop) ask it what a call reaches, who calls a
function and what a loop calls. Only calls that resolve statically are edges: ``f(...)`` where
``f`` names a function the module defines (as Python resolves the name at the call), and
``self.m(...)`` inside a method, to ``m`` of its class or of a base class the module defines.
Anything else (imported functions, methods of other objects) is outside the graph.
"""

from __future__ import annotations

import ast
from collections import defaultdict, deque
from dataclasses import dataclass

from .context import ModuleContext, fact
from .scopes import lookup
from .syntax import DEF_TYPES, LOOP_TYPES

Function = ast.FunctionDef | ast.AsyncFunctionDef
Loop = ast.For | ast.AsyncFor | ast.While


@dataclass(frozen=True, eq=False)
class CallSite:
    """A call of one of the module's functions."""

    call: ast.Call
    #: The function whose body makes the call (the module for top-level code).
    caller: Function | ast.Module
    callee: Function
    #: The loops of ``caller`` whose bodies repeat the call, innermost first.
    loops: tuple[Loop, ...]
    #: The call is ``self.m(...)``: the callee's own first parameter is the caller's ``self``.
    through_self: bool = False


class CallGraph:
    """The call sites of a module, indexed by caller, callee and loop."""

    def __init__(self, sites: list[CallSite]) -> None:
        self.sites = tuple(sites)
        self._by_call = {site.call: site for site in sites}
        self._from: dict[ast.AST, list[CallSite]] = defaultdict(list)
        self._to: dict[ast.AST, list[CallSite]] = defaultdict(list)
        self._in_loop: dict[ast.AST, list[CallSite]] = defaultdict(list)
        for site in sites:
            self._from[site.caller].append(site)
            self._to[site.callee].append(site)
            for loop in site.loops:
                self._in_loop[loop].append(site)

    def site(self, call: ast.Call) -> CallSite | None:
        """The call site of ``call``, if it calls one of the module's functions."""
        return self._by_call.get(call)

    def calls_from(self, caller: Function | ast.Module) -> list[CallSite]:
        """The calls that ``caller``'s own body makes (not those of functions nested in it)."""
        return self._from.get(caller, [])

    def callers(self, function: Function) -> list[CallSite]:
        """Where the module calls ``function``."""
        return self._to.get(function, [])

    def loop_calls(self, loop: Loop) -> list[CallSite]:
        """The calls that ``loop``'s body makes, at any depth within the same function."""
        return self._in_loop.get(loop, [])


def owner(ctx: ModuleContext, node: ast.AST) -> Function | ast.Module:
    """The function whose body holds ``node`` (a lambda or comprehension belongs to the function
    around it); the module for top-level code."""
    if isinstance(node, ast.Call):
        return _call_owners(ctx)[node]
    return _owner(ctx, node)


def own_calls(ctx: ModuleContext, function: Function | ast.Module) -> list[ast.Call]:
    """The calls that ``function``'s own body makes (not those of functions nested in it), in source order."""
    return _calls_by_owner(ctx).get(function, [])


def own_loops(ctx: ModuleContext, function: Function | ast.Module) -> list[Loop]:
    """The loops of ``function``'s own body (not those of functions nested in it), in source order."""
    return _loops_by_owner(ctx).get(function, [])


@fact
def _loops_by_owner(ctx: ModuleContext) -> dict[ast.AST, list[Loop]]:
    by_owner: dict[ast.AST, list[Loop]] = defaultdict(list)
    for loop in ctx.nodes(*LOOP_TYPES):
        by_owner[_owner(ctx, loop)].append(loop)
    return by_owner


def _owner(ctx: ModuleContext, node: ast.AST) -> Function | ast.Module:
    found = ctx.enclosing(node, DEF_TYPES)
    return found if isinstance(found, DEF_TYPES) else ctx.tree


@fact
def _call_owners(ctx: ModuleContext) -> dict[ast.Call, Function | ast.Module]:
    owners: dict[ast.Call, Function | ast.Module] = dict.fromkeys(ctx.nodes(ast.Call), ctx.tree)
    for function in ctx.function_defs:  # outer before inner: a nested function's calls end up its own
        owners.update(dict.fromkeys(ctx.within(function, ast.Call), function))
    return owners


@fact
def _calls_by_owner(ctx: ModuleContext) -> dict[ast.AST, list[ast.Call]]:
    by_owner: dict[ast.AST, list[ast.Call]] = defaultdict(list)
    for call, function in _call_owners(ctx).items():
        by_owner[function].append(call)
    return by_owner


def repeating_loops(ctx: ModuleContext, node: ast.AST) -> tuple[Loop, ...]:
    """The loops of ``node``'s function that repeat it (it is in their body, or in a ``while``
    test), innermost first. A ``for`` loop's iterable and ``else`` run once: they are not repeated."""
    loops: list[Loop] = []
    child = node
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, DEF_TYPES + (ast.Lambda, ast.ClassDef)):
            break
        if isinstance(ancestor, LOOP_TYPES) and (
            child in ancestor.body or (isinstance(ancestor, ast.While) and child is ancestor.test)
        ):
            loops.append(ancestor)
        child = ancestor
    return tuple(loops)


def resolve(ctx: ModuleContext, call: ast.Call) -> Function | None:
    """The module's function that ``call`` calls, when that is certain."""
    site = call_graph(ctx).site(call)
    return site.callee if site else None


@fact
def instance_parameters(ctx: ModuleContext) -> frozenset[str]:
    """What the methods of the module's classes call their first parameter (``self``, ``cls``)."""
    return frozenset(
        function.args.args[0].arg
        for function in ctx.function_defs
        if function.args.args and isinstance(ctx.parent(function), ast.ClassDef)
    )


@fact
def call_graph(ctx: ModuleContext) -> CallGraph:
    """Every call of the module's own functions and methods."""
    defined = {function.name for function in ctx.function_defs}
    receivers = instance_parameters(ctx)
    sites: list[CallSite] = []
    for call in ctx.calls_named(*defined):
        func = call.func
        callee: Function | None = None
        through_self = False
        if isinstance(func, ast.Name):
            callee = _function_named(ctx, func.id, call)
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in receivers:
            callee = _method_of_self(ctx, func.value.id, func.attr, call)
            through_self = callee is not None
        if callee is not None:
            sites.append(CallSite(call, owner(ctx, call), callee, repeating_loops(ctx, call), through_self))
    return CallGraph(sites)


@fact
def reachable(ctx: ModuleContext, root: Loop | Function | ast.Module) -> tuple[Function, ...]:
    """The module's functions that running ``root`` (a loop, a function or the module) may call,
    directly or through each other, nearest first; ``root`` itself only when it is recursive."""
    graph = call_graph(ctx)
    sites = graph.loop_calls(root) if isinstance(root, LOOP_TYPES) else graph.calls_from(root)
    pending = deque(site.callee for site in sites)
    found: dict[Function, None] = {}
    while pending:
        function = pending.popleft()
        if function not in found:
            found[function] = None
            pending.extend(site.callee for site in graph.calls_from(function) if site.callee not in found)
    return tuple(found)


def _function_named(ctx: ModuleContext, name: str, at: ast.AST) -> Function | None:
    """The one function definition that ``name`` refers to at ``at``, if every binding is it."""
    nodes = {binding.node for binding in lookup(ctx, name, at)}
    if len(nodes) != 1:
        return None
    (node,) = nodes
    return node if isinstance(node, DEF_TYPES) else None


def _method_of_self(ctx: ModuleContext, receiver: str, method: str, at: ast.AST) -> Function | None:
    """``method`` of the class whose method binds ``receiver`` as its first parameter."""
    function = instance_method(ctx, receiver, at)
    if function is None or _is_static(function):
        return None
    cls = ctx.parent(function)
    assert isinstance(cls, ast.ClassDef)
    return _find_method(ctx, cls, method, set())


def instance_method(ctx: ModuleContext, receiver: str, at: ast.AST) -> Function | None:
    """The method of a class of which ``receiver``, read at ``at``, is the first parameter (``self``)."""
    if receiver not in instance_parameters(ctx):
        return None
    bindings = lookup(ctx, receiver, at)
    if len(bindings) != 1 or not isinstance(bindings[0].node, ast.arg):
        return None
    function = ctx.parent(ctx.parent(bindings[0].node) or bindings[0].node)
    if not isinstance(function, DEF_TYPES) or not function.args.args or function.args.args[0] is not bindings[0].node:
        return None
    return function if isinstance(ctx.parent(function), ast.ClassDef) else None


def _is_static(function: Function) -> bool:
    return any(isinstance(d, ast.Name) and d.id in {"staticmethod", "classmethod"} for d in function.decorator_list)


def _find_method(ctx: ModuleContext, cls: ast.ClassDef, method: str, seen: set[ast.ClassDef]) -> Function | None:
    """``method`` as ``cls`` or its first base class (of the module) that defines it has it."""
    seen.add(cls)
    for statement in reversed(cls.body):
        if isinstance(statement, DEF_TYPES) and statement.name == method:
            return statement
    for base in cls.bases:
        if isinstance(base, ast.Name):
            nodes = {binding.node for binding in lookup(ctx, base.id, cls)}
            if len(nodes) == 1:
                (node,) = nodes
                if isinstance(node, ast.ClassDef) and node not in seen:
                    found = _find_method(ctx, node, method, seen)
                    if found is not None:
                        return found
            else:
                return None  # an unknown base may define it first: unresolved
        else:
            return None
    return None
