"""TL146 unstable-numerics."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...analysis.context import ModuleContext
from ...analysis.syntax import keyword
from ...model import Applicability, Finding, Fix, Severity
from ...rule import Rule
from ._names import RenamePlan, apply_rename, import_of, spell

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

#: Expressions that stay one operand when a method is called on them (``x[0].log1p()``).
_ATOMS = (ast.Name, ast.Attribute, ast.Call, ast.Subscript)


@dataclass(frozen=True)
class _Use:
    """A call of ``torch.<name>(x)`` or ``x.<name>()``: its input, and whether it is the function."""

    call: ast.Call
    input: ast.expr
    function: bool


class UnstableNumerics(Rule):
    """`log(1 + x)`, `exp(x) - 1` or `log(sum(exp(x)))` on tensors, which lose precision or overflow.

    Fires on `torch.log(1 + x)` / `torch.log(x + 1)`, `torch.exp(x) - 1` and
    `torch.log(torch.sum(torch.exp(x), dim))`, written with the torch functions (any import
    form) or as tensor methods (`x.exp().sum(-1).log()`). Constants other than 1, a sum without
    `dim`, and `math` or `numpy` functions are not reported.
    """

    code = "TL146"
    name = "unstable-numerics"
    severity = Severity.INFO
    aliases = ("TOR106", "TOR107", "TOR108")
    requires = ("log", "exp")
    message = "Use torch.log1p, torch.expm1 or torch.logsumexp, which keep the precision lost here"
    why = """
        For small `x`, `1 + x` rounds away most of `x`'s digits before `log` sees them, and
        `exp(x) - 1` cancels them; `log1p` and `expm1` compute the same values without the
        rounding. `log(sum(exp(x)))` overflows to `inf` once an element passes about 88 in
        float32 (11 in float16); `logsumexp` subtracts the maximum first and never does.
    """
    example = """
        import torch

        log_prob = torch.log(1 + probs)
        growth = torch.exp(rate) - 1
        log_z = torch.log(torch.sum(torch.exp(logits), dim=-1))
    """
    use_instead = """
        import torch

        log_prob = torch.log1p(probs)
        growth = torch.expm1(rate)
        log_z = torch.logsumexp(logits, dim=-1)
    """
    fix_applicability = Applicability.UNSAFE
    fix_title = "Use the numerically stable function"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        if not ctx.imports_any("torch"):
            return
        for call in ctx.calls_named("log"):
            log = _use(ctx, call, "log")
            if log is not None:
                yield from self._log(ctx, log)
        for node in ctx.nodes(ast.BinOp):
            if isinstance(node.op, ast.Sub) and _is_one(node.right) and isinstance(node.left, ast.Call):
                exp = _use(ctx, node.left, "exp")
                if exp is not None:
                    message = "Use torch.expm1(x) instead of torch.exp(x) - 1: it keeps the precision of small x"
                    yield self.finding(ctx, node, message, fix=self._rewrite(ctx, node, exp, "expm1", ()))

    def _log(self, ctx: ModuleContext, log: _Use) -> Iterator[Finding]:
        argument = log.input
        if isinstance(argument, ast.BinOp) and isinstance(argument.op, ast.Add):
            x = argument.right if _is_one(argument.left) else argument.left if _is_one(argument.right) else None
            if x is not None:
                message = "Use torch.log1p(x) instead of torch.log(1 + x): it keeps the precision of small x"
                yield self.finding(ctx, log.call, message, fix=self._rewrite(ctx, log.call, log, "log1p", (), x))
            return
        reduction = _sum_of_exp(ctx, argument)
        if reduction is not None:
            exp, extra, fixable = reduction
            message = "Use torch.logsumexp(x, dim) instead of log(sum(exp(x))): it cannot overflow"
            fix = self._rewrite(ctx, log.call, log, "logsumexp", extra, exp.input) if fixable else False
            yield self.finding(ctx, log.call, message, fix=fix)

    def _rewrite(
        self, ctx: ModuleContext, target: ast.expr, outer: _Use, function: str, extra: tuple[str, ...], x: ast.expr | None = None
    ) -> Fix | bool:
        """``torch.<function>(x, *extra)`` in the outer call's form (a method stays a method)."""
        x = outer.input if x is None else x
        arguments = ", ".join(extra)
        node = "Call" if isinstance(target, ast.Call) else "BinaryOperation"
        if not outer.function:
            receiver = ctx.text(x) if isinstance(x, _ATOMS) else f"({ctx.text(x)})"
            return self.fix_at(ctx, target, RenamePlan(f"{receiver}.{function}({arguments})"), node=node)
        spelling = spell(ctx, f"torch.{function}")
        if spelling is None:
            return False
        text = f"{spelling.text}({', '.join([ctx.text(x), *extra])})"
        return self.fix_at(ctx, target, RenamePlan(text, spelling.module, import_of(ctx, outer.call.func)), node=node)

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.BaseExpression:
        return apply_rename(fix.plan_as(RenamePlan), ctx)


def _use(ctx: ModuleContext, call: ast.Call, name: str) -> _Use | None:
    """``call`` as ``torch.<name>(x)`` (one argument) or ``x.<name>()`` on a tensor-like ``x``."""
    if call.keywords:
        return None
    if len(call.args) == 1 and not isinstance(call.args[0], ast.Starred) and ctx.qualname(call.func) == f"torch.{name}":
        return _Use(call, call.args[0], function=True)
    func = call.func
    if not call.args and isinstance(func, ast.Attribute) and func.attr == name and ctx.qualname(func) is None:
        return _Use(call, func.value, function=False)
    return None


def _sum_of_exp(ctx: ModuleContext, node: ast.expr) -> tuple[_Use, tuple[str, ...], bool] | None:
    """For ``torch.sum(torch.exp(x), dim, ...)`` (or the method forms): the exp, the source of the
    arguments after the input (``dim`` and ``keepdim``), and whether logsumexp takes them all."""
    if not isinstance(node, ast.Call) or any(isinstance(a, ast.Starred) for a in node.args):
        return None
    func = node.func
    if ctx.qualname(func) == "torch.sum" and node.args:
        summed, rest = node.args[0], node.args[1:]
    elif isinstance(func, ast.Attribute) and func.attr == "sum" and ctx.qualname(func) is None:
        summed, rest = func.value, node.args
    else:
        return None
    if not isinstance(summed, ast.Call):
        return None
    exp = _use(ctx, summed, "exp")
    dim = rest[0] if rest else (kw.value if (kw := keyword(node, "dim")) else None)
    if exp is None or dim is None or (isinstance(dim, ast.Constant) and dim.value is None):
        return None  # without dim, torch.sum reduces everything and logsumexp has no equivalent
    fixable = len(rest) <= 2 and all(kw.arg in ("dim", "keepdim") for kw in node.keywords)
    extra = tuple(ctx.text(a) for a in rest) + tuple(f"{kw.arg}={ctx.text(kw.value)}" for kw in node.keywords)
    return exp, extra, fixable


def _is_one(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and not isinstance(node.value, bool) and node.value == 1
