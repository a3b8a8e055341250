"""TL133 train-eval-mode."""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...analysis.callgraph import CallSite, Function, call_graph, own_calls, own_loops, owner, reachable, repeating_loops
from ...analysis.context import ModuleContext, fact
from ...analysis.layout import CST_BLOCK_OWNERS, alone_on_its_lines
from ...analysis.scopes import binds, lookup
from ...analysis.syntax import DEF_TYPES, LOOP_TYPES, dotted
from ...analysis.torch_types import module_classes
from ...analysis.training import GRAD_OFF, assignments_to, grad_mode_at, grad_mode_of, is_backward
from ...model import Applicability, Finding, Fix, Plan, Severity
from ...rule import Rule
from ._loops import (
    EVAL,
    TRAIN,
    UNKNOWN,
    before,
    builds_module,
    in_framework_code,
    insert_before,
    insertion_node,
    inside,
    is_evaluation_function,
    iterates_evaluation_data,
    mode_set,
    model_called,
    needs_grad,
    optimized_models,
    related,
    start,
    uses_torch,
)

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

#: A training step of the model (a ``backward()`` after running it, or a call of a function that trains it).
STEP = "step"
_BUILTINS = frozenset(dir(builtins))
#: Calls that take a model and leave its mode alone.
_KEEP_MODE = frozenset({"torch.save", "copy.deepcopy", "torch.compile"})


@dataclass(frozen=True, eq=False)
class _Event:
    kind: str
    node: ast.AST


@dataclass(frozen=True)
class _Summary:
    """What a call of a function does to one model: what the caller sees first and last."""

    first: str | None = None
    last_mode: str | None = None
    trains: bool = False
    unknown: bool = False


_UNKNOWN = _Summary(unknown=True)


@dataclass(frozen=True)
class _ModePlan(Plan):
    #: The statement to insert (``model.train()``).
    statement: str
    #: Insert it as the first statement of the target loop (else before the target statement).
    at_top: bool


class TrainEvalMode(Rule):
    """A model is evaluated in training mode, or trained in evaluation mode.

    Fires (a) on an evaluation loop under `no_grad` (in a function named for evaluation, or over
    data named for it: `val_loader`, `test_set`) that runs a model the module trains while that
    model is still in training mode: no `model.eval()` before it, in that function or in the
    module's callers of it; (b) on a training step that runs after `model.eval()`, set directly
    or by an evaluation function of the module, with no `model.train()` in between, also when
    the epoch loop comes round again. The flow is followed through the module's own functions;
    Lightning and `Trainer` code are left alone.
    """

    code = "TL133"
    name = "train-eval-mode"
    severity = Severity.WARNING
    message = "Call {model}.eval() before evaluating: it is in training mode"
    train_message = "Call {model}.train() before this step: still in eval mode from {where}"
    why = """
        `model.eval()` and `model.train()` switch dropout and batch normalization between
        their two behaviours. Evaluating in training mode drops random activations and
        normalizes with (and updates!) the statistics of the evaluation batch, so the metrics are
        noisy and wrong. Training after an evaluation that called `model.eval()`, without going
        back with `model.train()`, disables dropout and freezes the batch-norm statistics for
        the rest of the run: training goes on, silently different.
    """
    example = """
        for epoch in range(epochs):
            train_one_epoch(model, train_loader, optimizer)  # no model.train() inside
            evaluate(model, val_loader)  # calls model.eval()
    """
    use_instead = """
        for epoch in range(epochs):
            model.train()
            train_one_epoch(model, train_loader, optimizer)
            evaluate(model, val_loader)
    """
    requires = ("eval", "train(", "no_grad", "inference_mode", "set_grad_enabled")
    fix_applicability = Applicability.UNSAFE
    fix_title = "Insert model.eval() / model.train()"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        if not uses_torch(ctx):
            return
        findings: list[Finding] = []
        for function in [ctx.tree, *ctx.function_defs]:
            if not in_framework_code(ctx, function) and not isinstance(function, ast.AsyncFunctionDef):
                findings += self._evaluations_in_train_mode(ctx, function)
                findings += self._training_in_eval_mode(ctx, function)
        yield from sorted(findings, key=lambda f: f.range)

    # -- (a) evaluation in training mode -----------------------------------------------------

    def _evaluations_in_train_mode(self, ctx: ModuleContext, function: Function | ast.Module) -> Iterator[Finding]:
        reported: set[ast.AST] = set()
        named = is_evaluation_function(ctx, function)
        for loop in own_loops(ctx, function):
            if any(outer in reported for outer in repeating_loops(ctx, loop)):
                continue
            if not (named or iterates_evaluation_data(ctx, loop)) or needs_grad(ctx, loop):
                continue
            calls = [c for c in ctx.within(loop, ast.Call) if owner(ctx, c) is function and model_called(ctx, c)]
            if not calls or grad_mode_at(ctx, calls[0]) != GRAD_OFF:
                continue
            for model in dict.fromkeys(model_called(ctx, c) or "" for c in calls):
                if _same_in_both_modes(ctx, model):
                    continue
                if _mode_before(ctx, function, loop, model, 0) == TRAIN and _trained(ctx, function, model, 0):
                    reported.add(loop)
                    anchor = _evaluation_anchor(ctx, loop)
                    node = insertion_node(ctx, anchor)
                    fix = self.fix_at(ctx, anchor, _ModePlan(f"{model}.eval()", False), node=node) if node else False
                    yield self.finding(ctx, loop, self.message.format(model=model), fix=fix)
                    break

    # -- (b) training in evaluation mode -----------------------------------------------------

    def _training_in_eval_mode(self, ctx: ModuleContext, function: Function | ast.Module) -> Iterator[Finding]:
        seen: set[tuple[ast.AST, str]] = set()
        for model in _evaluated_models(ctx, function):
            if _same_in_both_modes(ctx, model):
                continue
            events = _events(ctx, function, model)
            for index, event in enumerate(events):
                if event.kind != EVAL or _leaves_after(ctx, event.node, function) or _alternative(ctx, event, events):
                    continue
                found = _resumed_training(ctx, events, index)
                if found is None or (found[0].node, model) in seen:
                    continue
                step, loop = found
                seen.add((step.node, model))
                where = _describe(ctx, event.node)
                message = self.train_message.format(model=model, where=where)
                yield self.finding(ctx, step.node, message, fix=self._train_fix(ctx, model, step, event, loop))

    def _train_fix(self, ctx: ModuleContext, model: str, step: _Event, evaluation: _Event, loop: ast.AST | None) -> Fix | bool:
        """``model.train()`` at the top of the loop that comes round to the step, or of the
        outermost loop around the step that does not also evaluate; else right before the step."""
        if loop is None:
            loops = [lp for lp in repeating_loops(ctx, step.node) if lp not in repeating_loops(ctx, evaluation.node)]
            loop = loops[-1] if loops else None
        plan_top = _ModePlan(f"{model}.train()", True)
        if isinstance(loop, LOOP_TYPES):
            if not alone_on_its_lines(ctx, loop.body[0]):
                return False
            return self.fix_at(ctx, loop, plan_top, node=CST_BLOCK_OWNERS[type(loop)])
        statement = ctx.statement_of(step.node)
        node = insertion_node(ctx, statement)
        return self.fix_at(ctx, statement, _ModePlan(f"{model}.train()", False), node=node) if node else False

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.CSTNode | cst.FlattenSentinel[cst.BaseStatement]:
        import libcst as cst

        plan = fix.plan_as(_ModePlan)
        if not plan.at_top:
            return insert_before(node, plan.statement)
        assert isinstance(node, (cst.For, cst.While)) and isinstance(node.body, cst.IndentedBlock)
        line = cst.parse_statement(plan.statement + "\n")
        return node.with_changes(body=node.body.with_changes(body=[line, *node.body.body]))


# -- events: what a function does to one model, in source order ------------------------------------


def _events(ctx: ModuleContext, function: Function | ast.Module, model: str) -> list[_Event]:
    """The mode changes (``eval``, ``train``, ``unknown``) and training steps of ``model`` that
    running ``function`` makes, in source order, through the module's functions it calls."""
    return list(_events_fact(ctx, function, model))


@fact
def _events_fact(ctx: ModuleContext, function: Function | ast.Module, model: str) -> tuple[_Event, ...]:
    graph = call_graph(ctx)
    frozen = _frozen(ctx, model)
    events: list[_Event] = []
    for call in own_calls(ctx, function):
        setting = mode_set(call)
        if setting is not None and related(setting[0], model):
            events.append(_Event(setting[1] if setting[0] == model else UNKNOWN, call))
            continue
        site = graph.site(call)
        if site is not None:
            inner = _name_in_callee(ctx, site, model)
            if inner is not None:
                summary = _summary(ctx, site.callee, inner) if inner else _UNKNOWN
                events += _summary_events(summary, call, frozen)
            continue
        if is_backward(call) and not frozen and _runs_model(ctx, call, function, model):
            events.append(_Event(STEP, call))
        elif _hands_over(ctx, call, model):
            events.append(_Event(UNKNOWN, call))
    return tuple(events)


def _summary_events(summary: _Summary, call: ast.Call, frozen: bool) -> list[_Event]:
    """What the caller sees of a call: the first thing it does to the model, whether it trains
    it, and the mode it leaves it in."""
    if summary.unknown:
        return [_Event(UNKNOWN, call)]
    kinds: list[str] = []
    for kind in (summary.first, STEP if summary.trains else None, summary.last_mode):
        if kind and not (frozen and kind == STEP) and (not kinds or kinds[-1] != kind):
            kinds.append(kind)
    return [_Event(kind, call) for kind in kinds]


@fact
def _in_progress(ctx: ModuleContext) -> set[tuple[ast.AST, str]]:
    """The summaries being computed (a recursive call of one is not known yet)."""
    return set()


@fact
def _summary(ctx: ModuleContext, function: Function, model: str) -> _Summary:
    running = _in_progress(ctx)
    if (function, model) in running:
        return _UNKNOWN
    running.add((function, model))
    try:
        events = _events(ctx, function, model)
    finally:
        running.discard((function, model))
    kinds = [event.kind for event in events]
    if UNKNOWN in kinds or any(_alternative(ctx, e, events) for e in events if e.kind == EVAL):
        return _UNKNOWN
    modes = [kind for kind in kinds if kind in (EVAL, TRAIN)]
    return _Summary(kinds[0] if kinds else None, modes[-1] if modes else None, STEP in kinds)


def _name_in_callee(ctx: ModuleContext, site: CallSite, model: str) -> str | None:
    """What ``model`` is called inside the function that ``site`` calls: the parameter it is
    passed as, ``self.<attr>`` through ``self.method()``, or the same global; ``""`` when it is
    passed in a way that cannot be followed (``*args``, a part of it); ``None`` when the callee
    cannot see it."""
    callee, call = site.callee, site.call
    params = [*callee.args.posonlyargs, *callee.args.args]
    if site.through_self:
        self_name, params = params[0].arg if params else "", params[1:]
        caller_self = dotted(call.func.value) if isinstance(call.func, ast.Attribute) else None
        if caller_self and model.startswith(caller_self + "."):
            return self_name + model[len(caller_self) :]
    for index, arg in enumerate(call.args):
        value = arg.value if isinstance(arg, ast.Starred) else arg
        name = dotted(value)
        if name and related(name, model):
            if name != model or isinstance(arg, ast.Starred) or index >= len(params):
                return ""
            return params[index].arg
    for kw in call.keywords:
        name = dotted(kw.value)
        if name and related(name, model):
            names = {p.arg for p in [*params, *callee.args.kwonlyargs]}
            return kw.arg if name == model and kw.arg in names else ""
    if "." not in model and not binds(ctx, callee, model) and _is_global(ctx, site.caller, model):
        return model
    return None


def _is_global(ctx: ModuleContext, function: Function | ast.Module, name: str) -> bool:
    return isinstance(function, ast.Module) or not binds(ctx, function, name)


def _runs_model(ctx: ModuleContext, backward: ast.Call, function: Function | ast.Module, model: str) -> bool:
    """The ``backward()`` trains ``model``: the model runs with gradients on in the same loop
    iteration (or the same function, outside loops)."""
    loops = repeating_loops(ctx, backward)
    region = loops[0] if loops else function
    return any(
        owner(ctx, call) is function and model_called(ctx, call) == model and grad_mode_at(ctx, call) != GRAD_OFF
        for call in inside(ctx, region, ast.Call)
    )


def _hands_over(ctx: ModuleContext, call: ast.Call, model: str) -> bool:
    """``model`` itself is passed to a callable the module cannot see into (which may set its mode)."""
    if not any(dotted(arg.value if isinstance(arg, ast.Starred) else arg) == model for arg in call.args) and not any(
        dotted(kw.value) == model for kw in call.keywords
    ):
        return False
    name = ctx.qualname(call.func)
    if name in _KEEP_MODE:
        return False
    return not (isinstance(call.func, ast.Name) and name is None and call.func.id in _BUILTINS)


@fact
def _frozen(ctx: ModuleContext, model: str) -> bool:
    """The module freezes ``model``: ``model.requires_grad_(False)``, ``p.requires_grad = False``
    for ``p in model.parameters()``, or no optimizer of the module holds its parameters (a DQN
    target network, an EMA teacher): a frozen model is not trained."""
    trained = optimized_models(ctx)
    if trained is not None and not any(related(model, name) for name in trained):
        return True
    for call in ctx.method_calls("requires_grad_"):
        assert isinstance(call.func, ast.Attribute)
        if dotted(call.func.value) == model and call.args and isinstance(call.args[0], ast.Constant) and not call.args[0].value:
            return True
    for loop in ctx.nodes(ast.For):
        iterated = loop.iter
        if (
            isinstance(iterated, ast.Call)
            and isinstance(iterated.func, ast.Attribute)
            and iterated.func.attr == "parameters"
            and dotted(iterated.func.value) == model
            and any(a.attr == "requires_grad" and not isinstance(a.ctx, ast.Load) for a in ctx.within(loop, ast.Attribute))
        ):
            return True
    return False


#: Layers that compute differently in training mode.
_MODE_DEPENDENT = re.compile(r"Dropout|BatchNorm|InstanceNorm|RReLU|dropout|training")


@fact
def _same_in_both_modes(ctx: ModuleContext, model: str) -> bool:
    """Every binding of ``model`` in the module builds one of its own module classes, and none of
    those classes (nor the classes they use) has a layer that trains differently: eval() changes
    nothing (a DQN of Linear layers)."""
    classes = module_classes(ctx)
    built = [_built_class(node.value) for node in assignments_to(ctx).get(model, [])]
    return bool(built) and all(name in classes and _mode_free(ctx, name, frozenset()) for name in built)


def _built_class(value: ast.expr) -> str | None:
    """``Net`` for ``Net(...)``, ``Net(...).to(device)`` and ``Net(...).cuda()``."""
    while isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr in {"to", "cuda", "float"}:
        value = value.func.value
    return value.func.id if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) else None


def _mode_free(ctx: ModuleContext, name: str, visiting: frozenset[str]) -> bool:
    """The module class ``name`` builds only torch.nn layers that ignore the mode, and local classes that do."""
    classes = module_classes(ctx)
    if name in visiting:
        return True
    for node in ast.walk(classes[name]):
        word = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
        if _MODE_DEPENDENT.search(word):
            return False
        if not isinstance(node, ast.Call):
            continue
        callee = dotted(node.func) or ""
        last = callee.rsplit(".", 1)[-1]
        if not last[:1].isupper():
            continue
        if last in classes:
            if not _mode_free(ctx, last, visiting | {name}):
                return False
        elif not (ctx.qualname(node.func) or "").startswith("torch.nn."):
            return False
    return True


def _evaluated_models(ctx: ModuleContext, function: Function | ast.Module) -> list[str]:
    """The models that ``function`` (or a function of the module it calls) puts in eval mode,
    by the names ``function`` knows them by."""
    setters = _eval_setters(ctx)
    if setters is None:
        return []
    eval_calls = _eval_calls(ctx)
    names: dict[str, None] = {}
    graph = call_graph(ctx)
    for call in own_calls(ctx, function):
        if model := eval_calls.get(call):
            names[model] = None
        site = graph.site(call)
        if site is None or (site.callee not in setters and setters.isdisjoint(reachable(ctx, site.callee))):
            # Only a callee that sets eval mode somewhere can leave an argument in eval mode.
            continue
        receivers = [
            name for inner in (site.callee, *reachable(ctx, site.callee)) for name in _eval_receivers(ctx, inner)
        ]
        for arg in [*call.args, *(kw.value for kw in call.keywords)]:
            name = dotted(arg)
            if name:
                names[name] = None
        for name in receivers:
            outer = _name_in_caller(ctx, site, name)
            if outer:
                names[outer] = None
    return [name for name in names if any(e.kind == EVAL for e in _events(ctx, function, name))]


@fact
def _eval_calls(ctx: ModuleContext) -> dict[ast.Call, str]:
    """The calls that put a model in eval mode (``model.eval()``, ``model.train(False)``), with the model."""
    return {
        call: setting[0]
        for call in ctx.method_calls("eval") + ctx.method_calls("train")
        if (setting := mode_set(call)) is not None and setting[1] == EVAL
    }


@fact
def _eval_setters(ctx: ModuleContext) -> frozenset[ast.AST] | None:
    """The functions whose code (nested functions included) puts a model in eval mode; ``None``
    when no code of the module does."""
    calls = _eval_calls(ctx)
    if not calls:
        return None
    return frozenset(function for call in calls for function in ctx.ancestors(call) if isinstance(function, DEF_TYPES))


@fact
def _eval_receivers(ctx: ModuleContext, function: Function) -> list[str]:
    eval_calls = _eval_calls(ctx)
    return [model for call in inside(ctx, function, ast.Call) if (model := eval_calls.get(call))]


def _name_in_caller(ctx: ModuleContext, site: CallSite, name: str) -> str | None:
    """The caller's name for a global or ``self.<attr>`` that the callee puts in eval mode."""
    params = [*site.callee.args.posonlyargs, *site.callee.args.args]
    if site.through_self and params and name.startswith(params[0].arg + "."):
        caller_self = dotted(site.call.func.value) if isinstance(site.call.func, ast.Attribute) else None
        return caller_self + name[len(params[0].arg) :] if caller_self else None
    if "." not in name and not binds(ctx, site.callee, name) and _is_global(ctx, site.caller, name):
        return name
    return None


# -- (b): from an eval() to a training step -------------------------------------------------------


def _resumed_training(ctx: ModuleContext, events: list[_Event], index: int) -> tuple[_Event, ast.AST | None] | None:
    """The training step that runs after the ``eval()`` at ``index`` before any ``train()``:
    later in the function, or earlier in a loop around it when the loop comes round (with that
    loop). Unknown mode changes block the way like ``train()``."""
    evaluation = events[index]
    for event in events[index + 1 :]:
        if event.kind in (TRAIN, UNKNOWN):
            break
        if event.kind == STEP and event.node is not evaluation.node and not _exclusive(ctx, evaluation.node, event.node):
            return event, None
    for loop in repeating_loops(ctx, evaluation.node):
        in_loop = [e for e in events if loop in repeating_loops(ctx, e.node)]
        position = in_loop.index(evaluation)
        if any(e.kind in (TRAIN, UNKNOWN) for e in in_loop[position + 1 :]):
            return None
        earlier = next((e for e in in_loop[:position] if e.kind != EVAL), None)
        if earlier is not None:
            return (earlier, loop) if earlier.kind == STEP else None
    return None


def _exclusive(ctx: ModuleContext, first: ast.AST, second: ast.AST) -> bool:
    """The two nodes are in different branches of one ``if``."""
    chain = {id(a): a for a in ctx.ancestors(first)}
    child: ast.AST = second
    for ancestor in ctx.ancestors(second):
        if id(ancestor) in chain and isinstance(ancestor, ast.If):
            first_in_body = _in_block(ctx, first, ancestor.body)
            second_in_body = any(child is s for s in ancestor.body)
            return first_in_body != second_in_body
        child = ancestor
    return False


def _in_block(ctx: ModuleContext, node: ast.AST, block: list[ast.stmt]) -> bool:
    return any(statement is node or statement in ctx.ancestors(node) for statement in block)


def _alternative(ctx: ModuleContext, evaluation: _Event, events: list[_Event]) -> bool:
    """``if training: model.train() else: model.eval()``: the eval is one side of a choice."""
    return any(e.kind == TRAIN and _exclusive(ctx, evaluation.node, e.node) for e in events)


def _leaves_after(ctx: ModuleContext, node: ast.AST, function: ast.AST) -> bool:
    """A ``return``, ``raise``, ``break`` or ``continue`` follows the node in its own block (or a
    block around it inside the innermost loop): the code after the node is not what runs next."""
    statement = ctx.statement_of(node)
    loops = repeating_loops(ctx, node)
    stop = loops[0] if loops else function
    while statement is not stop:
        parent = ctx.parent(statement)
        if parent is None:
            return False
        for block in _blocks(parent):
            if any(s is statement for s in block):
                after = block[block.index(statement) + 1 :]
                if any(isinstance(s, (ast.Return, ast.Raise, ast.Break, ast.Continue)) for s in after):
                    return True
        if parent is stop or not isinstance(parent, ast.stmt):
            return False
        statement = parent
    return False


def _blocks(statement: ast.AST) -> list[list[ast.stmt]]:
    fields = ("body", "orelse", "finalbody")
    return [getattr(statement, field) for field in fields if isinstance(getattr(statement, field, None), list)]


def _describe(ctx: ModuleContext, node: ast.AST) -> str:
    site = call_graph(ctx).site(node) if isinstance(node, ast.Call) else None
    return f"{site.callee.name}()" if site else f"the eval() on line {start(node)[0]}"


# -- (a): the mode a model is in when evaluation starts ---------------------------------------------


def _mode_before(ctx: ModuleContext, function: Function | ast.Module, point: ast.AST, model: str, depth: int) -> str:
    """``model``'s mode when ``function`` reaches ``point``: the last mode change before it, else
    what a fresh module is in (train) when the function builds it, else what every call of the
    function in the module leaves it in; ``unknown`` when that cannot be told."""
    modes = [e.kind for e in _events(ctx, function, model) if e.kind != STEP and before(e.node, point)]
    if modes:
        return modes[-1]
    if "." not in model and (isinstance(function, ast.Module) or binds(ctx, function, model)):
        bindings = [b for b in lookup(ctx, model, point) if hasattr(b.node, "lineno") and before(b.node, point)]
        last = bindings[-1] if bindings else None
        if last is None or not isinstance(last.node, ast.arg):  # a parameter: the callers tell
            fresh = last is not None and last.value is not None and not last.path and builds_module(ctx, last.value)
            return TRAIN if fresh else UNKNOWN
    if isinstance(function, ast.Module) or depth > 4:
        return UNKNOWN
    sites = call_graph(ctx).callers(function)
    states = set()
    for site in sites:
        outer = _caller_name(ctx, site, model)
        states.add(_mode_before(ctx, site.caller, site.call, outer, depth + 1) if outer else UNKNOWN)
    return TRAIN if states == {TRAIN} else UNKNOWN


def _caller_name(ctx: ModuleContext, site: CallSite, model: str) -> str | None:
    """The caller's name for what the callee calls ``model`` (a parameter, ``self.<attr>``, a global)."""
    callee, call = site.callee, site.call
    params = [*callee.args.posonlyargs, *callee.args.args]
    if site.through_self and params:
        self_name = params[0].arg
        if model.startswith(self_name + "."):
            return _name_in_caller(ctx, site, model)
        params = params[1:]
    head, _, rest = model.partition(".")
    if rest:
        return None
    for index, param in enumerate(params):
        if param.arg == head:
            by_keyword = next((kw.value for kw in call.keywords if kw.arg == head), None)
            value = call.args[index] if index < len(call.args) else by_keyword
            return dotted(value) if value is not None and not isinstance(value, ast.Starred) else None
    if not any(p.arg == head for p in [*params, *callee.args.kwonlyargs]):
        return _name_in_caller(ctx, site, model)
    return next((dotted(kw.value) for kw in call.keywords if kw.arg == head), None)


def _trained(ctx: ModuleContext, function: Function | ast.Module, model: str, depth: int) -> bool:
    """The module trains ``model``: a training step of it in ``function``, or in a caller of
    ``function`` under the caller's name for it."""
    if any(e.kind == STEP for e in _events(ctx, function, model)):
        return True
    if isinstance(function, ast.Module) or depth > 4:
        return False
    for site in call_graph(ctx).callers(function):
        outer = _caller_name(ctx, site, model)
        if outer and _trained(ctx, site.caller, outer, depth + 1):
            return True
    return False


def _evaluation_anchor(ctx: ModuleContext, loop: ast.AST) -> ast.stmt:
    """Where ``model.eval()`` goes: before the loop, or before the ``with torch.no_grad():``
    whose body starts with it."""
    statement: ast.AST = loop
    while isinstance(parent := ctx.parent(statement), (ast.With, ast.AsyncWith)) and parent.body[0] is statement:
        if not any(grad_mode_of(ctx, item.context_expr) for item in parent.items):
            break
        statement = parent
    assert isinstance(statement, ast.stmt)
    return statement

