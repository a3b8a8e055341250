"""Pre-0.4 autograd idioms: what TL120 (the Variable wrapper) and TL121 (``.data``) share.

Evidence about where a value comes from, read through its bindings, and the libcst helper that
calls a method on an expression.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ...analysis.context import ModuleContext
from ...analysis.scopes import Binding, lookup

if TYPE_CHECKING:
    import libcst as cst

VARIABLE = {"torch.autograd.Variable", "torch.autograd.variable.Variable"}

_TYPED_TENSORS = ("Tensor", "FloatTensor", "DoubleTensor", "HalfTensor", "BFloat16Tensor", "LongTensor",
                  "IntTensor", "ShortTensor", "ByteTensor", "CharTensor", "BoolTensor")
_CREATION = ("tensor", "as_tensor", "from_numpy", "zeros", "ones", "empty", "full", "rand", "randn",
             "randint", "randperm", "arange", "linspace", "logspace", "eye", "zeros_like", "ones_like",
             "empty_like", "full_like", "rand_like", "randn_like", "randint_like")
#: Calls that build a new tensor, which has no autograd history.
TENSOR_FACTORIES = frozenset(
    [f"torch.{name}" for name in _CREATION + _TYPED_TENSORS] + [f"torch.cuda.{name}" for name in _TYPED_TENSORS]
)
#: Tensor methods that return a tensor made from the receiver alone (no other operand).
TENSOR_METHODS = frozenset(
    {
        "cuda", "cpu", "to", "float", "double", "half", "bfloat16", "long", "int", "bool", "byte",
        "contiguous", "view", "view_as", "reshape", "unsqueeze", "squeeze", "permute", "transpose", "t",
        "flatten", "pin_memory", "clone", "detach", "type_as", "expand", "expand_as", "sum", "mean", "abs",
        "exp", "log", "sigmoid", "softmax", "zero_", "fill_", "normal_", "uniform_"
    }
)
#: Recursion bound when following names through assignments.
DEPTH = 8


def is_builtin_call(ctx: ModuleContext, call: ast.Call, *names: str) -> bool:
    """``call`` calls one of the builtins ``names`` (a name that no import shadows)."""
    return isinstance(call.func, ast.Name) and call.func.id in names and ctx.qualname(call.func) is None


def element(value: ast.expr, path: tuple[int, ...]) -> ast.expr | None:
    """The part of ``value`` a tuple target takes at ``path`` (literal tuples only)."""
    for index in path:
        if not isinstance(value, (ast.Tuple, ast.List)) or index >= len(value.elts):
            return None
        value = value.elts[index]
    return value


def converts(value: ast.expr, target: ast.AST, methods: frozenset[str]) -> bool:
    """``x = x.cuda()``, ``x = x[0]``: ``value`` only converts the name it is assigned to, so
    that name's other bindings decide what it holds."""
    while True:
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr in methods:
            value = value.func.value
        elif isinstance(value, ast.Subscript):
            value = value.value
        else:
            break
    return isinstance(value, ast.Name) and isinstance(target, ast.Name) and value.id == target.id


def all_bindings(ctx: ModuleContext, name: ast.Name, test: Callable[[Binding], bool]) -> bool:
    """``name`` is bound, and every binding it may refer to passes ``test``."""
    bindings = lookup(ctx, name.id, name)
    return bool(bindings) and all(test(binding) for binding in bindings)


# -- libcst ---------------------------------------------------------------------------------------


def call_method(receiver: cst.BaseExpression, name: str, args: Sequence[cst.Arg] = ()) -> cst.Call:
    """``receiver.name(*args)``, the receiver parenthesized where it needs to be."""
    import libcst as cst

    return cst.Call(func=cst.Attribute(value=parenthesized(receiver), attr=cst.Name(name)), args=args)


def parenthesized(expr: cst.BaseExpression) -> cst.BaseExpression:
    """``expr``, in parentheses unless it is an atom or a primary (name, call, attribute...)."""
    import libcst as cst

    atoms = (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.BaseNumber, cst.BaseString,
             cst.List, cst.Dict, cst.Set, cst.ListComp, cst.DictComp, cst.SetComp)
    if expr.lpar or isinstance(expr, atoms):
        return expr
    return expr.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
