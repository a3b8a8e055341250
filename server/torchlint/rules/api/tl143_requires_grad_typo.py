"""TL143 requires-grad-typo."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ...analysis.context import ModuleContext, fact
from ...model import Applicability, Finding, Fix, Severity
from ...rule import Rule

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

TYPOS = ("require_grad", "requires_grads", "require_grads")


class RequiresGradTypo(Rule):
    """`requires_grad` is misspelled (`require_grad`, `requires_grads`, `require_grads`).

    Fires on every read or assignment of one of these attributes, unless the module uses the
    same spelling as a parameter or keyword name of its own (then it is the module's own
    attribute, not a typo).
    """

    code = "TL143"
    name = "requires-grad-typo"
    severity = Severity.ERROR
    aliases = ("TOR002",)
    requires = ("require_grad", "requires_grads")
    message = "Did you mean requires_grad? This misspelling only creates a new attribute"
    why = """
        `p.require_grad = False` raises nothing: Python adds an attribute named `require_grad`
        to the tensor and `requires_grad` stays `True`. The "frozen" backbone keeps receiving
        gradients and optimizer updates, which costs memory and time and changes the results.
    """
    example = """
        for p in model.backbone.parameters():
            p.require_grad = False
    """
    use_instead = """
        for p in model.backbone.parameters():
            p.requires_grad = False
    """
    fix_applicability = Applicability.UNSAFE
    fix_title = "Rename to requires_grad"
    fix_node = "Attribute"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        own = _own_names(ctx)
        for node in ctx.attributes(*TYPOS):
            if node.attr not in own:
                yield self.finding(ctx, node, fix=True)

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.Attribute:
        import libcst as cst

        assert isinstance(node, cst.Attribute)
        return node.with_changes(attr=node.attr.with_changes(value="requires_grad"))


@fact
def _own_names(ctx: ModuleContext) -> frozenset[str]:
    """The misspellings the module uses as names of its own parameters or keywords."""
    names = {node.arg for node in ctx.nodes(ast.arg)} | {node.arg for node in ctx.nodes(ast.keyword) if node.arg}
    return frozenset(names & set(TYPOS))
