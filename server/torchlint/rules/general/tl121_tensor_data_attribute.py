"""TL121 tensor-data-attribute."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...analysis.context import ModuleContext, fact
from ...analysis.layout import alone_on_its_lines
from ...analysis.scopes import Binding, lookup
from ...analysis.syntax import FUNCTION_TYPES, dotted
from ...analysis.torch_types import MODULE_BASES, module_classes
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

NO_GRAD = {"torch.no_grad", "torch.inference_mode", "torch.autograd.no_grad", "torch.autograd.grad_mode.no_grad"}
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


@dataclass(frozen=True)
class _ReadPlan(Plan):
    """How a read through ``.data`` is fixed."""

    redundant: bool  # ``.data`` simply goes (no ``.detach()`` in its place)


@dataclass(frozen=True)
class _NoGradPlan(Plan):
    """How a statement that writes through ``.data`` is rewritten."""

    receivers: tuple[str, ...]  # the source of each expression whose ``.data`` the statement uses
    no_grad: str  # the ``torch.no_grad()`` call to run the statement under ("": it already runs under one)
    import_torch: bool  # the module does not import ``torch`` yet


class TensorDataAttribute(Rule):
    """`.data` is read or written on a tensor, a parameter or a module's output.

    Fires only with evidence that the object is a tensor: a loop variable over
    `.parameters()` / `.named_parameters()` / `state_dict().values()` / an optimizer's
    `param_groups`, a gradient (`x.grad.data`), a module's `weight` / `bias`, or a name bound to
    a `torch` tensor function or to a module's output. `.data` of anything else (datasets,
    dataframes, numpy arrays, batches of other libraries) is left alone. Reads get `.detach()`
    (or just lose `.data` when passed to `nn.init` or followed by `.detach()`); a statement
    that writes in place through `.data` gets a code action that drops `.data` and runs it
    under `torch.no_grad()`, with `x.data = v` becoming `x.copy_(v)` (which keeps `x`'s shape,
    dtype and device).
    """

    code = "TL121"
    name = "tensor-data-attribute"
    severity = Severity.ERROR
    requires = (".data",)
    message = (
        "Use .detach() instead of .data, which hides later in-place changes from autograd and can "
        "silently corrupt gradients"
    )
    write_message = (
        "Modify the tensor itself under `with torch.no_grad():` instead of through .data, which "
        "hides the change from autograd"
    )
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
    fix_title = "Replace .data with .detach()"
    fix_node = "Attribute"
    action_title = "Rewrite under torch.no_grad()"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        found = [
            node for node in ctx.attributes("data") if not isinstance(node.ctx, ast.Del) and is_tensor(ctx, node.value)
        ]
        writes = {ctx.statement_of(node) for node in found if _is_write(ctx, node)}
        actions = {stmt: self._action(ctx, stmt, found) for stmt in writes}
        for node in found:
            action = actions.get(ctx.statement_of(node))
            if action is not None:
                # The action rewrites the whole statement, reads included.
                yield self.finding(ctx, node, self.write_message, action=action)
            elif _is_write(ctx, node):
                yield self.finding(ctx, node, self.write_message)
            else:
                yield self.finding(ctx, node, fix=_ReadPlan(_redundant(ctx, node)))

    def _action(self, ctx: ModuleContext, stmt: ast.stmt, found: list[ast.Attribute]) -> Action | None:
        """The code action for a statement that writes through ``.data``, if it is one that
        can be rewritten (a call, an assignment to one target, an augmented assignment, alone
        on its lines)."""
        if isinstance(stmt, ast.Assign) and len(stmt.targets) != 1:
            return None
        if not isinstance(stmt, (ast.Expr, ast.Assign, ast.AugAssign)) or not alone_on_its_lines(ctx, stmt):
            return None
        receivers = tuple(sorted({ctx.text(node.value) for node in found if ctx.statement_of(node) is stmt}))
        torch = next((local for local, name in ctx.imports.items() if name == "torch"), None)
        no_grad = "" if _under_no_grad(ctx, stmt) else f"{torch or 'torch'}.no_grad()"
        return self.action_at(ctx, stmt, _NoGradPlan(receivers, no_grad, torch is None and bool(no_grad)))

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.CSTNode:
        import libcst as cst

        assert isinstance(node, cst.Attribute)
        return node.value if fix.plan_as(_ReadPlan).redundant else call_method(node.value, "detach")

    def action(self, node: cst.CSTNode, action: Action, ctx: FixContext) -> cst.CSTNode:
        import libcst as cst

        assert isinstance(node, cst.SimpleStatementLine)
        plan = action.plan_as(_NoGradPlan)
        receivers = set(plan.receivers)
        statement = node.with_changes(body=[_without_data(small, receivers, ctx) for small in node.body])
        if not plan.no_grad:
            return statement
        if plan.import_torch:
            ctx.add_import("torch")
        return cst.With(
            items=[cst.WithItem(cst.parse_expression(plan.no_grad))],
            body=cst.IndentedBlock(body=[statement.with_changes(leading_lines=())]),
            leading_lines=node.leading_lines,
        )


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
        if isinstance(func, ast.Attribute) and func.attr in TENSOR_METHODS and is_tensor(ctx, func.value, depth + 1):
            return True
        return is_module(ctx, func, depth + 1)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ARITHMETIC):  # ``errD_real + errD_fake``
        return is_tensor(ctx, expr.left, depth + 1) or is_tensor(ctx, expr.right, depth + 1)
    if isinstance(expr, ast.Name):
        return all_bindings(ctx, expr, lambda b: _binding_is_tensor(ctx, b, depth + 1))
    return False


def _binding_is_tensor(ctx: ModuleContext, binding: Binding, depth: int) -> bool:
    if isinstance(binding.node, ast.arg):
        return _annotated(ctx, binding.node, TENSOR_TYPES)
    if binding.value is None:
        return False
    if binding.iterated:
        return is_parameter_element(ctx, binding.value, binding.path, depth)
    value = element(binding.value, binding.path)
    return value is not None and (converts(value, binding.node, TENSOR_METHODS) or is_tensor(ctx, value, depth))


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
        return _self_attribute(ctx, expr, lambda value: is_module(ctx, value, depth + 1))
    if isinstance(expr, ast.Name):
        return all_bindings(ctx, expr, lambda b: _binding_is_module(ctx, b, depth + 1))
    return False


def _binding_is_module(ctx: ModuleContext, binding: Binding, depth: int) -> bool:
    if isinstance(binding.node, ast.arg):
        return _annotated(ctx, binding.node, MODULE_BASES)
    if binding.value is None or binding.iterated:
        return False
    value = element(binding.value, binding.path)
    return value is not None and (converts(value, binding.node, MODULE_METHODS) or is_module(ctx, value, depth))


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
