"""What TL501 and TL502 share: loops that train by calling a function or method that trains.

A script's epoch loop often hands the gradient step to a helper of the module (``train_epoch(...)``,
``self.train()``, ``agent.update(batch)``, ``loss = optimize_model(...)``): such a loop trains too.
"""

from __future__ import annotations

import ast
from collections.abc import Collection
from dataclasses import dataclass

from ...analysis.callgraph import Function, call_graph
from ...analysis.context import ModuleContext, fact
from ...analysis.syntax import DEF_TYPES, FUNCTION_TYPES, dotted
from ...analysis.training import assigned_names, outermost_loop


@dataclass(frozen=True)
class _Trainers:
    """The module-level functions, and the methods of each class, that call ``backward()``;
    names bound to an instance of such a class (``agent = Agent(...)``), with the class."""

    functions: frozenset[str]
    methods: dict[str, frozenset[str]]
    instances: dict[str, str]


@fact
def delegated_steps(ctx: ModuleContext) -> list[ast.Call]:
    """Calls inside a loop that run one of the module's functions or methods calling ``backward()``."""
    trainers = _trainers(ctx)
    names = [*trainers.functions, *(name for names in trainers.methods.values() for name in names)]
    calls = ctx.calls_named(*names) if names else []
    return [call for call in calls if _delegates(call, trainers) and outermost_loop(ctx, call) is not None]


def delegating_loops(ctx: ModuleContext) -> list[ast.For | ast.AsyncFor | ast.While]:
    """The outermost loops around the delegated steps, each once."""
    loops: list[ast.For | ast.AsyncFor | ast.While] = []
    for call in delegated_steps(ctx):
        loop = outermost_loop(ctx, call)
        if loop is not None and loop not in loops:
            loops.append(loop)
    return loops


def loop_callees(ctx: ModuleContext, loop: ast.For | ast.AsyncFor | ast.While) -> set[Function]:
    """The module's functions and methods that ``loop`` calls: ``f(...)``, ``self.m(...)``, and
    ``trainer.m(...)`` on an instance of a class that trains (``trainer = Trainer(...)``)."""
    callees = {site.callee for site in call_graph(ctx).loop_calls(loop)}
    instances = _trainers(ctx).instances
    classes = {cls.name: cls for cls in ctx.nodes(ast.ClassDef) if cls.name in instances.values()}
    for call in ctx.within(loop, ast.Call):
        func = call.func
        cls = classes.get(instances.get(dotted(func.value) or "", "")) if isinstance(func, ast.Attribute) else None
        if cls is not None:
            assert isinstance(func, ast.Attribute)
            callees.update(s for s in cls.body if isinstance(s, DEF_TYPES) and s.name == func.attr)
    return callees


def _delegates(call: ast.Call, trainers: _Trainers) -> bool:
    """``call`` runs one of the functions, a method of ``self``, or a method of an instance."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id in trainers.functions
    if not isinstance(func, ast.Attribute):
        return False
    receiver = dotted(func.value) or ""
    if receiver == "self":
        return any(func.attr in names for names in trainers.methods.values())
    return func.attr in trainers.methods.get(trainers.instances.get(receiver, ""), frozenset())


@fact
def _trainers(ctx: ModuleContext) -> _Trainers:
    functions: set[str] = set()
    methods: dict[str, set[str]] = {}
    for call in ctx.method_calls("backward"):
        function = ctx.enclosing(call, FUNCTION_TYPES)
        if not isinstance(function, DEF_TYPES):
            continue
        owner = ctx.parent(function)
        if isinstance(owner, ast.ClassDef):
            methods.setdefault(owner.name, set()).add(function.name)
        else:
            functions.add(function.name)
    frozen = {cls: frozenset(names) for cls, names in methods.items()}
    return _Trainers(frozenset(functions), frozen, _instances(ctx, frozen))


def _instances(ctx: ModuleContext, classes: Collection[str]) -> dict[str, str]:
    """Names bound to an instance of one of ``classes`` (``agent = DQNAgent(...)``), with the class."""
    calls = ctx.calls_named(*classes) if classes else []
    return {name: call.func.id for call in calls if isinstance(call.func, ast.Name) for name in assigned_names(ctx, call)}
