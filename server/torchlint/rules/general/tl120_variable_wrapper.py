"""TL120 variable-wrapper."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...analysis.context import ModuleContext
from ...analysis.scopes import Binding, lookup
from ...analysis.syntax import dotted
from ...analysis.training import is_dataloader
from ...model import Applicability, Finding, Fix, Plan, Severity
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
    parenthesized,
)

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

#: Tensor methods that return a new tensor without autograd history, whatever the receiver.
DETACHED_METHODS = frozenset({"detach", "new", "new_zeros", "new_ones", "new_empty", "new_full", "new_tensor"})


@dataclass(frozen=True)
class _UnwrapPlan(Plan):
    """What removing the wrapper needs to know about the call."""

    no_history: bool  # the wrapped tensor evidently has no autograd history: no ``.detach()`` needed
    origin: tuple[str, str, str | None] | None  # ``(module, name, alias)`` of ``from ... import Variable``


class VariableWrapper(Rule):
    """`torch.autograd.Variable(x)` wraps a tensor, which has carried autograd state itself since PyTorch 0.4.

    Fires on every call of `torch.autograd.Variable`, however it was imported. A `Variable`
    from elsewhere (TensorFlow, cvxpy, a class of your own) is left alone. The fix keeps the
    meaning exactly: `Variable(x)` returns a detached alias, so it becomes `x` where `x`
    evidently has no autograd history (a new tensor, a batch from a data loader, `.data`) and
    `x.detach()` elsewhere; `requires_grad=True` becomes `.requires_grad_()` and `volatile`,
    which does nothing, is dropped.
    """

    code = "TL120"
    deprecated = True
    name = "variable-wrapper"
    severity = Severity.ERROR
    requires = ("Variable",)
    message = "Use the tensor itself instead of Variable (x.requires_grad_() for requires_grad=True)"
    volatile_message = "Use the tensor itself instead of Variable, and torch.no_grad() instead of volatile=True"
    why = """
        Since PyTorch 0.4 `Variable` and `Tensor` are one type: `Variable(x)` only returns a
        detached alias of `x`, `requires_grad=True` is `x.requires_grad_()`, and `volatile=True`
        silently does nothing (so inference code that relied on it now builds graphs). The
        wrapper is noise at best and hides what the code means.
    """
    example = """
        from torch.autograd import Variable

        for images, labels in loader:
            images, labels = Variable(images.cuda()), Variable(labels.cuda())
            noise = Variable(torch.zeros(images.shape), requires_grad=True)
    """
    use_instead = """
        for images, labels in loader:
            images, labels = images.cuda(), labels.cuda()
            noise = torch.zeros(images.shape).requires_grad_()
    """
    fix_applicability = Applicability.SAFE
    fix_title = "Remove the Variable wrapper"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        for call in ctx.calls(*VARIABLE):
            keywords = {kw.arg for kw in call.keywords}
            message = self.volatile_message if "volatile" in keywords else None
            fixable = (
                len(call.args) == 1
                and not isinstance(call.args[0], ast.Starred)
                and keywords <= {"requires_grad", "volatile"}
                and not _has_comment(ctx, call)
            )
            if not fixable:
                yield self.finding(ctx, call, message)
                continue
            plan = _UnwrapPlan(has_no_history(ctx, call.args[0]), _import_of(ctx, call.func))
            yield self.finding(ctx, call, message, fix=plan)

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.CSTNode:
        import libcst as cst

        assert isinstance(node, cst.Call)
        plan = fix.plan_as(_UnwrapPlan)
        if plan.origin:
            ctx.remove_unused_import(*plan.origin)
        result = node.args[0].value
        if not plan.no_history:
            result = call_method(result, "detach")
        flag = next((arg.value for arg in node.args if arg.keyword and arg.keyword.value == "requires_grad"), None)
        if flag is not None and not (isinstance(flag, cst.Name) and flag.value == "False"):
            arguments = [] if isinstance(flag, cst.Name) and flag.value == "True" else [cst.Arg(flag)]
            result = call_method(result, "requires_grad_", arguments)
        if node.lpar:
            return parenthesized(result).with_changes(lpar=node.lpar, rpar=node.rpar)
        return parenthesized(result)


def _has_comment(ctx: ModuleContext, call: ast.Call) -> bool:
    """A comment inside a call that spans lines, which replacing the call would drop."""
    end = call.end_lineno or call.lineno
    return end > call.lineno and any("#" in line for line in ctx.lines[call.lineno - 1 : end - 1])


def _import_of(ctx: ModuleContext, func: ast.expr) -> tuple[str, str, str | None] | None:
    """``(module, name, alias)`` of the ``from ... import Variable`` that ``func`` names, if it does."""
    qualname = ctx.qualname(func)
    if not isinstance(func, ast.Name) or qualname is None:
        return None
    module, _, name = qualname.rpartition(".")
    return (module, name, None if func.id == name else func.id)


# -- evidence that a tensor has no autograd history ----------------------------------------------


def has_no_history(ctx: ModuleContext, expr: ast.expr, depth: int = 0) -> bool:
    """Whether ``expr`` evidently has no autograd history, so ``Variable(expr)`` is ``expr``:
    a new tensor (``torch.zeros(...)``, ``torch.from_numpy(...)``), ``.data`` or ``.detach()``,
    a batch from a data loader, or one of those converted (``.cuda()``, ``.float()``, ``[0]``)."""
    if depth > DEPTH:
        return False
    if isinstance(expr, ast.Attribute):
        return expr.attr == "data"
    if isinstance(expr, ast.Subscript):
        return has_no_history(ctx, expr.value, depth + 1)
    if isinstance(expr, ast.Call):
        name = ctx.qualname(expr.func)
        if name in TENSOR_FACTORIES or (name in VARIABLE and not _asks_for_grad(expr)):
            return True
        func = expr.func
        if not isinstance(func, ast.Attribute) or func.attr == "requires_grad_":
            return False
        if func.attr in DETACHED_METHODS:
            return True
        # A method of a tensor without history, given nothing but constants and dtypes, adds none.
        plain = func.attr in TENSOR_METHODS or all(_is_literal(ctx, arg) for arg in _arguments(expr))
        return plain and has_no_history(ctx, func.value, depth + 1)
    if isinstance(expr, ast.Name):
        bindings = lookup(ctx, expr.id, expr)
        return bool(bindings) and all(_binding_has_no_history(ctx, b, depth + 1) for b in bindings)
    return False


def _arguments(call: ast.Call) -> list[ast.expr]:
    return [*call.args, *(kw.value for kw in call.keywords)]


def _is_literal(ctx: ModuleContext, expr: ast.expr) -> bool:
    """A literal (``3``, ``-0.5``, ``(2, 3)``) or a ``torch`` constant (``torch.double``)."""
    if isinstance(expr, ast.UnaryOp):
        expr = expr.operand
    if isinstance(expr, ast.Tuple):
        return all(_is_literal(ctx, item) for item in expr.elts)
    return isinstance(expr, ast.Constant) or (ctx.qualname(expr) or "").startswith("torch.")


def _asks_for_grad(variable: ast.Call) -> bool:
    """``Variable(x, requires_grad=...)`` with anything but ``False``: a leaf that needs gradients."""
    return any(
        kw.arg == "requires_grad" and not (isinstance(kw.value, ast.Constant) and kw.value.value is False)
        for kw in variable.keywords
    )


def _binding_has_no_history(ctx: ModuleContext, binding: Binding, depth: int) -> bool:
    if binding.value is None:
        return False
    if binding.iterated:
        return _is_loader(ctx, binding.value, depth)
    value = element(binding.value, binding.path)
    return value is not None and (converts(value, binding.node, TENSOR_METHODS) or has_no_history(ctx, value, depth))


def _is_loader(ctx: ModuleContext, iterable: ast.expr, depth: int) -> bool:
    """``iterable`` is a data loader: ``train_loader``, ``enumerate(loader)``, ``tqdm(loader)``, ``DataLoader(...)``."""
    if isinstance(iterable, ast.Call):
        if is_dataloader(ctx, iterable.func):
            return True
        wrapper = is_builtin_call(ctx, iterable, "enumerate") or (ctx.qualname(iterable.func) or "").endswith("tqdm")
        return wrapper and bool(iterable.args) and _is_loader(ctx, iterable.args[0], depth + 1)
    name = dotted(iterable)
    if name is not None and "loader" in name.rpartition(".")[2].lower():
        return True
    return isinstance(iterable, ast.Name) and all_bindings(
        ctx, iterable, lambda b: isinstance(b.value, ast.Call) and not b.iterated and is_dataloader(ctx, b.value.func)
    )
