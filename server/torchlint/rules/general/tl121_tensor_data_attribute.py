"""TL121 tensor-data-attribute."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...analysis.context import ModuleContext, fact
from ...analysis.layout import CST_BLOCK_OWNERS, alone_on_its_lines
from ...analysis.scopes import Binding, lookup
from ...analysis.syntax import DEF_TYPES, FUNCTION_TYPES, dotted
from ...analysis.torch_types import MODULE_BASES, module_classes
from ...analysis.training import NO_GRAD, is_optimizer_class, optimizer_step_calls
from ...model import Action, Applicability, Finding, Fix, Plan, Severity
from ...rule import Rule
from ._autograd import (
    DEPTH,
    TENSOR_FACTORIES,
    TENSOR_METHODS,
    VARIABLE,
    all_bindings,
    call_method,
    converts,
    element,
    is_builtin_call,
)

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

#: ``torch`` functions whose result is a tensor.
TENSOR_FUNCTIONS = TENSOR_FACTORIES | {
    f"torch.{name}"
    for name in ("cat", "stack", "matmul", "mm", "bmm", "einsum", "where", "flatten", "reshape", "sigmoid",
                 "tanh", "relu", "softmax", "log_softmax", "exp", "log", "sqrt", "abs", "clamp", "mean",
                 "sum", "norm", "argmax")
}
PARAMETER = {"torch.nn.Parameter", "torch.nn.parameter.Parameter"}
TENSOR_TYPES = PARAMETER | {"torch.Tensor"}
#: ``nn.Module`` methods that return the module itself.
MODULE_METHODS = frozenset({"to", "cuda", "cpu", "train", "eval", "half", "float", "double", "bfloat16", "requires_grad_"})
#: Attributes that hold a module's parameters: ``weight``, ``bias``, ``weight_ih_l0``, ``weight_orig``...
PARAMETER_ATTRIBUTE = re.compile(r"(in_proj_)?(weight|bias)(_(ih|hh|hr)_l\d+(_reverse)?|_orig|_g|_v)?")
#: Operators whose result is a tensor when one operand is (``%`` also formats strings).
ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Pow, ast.MatMult)
#: Builtins that pass their argument's elements through unchanged.
PASS_THROUGH = {"list", "tuple", "reversed", "sorted", "iter"}
#: Tensor methods whose result is a tensor when the receiver is one (other operands aside).
RESULT_METHODS = TENSOR_METHODS | {
    "add", "sub", "mul", "div", "pow", "neg", "sqrt", "mm", "matmul", "bmm", "clamp", "masked_fill", "gather",
    "index_select", "narrow", "repeat", "new_zeros", "new_ones", "new_empty", "new_full", "new_tensor", "max", "min",
}
#: Callees named like a loss function: ``criterion``, ``loss_fn``, ``compute_loss``, ``mixup_criterion``.
LOSS_CALLEE = re.compile(r"loss|criterion", re.IGNORECASE)
#: Parameters named like callables that return dictionaries, not tensors.
NOT_MODULES = re.compile(r"token|process|collat|extract", re.IGNORECASE)
#: Parameters named like a model: ``model``, ``net``, ``netD``, ``q_network``, ``actor``, ``encoder``.
MODEL_NAME = re.compile(r"model|net|actor|critic|policy|encoder|decoder|generator|discriminator|classifier", re.IGNORECASE)
#: Methods that only a module has: calling one on a parameter shows it is a module (``model.train()``).
MODULE_ONLY_METHODS = ("train", "eval", "parameters", "named_parameters", "zero_grad", "state_dict", "modules")
#: ``forward`` inputs named like containers of tensors (``batch.data`` of a batch object).
CONTAINER_NAME = re.compile(r"batch|graph|sample|data", re.IGNORECASE)
#: Names that show a module handles ``PackedSequence``s.
PACKED = frozenset({"PackedSequence", "pack_padded_sequence", "pack_sequence"})
#: Compound statements whose one-line body the code action can run under ``torch.no_grad()``.
SUITE_OWNERS = (ast.For, ast.If, ast.While, ast.With)
#: libcst node names of the ``ast`` expressions and simple statements a read fix may rewrite (with
#: the same range in both: not tuples, whose ``ast`` range holds their parentheses).
_CST_NODES: dict[type[ast.AST], str] = {
    ast.Attribute: "Attribute", ast.Call: "Call", ast.Subscript: "Subscript", ast.BinOp: "BinaryOperation",
    ast.BoolOp: "BooleanOperation", ast.Compare: "Comparison", ast.UnaryOp: "UnaryOperation", ast.IfExp: "IfExp",
    ast.List: "List", ast.Set: "Set", ast.Dict: "Dict", ast.ListComp: "ListComp",
    ast.SetComp: "SetComp", ast.DictComp: "DictComp", ast.Lambda: "Lambda", ast.Expr: "Expr", ast.Assign: "Assign",
    ast.AugAssign: "AugAssign", ast.AnnAssign: "AnnAssign", ast.Return: "Return", ast.Assert: "Assert",
}


@dataclass(frozen=True)
class _ReadPlan(Plan):
    """How a read through ``.data`` is fixed."""

    redundant: bool  # ``.data`` simply goes (no ``.detach()`` in its place)


@dataclass(frozen=True)
class _ReadsPlan(Plan):
    """How the reads of one statement are fixed: what becomes of each ``.data`` attribute in the
    fixed expression, in source order (``"detach"``, ``"drop"``, or ``"keep"`` for those of
    objects that are not tensors)."""

    edits: tuple[str, ...]


@dataclass(frozen=True)
class _NoGradPlan(Plan):
    """How a statement that writes through ``.data`` is rewritten."""

    receivers: tuple[str, ...]  # the source of each expression whose ``.data`` the statement uses
    no_grad: str  # the ``torch.no_grad()`` call to run the statement under ("": it already runs under one)
    import_torch: bool  # the module does not import ``torch`` yet


class TensorDataAttribute(Rule):
    """`.data` is read or written on a tensor, a parameter or a module's output.

    Fires only with evidence that the object is a tensor: a loop variable, comprehension or lambda
    argument over `.parameters()` / `.named_parameters()` / `state_dict().values()` / an
    optimizer's `param_groups`, a gradient (`x.grad.data`), a module's `weight` / `bias`, an
    input of a module's `forward`, or a name bound (in every branch) to a `torch` tensor function,
    to a criterion's result (tuple items named like losses included), to what a function of the
    module returns, or to the output of a module: built from `torch.nn` or a module class,
    handed to an optimizer, or a parameter that the function around it trains. `.data` of
    anything else (datasets, dataframes, numpy arrays, batches of other libraries) is left alone.

    One finding per statement, however many `.data` it holds. A statement that only reads gets
    the safe fix: `.data` becomes `.detach()` (or just goes when passed to `nn.init` or followed
    by `.detach()`). A statement that writes in place through `.data` gets no fix but a code
    action that drops `.data` and runs it under `torch.no_grad()`, with `x.data = v` becoming
    `x.copy_(v)` (which keeps `x`'s shape, dtype and device); a write that shares its line with
    other statements, or assigns several targets, gets neither.
    """

    code = "TL121"
    name = "tensor-data-attribute"
    severity = Severity.ERROR
    requires = (".data",)
    message = "Use .detach() instead of .data, which hides in-place changes from autograd"
    write_message = "Modify the tensor itself under `with torch.no_grad():` instead of through .data"
    why = """
        `x.data` is a pre-0.4 escape hatch: it returns the tensor's storage without autograd
        tracking and without the version counter that detects in-place changes. Gradients computed
        after such a change are silently wrong. `x.detach()` shares the storage too, but autograd
        still notices in-place changes and raises. Parameter updates belong under
        `torch.no_grad()`, where they are visible and intended.
    """
    example = """
        _, predicted = torch.max(outputs.data, 1)
        for target, source in zip(target_net.parameters(), net.parameters()):
            target.data.copy_(tau * source.data + (1 - tau) * target.data)
    """
    use_instead = """
        _, predicted = torch.max(outputs.detach(), 1)
        with torch.no_grad():
            for target, source in zip(target_net.parameters(), net.parameters()):
                target.copy_(tau * source + (1 - tau) * target)
    """
    fix_applicability = Applicability.SAFE
    fix_title = "Replace .data with .detach() on reads"
    fix_node = "Attribute"
    action_title = "Rewrite the write through .data under torch.no_grad()"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        by_statement: dict[ast.stmt, list[ast.Attribute]] = {}
        for node in ctx.attributes("data"):
            if not isinstance(node.ctx, ast.Del) and is_tensor(ctx, node.value):
                by_statement.setdefault(ctx.statement_of(node), []).append(node)
        for stmt, found in by_statement.items():
            writes = [node for node in found if _is_write(ctx, node)]
            if writes:
                # The action rewrites the whole statement, reads included.
                yield self.finding(ctx, writes[0], self.write_message, action=self._action(ctx, stmt, found) or False)
            else:
                yield self.finding(ctx, found[0], fix=self._read_fix(ctx, stmt, found) or False)

    def _read_fix(self, ctx: ModuleContext, stmt: ast.stmt, found: list[ast.Attribute]) -> Fix | None:
        """One fix for every read through ``.data`` in the statement: on the attribute itself when
        there is one, else on the smallest expression (or statement) that holds them all."""
        if len(found) == 1:
            return self.fix_at(ctx, found[0], _ReadPlan(_redundant(ctx, found[0])))
        target = _common_target(ctx, stmt, found)
        if target is None:
            return None
        tensors = set(found)
        inside = sorted(ctx.within(target, ast.Attribute), key=lambda n: (n.end_lineno or 0, n.end_col_offset or 0))
        edits = tuple(
            ("drop" if _redundant(ctx, node) else "detach") if node in tensors else "keep"
            for node in inside
            if node.attr == "data"
        )
        return self.fix_at(ctx, target, _ReadsPlan(edits), node=_CST_NODES[type(target)])

    def _action(self, ctx: ModuleContext, stmt: ast.stmt, found: list[ast.Attribute]) -> Action | None:
        """The code action for a statement that writes through ``.data``, if it is one that
        can be rewritten (a call, an assignment to one target, an augmented assignment, alone
        on its lines or the one-line body of a ``for``/``if``/``while``/``with`` that is)."""
        if isinstance(stmt, ast.Assign) and len(stmt.targets) != 1:
            return None
        if not isinstance(stmt, (ast.Expr, ast.Assign, ast.AugAssign)):
            return None
        target: ast.stmt = stmt
        if not alone_on_its_lines(ctx, stmt):
            owner = ctx.parent(stmt)
            if not (isinstance(owner, SUITE_OWNERS) and _one_line_suite(ctx, owner, stmt)):
                return None
            target = owner
        receivers = tuple(sorted({ctx.text(node.value) for node in found}))
        torch = next((local for local, name in ctx.imports.items() if name == "torch"), None)
        no_grad = "" if _under_no_grad(ctx, stmt) else f"{torch or 'torch'}.no_grad()"
        plan = _NoGradPlan(receivers, no_grad, torch is None and bool(no_grad))
        node = None if target is stmt else CST_BLOCK_OWNERS[type(target)]
        return self.action_at(ctx, target, plan, node=node)

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.CSTNode:
        import libcst as cst

        if isinstance(fix.plan, _ReadsPlan):
            return _rewrite_reads(node, fix.plan.edits)
        assert isinstance(node, cst.Attribute)
        return node.value if fix.plan_as(_ReadPlan).redundant else call_method(node.value, "detach")

    def action(self, node: cst.CSTNode, action: Action, ctx: FixContext) -> cst.CSTNode:
        import libcst as cst

        plan = action.plan_as(_NoGradPlan)
        receivers = set(plan.receivers)
        if isinstance(node, cst.SimpleStatementLine):
            statement: cst.BaseStatement = node.with_changes(
                body=[_without_data(small, receivers, ctx) for small in node.body]
            )
        else:  # ``for p in params: p.data.zero_()``: the one-line suite of a compound statement
            assert isinstance(node, (cst.For, cst.If, cst.While, cst.With)) and isinstance(node.body, cst.SimpleStatementSuite)
            suite = node.body.with_changes(body=[_without_data(small, receivers, ctx) for small in node.body.body])
            statement = node.with_changes(body=suite)
        if not plan.no_grad:
            return statement
        if plan.import_torch:
            ctx.add_import("torch")
        return cst.With(
            items=[cst.WithItem(cst.parse_expression(plan.no_grad))],
            body=cst.IndentedBlock(body=[statement.with_changes(leading_lines=())]),
            leading_lines=node.leading_lines,
        )


def _rewrite_reads(node: cst.CSTNode, edits: tuple[str, ...]) -> cst.CSTNode:
    """``node`` with its ``.data`` attributes, in source order, rewritten as ``edits`` says
    (``"detach"``, ``"drop"``, ``"keep"``); ``node`` itself when they are not the ones planned."""
    import libcst as cst

    class Rewrite(cst.CSTTransformer):
        def __init__(self) -> None:
            super().__init__()
            self.seen = 0

        def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
            # Post-order visits the ``.data`` of ``a.data.b.data`` inner first: in source order.
            if updated_node.attr.value != "data":
                return updated_node
            self.seen += 1
            edit = edits[self.seen - 1] if self.seen <= len(edits) else "keep"
            if edit == "detach":
                return call_method(updated_node.value, "detach")
            return updated_node.value if edit == "drop" else updated_node

    rewrite = Rewrite()
    rewritten = node.visit(rewrite)
    assert isinstance(rewritten, cst.CSTNode)
    return rewritten if rewrite.seen == len(edits) else node


def _without_data(statement: cst.BaseSmallStatement, receivers: set[str], ctx: FixContext) -> cst.BaseSmallStatement:
    """``statement`` with ``.data`` dropped after each of ``receivers``; ``x.data = v`` becomes
    ``x.copy_(v)``."""
    import libcst as cst

    class Strip(cst.CSTTransformer):
        def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
            if updated_node.attr.value == "data" and ctx.code(updated_node.value) in receivers:
                return updated_node.value
            return updated_node

    if isinstance(statement, cst.Assign):
        target = statement.targets[0].target
        if isinstance(target, cst.Attribute) and target.attr.value == "data" and ctx.code(target.value) in receivers:
            copy = call_method(target.value, "copy_", [cst.Arg(statement.value)])
            statement = cst.Expr(value=copy, semicolon=statement.semicolon)
    stripped = statement.visit(Strip())
    assert isinstance(stripped, cst.BaseSmallStatement)
    return stripped


def _is_write(ctx: ModuleContext, node: ast.Attribute) -> bool:
    """``x.data = ...``, ``x.data += ...``, ``x.data[i] = ...`` or an in-place method (``x.data.copy_(...)``)."""
    if isinstance(node.ctx, ast.Store):
        return True
    current: ast.AST = node
    parent = ctx.parent(node)
    while isinstance(parent, ast.Subscript) and parent.value is current:
        if isinstance(parent.ctx, ast.Store):
            return True
        current, parent = parent, ctx.parent(parent)
    if not (isinstance(parent, ast.Attribute) and parent.value is current):
        return False
    call = ctx.parent(parent)
    in_place = parent.attr.endswith("_") and not parent.attr.startswith("_")
    return in_place and isinstance(call, ast.Call) and call.func is parent


def _redundant(ctx: ModuleContext, node: ast.Attribute) -> bool:
    """``.data`` that can simply go: passed to ``nn.init`` (whose functions work under no_grad
    themselves) or followed by ``.detach()``."""
    parent = ctx.parent(node)
    if isinstance(parent, ast.Attribute):
        return parent.attr == "detach"
    return (
        isinstance(parent, ast.Call)
        and node in parent.args
        and (ctx.qualname(parent.func) or "").startswith("torch.nn.init.")
    )


def _common_target(ctx: ModuleContext, stmt: ast.stmt, found: list[ast.Attribute]) -> ast.AST | None:
    """The smallest expression of ``stmt`` that holds every node of ``found``, else ``stmt`` if it
    is a simple statement."""
    others = [set(ctx.ancestors(node)) for node in found[1:]]
    for candidate in ctx.ancestors(found[0]):
        if candidate is stmt:
            return stmt if type(stmt) in _CST_NODES else None
        if all(candidate in chain for chain in others) and type(candidate) in _CST_NODES:
            return candidate
    return None


def _one_line_suite(ctx: ModuleContext, owner: ast.stmt, stmt: ast.stmt) -> bool:
    """``stmt`` is the whole body of ``owner``, written on its header line, and ``owner`` has its
    lines to itself: ``for p in params: p.data.zero_()``."""
    return (
        getattr(owner, "body", None) == [stmt]
        and not getattr(owner, "orelse", None)
        and stmt.lineno == owner.lineno
        and alone_on_its_lines(ctx, owner)
    )


def _under_no_grad(ctx: ModuleContext, node: ast.AST) -> bool:
    """Inside ``with torch.no_grad():`` or a function decorated ``@torch.no_grad()``."""
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, (ast.With, ast.AsyncWith)):
            if any(_is_no_grad(ctx, item.context_expr) for item in ancestor.items):
                return True
        elif isinstance(ancestor, FUNCTION_TYPES + (ast.ClassDef,)):
            decorators = getattr(ancestor, "decorator_list", [])
            return any(_is_no_grad(ctx, decorator) for decorator in decorators)
    return False


def _is_no_grad(ctx: ModuleContext, expr: ast.expr) -> bool:
    return ctx.qualname(expr.func if isinstance(expr, ast.Call) else expr) in NO_GRAD


# -- evidence that an expression is a tensor or a module -----------------------------------------


def is_tensor(ctx: ModuleContext, expr: ast.expr, depth: int = 0) -> bool:
    """Positive evidence that ``expr`` is a tensor (see :class:`TensorDataAttribute`)."""
    if depth > DEPTH:
        return False
    if isinstance(expr, ast.Attribute):
        if expr.attr == "grad" or PARAMETER_ATTRIBUTE.fullmatch(expr.attr):
            return True
        return _self_attribute(ctx, expr, lambda value: is_tensor(ctx, value, depth + 1))
    if isinstance(expr, ast.Call):
        name = ctx.qualname(expr.func) or ""
        if name in TENSOR_FUNCTIONS or name in PARAMETER or name in VARIABLE or name.startswith("torch.nn.functional."):
            return True
        func = expr.func
        if isinstance(func, ast.Attribute) and func.attr in RESULT_METHODS and is_tensor(ctx, func.value, depth + 1):
            return True
        if is_builtin_call(ctx, expr, "sum") and expr.args and isinstance(expr.args[0], (ast.List, ast.Tuple)):
            return any(is_tensor(ctx, item, depth + 1) for item in expr.args[0].elts)  # ``sum([loss_a, loss_b])``
        return _is_criterion(ctx, func) or is_module(ctx, func, depth + 1) or _returns(ctx, expr, (), depth + 1)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ARITHMETIC):  # ``errD_real + errD_fake``
        return is_tensor(ctx, expr.left, depth + 1) or is_tensor(ctx, expr.right, depth + 1)
    if isinstance(expr, ast.Name):
        return all_bindings(ctx, expr, lambda b: _binding_is_tensor(ctx, b, depth + 1))
    return False


def _binding_is_tensor(ctx: ModuleContext, binding: Binding, depth: int) -> bool:
    if isinstance(binding.node, ast.arg):
        return _annotated(ctx, binding.node, TENSOR_TYPES) or _tensor_parameter(ctx, binding.node, depth)
    if binding.value is None:
        return False
    if binding.iterated:
        return is_parameter_element(ctx, binding.value, binding.path, depth)
    value = element(binding.value, binding.path)
    if value is None:  # an item of a returned tuple: ``loss_l, loss_c = criterion(out, targets)``
        return isinstance(binding.value, ast.Call) and (
            _returns(ctx, binding.value, binding.path, depth)
            or (_is_criterion(ctx, binding.value.func) and _named_like_loss(binding.node))
        )
    return converts(value, binding.node, TENSOR_METHODS) or is_tensor(ctx, value, depth)


def _tensor_parameter(ctx: ModuleContext, arg: ast.arg, depth: int) -> bool:
    """A parameter that receives tensors: an input of a module's ``forward``, or the argument of a
    lambda mapped over parameters (``map(lambda p: p.data.norm(), net.parameters())``)."""
    function = ctx.parent(ctx.parent(arg) or arg)
    if isinstance(function, ast.Lambda):
        return _lambda_over_parameters(ctx, function, arg, depth)
    return isinstance(function, ast.FunctionDef) and _forward_input(ctx, function, arg)


def _lambda_over_parameters(ctx: ModuleContext, function: ast.Lambda, arg: ast.arg, depth: int) -> bool:
    """``map(lambda p: ..., params)``, ``filter(...)``, ``sorted(params, key=lambda p: ...)``."""
    call = ctx.parent(function)
    positional = function.args.args
    if not isinstance(call, ast.Call) or arg not in positional:
        return False
    index = positional.index(arg)
    if is_builtin_call(ctx, call, "map", "filter") and call.args and call.args[0] is function:
        iterables = call.args[1:]
    elif is_builtin_call(ctx, call, "sorted", "min", "max") and any(kw.value is function for kw in call.keywords):
        iterables, index = call.args[:1], 0 if index == 0 else len(call.args)
    else:
        return False
    return index < len(iterables) and is_parameter_element(ctx, iterables[index], (), depth + 1)


def _forward_input(ctx: ModuleContext, function: ast.FunctionDef, arg: ast.arg) -> bool:
    """A positional input (after ``self``) of ``forward`` in a module class of this file, with no
    default or ``None`` (not a flag) and not named like a container (``batch``), unless the module
    handles ``PackedSequence``s, whose ``.data`` is their own packed tensor."""
    cls = ctx.parent(function)
    if function.name != "forward" or not isinstance(cls, ast.ClassDef) or cls.name not in module_classes(ctx):
        return False
    positional = [*function.args.posonlyargs, *function.args.args]
    if arg not in positional[1:] or arg.annotation is not None or CONTAINER_NAME.search(arg.arg):
        return False
    if PACKED.intersection(ctx.identifiers()):
        return False
    defaults = dict(zip(reversed(positional), reversed(function.args.defaults), strict=False))
    default = defaults.get(arg)
    return default is None or (isinstance(default, ast.Constant) and default.value is None)


def _is_criterion(ctx: ModuleContext, func: ast.expr) -> bool:
    """A loss function: named like one (``criterion``, ``loss_fn``, ``self.compute_loss``), from
    ``torch.nn.functional``, or a name bound to a ``*Loss(...)`` instance (``crit = MultiBoxLoss()``)."""
    name = dotted(func)
    if name is None:
        return False
    if LOSS_CALLEE.search(name.rpartition(".")[2]) or (ctx.qualname(func) or "").startswith("torch.nn.functional."):
        return True
    return isinstance(func, ast.Name) and all_bindings(
        ctx,
        func,
        lambda b: isinstance(b.value, ast.Call) and not b.path and not b.iterated
        and (dotted(b.value.func) or "").endswith("Loss"),
    )


def _named_like_loss(target: ast.AST) -> bool:
    return isinstance(target, ast.Name) and "loss" in target.id.lower()


def _returns(ctx: ModuleContext, call: ast.Call, path: tuple[int, ...], depth: int) -> bool:
    """``call`` calls a function of this module whose every ``return`` gives a tensor at ``path``
    (``return loss, n_correct`` for ``loss, n = cal_performance(...)``)."""
    if depth > DEPTH or not isinstance(call.func, ast.Name):
        return False
    bindings = lookup(ctx, call.func.id, call)
    if len(bindings) != 1 or not isinstance(bindings[0].node, DEF_TYPES):
        return False
    returns = [node for node in ctx.within(bindings[0].node.body, ast.Return) if _own_return(ctx, node, bindings[0].node)]
    values = [element(node.value, path) if node.value is not None else None for node in returns]
    return bool(values) and all(value is not None and is_tensor(ctx, value, depth + 1) for value in values)


def _own_return(ctx: ModuleContext, node: ast.Return, function: ast.AST) -> bool:
    return ctx.enclosing(node, FUNCTION_TYPES) is function


def is_module(ctx: ModuleContext, expr: ast.expr, depth: int = 0) -> bool:
    """Positive evidence that ``expr`` is an ``nn.Module``: built from ``torch.nn``, torchvision,
    timm or a module class of this file, or one of those moved (``.to(device)``, ``.cuda()``)."""
    if depth > DEPTH:
        return False
    if isinstance(expr, ast.Call):
        name = ctx.qualname(expr.func) or ""
        if _is_module_constructor(ctx, expr.func, name):
            return True
        if name == "torch.compile":
            return bool(expr.args) and is_module(ctx, expr.args[0], depth + 1)
        func = expr.func
        return isinstance(func, ast.Attribute) and func.attr in MODULE_METHODS and is_module(ctx, func.value, depth + 1)
    if isinstance(expr, ast.Attribute):
        if _self_attribute(ctx, expr, lambda value: is_module(ctx, value, depth + 1)):
            return True
        cls = ctx.enclosing(expr, ast.ClassDef)
        return cls is not None and (cls, dotted(expr)) in _optimized(ctx)
    if isinstance(expr, ast.Name):
        bindings = lookup(ctx, expr.id, expr)
        if any(binding.node in _optimized(ctx) for binding in bindings):
            return True
        return bool(bindings) and all(_binding_is_module(ctx, b, depth + 1) for b in bindings)
    return False


@fact
def _optimized(ctx: ModuleContext) -> frozenset[object]:
    """What the module hands the parameters of to an optimizer (``Adam(net.parameters())``):
    the bindings of such names, and ``(class, "self.x")`` for attributes."""
    found: set[object] = set()
    for call in ctx.calls_matching(is_optimizer_class):
        for node in ctx.within(call, ast.Call):
            func = node.func
            if not (isinstance(func, ast.Attribute) and func.attr in ("parameters", "named_parameters")):
                continue
            owner = func.value
            if isinstance(owner, ast.Name):
                found.update(binding.node for binding in lookup(ctx, owner.id, owner))
            elif (name := dotted(owner)) and name.startswith("self.") and name.count(".") == 1:
                found.add((ctx.enclosing(owner, ast.ClassDef), name))
    return frozenset(found)


def _binding_is_module(ctx: ModuleContext, binding: Binding, depth: int) -> bool:
    if isinstance(binding.node, ast.arg):
        return _annotated(ctx, binding.node, MODULE_BASES) or _trained_parameter(ctx, binding.node)
    if binding.value is None or binding.iterated:
        return False
    value = element(binding.value, binding.path)
    return value is not None and (converts(value, binding.node, MODULE_METHODS) or is_module(ctx, value, depth))


def _trained_parameter(ctx: ModuleContext, arg: ast.arg) -> bool:
    """An unannotated parameter of a function that trains (calls ``backward()`` or steps an
    optimizer) and that is named like a model or used as one (``model.train()``): ``model`` in
    ``def train(model, loader, optimizer)``. Not one named like a tokenizer or processor, whose
    outputs are dictionaries with a ``.data`` of their own."""
    function = ctx.parent(ctx.parent(arg) or arg)
    if not isinstance(function, DEF_TYPES) or arg.annotation is not None or NOT_MODULES.search(arg.arg):
        return False
    if arg.arg in ("self", "cls") or function not in _training_functions(ctx):
        return False
    used_as_module = (
        call
        for call in ctx.calls_named(*MODULE_ONLY_METHODS)
        if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name)
        and call.func.value.id == arg.arg and ctx.enclosing(call, FUNCTION_TYPES) is function
    )
    return bool(MODEL_NAME.search(arg.arg)) or any(used_as_module)


@fact
def _training_functions(ctx: ModuleContext) -> frozenset[ast.AST]:
    """Functions that call ``backward()`` or step an optimizer themselves."""
    calls = [*ctx.method_calls("backward"), *optimizer_step_calls(ctx)]
    return frozenset(function for call in calls if (function := ctx.enclosing(call, FUNCTION_TYPES)) is not None)


def _is_module_constructor(ctx: ModuleContext, func: ast.expr, name: str) -> bool:
    parts = name.split(".")
    if len(parts) == 3 and parts[:2] == ["torch", "nn"]:
        return parts[2][:1].isupper() and name not in PARAMETER
    if name.startswith("torchvision.models.") or name == "timm.create_model":
        return parts[-1][:1].islower()
    return isinstance(func, ast.Name) and name == "" and func.id in module_classes(ctx)


def is_parameter_element(ctx: ModuleContext, iterable: ast.expr, path: tuple[int, ...], depth: int = 0) -> bool:
    """Whether the element at ``path`` of what ``iterable`` yields is a parameter or buffer:
    ``model.parameters()``, ``named_parameters()`` (second item), ``state_dict().values()``,
    ``group["params"]``, through ``zip``, ``enumerate``, ``list``, ``filter``, ``itertools.chain``."""
    if depth > DEPTH:
        return False
    if isinstance(iterable, ast.Subscript):
        return path == () and _is_param_group_params(ctx, iterable, depth + 1)
    if isinstance(iterable, ast.Name):
        bindings = lookup(ctx, iterable.id, iterable)
        return bool(bindings) and all(
            b.value is not None and not b.iterated and b.path == ()
            and is_parameter_element(ctx, b.value, path, depth + 1)
            for b in bindings
        )
    if isinstance(iterable, (ast.List, ast.Tuple)):
        return path == () and all(is_tensor(ctx, item, depth + 1) for item in iterable.elts)
    if not isinstance(iterable, ast.Call):
        return False
    func, args = iterable.func, iterable.args
    if isinstance(func, ast.Attribute):
        if func.attr in ("parameters", "buffers"):
            return path == ()
        if func.attr in ("named_parameters", "named_buffers"):
            return path == (1,)
        if func.attr in ("values", "items") and _is_state_dict(ctx, func.value, depth + 1):
            return path == (() if func.attr == "values" else (1,))
        named = func.value
        if func.attr in ("values", "items") and isinstance(named, ast.Call) and is_builtin_call(ctx, named, "dict"):
            # ``dict(model.named_parameters()).items()``: the values are the pairs' second items
            inner = (1,) if func.attr == "values" else (1, *path[1:])
            wanted = path == () if func.attr == "values" else path[:1] == (1,)
            return wanted and bool(named.args) and is_parameter_element(ctx, named.args[0], inner, depth + 1)
    if is_builtin_call(ctx, iterable, "zip"):
        return bool(path) and path[0] < len(args) and is_parameter_element(ctx, args[path[0]], path[1:], depth + 1)
    if is_builtin_call(ctx, iterable, "enumerate"):
        return path[:1] == (1,) and bool(args) and is_parameter_element(ctx, args[0], path[1:], depth + 1)
    if is_builtin_call(ctx, iterable, *PASS_THROUGH, "filter"):
        source = args[-1] if args else None
        return source is not None and is_parameter_element(ctx, source, path, depth + 1)
    if ctx.qualname(func) == "itertools.chain":
        return bool(args) and all(is_parameter_element(ctx, arg, path, depth + 1) for arg in args)
    return False


def _is_state_dict(ctx: ModuleContext, expr: ast.expr, depth: int) -> bool:
    """``model.state_dict()`` of a module (not of an optimizer or a scheduler)."""
    if not (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "state_dict"):
        return False
    owner = expr.func.value
    name = (dotted(owner) or "").rpartition(".")[2].lower()
    return "model" in name or name.endswith("net") or is_module(ctx, owner, depth)


def _is_param_group_params(ctx: ModuleContext, subscript: ast.Subscript, depth: int) -> bool:
    """``group["params"]`` where ``group`` comes from an optimizer's ``param_groups``."""
    key = subscript.slice
    if not (isinstance(key, ast.Constant) and key.value == "params"):
        return False
    group = subscript.value
    if isinstance(group, ast.Subscript):  # optimizer.param_groups[0]["params"]
        return isinstance(group.value, ast.Attribute) and group.value.attr == "param_groups"
    if not isinstance(group, ast.Name):
        return False
    return all_bindings(
        ctx,
        group,
        lambda b: b.iterated and b.path == () and isinstance(b.value, ast.Attribute) and b.value.attr == "param_groups",
    )


def _annotated(ctx: ModuleContext, arg: ast.arg, types: frozenset[str] | set[str]) -> bool:
    return arg.annotation is not None and ctx.qualname(arg.annotation) in types


def _self_attribute(ctx: ModuleContext, expr: ast.Attribute, test: Callable[[ast.expr], bool]) -> bool:
    """``self.x`` where every assignment to ``self.x`` in the class passes ``test``."""
    name = dotted(expr)
    cls = ctx.enclosing(expr, ast.ClassDef)
    if not isinstance(cls, ast.ClassDef) or name is None or not name.startswith("self.") or name.count(".") != 1:
        return False
    values = self_attributes(ctx, expr.attr).get(cls)
    if not values:
        return False
    return all(value is not None and test(value) for value in values)


@fact
def self_attributes(ctx: ModuleContext, attr: str) -> dict[ast.ClassDef, list[ast.expr | None]]:
    """Class -> the values assigned to ``self.<attr>`` in that class's methods
    (``None`` for an assignment whose value cannot be read: ``+=``, tuple targets)."""
    found: dict[ast.ClassDef, list[ast.expr | None]] = {}
    for node in ctx.attributes(attr):
        if not isinstance(node.ctx, ast.Store) or not isinstance(node.value, ast.Name) or node.value.id != "self":
            continue
        cls = ctx.enclosing(node, ast.ClassDef)
        if not isinstance(cls, ast.ClassDef):
            continue
        parent = ctx.parent(node)
        value = parent.value if isinstance(parent, (ast.Assign, ast.AnnAssign)) else None
        found.setdefault(cls, []).append(value)
    return found
