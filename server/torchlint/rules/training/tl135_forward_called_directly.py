"""TL135 forward-called-directly."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ...analysis.context import ModuleContext
from ...model import Applicability, Finding, Fix, Severity
from ...rule import Rule
from ._loops import holds_module

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext


class ForwardCalledDirectly(Rule):
    """A module's `forward` is called instead of the module.

    Fires on `m.forward(...)` where `m` certainly holds a module: every assignment builds one
    (an `nn.*` or module-class constructor, `from_pretrained` of a transformers model class,
    `timm.create_model`, a torchvision builder, `torch.compile` of a module), or `m` is
    `self.<attr>` that the class only assigns such a module. `super().forward(...)`,
    `Base.forward(self, ...)`, `self.forward(...)` and objects not known to be modules are left alone.
    """

    code = "TL135"
    name = "forward-called-directly"
    severity = Severity.WARNING
    message = "Call {module}(...), not .forward(...), which skips hooks and wrappers"
    why = """
        `module(x)` runs `Module.__call__`, which calls the forward and hooks around it:
        forward pre-hooks and hooks (used by pruning, quantization, activation checkpointing and
        profilers), the gradient synchronisation of `DistributedDataParallel`, the sharding of
        FSDP, and the compiled graph of `torch.compile`. Calling `module.forward(x)` bypasses all
        of that: the result may be right on one GPU and silently wrong (unsynchronised, uncompiled,
        unhooked) anywhere else.
    """
    example = """
        model = torch.compile(Net())
        logits = model.forward(images)
    """
    use_instead = """
        model = torch.compile(Net())
        logits = model(images)
    """
    requires = ("forward",)
    fix_applicability = Applicability.UNSAFE
    fix_title = "Call the module instead of forward()"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        for call in ctx.method_calls("forward"):
            assert isinstance(call.func, ast.Attribute)
            receiver = call.func.value
            if isinstance(receiver, (ast.Name, ast.Attribute)) and holds_module(ctx, receiver):
                yield self.finding(ctx, call, self.message.format(module=ctx.text(receiver)), fix=True)

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.CSTNode:
        import libcst as cst

        assert isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
        return node.with_changes(func=node.func.value)
