"""TL201 handwritten-backbone."""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...analysis.context import ModuleContext, fact
from ...analysis.syntax import DEF_TYPES, FUNCTION_TYPES, dotted, has_star_kwargs, int_value
from ...analysis.torch_types import module_classes
from ...model import Action, Finding, Plan, Severity
from ...rule import Rule
from ._models import BACKBONE_VARIANTS, RESNET_LAYOUTS, TIMM_MODELS, VIT_LAYOUTS, under

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

CONV2D = "torch.nn.Conv2d"
BATCHNORM2D = "torch.nn.BatchNorm2d"
#: Libraries whose models a class may subclass instead of writing its own.
MODEL_LIBRARIES = ("timm", "torchvision")
#: Where ready-made models come from: a class that builds one wraps it, it does not rewrite it
#: (timm's layer helpers such as `DropPath` are building blocks, not models).
MODEL_FACTORIES = (
    "torchvision.models", "torch.hub", "transformers", "open_clip",
    "segmentation_models_pytorch", "pretrainedmodels", "efficientnet_pytorch",
)
BACKBONE_NAME = re.compile(
    r"(ResNeXt|ResNet|DenseNet|VGG|MobileNet|EfficientNet|ConvNeXt|VisionTransformer|ViT|SwinTransformer)(\w*)"
)
#: What may follow a family name: a depth, a version, a size (`ResNet18`, `MobileNetV3Small`,
#: `VGG16_BN`, `ViT_B_16`), compared in lower case without underscores.
BACKBONE_VARIANT = re.compile(r"(v\d)?(\d+|ti\d+|[tsblh]\d+|tiny|small|base|large|huge)?(v\d)?(bn|large|small)?")
#: Building blocks of the standard backbones, with the timm model the message suggests.
BLOCK_NAMES = {
    "BasicBlock": "resnet18",
    "Bottleneck": "resnet50",
    "PatchEmbed": "vit_base_patch16_224",
    "PatchEmbedding": "vit_base_patch16_224",
}
MAKE_LAYER = {"self._make_layer", "self.make_layer"}
RESIDUAL_NAMES = {"identity", "residual", "shortcut", "skip", "res"}
RESIDUAL_BRANCHES = {"shortcut", "downsample", "skip", "proj", "residual"}
NUM_CLASSES_PARAMS = ("num_classes", "n_classes", "nclasses", "num_class", "n_class", "classes", "num_labels")
IN_CHANS_PARAMS = ("in_chans", "in_channels", "input_channels", "in_ch", "img_channels", "image_channels")

_Function = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True)
class _Backbone:
    cls: ast.ClassDef
    family: str
    variant: str  # the suffix after the family name, lower case without underscores


@dataclass(frozen=True)
class _CreateModelPlan(Plan):
    """Replace ``ClassName(...)`` in the statement with ``timm.create_model(timm_name, ...)``."""

    class_name: str
    timm_name: str
    guessed: bool  # the family's default model, not one the class's variant names
    arguments: tuple[str, ...]  # ``num_classes=...`` / ``in_chans=...`` after ``pretrained=False``


_CLASS_KEYWORD = re.compile(rb"class\s+")


def _name_node(ctx: ModuleContext, cls: ast.ClassDef) -> ast.AST:
    """A node spanning the name in ``class Name`` (the whole class if the name is on another line)."""
    match = _CLASS_KEYWORD.match(ctx.lines[cls.lineno - 1].encode(), cls.col_offset)
    if match is None:
        return cls
    node = ast.Name(id=cls.name)
    node.lineno = node.end_lineno = cls.lineno
    node.col_offset, node.end_col_offset = match.end(), match.end() + len(cls.name.encode())
    return node


def _methods(cls: ast.ClassDef) -> dict[str, _Function]:
    return {f.name: f for f in cls.body if isinstance(f, DEF_TYPES)}


@fact
def _conv_factories(ctx: ModuleContext) -> set[str]:
    """Functions that return an ``nn.Conv2d`` (torchvision's ``conv3x3``)."""
    return {
        function.name
        for call in ctx.calls(CONV2D)
        if isinstance(node := ctx.parent(call), ast.Return)
        if isinstance(function := ctx.enclosing(node, FUNCTION_TYPES), DEF_TYPES)
    }


def _is_residual_conv_block(ctx: ModuleContext, cls: ast.ClassDef) -> bool:
    """Convolutions, batch norm and a skip connection added in ``forward``: a ResNet block."""
    factories = _conv_factories(ctx)
    convs = sum(
        ctx.qualname(c.func) == CONV2D or (isinstance(c.func, ast.Name) and c.func.id in factories)
        for c in ctx.within(cls, ast.Call)
    )
    has_norm = cls in _batchnorm_classes(ctx)
    forward = _methods(cls).get("forward")
    return convs >= 2 and has_norm and forward is not None and _adds_skip_connection(ctx, forward)


@fact
def _batchnorm_classes(ctx: ModuleContext) -> set[ast.ClassDef]:
    """Classes with a name or attribute inside them that resolves to ``nn.BatchNorm2d``."""
    mentions: list[ast.AST] = [n for n in ctx.attributes("BatchNorm2d") if ctx.qualname(n) == BATCHNORM2D]
    mentions += [n for local, name in ctx.imports.items() if name == BATCHNORM2D for n in ctx.names(local)]
    return {a for n in mentions for a in ctx.ancestors(n) if isinstance(a, ast.ClassDef)}


def _adds_skip_connection(ctx: ModuleContext, forward: _Function) -> bool:
    params = [a.arg for a in forward.args.args[1:2]]
    skip_names = RESIDUAL_NAMES | set(params)

    def is_skip(operand: ast.AST) -> bool:
        if isinstance(operand, ast.Name):
            return operand.id in skip_names
        if isinstance(operand, ast.Call):
            name = dotted(operand.func) or ""
            return name.startswith("self.") and name[5:] in RESIDUAL_BRANCHES
        return False

    for node in ctx.within(forward, ast.AugAssign, ast.BinOp):
        if isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add) and is_skip(node.value):
            return True
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and (is_skip(node.left) or is_skip(node.right)):
            return True
    return False


def _builds_ready_made_model(name: str | None) -> bool:
    """``timm.create_model``, ``timm.models.resnet50``, ``torchvision.models.vgg16``, ``torch.hub.load``..."""
    if not name:
        return False
    if name == "timm.create_model" or (under(name, "timm.models") and name.rpartition(".")[2] in TIMM_MODELS):
        return True
    return under(name, MODEL_FACTORIES)


def _wraps_or_subclasses_library_model(ctx: ModuleContext, cls: ast.ClassDef) -> bool:
    return any(under(ctx.qualname(b), MODEL_LIBRARIES) for b in cls.bases) or any(
        _builds_ready_made_model(ctx.qualname(c.func)) for c in ctx.within(cls, ast.Call)
    )


def _builds_layers(ctx: ModuleContext, cls: ast.ClassDef, local: dict[str, ast.ClassDef]) -> bool:
    """The class instantiates layers itself (``nn.Conv2d``, a local block, ``self._make_layer``)."""
    for call in ctx.within(cls, ast.Call):
        name = ctx.qualname(call.func) or dotted(call.func) or ""
        last = name.rsplit(".", 1)[-1]
        if (name.startswith("torch.nn.") and last[:1].isupper()) or name in local or name in MAKE_LAYER:
            return True
    return False


def _backbone(ctx: ModuleContext, cls: ast.ClassDef, local: dict[str, ast.ClassDef]) -> _Backbone | None:
    """The standard backbone ``cls`` writes from scratch, if it is one."""
    match = BACKBONE_NAME.fullmatch(cls.name)
    if match:
        variant = match.group(2).lower().replace("_", "")
        if not BACKBONE_VARIANT.fullmatch(variant):
            return None
        family = match.group(1)
    elif _stacks_residual_blocks(ctx, cls, local):
        family, variant = "ResNet", ""
    else:
        return None
    if _wraps_or_subclasses_library_model(ctx, cls) or not _builds_layers(ctx, cls, local):
        return None
    return _Backbone(cls, family, variant)


@fact
def _layer_stacks(ctx: ModuleContext) -> set[ast.ClassDef]:
    """Classes that build three or more stages with ``self._make_layer(...)``."""
    stages: Counter[ast.ClassDef] = Counter()
    for call in ctx.calls_named(*(name.removeprefix("self.") for name in MAKE_LAYER)):
        if dotted(call.func) in MAKE_LAYER:
            cls = ctx.enclosing(call, ast.ClassDef)
            if isinstance(cls, ast.ClassDef):
                stages[cls] += 1
    return {cls for cls, count in stages.items() if count >= 3}


def _stacks_residual_blocks(ctx: ModuleContext, cls: ast.ClassDef, local: dict[str, ast.ClassDef]) -> bool:
    """A ResNet under another name: stages built by ``self._make_layer`` from residual conv blocks."""
    return cls in _layer_stacks(ctx) and any(
        _is_residual_conv_block(ctx, other) for other in local.values() if other is not cls
    )


def _is_block(ctx: ModuleContext, cls: ast.ClassDef) -> bool:
    """A ResNet block with convolutions and a skip connection, or a ViT patch embedding."""
    if cls.name not in BLOCK_NAMES:
        return False
    if cls.name.startswith("PatchEmbed"):
        return any(ctx.qualname(c.func) in {CONV2D, "torch.nn.Linear"} for c in ctx.within(cls, ast.Call))
    return _is_residual_conv_block(ctx, cls)


def _bind_arguments(call: ast.Call, init: _Function | None) -> dict[str, ast.expr]:
    """The call's arguments by ``__init__`` parameter name (``self`` excluded)."""
    if init is None:
        return {}
    params = [a.arg for a in init.args.posonlyargs + init.args.args][1:]
    bound: dict[str, ast.expr] = {}
    for param, arg in zip(params, call.args, strict=False):
        if isinstance(arg, ast.Starred):
            break
        bound[param] = arg
    bound.update({kw.arg: kw.value for kw in call.keywords if kw.arg})
    return bound


def _defaults(init: _Function | None) -> dict[str, ast.expr]:
    if init is None:
        return {}
    positional = init.args.posonlyargs + init.args.args
    pairs = list(zip(positional[len(positional) - len(init.args.defaults) :], init.args.defaults, strict=False))
    pairs += [(a, d) for a, d in zip(init.args.kwonlyargs, init.args.kw_defaults, strict=False) if d is not None]
    return {a.arg: d for a, d in pairs}


def _int_tuple(node: ast.AST | None) -> tuple[int, ...] | None:
    """``(3, 4, 6, 3)`` for a list or tuple display of int literals."""
    if not isinstance(node, (ast.List, ast.Tuple)):
        return None
    values = tuple(value for e in node.elts if (value := int_value(e)) is not None)
    return values if len(values) == len(node.elts) else None


def _timm_name(backbone: _Backbone, arguments: dict[str, ast.expr]) -> tuple[str, bool]:
    """The timm model for this backbone and whether it is only the family's default (a guess)."""
    variants = BACKBONE_VARIANTS[backbone.family]
    if backbone.variant in variants and backbone.variant:
        return variants[backbone.variant], False
    if backbone.family == "ResNet":
        block = arguments.get("block")
        depths = _int_tuple(next((arguments[p] for p in ("layers", "num_blocks", "blocks") if p in arguments), None))
        if isinstance(block, ast.Name) and depths is not None and (block.id, depths) in RESNET_LAYOUTS:
            return RESNET_LAYOUTS[(block.id, depths)], False
    if backbone.family in {"ViT", "VisionTransformer"}:
        width = int_value(next((arguments[p] for p in ("embed_dim", "dim", "hidden_dim") if p in arguments), None))
        patch = int_value(arguments.get("patch_size"))
        if width is not None and patch is not None and (width, patch) in VIT_LAYOUTS:
            return VIT_LAYOUTS[(width, patch)], False
    return variants[""], True


def _instantiation(ctx: ModuleContext, cls: ast.ClassDef) -> tuple[ast.Call, ast.stmt] | None:
    """The first ``Cls(...)`` call outside the class, in a simple statement the action can rewrite."""
    for call in ctx.calls_named(cls.name):
        if not isinstance(call.func, ast.Name) or ctx.enclosing(call, ast.ClassDef) is cls:
            continue
        statement = ctx.statement_of(call)
        if isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Return, ast.Expr)):
            return call, statement
    return None


def _create_model_arguments(call: ast.Call, cls: ast.ClassDef, ctx: ModuleContext) -> tuple[str, ...]:
    """``num_classes=...`` / ``in_chans=...`` texts for ``timm.create_model``, from the call or the defaults."""
    init = _methods(cls).get("__init__")
    bound, defaults = _bind_arguments(call, init), _defaults(init)
    if has_star_kwargs(call) or any(isinstance(a, ast.Starred) for a in call.args):
        defaults = {}  # the unpacked arguments may set any parameter
    extra = []
    for params, timm_param in ((NUM_CLASSES_PARAMS, "num_classes"), (IN_CHANS_PARAMS, "in_chans")):
        param = next((p for p in params if p in bound or p in defaults), None)
        if param is None:
            continue
        text = ctx.text(bound.get(param) or defaults[param])
        if text and not (timm_param == "in_chans" and text == "3"):
            extra.append(f"{timm_param}={text}")
    return tuple(extra)


class HandwrittenBackbone(Rule):
    """A standard vision backbone (ResNet, VGG, ViT...) is written from scratch.

    Fires on `nn.Module` subclasses named like a standard backbone (ResNet, ResNeXt, DenseNet, VGG,
    MobileNet*, EfficientNet, ConvNeXt, VisionTransformer, ViT, SwinTransformer, with an optional
    depth/size suffix such as `ResNet18` or `ViT_B_16`) that build their own layers, and on classes
    that stack residual conv blocks with `_make_layer`. Building blocks (`BasicBlock`, `Bottleneck`,
    `PatchEmbed`) are reported only in a module that defines no such backbone. Classes that subclass
    or wrap a timm/torchvision model are not reported; mark a genuinely new architecture with
    `# torchlint: disable-file=TL201`.
    """

    code = "TL201"
    name = "handwritten-backbone"
    severity = Severity.INFO
    requires = ("Module",)
    message = "Use timm.create_model(...) instead of a hand-written standard backbone"
    why = """
        A hand-copied ResNet or ViT is code to maintain and test, silently diverges from the
        reference (stride placement, init, norm layers), and cannot load pretrained weights. timm
        provides every standard architecture with ImageNet weights, feature extraction
        (`features_only=True`) and a uniform `num_classes` / `in_chans` interface.
    """
    example = """
        class BasicBlock(nn.Module): ...
        class ResNet(nn.Module): ...

        model = ResNet(BasicBlock, [2, 2, 2, 2], num_classes=10)
    """
    use_instead = """
        import timm

        model = timm.create_model("resnet18", pretrained=False, num_classes=10)
    """
    action_title = "Build the backbone with timm.create_model"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        local = module_classes(ctx)
        backbones = [b for b in (_backbone(ctx, cls, local) for cls in local.values()) if b]
        for backbone in backbones:
            yield self._backbone_finding(ctx, backbone)
        if not backbones:
            for cls in local.values():
                if _is_block(ctx, cls):
                    yield self.finding(ctx, _name_node(ctx, cls), self._message(BLOCK_NAMES[cls.name], cls.name))

    def _backbone_finding(self, ctx: ModuleContext, backbone: _Backbone) -> Finding:
        site = _instantiation(ctx, backbone.cls)
        init = _methods(backbone.cls).get("__init__")
        arguments = _bind_arguments(site[0], init) if site else {}
        timm_name, guessed = _timm_name(backbone, arguments)
        node = _name_node(ctx, backbone.cls)
        message = self._message(timm_name, backbone.cls.name)
        if site is None:
            return self.finding(ctx, node, message)
        call, statement = site
        plan = _CreateModelPlan(
            backbone.cls.name, timm_name, guessed, _create_model_arguments(call, backbone.cls, ctx)
        )
        return self.finding(ctx, node, message, action=self.action_at(ctx, statement, plan))

    def _message(self, timm_name: str, class_name: str) -> str:
        return (
            f'Use timm.create_model("{timm_name}", pretrained=False, num_classes=...) instead of the '
            f"hand-written {class_name} (mark a new architecture with `# torchlint: disable-file=TL201`)"
        )

    def action(self, node: cst.CSTNode, action: Action, ctx: FixContext) -> cst.CSTNode:
        import libcst as cst

        plan = action.plan_as(_CreateModelPlan)
        arguments = ", ".join([f'"{plan.timm_name}"', "pretrained=False", *plan.arguments])
        replacement = cst.parse_expression(f"timm.create_model({arguments})")

        class ReplaceInstantiation(cst.CSTTransformer):
            done = False

            def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
                if not self.done and isinstance(original.func, cst.Name) and original.func.value == plan.class_name:
                    self.done = True
                    return replacement
                return updated

        ctx.add_import("timm")
        if plan.guessed:
            family = re.split(r"[^a-z]", plan.timm_name, maxsplit=1)[0]
            comment = (
                f'# "{plan.timm_name}" stands in for the hand-written {plan.class_name}: pick the variant '
                f'that matches it from timm.list_models("{family}*").'
            )
        else:
            comment = (
                f'# timm\'s "{plan.timm_name}" replaces the hand-written {plan.class_name}; '
                "pretrained=True loads ImageNet weights."
            )
        assert isinstance(node, cst.SimpleStatementLine)
        updated = node.visit(ReplaceInstantiation())
        assert isinstance(updated, cst.SimpleStatementLine)
        return updated.with_changes(leading_lines=[*node.leading_lines, cst.EmptyLine(comment=cst.Comment(comment))])
