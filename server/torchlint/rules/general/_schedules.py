"""What the learning-rate schedule rules (TL104, TL105) share: hand-set learning rates, and how
to write the inserted warmup in the module's own spelling of ``torch.optim.lr_scheduler``."""

from __future__ import annotations

import ast

from ...analysis.context import ModuleContext
from ...analysis.scopes import bound_names
from ...analysis.syntax import dotted, is_constant
from ...analysis.training import SCHEDULER_PREFIX

#: The share of the run that the inserted warmup takes.
WARMUP_DIVISOR = 20

#: Imports a fix asks for: ``(module, name)``, ``name`` ``None`` for ``import module``.
Imports = tuple[tuple[str, str | None], ...]


def sets_lr_by_hand(ctx: ModuleContext) -> bool:
    """A hand-written schedule: ``param_group["lr"] = ...`` (or ``*=``)."""
    return any(
        isinstance(node.ctx, ast.Store) and is_constant(node.slice, str) and node.slice.value in ("lr", "learning_rate")  # type: ignore[attr-defined]
        for node in ctx.nodes(ast.Subscript)
    )


def assigned_targets(statement: ast.stmt) -> list[ast.expr]:
    """The targets of an assignment statement (``=``, annotated or augmented); ``[]`` for others."""
    if isinstance(statement, ast.Assign):
        return statement.targets
    return [statement.target] if isinstance(statement, (ast.AnnAssign, ast.AugAssign)) else []


def warmup_then(spelling: str, optimizer: str, warmup: str, cosine: str) -> str:
    """``SequentialLR`` of a ``LinearLR`` warmup over ``warmup`` steps and the ``cosine`` schedule."""
    return (
        f"{spelling}SequentialLR(\n"
        f"    {optimizer},\n"
        f"    schedulers=[\n"
        f"        {spelling}LinearLR({optimizer}, start_factor=0.01, total_iters={warmup}),\n"
        f"        {cosine},\n"
        f"    ],\n"
        f"    milestones=[{warmup}],\n"
        f")"
    )


def scheduler_spelling(ctx: ModuleContext, callee: ast.expr, names: tuple[str, ...]) -> tuple[str, Imports]:
    """How to write the ``lr_scheduler`` classes ``names`` in the style of ``callee`` (a
    ``torch.optim`` optimizer or ``lr_scheduler`` class), and the imports that needs:
    ``("torch.optim.lr_scheduler.", ())``, ``("optim.lr_scheduler.", ())``, or bare names
    imported from ``torch.optim.lr_scheduler``."""
    if isinstance(callee, ast.Attribute) and (base := dotted(callee.value)):
        qualname = ctx.qualname(callee.value)
        if qualname == SCHEDULER_PREFIX[:-1]:
            return f"{base}.", ()
        if qualname == "torch.optim":
            return f"{base}.lr_scheduler.", ()
    taken = bound_names(ctx)
    if isinstance(callee, ast.Name) and all(
        name not in taken or ctx.imports.get(name) == f"{SCHEDULER_PREFIX}{name}" for name in names
    ):
        return "", tuple((SCHEDULER_PREFIX[:-1], name) for name in names)
    return SCHEDULER_PREFIX, (("torch", None),)
