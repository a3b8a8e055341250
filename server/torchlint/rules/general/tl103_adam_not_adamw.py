"""TL103 adam-not-adamw."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ...analysis.context import ModuleContext
from ...model import Applicability, Finding, Fix, Severity
from ...rule import Rule

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

ADAM = {"torch.optim.Adam", "torch.optim.adam.Adam"}


class AdamNotAdamW(Rule):
    """`torch.optim.Adam` is used where `AdamW` belongs.

    Fires on every reference to `torch.optim.Adam`, however it was imported.
    """

    code = "TL103"
    name = "adam-not-adamw"
    severity = Severity.WARNING
    message = (
        "Use torch.optim.AdamW instead of Adam: AdamW decouples weight decay from the gradient "
        "update, so weight_decay becomes decoupled decay (re-check its value)"
    )
    why = """
        `Adam` with `weight_decay` adds the decay to the gradient, where the adaptive step size
        rescales it: the effective regularisation differs per parameter and is much weaker than
        intended. `AdamW` (Loshchilov & Hutter) applies the decay directly to the weights and is
        the default optimizer of modern training recipes.
    """
    example = """
        optimizer = torch.optim.Adam(model.parameters(), lr=3e-4, weight_decay=1e-2)
    """
    use_instead = """
        optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=1e-2)
    """
    fix_applicability = Applicability.UNSAFE
    fix_title = "Replace Adam with AdamW"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        for node in ctx.references(*ADAM):
            yield self.finding(ctx, node, fix=self.fix_at(ctx, node, node=type(node).__name__))

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.CSTNode:
        import libcst as cst

        if isinstance(node, cst.Name):
            # `Adam` came from `from torch.optim import Adam`: import AdamW in its place.
            ctx.add_import("torch.optim", "AdamW")
            ctx.remove_unused_import("torch.optim", "Adam", None if node.value == "Adam" else node.value)
            return node.with_changes(value="AdamW")
        assert isinstance(node, cst.Attribute)
        return node.with_changes(attr=node.attr.with_changes(value="AdamW"))
