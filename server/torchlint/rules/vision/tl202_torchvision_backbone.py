"""TL202 torchvision-backbone."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from ...analysis.context import ModuleContext, fact
from ...analysis.syntax import dotted, has_star_kwargs, is_constant, keyword
from ...model import Applicability, Finding, Fix, Plan, Severity
from ...rule import Rule
from ._models import TORCHVISION_CLASSIFIERS, TORCHVISION_NON_CLASSIFIER_MODULES, TORCHVISION_TO_TIMM, under

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

#: `nn.Module` API that any backbone has: using only these on the model keeps a timm model a drop-in.
MODULE_API = frozenset(
    {
        "to", "cuda", "cpu", "eval", "train", "parameters", "named_parameters", "buffers", "named_buffers", "state_dict",
        "load_state_dict", "forward", "zero_grad", "requires_grad_", "half", "float", "double", "bfloat16", "apply", "modules",
        "named_modules", "register_forward_hook", "__call__",
    }
)
#: Uses of a torchvision model as a frozen feature extractor, where timm is no drop-in replacement.
FEATURE_EXTRACTOR_ATTRIBUTES = {"features", "children", "named_children"}
PRETRAINED_WEIGHTS = {"DEFAULT", "IMAGENET1K_V1", "IMAGENET1K_V2"}
TORCHVISION_KEYWORDS = {"weights", "pretrained", "num_classes", "progress"}


class _Import(NamedTuple):
    """An import for ``FixContext.remove_unused_import``: ``from module import name as alias``."""

    module: str
    name: str | None
    alias: str | None


@dataclass(frozen=True)
class _TimmPlan(Plan):
    """Call ``timm.create_model(timm_name, pretrained=...)`` instead, dropping the imports only
    the torchvision call may have used."""

    timm_name: str
    pretrained: str  # the text of timm's ``pretrained=`` value
    dropped: tuple[_Import, ...]


def _torchvision_classifier(name: str | None) -> str | None:
    """``resnet50`` for ``torchvision.models.resnet50`` or ``torchvision.models.resnet.resnet50``."""
    if name is None or not under(name, "torchvision.models"):
        return None
    parts = name.split(".")
    if len(parts) == 3 or (len(parts) == 4 and parts[2] not in TORCHVISION_NON_CLASSIFIER_MODULES):
        return parts[-1] if parts[-1] in TORCHVISION_CLASSIFIERS else None
    return None


@fact
def _attribute_uses(ctx: ModuleContext, name: str) -> set[str]:
    """The attributes read from the dotted ``name`` anywhere in the module."""
    last = name.rpartition(".")[2]
    spelled: list[ast.Name] | list[ast.Attribute] = (
        ctx.names(name) if last == name else [n for n in ctx.attributes(last) if dotted(n) == name]
    )
    return {
        parent.attr
        for node in spelled
        if isinstance(parent := ctx.parent(node), ast.Attribute) and parent.value is node
    }


@fact
def _identity_heads(ctx: ModuleContext) -> set[str]:
    """Models whose head is cut off: ``model`` in ``model.fc = nn.Identity()``."""
    return {
        base
        for call in ctx.calls("torch.nn.Identity")
        if isinstance(assign := ctx.parent(call), ast.Assign)
        for target in assign.targets
        if isinstance(target, ast.Attribute) and (base := dotted(target.value))
    }


def _assigned_name(ctx: ModuleContext, value: ast.AST) -> str | None:
    """``model`` in ``model = value`` or ``model: M = value`` (a single target, no walrus)."""
    parent = ctx.parent(value)
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1:
        return dotted(parent.targets[0])
    if isinstance(parent, ast.AnnAssign):
        return dotted(parent.target)
    return None


def _pretrained(ctx: ModuleContext, call: ast.Call) -> str | None:
    """``pretrained=`` for timm from torchvision's ``weights=`` / ``pretrained=`` (None: cannot map)."""
    pretrained, weights = keyword(call, "pretrained"), keyword(call, "weights")
    if pretrained is not None:
        return ctx.text(pretrained.value)
    if weights is None or is_constant(weights.value, type(None)):
        return "False"
    value = weights.value
    if isinstance(value, ast.Constant) and value.value in PRETRAINED_WEIGHTS:
        return "True"
    if isinstance(value, ast.Attribute) and value.attr in PRETRAINED_WEIGHTS:
        enum = ctx.qualname(value.value) or dotted(value.value) or ""
        return "True" if enum.endswith("_Weights") else None
    return None


def _imports_to_drop(ctx: ModuleContext, call: ast.Call) -> tuple[_Import, ...]:
    """The imports only the torchvision call may have used."""
    roots = [call.func]
    weights = keyword(call, "weights")
    if weights is not None and isinstance(weights.value, ast.Attribute):
        roots.append(weights.value.value)
    dropped = []
    for node in roots:
        while isinstance(node, ast.Attribute):
            node = node.value
        if not isinstance(node, ast.Name) or (qualname := ctx.qualname(node)) is None:
            continue
        module, _, name = qualname.rpartition(".")
        local = node.id
        if module and ctx.imports.get(local) == qualname and _imported_from(ctx, local):
            dropped.append(_Import(module, name, None if local == name else local))
        else:
            dropped.append(_Import(qualname, None, None if local == qualname else local))
    return tuple(dropped)


def _imported_from(ctx: ModuleContext, local: str) -> bool:
    """``local`` was bound by a ``from ... import`` (not ``import a.b as local``)."""
    return any(
        (alias.asname or alias.name) == local for node in ctx.nodes(ast.ImportFrom) for alias in node.names
    )


class TorchvisionBackbone(Rule):
    """A classification backbone is built with a `torchvision.models` constructor.

    Fires on calls of the torchvision classification builders (`resnet50(...)`, `vit_b_16(...)`,
    `efficientnet_b0(...)`...), however imported. Detection, segmentation, video and quantized
    models, dynamic lookups (`models.__dict__[arch]`) and models used as frozen feature extractors
    (`.features`, `.children()`, the head replaced by `nn.Identity()`) are not reported.
    """

    code = "TL202"
    name = "torchvision-backbone"
    severity = Severity.WARNING
    requires = ("torchvision",)
    message = "Use timm.create_model(...) instead of a torchvision.models classification constructor"
    why = """
        timm covers every torchvision classifier and hundreds more behind one constructor, with
        better pretrained weights, `num_classes` / `in_chans` that adapt the pretrained head and
        stem, and `features_only=True` for dense tasks: switching architecture becomes a string.
    """
    example = """
        from torchvision.models import resnet50, ResNet50_Weights

        model = resnet50(weights=ResNet50_Weights.DEFAULT)
    """
    use_instead = """
        import timm

        model = timm.create_model("resnet50", pretrained=True, num_classes=1000)
    """
    fix_applicability = Applicability.UNSAFE
    fix_title = "Replace with timm.create_model"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        for call in ctx.calls_matching(_torchvision_classifier):
            builder = _torchvision_classifier(ctx.qualname(call.func))
            if builder is None or self._feature_extractor(ctx, call):
                continue
            timm_name = TORCHVISION_TO_TIMM.get(builder)
            pretrained = _pretrained(ctx, call)
            if timm_name is None:
                message = f"Use a timm backbone (timm.create_model) instead of torchvision.models.{builder}"
                yield self.finding(ctx, call, message)
                continue
            message = (
                f'Use timm.create_model("{timm_name}", pretrained=..., num_classes=...) instead of '
                f"torchvision.models.{builder} (timm's pretrained weights differ)"
            )
            if pretrained is None or not self._drop_in(ctx, call):
                yield self.finding(ctx, call, message)
            else:
                yield self.finding(ctx, call, message, fix=_TimmPlan(timm_name, pretrained, _imports_to_drop(ctx, call)))

    @staticmethod
    def _feature_extractor(ctx: ModuleContext, call: ast.Call) -> bool:
        parent = ctx.parent(call)
        if isinstance(parent, ast.Attribute) and parent.attr in FEATURE_EXTRACTOR_ATTRIBUTES:
            return True
        if isinstance(parent, ast.Call) and (ctx.qualname(parent.func) or "").endswith(
            ("create_feature_extractor", "IntermediateLayerGetter")
        ):
            return True
        name = _assigned_name(ctx, call)
        if not name:
            return False
        return bool(_attribute_uses(ctx, name) & FEATURE_EXTRACTOR_ATTRIBUTES) or name in _identity_heads(ctx)

    @staticmethod
    def _drop_in(ctx: ModuleContext, call: ast.Call) -> bool:
        """Only arguments timm takes, and the model used only through the `nn.Module` API."""
        if call.args or has_star_kwargs(call) or any(kw.arg not in TORCHVISION_KEYWORDS for kw in call.keywords):
            return False
        name = _assigned_name(ctx, call)
        return not name or _attribute_uses(ctx, name) <= MODULE_API

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.CSTNode:
        import libcst as cst

        assert isinstance(node, cst.Call)
        plan = fix.plan_as(_TimmPlan)
        for dropped in plan.dropped:
            ctx.remove_unused_import(dropped.module, dropped.name, dropped.alias)
        ctx.add_import("timm")
        by_keyword = {arg.keyword.value: arg for arg in node.args if arg.keyword}
        flag = by_keyword.get("pretrained")
        if flag is None and "weights" in by_keyword:
            flag = by_keyword["weights"].with_changes(keyword=cst.Name("pretrained"), value=cst.Name(plan.pretrained))
        if flag is None:
            flag = cst.Arg(value=cst.Name(plan.pretrained), keyword=cst.Name("pretrained"), equal=_no_space_equal())
        first_comma = node.args[0].comma if node.args and isinstance(node.args[0].comma, cst.Comma) else None
        args = [
            cst.Arg(value=cst.SimpleString(f'"{plan.timm_name}"'), comma=first_comma or _space_comma()),
            flag,
            *([by_keyword["num_classes"]] if "num_classes" in by_keyword else []),
        ]
        last_comma = node.args[-1].comma if node.args else cst.MaybeSentinel.DEFAULT
        args = [
            arg.with_changes(comma=last_comma if i == len(args) - 1 else _comma(arg, first_comma))
            for i, arg in enumerate(args)
        ]
        return node.with_changes(func=cst.parse_expression("timm.create_model"), args=args)


def _no_space_equal() -> cst.AssignEqual:
    import libcst as cst

    return cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


def _space_comma() -> cst.Comma:
    import libcst as cst

    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _comma(arg: cst.Arg, fallback: cst.Comma | None) -> cst.Comma:
    """The comma after ``arg`` when it is not last: its own, else one like the call's first."""
    import libcst as cst

    return arg.comma if isinstance(arg.comma, cst.Comma) else fallback or _space_comma()
