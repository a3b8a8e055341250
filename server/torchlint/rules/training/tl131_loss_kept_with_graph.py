"""TL131 loss-kept-with-graph."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ...analysis.callgraph import Loop, owner, repeating_loops
from ...analysis.context import ModuleContext, fact
from ...analysis.scopes import Binding, lookup
from ...analysis.syntax import dotted
from ...analysis.training import GRAD_ON, grad_mode_at, is_backward, loops_with_backward
from ...model import Finding, Fix, Severity
from ...rule import Rule
from ._loops import DEPTH, before, inside, model_called, self_attribute_values, uses_torch

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

#: Tensor methods whose result still carries the receiver's graph.
_KEEPS_GRAPH = frozenset(
    {"mean", "sum", "clone", "squeeze", "unsqueeze", "view", "reshape", "flatten", "float", "double", "half",
     "to", "cpu", "cuda", "abs", "sqrt", "mul", "div", "add", "sub", "contiguous"}
)
#: Loss functions of ``torch.nn.functional``.
_FUNCTIONAL_LOSSES = frozenset(
    {"cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
     "binary_cross_entropy_with_logits", "kl_div", "ctc_loss", "poisson_nll_loss", "gaussian_nll_loss",
     "cosine_embedding_loss", "margin_ranking_loss", "hinge_embedding_loss", "triplet_margin_loss",
     "triplet_margin_with_distance_loss", "multi_margin_loss", "multilabel_margin_loss",
     "multilabel_soft_margin_loss", "soft_margin_loss"}
)
#: libcst node types of the ``ast`` expressions the fix appends ``.detach()`` to.
_CST_NODES = {ast.Name: "Name", ast.Attribute: "Attribute", ast.Call: "Call", ast.BinOp: "BinaryOperation",
              ast.UnaryOp: "UnaryOperation", ast.Subscript: "Subscript"}
#: Expressions that take ``.detach()`` without parentheses.
_ATOMS = (ast.Name, ast.Attribute, ast.Call, ast.Subscript)


class LossKeptWithGraph(Rule):
    """A loss or model output is accumulated with its autograd graph.

    Fires on `total += loss`, `total = total + loss` and `losses.append(loss)` in a loop, where
    `loss` is backpropagated in that loop or is a loss or model output computed in a training
    loop, the accumulator outlives the iteration, and gradients are recorded there. Values taken
    with `.item()`, `.detach()`, `float(...)` or `.cpu().numpy()` are fine, and so is a total
    that is later backpropagated itself (deliberate graph accumulation).
    """

    code = "TL131"
    name = "loss-kept-with-graph"
    severity = Severity.WARNING
    message = "Accumulate {value}.detach(): {accumulator} keeps each step's graph alive"
    why = """
        A loss tensor references the whole graph that produced it: every activation saved for
        the backward pass hangs off its `grad_fn`. Adding it to a running total (or appending it
        to a list) that outlives the iteration keeps all those graphs reachable, so memory grows
        with every batch until the epoch ends, or until the process runs out of memory. The
        total is only needed as a number: detach it (or take `.item()`).
    """
    example = """
        total_loss = 0.0
        for inputs, targets in loader:
            loss = criterion(model(inputs), targets)
            loss.backward()
            optimizer.step()
            total_loss += loss
    """
    use_instead = """
        total_loss = 0.0
        for inputs, targets in loader:
            loss = criterion(model(inputs), targets)
            loss.backward()
            optimizer.step()
            total_loss += loss.detach()
    """
    requires = ("backward",)
    fix_title = "Append .detach()"
    fix_node = "Name"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        if not uses_torch(ctx):
            return
        for statement, accumulator, value in _accumulations(ctx):
            loops = repeating_loops(ctx, statement)
            if not loops or _is_reset(ctx, accumulator, statement, loops[0]) or grad_mode_at(ctx, statement) != GRAD_ON:
                continue
            if not any(_carries_graph(ctx, part, statement, loops[0]) for part in _kept_parts(ctx, value)):
                continue
            if accumulator in _flows_to_backward(ctx, owner(ctx, statement)):
                continue
            shown = ctx.text(value) if isinstance(value, _ATOMS) else f"({ctx.text(value)})"
            message = self.message.format(value=shown, accumulator=accumulator)
            node = _CST_NODES.get(type(value))
            fixable = node is not None and not _parenthesized(ctx, value, statement)
            yield self.finding(ctx, value, message, fix=self.fix_at(ctx, value, node=node) if fixable else False)

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.CSTNode:
        import libcst as cst

        assert isinstance(node, cst.BaseExpression)
        if not isinstance(node, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)):
            node = node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        return cst.Call(func=cst.Attribute(value=node, attr=cst.Name("detach")))


def _accumulations(ctx: ModuleContext) -> Iterator[tuple[ast.stmt, str, ast.expr]]:
    """``(statement, accumulator, value)`` for ``acc += value``, ``acc = acc + value`` (either
    side) and ``acc.append(value)``, with the accumulator's dotted name (a subscripted one by its
    container: ``stats["loss"] += loss`` accumulates into ``stats``)."""
    for augmented in ctx.nodes(ast.AugAssign):
        name = _container(augmented.target)
        if name and isinstance(augmented.op, ast.Add):
            yield augmented, name, augmented.value
    for assignment in ctx.nodes(ast.Assign):
        value = assignment.value
        if len(assignment.targets) == 1 and isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
            name = _container(assignment.targets[0])
            target = ctx.text(assignment.targets[0])
            if name and ctx.text(value.left) == target:
                yield assignment, name, value.right
            elif name and ctx.text(value.right) == target:
                yield assignment, name, value.left
    for call in ctx.method_calls("append"):
        assert isinstance(call.func, ast.Attribute)
        name = _container(call.func.value)
        statement = ctx.parent(call)
        if name and len(call.args) == 1 and not call.keywords and isinstance(statement, ast.Expr):
            yield statement, name, call.args[0]


def _container(target: ast.expr) -> str | None:
    while isinstance(target, ast.Subscript):
        target = target.value
    return dotted(target)


def _is_reset(ctx: ModuleContext, accumulator: str, statement: ast.stmt, loop: Loop) -> bool:
    """The accumulator is assigned afresh earlier in the same iteration (``total = 0`` at the top
    of the loop): it does not outlive the iteration."""
    last = accumulator.rsplit(".", 1)[-1]
    stores = ctx.names(last) if "." not in accumulator else ctx.attributes(last)
    for store in stores:
        if not loop.lineno <= store.lineno <= statement.lineno or isinstance(store.ctx, ast.Load) or dotted(store) != accumulator:
            continue
        assignment = ctx.statement_of(store)
        if not isinstance(assignment, (ast.Assign, ast.AnnAssign)) or not before(assignment, statement):
            continue
        block = ctx.parent(assignment)
        if loop in repeating_loops(ctx, assignment) and (block is loop or any(a is block for a in ctx.ancestors(statement))):
            return True
    return False


def _kept_parts(ctx: ModuleContext, value: ast.expr) -> list[ast.expr]:
    """The parts of ``value`` whose tensor (and graph) the accumulated value keeps: through
    arithmetic and graph-keeping methods (``loss * n``, ``loss.mean()``), not through ``.item()``,
    ``float(...)`` or any other call."""
    if isinstance(value, ast.BinOp):
        return [value, *_kept_parts(ctx, value.left), *_kept_parts(ctx, value.right)]
    if isinstance(value, ast.UnaryOp):
        return [value, *_kept_parts(ctx, value.operand)]
    receiver = _graph_keeping_receiver(value)
    if receiver is not None:
        return [value, *_kept_parts(ctx, receiver)]
    return [value]


def _carries_graph(ctx: ModuleContext, part: ast.expr, statement: ast.stmt, loop: ast.AST) -> bool:
    """``part`` is a name backpropagated in the loop, or a loss or model output computed in a
    training loop (through the name's latest binding before the statement)."""
    training = loop in loops_with_backward(ctx)
    if isinstance(part, ast.Name):
        binding = _latest_binding(ctx, part.id, statement, loop)
        if binding is None or binding.iterated:
            return False
        value = binding.value
        if value is not None and not binding.path and _detaches(ctx, value):
            return False
        if part.id in _backpropagated(ctx, loop):
            return True
        if not training or value is None:
            return False
        return _produces_graph(ctx, value, statement, loop, 0) if not binding.path else _model_output(ctx, value)
    return training and _produces_graph(ctx, part, statement, loop, 0)


def _model_output(ctx: ModuleContext, value: ast.expr) -> bool:
    """``value`` runs a model with gradients on (``logits, loss = model(x, y)`` unpacks its outputs)."""
    return isinstance(value, ast.Call) and model_called(ctx, value) is not None and grad_mode_at(ctx, value) == GRAD_ON


def _latest_binding(ctx: ModuleContext, name: str, statement: ast.AST, loop: ast.AST) -> Binding | None:
    """The binding of ``name`` that reaches ``statement``: the last one before it in the loop,
    else the last one before it at all."""
    bindings = [b for b in lookup(ctx, name, statement) if hasattr(b.node, "lineno") and before(b.node, statement)]
    in_loop = [b for b in bindings if loop in repeating_loops(ctx, b.node)]
    chosen = in_loop or bindings
    return chosen[-1] if chosen else None


def _detaches(ctx: ModuleContext, value: ast.expr) -> bool:
    """``loss.item()``, ``loss.detach()``, ``float(loss)``, ``loss.cpu().numpy()``, ``loss.tolist()``."""
    if not isinstance(value, ast.Call):
        return isinstance(value, ast.Constant)
    func = value.func
    if isinstance(func, ast.Attribute):
        return func.attr in {"item", "detach", "tolist", "numpy"}
    return isinstance(func, ast.Name) and func.id in {"float", "int", "bool"} and ctx.qualname(func) is None


@fact
def _backpropagated(ctx: ModuleContext, loop: ast.AST) -> frozenset[str]:
    """Names whose graph ``loop`` backpropagates: ``loss.backward()``, ``scaler.scale(loss).backward()``,
    ``accelerator.backward(loss)``, ``loss.mean().backward()``."""
    names = set()
    for call in ctx.within(loop, ast.Call):
        if not is_backward(call):
            continue
        assert isinstance(call.func, ast.Attribute)
        operand: ast.expr = call.args[0] if call.args else call.func.value
        if isinstance(operand, ast.Call) and _method(operand) == "scale" and operand.args:
            operand = operand.args[0]
        while (receiver := _graph_keeping_receiver(operand)) is not None:
            operand = receiver
        if isinstance(operand, ast.Name):
            names.add(operand.id)
    return frozenset(names)


def _produces_graph(ctx: ModuleContext, value: ast.expr, statement: ast.AST, loop: ast.AST, depth: int) -> bool:
    """``value`` computes a loss or a model output with gradients on: a model call, a criterion
    (``nn.*Loss`` instance) or ``F.*`` loss call, ``outputs.loss``, arithmetic on these, or a
    name bound to one."""
    if depth > DEPTH:
        return False
    if isinstance(value, ast.Call):
        if grad_mode_at(ctx, value) != GRAD_ON:
            return False
        if model_called(ctx, value) is not None or _is_loss_call(ctx, value):
            return True
        receiver = _graph_keeping_receiver(value)
        return receiver is not None and _produces_graph(ctx, receiver, statement, loop, depth + 1)
    if isinstance(value, ast.Attribute) and value.attr == "loss":
        return _produces_graph(ctx, value.value, statement, loop, depth + 1)
    if isinstance(value, ast.BinOp):
        return any(_produces_graph(ctx, side, statement, loop, depth + 1) for side in (value.left, value.right))
    if isinstance(value, ast.UnaryOp):
        return _produces_graph(ctx, value.operand, statement, loop, depth + 1)
    if isinstance(value, ast.Name):
        binding = _latest_binding(ctx, value.id, statement, loop)
        if binding is None or binding.value is None or binding.iterated:
            return False
        if binding.path:
            return _model_output(ctx, binding.value)
        return not _detaches(ctx, binding.value) and _produces_graph(ctx, binding.value, binding.node, loop, depth + 1)
    return False


def _is_loss_call(ctx: ModuleContext, call: ast.Call) -> bool:
    name = ctx.qualname(call.func) or ""
    if name.startswith("torch.nn.functional.") and name.rsplit(".", 1)[-1] in _FUNCTIONAL_LOSSES:
        return True
    func = call.func
    if isinstance(func, ast.Name):
        values = [b.value for b in lookup(ctx, func.id, func)]
    elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        values = list(self_attribute_values(ctx, func))
    else:
        return False
    return bool(values) and all(v is not None and _is_loss_constructor(ctx, v) for v in values)


def _is_loss_constructor(ctx: ModuleContext, value: ast.expr) -> bool:
    """``nn.CrossEntropyLoss(...)`` and the other ``torch.nn`` loss classes."""
    if not isinstance(value, ast.Call):
        return False
    name = ctx.qualname(value.func) or ""
    return name.startswith("torch.nn.") and name.endswith("Loss")


@fact
def _flows_to_backward(ctx: ModuleContext, function: ast.AST) -> frozenset[str]:
    """Every dotted name whose value reaches a ``backward()`` (or ``torch.autograd.grad``) in
    ``function``, through its assignments: a total that is backpropagated later is deliberate."""
    roots: list[ast.expr] = []
    for call in inside(ctx, function, ast.Call):
        if is_backward(call):
            assert isinstance(call.func, ast.Attribute)
            roots += [call.func.value, *call.args]
        elif (ctx.qualname(call.func) or "") in {"torch.autograd.grad", "torch.autograd.backward"}:
            roots += call.args[:1]
    names = {name for root in roots for name in _dotted_parts(root)}
    assignments: list[tuple[list[ast.expr], ast.expr]] = []
    for statement in inside(ctx, function, ast.Assign, ast.AugAssign, ast.AnnAssign):
        if isinstance(statement, ast.Assign):
            assignments.append((statement.targets, statement.value))
        elif isinstance(statement, (ast.AugAssign, ast.AnnAssign)) and statement.value is not None:
            assignments.append(([statement.target], statement.value))
    changed = True
    while changed:
        changed = False
        for targets, value in assignments:
            if any(name in names for target in targets for name in _dotted_parts(target)):
                added = set(_dotted_parts(value)) - names
                if added:
                    names |= added
                    changed = True
    return frozenset(names)


def _dotted_parts(node: ast.expr) -> Iterator[str]:
    for part in ast.walk(node):
        if isinstance(part, (ast.Name, ast.Attribute)):
            name = dotted(part)
            if name:
                yield name


def _parenthesized(ctx: ModuleContext, value: ast.expr, statement: ast.stmt) -> bool:
    """``total += (loss)``: libcst's node would include the parentheses that ``ast``'s range leaves out."""
    line = ctx.lines[value.lineno - 1][: ctx.position(value.lineno, value.col_offset).column - 1].rstrip()
    if isinstance(statement, ast.Expr):  # ``losses.append(loss)``: the call's own parenthesis comes first
        line = line[:-1].rstrip() if line.endswith("(") else line
    return line.endswith("(")


def _method(node: ast.expr) -> str | None:
    """``m`` for a method call ``x.m(...)``."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _graph_keeping_receiver(node: ast.expr) -> ast.expr | None:
    """``loss`` for ``loss.mean()`` and the other methods whose result keeps the receiver's graph."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _KEEPS_GRAPH:
        return node.func.value
    return None
