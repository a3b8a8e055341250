"""TL144 torchvision-pretrained-argument."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...analysis.context import ModuleContext
from ...model import Applicability, Finding, Fix, Plan, Severity
from ...rule import Rule

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

#: The legacy keyword -> its replacement.
LEGACY = {"pretrained": "weights", "pretrained_backbone": "weights_backbone"}
#: What the replacement gets for a literal legacy value.
WEIGHTS = {True: '"DEFAULT"', False: "None"}


@dataclass(frozen=True)
class _WeightsPlan(Plan):
    """The new ``keyword=value`` for each legacy keyword, by the legacy keyword."""

    replacements: tuple[tuple[str, str, str], ...]


def _builder(qualname: str) -> bool:
    """A model builder of ``torchvision.models`` (``resnet50``, ``detection.fasterrcnn_resnet50_fpn``),
    not a weights enum or a class."""
    return qualname.startswith("torchvision.models.") and qualname.rpartition(".")[2][:1].islower()


class TorchvisionPretrainedArgument(Rule):
    """A `torchvision.models` builder gets the deprecated `pretrained=` / `pretrained_backbone=`.

    Fires on every builder of `torchvision.models` and its submodules (classification,
    detection, segmentation, video, optical flow, quantization) called with `pretrained` or
    `pretrained_backbone`, except where TL202 reports the call (it replaces the whole builder).
    """

    code = "TL144"
    name = "torchvision-pretrained-argument"
    severity = Severity.WARNING
    aliases = ("TOR201",)
    defers_to = ("TL202",)
    deprecated = True
    requires = ("pretrained",)
    message = 'Pass weights="DEFAULT" (or None) instead of pretrained= (weights_backbone= likewise)'
    why = """
        Since torchvision 0.13 the builders take `weights=` (an enum member or its name) and
        `pretrained=` only survives behind a deprecation warning. `weights=` says which weights
        are loaded (`"DEFAULT"`, `ResNet50_Weights.IMAGENET1K_V2`), and the enum carries their
        preprocessing (`weights.transforms()`) and class names.
    """
    example = """
        from torchvision import models

        model = models.detection.fasterrcnn_resnet50_fpn(pretrained=True, pretrained_backbone=False)
    """
    use_instead = """
        from torchvision import models

        model = models.detection.fasterrcnn_resnet50_fpn(weights="DEFAULT", weights_backbone=None)
    """
    fix_title = "Pass weights= instead of pretrained="

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        for call in ctx.calls_matching(_builder):
            legacy = [kw for kw in call.keywords if kw.arg in LEGACY]
            if legacy:
                yield self.finding(ctx, call.func, fix=self._weights_fix(ctx, call, legacy))

    def _weights_fix(self, ctx: ModuleContext, call: ast.Call, legacy: list[ast.keyword]) -> Fix | bool:
        """Literal ``True``/``False`` map to ``"DEFAULT"``/``None``; anything else is left to the user."""
        values = {
            kw.arg: kw.value.value
            for kw in legacy
            if kw.arg and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, bool)
        }
        taken = {kw.arg for kw in call.keywords} & set(LEGACY.values())
        if len(values) < len(legacy) or taken:
            return False
        plan = _WeightsPlan(tuple((old, LEGACY[old], WEIGHTS[value]) for old, value in values.items()))
        # pretrained=True loaded the first weights published; "DEFAULT" may be newer ones.
        applicability = Applicability.UNSAFE if any(values.values()) else Applicability.SAFE
        return self.fix_at(ctx, call, plan, applicability=applicability)

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.Call:
        import libcst as cst

        assert isinstance(node, cst.Call)
        replacements = {old: (new, value) for old, new, value in fix.plan_as(_WeightsPlan).replacements}
        args = []
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value in replacements:
                new, value = replacements[arg.keyword.value]
                arg = arg.with_changes(keyword=cst.Name(new), value=cst.parse_expression(value))
            args.append(arg)
        return node.with_changes(args=args)
