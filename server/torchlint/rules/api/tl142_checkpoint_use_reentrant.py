"""TL142 checkpoint-use-reentrant."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ...analysis.context import ModuleContext
from ...analysis.syntax import has_star_kwargs, keyword
from ...model import Applicability, Finding, Fix, Severity
from ...rule import Rule

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

CHECKPOINTS = ("torch.utils.checkpoint.checkpoint", "torch.utils.checkpoint.checkpoint_sequential")


class CheckpointUseReentrant(Rule):
    """`torch.utils.checkpoint` is called without `use_reentrant`.

    Fires on `checkpoint(...)` and `checkpoint_sequential(...)` of `torch.utils.checkpoint`
    (any import form) that do not pass `use_reentrant`; a `**kwargs` that may pass it is not
    reported.
    """

    code = "TL142"
    name = "checkpoint-use-reentrant"
    severity = Severity.WARNING
    aliases = ("TOR003",)
    requires = ("checkpoint",)
    message = "Pass use_reentrant=False (recommended) or True to torch.utils.checkpoint explicitly"
    why = """
        Activation checkpointing has two implementations. The reentrant one (the historical
        default) does not support `torch.autograd.grad`, keyword arguments or inputs that do
        not require gradients, and silently returns no gradients in some of those cases; the
        non-reentrant one has none of these limits. Calling without `use_reentrant` warns, and
        PyTorch will change the default and then require the argument.
    """
    example = """
        from torch.utils.checkpoint import checkpoint

        hidden = checkpoint(self.block, hidden, mask)
    """
    use_instead = """
        from torch.utils.checkpoint import checkpoint

        hidden = checkpoint(self.block, hidden, mask, use_reentrant=False)
    """
    fix_applicability = Applicability.UNSAFE
    fix_title = "Pass use_reentrant=False"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        for call in ctx.calls(*CHECKPOINTS):
            if keyword(call, "use_reentrant") is None and not has_star_kwargs(call):
                yield self.finding(ctx, call.func, fix=self.fix_at(ctx, call))

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.Call:
        import libcst as cst

        from ...fixing.arguments import with_keyword

        assert isinstance(node, cst.Call)
        return with_keyword(node, "use_reentrant", cst.Name("False"))

