"""TL140 unsafe-torch-load."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ...analysis.context import ModuleContext
from ...analysis.syntax import has_star_kwargs, keyword
from ...model import Applicability, Finding, Fix, Severity
from ...rule import Rule

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

LOADS = ("torch.load", "torch.serialization.load")
#: The first torch whose ``torch.load`` defaults to ``weights_only=True``.
SAFE_DEFAULT = (2, 6)
#: ``torch.load(f, map_location, pickle_module, ...)``: a pickle module cannot go with weights_only=True.
PICKLE_MODULE_POSITION = 2


class UnsafeTorchLoad(Rule):
    """`torch.load` may unpickle arbitrary objects, so loading an untrusted file runs its code.

    Fires on `torch.load(..., weights_only=False)`, and on `torch.load(...)` without
    `weights_only` where the project supports a torch older than 2.6 (whose default is
    `False`): set `target-torch`, or the project's `torch` requirement says so. `torch.jit.load`,
    `torch.hub.load`, safetensors and a `weights_only` taken from a variable are not reported.
    """

    code = "TL140"
    name = "unsafe-torch-load"
    severity = Severity.WARNING
    aliases = ("TOR102",)
    requires = ("load",)
    message = "Use weights_only=True and torch.serialization.add_safe_globals([...]) for own classes"
    why = """
        A checkpoint is a pickle: with `weights_only=False`, loading it runs whatever code the
        file's author put in it. `weights_only=True` (the default from torch 2.6) loads only
        tensors, containers and primitive types, and classes allowed by
        `torch.serialization.add_safe_globals`; older torch defaults to the unsafe mode, so a
        project that supports it must ask for `weights_only=True` itself.
    """
    example = """
        import torch

        state = torch.load("checkpoint.pt", map_location="cpu", weights_only=False)
    """
    use_instead = """
        import torch

        torch.serialization.add_safe_globals([TrainConfig])
        state = torch.load("checkpoint.pt", map_location="cpu", weights_only=True)
    """
    fix_applicability = Applicability.UNSAFE
    fix_title = "Pass weights_only=True"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        old_default = ctx.target_torch is not None and ctx.target_torch < SAFE_DEFAULT
        for call in ctx.calls(*LOADS):
            given = keyword(call, "weights_only")
            if given is not None:
                if isinstance(given.value, ast.Constant) and given.value.value is False:
                    yield self.finding(ctx, call.func)
            elif old_default and not _hides_arguments(call):
                target = ".".join(map(str, ctx.target_torch or ()))
                message = f"Pass weights_only=True: the project supports torch {target}, where it is not the default"
                fix = False if _pickle_module(call) else self.fix_at(ctx, call)
                yield self.finding(ctx, call.func, message, fix=fix)

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.Call:
        import libcst as cst

        from ...fixing.arguments import with_keyword

        assert isinstance(node, cst.Call)
        return with_keyword(node, "weights_only", cst.Name("True"))


def _pickle_module(call: ast.Call) -> bool:
    """A ``pickle_module`` is given (``weights_only=True`` refuses one)."""
    return keyword(call, "pickle_module") is not None or len(call.args) > PICKLE_MODULE_POSITION


def _hides_arguments(call: ast.Call) -> bool:
    """``*args`` or ``**kwargs`` may pass ``weights_only``."""
    return has_star_kwargs(call) or any(isinstance(arg, ast.Starred) for arg in call.args)
