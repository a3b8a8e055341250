"""TL136 legacy-tensor-constructor."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...analysis.context import ModuleContext
from ...analysis.scopes import lookup
from ...model import Applicability, Finding, Fix, Plan, Severity
from ...rule import Rule
from ._loops import torch_reference, with_keywords

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

#: The legacy constructors and the dtype of the tensors they make (``Tensor``: the default dtype).
DTYPES = {
    "Tensor": "float32", "FloatTensor": "float32", "DoubleTensor": "float64", "HalfTensor": "float16",
    "BFloat16Tensor": "bfloat16", "LongTensor": "int64", "IntTensor": "int32", "ShortTensor": "int16",
    "CharTensor": "int8", "ByteTensor": "uint8", "BoolTensor": "bool",
}
LEGACY = frozenset(
    [f"torch.{name}" for name in DTYPES] + [f"torch.cuda.{name}" for name in DTYPES if name != "Tensor"]
)
_DEFAULT_DTYPE_SETTERS = ("torch.set_default_dtype", "torch.set_default_tensor_type")
_SIZE_CALLS = frozenset({"len", "int"})
DATA, SIZES = "data", "sizes"
_FACTORIES = (("tensor(data", DATA), ("empty(sizes", SIZES))


@dataclass(frozen=True)
class _ConstructorPlan(Plan):
    kind: str  # DATA: ``torch.tensor(data, ...)``; SIZES: ``torch.empty(*sizes, ...)``
    dtype: str
    cuda: bool
    #: How the fixed call names torch, and whether ``import torch`` must be added.
    torch: str
    add_import: bool
    #: ``from torch import FloatTensor [as alias]``: the import to drop once unused.
    imported: tuple[str, str, str | None] | None = None


class LegacyTensorConstructor(Rule):
    """A tensor is built with a legacy typed constructor.

    Fires on `torch.Tensor(...)`, `torch.FloatTensor(...)`, `torch.LongTensor(...)` and the other
    typed constructors, and their `torch.cuda.*` forms, called with data or sizes. `torch.Tensor`
    as a type (annotations, `isinstance`, a base class, a reference) is left alone.
    """

    code = "TL136"
    name = "legacy-tensor-constructor"
    severity = Severity.WARNING
    message = "Use {replacement} instead of {legacy}(...)"
    why = """
        The typed constructors predate `torch.tensor`: `torch.FloatTensor(3)` is an
        uninitialised tensor of three elements, while `torch.FloatTensor([3])` holds the number 3;
        `torch.Tensor(x)` makes a float tensor whatever `x` holds (and shares memory with a numpy
        array of the same dtype); the `torch.cuda.*` forms pin the device into the type. The
        factories say what they do: `torch.tensor(data, dtype=...)` copies data, `torch.empty(
        sizes, dtype=...)` allocates, and both take `device=`.
    """
    example = """
        weights = torch.FloatTensor([0.2, 0.8])
        buffer = torch.LongTensor(batch_size, seq_len)
    """
    use_instead = """
        weights = torch.tensor([0.2, 0.8], dtype=torch.float32)
        buffer = torch.empty(batch_size, seq_len, dtype=torch.int64)
    """
    requires = ("Tensor",)
    fix_title = "Use torch.tensor(data, dtype=...) / torch.empty(sizes, dtype=...)"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        default_dtype_changes = bool(ctx.calls(*_DEFAULT_DTYPE_SETTERS))
        for call in ctx.calls(*LEGACY):
            if not call.args:
                continue
            legacy = ctx.qualname(call.func) or ""
            name = legacy.rsplit(".", 1)[-1]
            kind, copies = _kind(ctx, call)
            torch = _torch_spelling(ctx, call.func)
            dtype = DTYPES[name]
            replacements = [f"torch.{factory}, dtype=torch.{dtype})" for factory, k in _FACTORIES if kind in (k, None)]
            replacement = replacements[0] if len(replacements) == 1 else f"torch.tensor or torch.empty with dtype=torch.{dtype}"
            message = self.message.format(replacement=replacement, legacy=ctx.text(call.func))
            if kind is None or torch is None:
                yield self.finding(ctx, call, message)
                continue
            safe = kind == DATA and copies and not (name == "Tensor" and default_dtype_changes)
            imported = _imported(ctx, call.func)
            plan = _ConstructorPlan(kind, dtype, legacy.startswith("torch.cuda."), *torch, imported)
            applicability = Applicability.SAFE if safe else Applicability.UNSAFE
            yield self.finding(ctx, call, message, fix=self.fix_at(ctx, call, plan, applicability=applicability))

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.CSTNode:
        import libcst as cst

        assert isinstance(node, cst.Call)
        plan = fix.plan_as(_ConstructorPlan)
        if plan.add_import:
            ctx.add_import("torch")
        if plan.imported:
            ctx.remove_unused_import(*plan.imported)
        factory = "tensor" if plan.kind == DATA else "empty"
        keywords = [(kw.keyword.value if kw.keyword else "") for kw in node.args]
        added = [("dtype", f"{plan.torch}.{plan.dtype}")]
        if plan.cuda and "device" not in keywords:
            added.append(("device", '"cuda"'))
        renamed = node.with_changes(func=cst.parse_expression(f"{plan.torch}.{factory}"))
        return with_keywords(renamed, added)


def _kind(ctx: ModuleContext, call: ast.Call) -> tuple[str | None, bool]:
    """Whether the call passes data (and whether the new call copies it as the old one did: not
    for a numpy array, whose memory the legacy constructor shares) or sizes; ``None`` when it
    cannot be told (``torch.Tensor(x)``)."""
    args = call.args
    if len(args) > 1 or any(isinstance(a, ast.Starred) for a in args):
        return SIZES, True
    (arg,) = args
    if _is_size(ctx, arg):
        return SIZES, True
    source = _value_of(ctx, arg)
    if isinstance(source, (ast.List, ast.Tuple, ast.ListComp)):
        return DATA, True
    if isinstance(source, ast.Call) and (ctx.qualname(source.func) or "").startswith("numpy."):
        return DATA, False
    return None, False


def _value_of(ctx: ModuleContext, expr: ast.expr) -> ast.expr | None:
    """``expr``, or for a name the one value every binding gives it."""
    if not isinstance(expr, ast.Name):
        return expr
    values = [b.value if not b.path and not b.iterated else None for b in lookup(ctx, expr.id, expr)]
    if not values or any(v is None for v in values):
        return None
    kinds = {type(v) for v in values}
    return values[-1] if len(kinds) == 1 else None


def _is_size(ctx: ModuleContext, arg: ast.expr) -> bool:
    """An int literal, ``x.size(...)``, ``x.shape[i]``, ``len(...)``, ``torch.Size(...)``. Not a bare
    ``x.shape``: a numpy or gym shape is a tuple, which ``torch.Tensor`` takes as data."""
    if isinstance(arg, ast.Constant):
        return isinstance(arg.value, int) and not isinstance(arg.value, bool)
    if isinstance(arg, ast.Call):
        func = arg.func
        if isinstance(func, ast.Attribute) and func.attr == "size":
            return True
        if isinstance(func, ast.Name) and func.id in _SIZE_CALLS and ctx.qualname(func) is None:
            return True
        return ctx.qualname(func) == "torch.Size"
    return (
        isinstance(arg, ast.Subscript)
        and not isinstance(arg.slice, ast.Slice)
        and isinstance(arg.value, ast.Attribute)
        and arg.value.attr == "shape"
    )


def _torch_spelling(ctx: ModuleContext, func: ast.expr) -> tuple[str, bool] | None:
    """How the fixed call names torch: as the legacy call did (``th.FloatTensor`` -> ``th``),
    else through the module's ``import torch`` (added if missing)."""
    root = func
    while isinstance(root, ast.Attribute):
        root = root.value
    if isinstance(func, ast.Attribute) and isinstance(root, ast.Name) and ctx.imports.get(root.id) == "torch":
        return (root.id, False)
    return torch_reference(ctx)


def _imported(ctx: ModuleContext, func: ast.expr) -> tuple[str, str, str | None] | None:
    """``("torch", "FloatTensor", None)`` for a ``FloatTensor`` that ``from torch import
    FloatTensor`` brought in."""
    if not isinstance(func, ast.Name):
        return None
    module, _, name = (ctx.imports.get(func.id) or "").rpartition(".")
    return (module, name, None if func.id == name else func.id)
