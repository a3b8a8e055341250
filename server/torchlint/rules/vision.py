"""Computer vision: backbones, transforms and augmentation (TL201-TL204)."""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from ..context import FUNCTION_TYPES, ModuleContext, dotted, has_star_kwargs, is_constant, keyword
from ..model import Applicability, Finding, Severity
from ..rule import Rule
from .vision_models import (
    BACKBONE_VARIANTS,
    RESNET_LAYOUTS,
    TIMM_MODELS,
    TORCHVISION_CLASSIFIERS,
    TORCHVISION_NON_CLASSIFIER_MODULES,
    TORCHVISION_TO_TIMM,
    VIT_LAYOUTS,
)

V1 = "torchvision.transforms"
V2 = "torchvision.transforms.v2"

#: Public names of `torchvision.transforms.v2` (torchvision 0.29). `ToTensor` is there too,
#: deprecated but with v1's behaviour, so a v1 pipeline that uses it can still move to v2.
V2_TRANSFORMS = frozenset(
    """
    AugMix AutoAugment AutoAugmentPolicy CenterCrop ClampBoundingBoxes ClampKeyPoints ColorJitter
    Compose ConvertBoundingBoxFormat ConvertImageDtype CutMix ElasticTransform FiveCrop GaussianBlur
    GaussianNoise Grayscale Identity InterpolationMode JPEG Lambda LinearTransformation MixUp
    Normalize PILToTensor Pad RGB RandAugment RandomAdjustSharpness RandomAffine RandomApply
    RandomAutocontrast RandomChannelPermutation RandomChoice RandomCrop RandomEqualize
    RandomErasing RandomGrayscale RandomHorizontalFlip RandomInvert RandomIoUCrop RandomOrder
    RandomPerspective RandomPhotometricDistort RandomPosterize RandomResize RandomResizedCrop
    RandomRotation RandomShortestSize RandomSolarize RandomVerticalFlip RandomZoomOut Resize
    SanitizeBoundingBoxes SanitizeKeyPoints ScaleJitter SetClampingMode TenCrop ToDtype ToImage
    ToPILImage ToPureTensor ToTensor Transform TrivialAugmentWide UniformTemporalSubsample
    check_type functional get_bounding_boxes get_keypoints has_all has_any query_chw query_size
    """.split()
)

#: The public functions of v1's `torchvision.transforms.functional`; every one of them is also in
#: `torchvision.transforms.v2.functional`.
V2_FUNCTIONAL = frozenset(
    """
    InterpolationMode adjust_brightness adjust_contrast adjust_gamma adjust_hue adjust_saturation
    adjust_sharpness affine autocontrast center_crop convert_image_dtype crop elastic_transform
    equalize erase five_crop gaussian_blur get_dimensions get_image_num_channels get_image_size
    hflip invert normalize pad perspective pil_to_tensor posterize resize resized_crop rgb_to_grayscale
    rotate solarize ten_crop to_grayscale to_pil_image to_tensor vflip
    """.split()
)

#: Enums that v1 and v2 share (v2 re-exports them): importing them is not legacy.
SHARED_ENUMS = frozenset({"InterpolationMode", "AutoAugmentPolicy"})
_V1_MODULES = {V1: V2, f"{V1}.functional": f"{V2}.functional"}
_V1_MEMBERS = {V1: V2_TRANSFORMS, f"{V1}.functional": V2_FUNCTIONAL}

NN_MODULE = {"torch.nn.Module", "torch.nn.modules.module.Module"}
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


def _under(name: str | None, prefixes: tuple[str, ...] | str) -> bool:
    """``name`` is one of ``prefixes`` or inside one (``timm.models`` is under ``timm``)."""
    if not name:
        return False
    prefixes = (prefixes,) if isinstance(prefixes, str) else prefixes
    return any(name == p or name.startswith(p + ".") for p in prefixes)


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


def _methods(cls: ast.ClassDef) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    return {f.name: f for f in cls.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))}


# -- TL201 ------------------------------------------------------------------------------------

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


@dataclass(frozen=True)
class _Backbone:
    cls: ast.ClassDef
    family: str
    variant: str  # the suffix after the family name, lower case without underscores


def _module_classes(ctx: ModuleContext) -> dict[str, ast.ClassDef]:
    """Classes of this module that derive from ``nn.Module`` (directly or through each other)."""

    def compute() -> dict[str, ast.ClassDef]:
        found: dict[str, ast.ClassDef] = {}
        for cls in ctx.nodes(ast.ClassDef):
            if any(ctx.qualname(b) in NN_MODULE or (isinstance(b, ast.Name) and b.id in found) for b in cls.bases):
                found.setdefault(cls.name, cls)
        return found

    return ctx.memo("vision.module_classes", compute)


def _conv_factories(ctx: ModuleContext) -> set[str]:
    """Functions that return an ``nn.Conv2d`` (torchvision's ``conv3x3``)."""

    def compute() -> set[str]:
        return {
            function.name
            for call in ctx.calls(CONV2D)
            if isinstance(node := ctx.parent(call), ast.Return)
            if isinstance(function := ctx.enclosing(node, FUNCTION_TYPES), (ast.FunctionDef, ast.AsyncFunctionDef))
        }

    return ctx.memo("vision.conv_factories", compute)


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


def _batchnorm_classes(ctx: ModuleContext) -> set[ast.ClassDef]:
    """Classes with a name or attribute inside them that resolves to ``nn.BatchNorm2d``."""

    def compute() -> set[ast.ClassDef]:
        mentions = [n for n in ctx.attributes("BatchNorm2d") if ctx.qualname(n) == BATCHNORM2D]
        mentions += [n for local, name in ctx.imports.items() if name == BATCHNORM2D for n in ctx.names(local)]
        return {a for n in mentions for a in ctx.ancestors(n) if isinstance(a, ast.ClassDef)}

    return ctx.memo("vision.batchnorm_classes", compute)


def _adds_skip_connection(ctx: ModuleContext, forward: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
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
    if name == "timm.create_model" or (_under(name, "timm.models") and name.rpartition(".")[2] in TIMM_MODELS):
        return True
    return _under(name, MODEL_FACTORIES)


def _wraps_or_subclasses_library_model(ctx: ModuleContext, cls: ast.ClassDef) -> bool:
    return any(_under(ctx.qualname(b), MODEL_LIBRARIES) for b in cls.bases) or any(
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


def _layer_stacks(ctx: ModuleContext) -> set[ast.ClassDef]:
    """Classes that build three or more stages with ``self._make_layer(...)``."""

    def compute() -> set[ast.ClassDef]:
        stages: Counter[ast.ClassDef] = Counter()
        for call in ctx.calls_named(*(name.removeprefix("self.") for name in MAKE_LAYER)):
            if dotted(call.func) in MAKE_LAYER:
                cls = ctx.enclosing(call, ast.ClassDef)
                if cls is not None:
                    stages[cls] += 1
        return {cls for cls, count in stages.items() if count >= 3}

    return ctx.memo("vision.layer_stacks", compute)


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


def _bind_arguments(call: ast.Call, init: ast.FunctionDef | None) -> dict[str, ast.expr]:
    """The call's arguments by ``__init__`` parameter name (``self`` excluded)."""
    if init is None:
        return {}
    params = [a.arg for a in init.args.posonlyargs + init.args.args][1:]
    bound: dict[str, ast.expr] = {}
    for param, arg in zip(params, call.args):
        if isinstance(arg, ast.Starred):
            break
        bound[param] = arg
    bound.update({kw.arg: kw.value for kw in call.keywords if kw.arg})
    return bound


def _defaults(init: ast.FunctionDef | None) -> dict[str, ast.expr]:
    if init is None:
        return {}
    positional = init.args.posonlyargs + init.args.args
    pairs = list(zip(positional[len(positional) - len(init.args.defaults) :], init.args.defaults))
    pairs += [(a, d) for a, d in zip(init.args.kwonlyargs, init.args.kw_defaults) if d is not None]
    return {a.arg: d for a, d in pairs}


def _int_tuple(node: ast.AST | None) -> tuple[int, ...] | None:
    if isinstance(node, (ast.List, ast.Tuple)) and all(is_constant(e, int) for e in node.elts):
        return tuple(e.value for e in node.elts)  # type: ignore[attr-defined]
    return None


def _timm_name(backbone: _Backbone, arguments: dict[str, ast.expr]) -> tuple[str, bool]:
    """The timm model for this backbone and whether it is only the family's default (a guess)."""
    variants = BACKBONE_VARIANTS[backbone.family]
    if backbone.variant in variants and backbone.variant:
        return variants[backbone.variant], False
    if backbone.family == "ResNet":
        block = arguments.get("block")
        depths = _int_tuple(next((arguments[p] for p in ("layers", "num_blocks", "blocks") if p in arguments), None))
        if isinstance(block, ast.Name) and (block.id, depths) in RESNET_LAYOUTS:
            return RESNET_LAYOUTS[(block.id, depths)], False  # type: ignore[index]
    if backbone.family in {"ViT", "VisionTransformer"}:
        width = next((arguments[p] for p in ("embed_dim", "dim", "hidden_dim") if p in arguments), None)
        patch = arguments.get("patch_size")
        if is_constant(width, int) and is_constant(patch, int):
            layout = (width.value, patch.value)  # type: ignore[union-attr]
            if layout in VIT_LAYOUTS:
                return VIT_LAYOUTS[layout], False
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
    bound, defaults = _bind_arguments(call, init), _defaults(init)  # type: ignore[arg-type]
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
        local = _module_classes(ctx)
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
        arguments = _bind_arguments(site[0], init) if site else {}  # type: ignore[arg-type]
        timm_name, guessed = _timm_name(backbone, arguments)
        node = _name_node(ctx, backbone.cls)
        message = self._message(timm_name, backbone.cls.name)
        if site is None:
            return self.finding(ctx, node, message)
        call, statement = site
        data = (backbone.cls.name, timm_name, guessed, *_create_model_arguments(call, backbone.cls, ctx))
        return self.finding(ctx, node, message, action=True, action_target=statement, action_data=data)

    def _message(self, timm_name: str, class_name: str) -> str:
        return (
            f'Use timm.create_model("{timm_name}", pretrained=False, num_classes=...) instead of the '
            f"hand-written {class_name} (mark a new architecture with `# torchlint: disable-file=TL201`)"
        )

    def action(self, node, action, ctx):
        import libcst as cst

        class_name, timm_name, guessed, *extra = action.data
        arguments = ", ".join([f'"{timm_name}"', "pretrained=False", *extra])
        replacement = cst.parse_expression(f"timm.create_model({arguments})")

        class ReplaceInstantiation(cst.CSTTransformer):
            done = False

            def leave_Call(self, original, updated):
                if not self.done and isinstance(original.func, cst.Name) and original.func.value == class_name:
                    self.done = True
                    return replacement
                return updated

        ctx.add_import("timm")
        if guessed:
            family = re.match(r"[a-z]+", timm_name).group(0)  # type: ignore[union-attr]
            comment = (
                f'# "{timm_name}" stands in for the hand-written {class_name}: pick the variant that '
                f'matches it from timm.list_models("{family}*").'
            )
        else:
            comment = (
                f'# timm\'s "{timm_name}" replaces the hand-written {class_name}; '
                "pretrained=True loads ImageNet weights."
            )
        updated = node.visit(ReplaceInstantiation())
        return updated.with_changes(leading_lines=[*node.leading_lines, cst.EmptyLine(comment=cst.Comment(comment))])


# -- TL202 ------------------------------------------------------------------------------------

#: `nn.Module` API that any backbone has: using only these on the model keeps a timm model a drop-in.
MODULE_API = frozenset(
    """
    to cuda cpu eval train parameters named_parameters buffers named_buffers state_dict
    load_state_dict forward zero_grad requires_grad_ half float double bfloat16 apply modules
    named_modules register_forward_hook __call__
    """.split()
)
#: Uses of a torchvision model as a frozen feature extractor, where timm is no drop-in replacement.
FEATURE_EXTRACTOR_ATTRIBUTES = {"features", "children", "named_children"}
PRETRAINED_WEIGHTS = {"DEFAULT", "IMAGENET1K_V1", "IMAGENET1K_V2"}
TORCHVISION_KEYWORDS = {"weights", "pretrained", "num_classes", "progress"}


def _torchvision_classifier(name: str | None) -> str | None:
    """``resnet50`` for ``torchvision.models.resnet50`` or ``torchvision.models.resnet.resnet50``."""
    if not _under(name, "torchvision.models"):
        return None
    parts = name.split(".")  # type: ignore[union-attr]
    if len(parts) == 3 or (len(parts) == 4 and parts[2] not in TORCHVISION_NON_CLASSIFIER_MODULES):
        return parts[-1] if parts[-1] in TORCHVISION_CLASSIFIERS else None
    return None


def _attribute_uses(ctx: ModuleContext, name: str) -> set[str]:
    """The attributes read from the dotted ``name`` anywhere in the module."""

    def compute() -> set[str]:
        last = name.rpartition(".")[2]
        spelled = ctx.names(name) if last == name else [n for n in ctx.attributes(last) if dotted(n) == name]
        return {
            parent.attr
            for node in spelled
            if isinstance(parent := ctx.parent(node), ast.Attribute) and parent.value is node
        }

    return ctx.memo(f"vision.attribute_uses:{name}", compute)


def _identity_heads(ctx: ModuleContext) -> set[str]:
    """Models whose head is cut off: ``model`` in ``model.fc = nn.Identity()``."""

    def compute() -> set[str]:
        return {
            base
            for call in ctx.calls("torch.nn.Identity")
            if isinstance(assign := ctx.parent(call), ast.Assign)
            for target in assign.targets
            if isinstance(target, ast.Attribute) and (base := dotted(target.value))
        }

    return ctx.memo("vision.identity_heads", compute)


def _assigned_name(ctx: ModuleContext, value: ast.AST) -> str | None:
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


def _imports_to_drop(ctx: ModuleContext, call: ast.Call) -> tuple[tuple[str, str | None, str | None], ...]:
    """``(module, name, alias)`` of the imports only the torchvision call may have used."""
    roots = [call.func]
    weights = keyword(call, "weights")
    if weights is not None and isinstance(weights.value, ast.Attribute):
        roots.append(weights.value.value)
    dropped = []
    for node in roots:
        while isinstance(node, ast.Attribute):
            node = node.value
        qualname = ctx.qualname(node) if isinstance(node, ast.Name) else None
        if qualname is None:
            continue
        module, _, name = qualname.rpartition(".")
        local = node.id  # type: ignore[attr-defined]
        if module and ctx.imports.get(local) == qualname and _imported_from(ctx, local):
            dropped.append((module, name, None if local == name else local))
        else:
            dropped.append((qualname, None, None if local == qualname else local))
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
            if self._feature_extractor(ctx, call):
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
            fixable = pretrained is not None and self._drop_in(ctx, call)
            data = (timm_name, pretrained, _imports_to_drop(ctx, call)) if fixable else ()
            yield self.finding(ctx, call, message, fix=fixable, fix_data=data)

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
        return bool(name) and (
            bool(_attribute_uses(ctx, name) & FEATURE_EXTRACTOR_ATTRIBUTES)
            or name in _identity_heads(ctx)
        )

    @staticmethod
    def _drop_in(ctx: ModuleContext, call: ast.Call) -> bool:
        """Only arguments timm takes, and the model used only through the `nn.Module` API."""
        if call.args or has_star_kwargs(call) or any(kw.arg not in TORCHVISION_KEYWORDS for kw in call.keywords):
            return False
        name = _assigned_name(ctx, call)
        return not name or _attribute_uses(ctx, name) <= MODULE_API

    def fix(self, node, fix, ctx):
        import libcst as cst

        timm_name, pretrained, dropped = fix.data
        for module, name, alias in dropped:
            ctx.remove_unused_import(module, name, alias)
        ctx.add_import("timm")
        by_keyword = {arg.keyword.value: arg for arg in node.args if arg.keyword}
        flag = by_keyword.get("pretrained") or by_keyword.get("weights")
        if flag is None:
            flag = cst.Arg(value=cst.Name(pretrained), keyword=cst.Name("pretrained"), equal=_no_space_equal())
        elif flag.keyword.value == "weights":
            flag = flag.with_changes(keyword=cst.Name("pretrained"), value=cst.Name(pretrained))
        first_comma = node.args[0].comma if node.args and isinstance(node.args[0].comma, cst.Comma) else None
        args = [
            cst.Arg(value=cst.SimpleString(f'"{timm_name}"'), comma=first_comma or _space_comma()),
            flag,
            *([by_keyword["num_classes"]] if "num_classes" in by_keyword else []),
        ]
        last_comma = node.args[-1].comma if node.args else cst.MaybeSentinel.DEFAULT
        args = [
            arg.with_changes(comma=last_comma if i == len(args) - 1 else _comma(arg, first_comma))
            for i, arg in enumerate(args)
        ]
        return node.with_changes(func=cst.parse_expression("timm.create_model"), args=args)


def _no_space_equal():
    import libcst as cst

    return cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


def _space_comma():
    import libcst as cst

    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _comma(arg, fallback):
    """The comma after ``arg`` when it is not last: its own, else one like the call's first."""
    import libcst as cst

    return arg.comma if isinstance(arg.comma, cst.Comma) else fallback or _space_comma()


# -- TL203 ------------------------------------------------------------------------------------


def _is_v2(path: str) -> bool:
    return _under(path, V2)


def _v2_path(path: str) -> str | None:
    """The v2 location of a v1 module or member (``torchvision.transforms.Resize``), if it has one."""
    if path in _V1_MODULES:
        return _V1_MODULES[path]
    module, _, member = path.rpartition(".")
    if member in _V1_MEMBERS.get(module, ()):
        return f"{_V1_MODULES[module]}.{member}"
    return None


def _use_path(ctx: ModuleContext, node: ast.AST, path: str) -> tuple[str, ast.AST]:
    """The dotted path reached from ``node`` (bound to ``path``) through attributes, stopping at
    the first member that is not a transforms module, with the node that reaches it."""
    while path in _V1_MODULES:
        parent = ctx.parent(node)
        if not (isinstance(parent, ast.Attribute) and parent.value is node):
            break
        path, node = f"{path}.{parent.attr}", parent
    return path, node


@dataclass(frozen=True)
class _Uses:
    """How a binding of a v1 transforms module is used."""

    paths: tuple[str, ...]

    @property
    def legacy(self) -> bool:
        """Imported for nothing, or used for something other than v2 or the shared enums."""
        return not self.paths or any(not (_is_v2(p) or p.rpartition(".")[2] in SHARED_ENUMS) for p in self.paths)

    @property
    def fixable(self) -> bool:
        """Every use names a member that v2 has (a bare module use cannot be judged)."""
        return all(p not in _V1_MODULES and not _is_v2(p) and _v2_path(p) for p in self.paths)


def _module_uses(ctx: ModuleContext, local: str, path: str) -> _Uses:
    loads = [name for name in ctx.names(local) if isinstance(name.ctx, ast.Load)]
    return _Uses(tuple(_use_path(ctx, name, path)[0] for name in loads))


def _full_path_uses(ctx: ModuleContext) -> list[tuple[str, ast.AST, ast.Attribute]]:
    """``torchvision.transforms.X`` written out: (path, node reaching X, the ``torchvision.transforms`` node)."""

    def compute() -> list[tuple[str, ast.AST, ast.Attribute]]:
        uses = []
        for node in ctx.attributes("transforms"):
            if not isinstance(node.value, ast.Name):
                continue
            if ctx.qualname(node.value) == "torchvision":
                path, end = _use_path(ctx, node, V1)
                uses.append((path, end, node))
        return uses

    return ctx.memo("vision.full_path_transforms", compute)


def _is_legacy_module(path: str) -> bool:
    return _under(path, V1) and not _is_v2(path)


class LegacyTransforms(Rule):
    """`torchvision.transforms` (v1) is used instead of `torchvision.transforms.v2`.

    Reported at each import that brings v1 transforms in and at each use written through the full
    dotted path (`torchvision.transforms.Resize(...)`). Importing only the enums both versions share
    (`InterpolationMode`, `AutoAugmentPolicy`) is not reported. The fix rewrites the import to v2,
    keeping the local names, only where every name used exists in v2.
    """

    code = "TL203"
    name = "legacy-transforms"
    severity = Severity.WARNING
    requires = ("torchvision",)
    message = "Import transforms from torchvision.transforms.v2 instead of the legacy torchvision.transforms"
    why = """
        torchvision.transforms.v2 is a drop-in superset of v1 that is faster on tensors, transforms
        bounding boxes, masks and videos together with the image (tv_tensors), and adds CutMix,
        MixUp and new augmentations; v1 only receives bug fixes. `v2.ToTensor` still exists but is
        deprecated: replace it with `v2.ToImage(), v2.ToDtype(torch.float32, scale=True)`.
    """
    example = """
        import torchvision.transforms as T

        train_tf = T.Compose([T.RandomResizedCrop(224), T.RandomHorizontalFlip(), T.ToTensor()])
    """
    use_instead = """
        import torchvision.transforms.v2 as T

        train_tf = T.Compose([T.RandomResizedCrop(224), T.RandomHorizontalFlip(), T.ToTensor()])
    """
    fix_applicability = Applicability.UNSAFE
    fix_title = "Use torchvision.transforms.v2"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        full_path = _full_path_uses(ctx)
        full_uses = _Uses(tuple(path for path, _, _ in full_path))
        for node in ctx.nodes(ast.Import, ast.ImportFrom):
            finding = self._check_import(ctx, node, full_uses)
            if finding:
                yield finding
        for path, end, base in full_path:
            if _Uses((path,)).legacy:
                fixable = _Uses((path,)).fixable
                yield self.finding(ctx, end, fix=fixable, fix_target=base, fix_node="Attribute")

    def _check_import(self, ctx: ModuleContext, node: ast.Import | ast.ImportFrom, full_uses: _Uses) -> Finding | None:
        if isinstance(node, ast.Import):
            return self._check_plain_import(ctx, node, full_uses)
        if node.module == "torchvision" and not node.level:
            return self._check_package_import(ctx, node)
        if node.module and _is_legacy_module(node.module) and not node.level:
            return self._check_member_import(ctx, node)
        return None

    def _check_plain_import(self, ctx: ModuleContext, node: ast.Import, full_uses: _Uses) -> Finding | None:
        """``import torchvision.transforms as T`` / ``import torchvision.transforms``."""
        renames, legacy, fixable = [], False, True
        for alias in node.names:
            if not _is_legacy_module(alias.name):
                continue
            uses = _module_uses(ctx, alias.asname, alias.name) if alias.asname else full_uses
            legacy |= uses.legacy
            target = _v2_path(alias.name)
            fixable &= bool(target) and uses.fixable
            renames.append((alias.name, target))
        if not legacy:
            return None
        return self.finding(ctx, node, fix=fixable, fix_node="Import", fix_data=tuple(renames))

    def _check_package_import(self, ctx: ModuleContext, node: ast.ImportFrom) -> Finding | None:
        """``from torchvision import transforms [as T]`` (maybe among other names)."""
        alias = next((a for a in node.names if a.name == "transforms"), None)
        if alias is None:
            return None
        local = alias.asname or alias.name
        uses = _module_uses(ctx, local, V1)
        if not uses.legacy:
            return None
        return self.finding(ctx, node, fix=uses.fixable, fix_node="SimpleStatementLine", fix_data=(local,))

    def _check_member_import(self, ctx: ModuleContext, node: ast.ImportFrom) -> Finding | None:
        """``from torchvision.transforms import Compose, functional as F``."""
        module = node.module or ""
        legacy, fixable = False, module in _V1_MODULES
        for alias in node.names:
            path = f"{module}.{alias.name}"
            if _is_v2(path):
                continue
            if alias.name == "*":
                legacy, fixable = True, False
            elif path in _V1_MODULES:
                uses = _module_uses(ctx, alias.asname or alias.name, path)
                legacy |= uses.legacy
                fixable &= uses.fixable
            else:
                legacy |= alias.name not in SHARED_ENUMS
                fixable &= _v2_path(path) is not None
        if not legacy:
            return None
        return self.finding(ctx, node, fix=fixable, fix_node="ImportFrom", fix_data=(_V1_MODULES.get(module),))

    def fix(self, node, fix, ctx):
        import libcst as cst

        if isinstance(node, cst.Attribute):  # torchvision.transforms -> torchvision.transforms.v2
            return cst.Attribute(value=node, attr=cst.Name("v2"))
        if isinstance(node, cst.Import):
            renames = dict(fix.data)
            names = [
                a.with_changes(name=_dotted_cst(renames[code])) if (code := ctx.code(a.name)) in renames else a
                for a in node.names
            ]
            return node.with_changes(names=names)
        if isinstance(node, cst.ImportFrom):
            return node.with_changes(module=_dotted_cst(fix.data[0]))
        return _split_package_import(node, fix.data[0])


def _dotted_cst(name: str):
    import libcst as cst

    return cst.parse_expression(name)


def _split_package_import(line, local: str):
    """``from torchvision import datasets, transforms`` -> that import without ``transforms``,
    followed by ``from torchvision.transforms import v2 as transforms``."""
    import libcst as cst

    statement = line.body[0]
    v2_import = cst.parse_statement(f"from torchvision.transforms import v2 as {local}\n")
    kept = [a for a in statement.names if _local_name(a) != local]
    if not kept:
        return v2_import.with_changes(leading_lines=line.leading_lines, trailing_whitespace=line.trailing_whitespace)
    kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return cst.FlattenSentinel([line.with_changes(body=[statement.with_changes(names=kept)]), v2_import])


def _local_name(alias) -> str:
    """The name an ``ImportAlias`` of a ``from`` import binds."""
    return alias.asname.name.value if alias.asname else alias.name.value


# -- TL204 ------------------------------------------------------------------------------------

FLIP_FUNCTIONS = {"numpy.flip", "numpy.fliplr", "numpy.flipud", "numpy.rot90"}
RANDOM_MODULES = ("random", "numpy.random")
TORCH_RANDOM = {"torch.rand", "torch.randint", "torch.randn", "torch.rand_like", "torch.randperm", "torch.bernoulli"}
RANDOM_METHODS = {"random", "rand", "uniform", "randint", "integers", "choice", "randn", "binomial", "random_sample"}
DATASET_BASES = {"torch.utils.data.Dataset", "torch.utils.data.IterableDataset", "torch.utils.data.dataset.Dataset"}
AUGMENTATION_NAME = re.compile(r"augment|transform|flip|rotat|^random|(^|_)aug(_|$)", re.IGNORECASE)
ENTRY_METHODS = {"__getitem__", "__getitems__"}
ARRAY_METHODS = {"copy", "astype", "squeeze", "transpose", "numpy", "reshape"}
#: Names of one image (a plural such as `images` or `frames` is more likely a list or a clip,
#: where `[::-1]` reverses the order rather than flipping).
IMAGE_WORDS = {
    "img", "image", "im", "pic", "picture", "photo", "frame", "patch", "crop", "mask", "seg", "depth",
    "rgb", "bgr", "gray", "grey",
}
NON_IMAGE_WORDS = {
    "reward", "rewards", "return", "returns", "shape", "shapes", "size", "sizes", "dims", "seq",
    "sequence", "tokens", "token", "ids", "text", "audio", "wav", "wave", "waveform", "signal",
    "spec", "spectrogram", "mel", "action", "actions", "values", "advantages", "dones", "traj",
    "trajectory", "history", "indices", "idx", "order", "keys", "labels", "label", "boxes", "points",
}

HORIZONTAL, VERTICAL, ROTATE_180 = "horizontal", "vertical", "rotate180"


@dataclass(frozen=True)
class _Flip:
    node: ast.AST
    kind: str  # HORIZONTAL, VERTICAL, ROTATE_180, or "rot90:<k>" ("rot90:" for a random k)
    probability: str
    operation: str  # as the user wrote it, for messages
    function: ast.FunctionDef | ast.AsyncFunctionDef
    where: str
    top: ast.stmt  # the module-level statement around it
    array: str | None  # the flipped array's name


#: The v2 transform named in the message (rotations, 180-degree flips included, are RandomRotation).
TRANSFORM_NAMES = {HORIZONTAL: "RandomHorizontalFlip", VERTICAL: "RandomVerticalFlip"}


def _is_number(text: str) -> bool:
    return re.fullmatch(r"\d*\.?\d+(e-?\d+)?", text) is not None


def _transform_code(flip: _Flip) -> str:
    """The v2 transform that draws the same flip with the same probability.

    A probability that is not a literal (``self.p``) is not in scope at module level: the
    pipeline then uses 0.5 and the action's comment says which value to put instead.
    """
    p = flip.probability if _is_number(flip.probability) else "0.5"
    if flip.kind == HORIZONTAL:
        return f"v2.RandomHorizontalFlip(p={p})"
    if flip.kind == VERTICAL:
        return f"v2.RandomVerticalFlip(p={p})"
    if flip.kind == ROTATE_180:
        return f"v2.RandomApply([v2.RandomRotation(degrees=(180, 180))], p={p})"
    k = flip.kind.partition(":")[2]
    if not k:
        return "v2.RandomChoice([v2.RandomRotation(degrees=(a, a), expand=True) for a in (0, 90, 180, 270)])"
    angle = int(k) * 90 % 360
    return f"v2.RandomApply([v2.RandomRotation(degrees=({angle}, {angle}), expand=True)], p={p})"


def _words(name: str | None) -> set[str]:
    if not name:
        return set()
    spaced = re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
    return {w.rstrip("0123456789") for w in spaced.split("_") if w}


def _array_name(node: ast.AST) -> str | None:
    """The name an array expression is known by: ``img``, ``self.images[i]`` -> images, ``sample["image"]``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):
        if is_constant(node.slice, str):
            return node.slice.value  # type: ignore[attr-defined]
        return _array_name(node.value)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ARRAY_METHODS:
        return _array_name(node.func.value)
    return None


def _image_like(node: ast.AST, at_least_2d: bool) -> bool:
    """An image array: named like one, or (when the operation needs 2-D) not named like anything else."""
    words = _words(_array_name(node))
    if words & NON_IMAGE_WORDS:
        return False
    return bool(words & IMAGE_WORDS) or (at_least_2d and bool(words))


def _is_reversal(node: ast.AST) -> bool:
    """``::-1``."""
    if not isinstance(node, ast.Slice) or node.lower or node.upper or node.step is None:
        return False
    step = node.step
    if isinstance(step, ast.UnaryOp) and isinstance(step.op, ast.USub):
        return is_constant(step.operand, int) and step.operand.value == 1  # type: ignore[attr-defined]
    return is_constant(step, int) and step.value == -1  # type: ignore[attr-defined]


def _axis(call: ast.Call, position: int, name: str) -> ast.expr | None:
    kw = keyword(call, name)
    if kw is not None:
        return kw.value
    return call.args[position] if len(call.args) > position else None


def _flip_kind(ctx: ModuleContext, node: ast.AST) -> tuple[str, ast.AST, bool, str] | None:
    """(kind, the flipped array, whether the operation needs a 2-D array, its text) for a flip."""
    if isinstance(node, ast.Call):
        name = ctx.qualname(node.func)
        if name not in FLIP_FUNCTIONS or not node.args:
            return None
        array, operation = node.args[0], f"np.{name.rpartition('.')[2]}"  # type: ignore[union-attr]
        if name == "numpy.fliplr":
            return HORIZONTAL, array, True, operation
        if name == "numpy.flipud":
            return VERTICAL, array, False, operation
        if name == "numpy.rot90":
            k = _axis(node, 1, "k")
            fixed = "1" if k is None else str(k.value) if is_constant(k, int) else ""  # type: ignore[union-attr]
            return f"rot90:{fixed}", array, True, operation
        axis = _axis(node, 1, "axis")
        if axis is None:
            return ROTATE_180, array, True, operation
        if not is_constant(axis, int):
            return None
        if axis.value == 0:  # type: ignore[union-attr]
            return VERTICAL, array, False, operation
        return HORIZONTAL, array, True, operation
    if isinstance(node, ast.Subscript):
        index = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        position = next((i for i, part in enumerate(index) if _is_reversal(part)), None)
        if position is None or position > 1 or any(isinstance(p, ast.Constant) and p.value is Ellipsis for p in index):
            return None
        kind = VERTICAL if position == 0 else HORIZONTAL
        return kind, node.value, len(index) > 1, f"[{', '.join([':'] * position + ['::-1'])}] slice"
    return None


def _augmentation_scope(ctx: ModuleContext, node: ast.AST) -> tuple[ast.FunctionDef, str] | None:
    """The function around ``node`` if it is dataset or transform code, with a name for it."""
    function = ctx.enclosing(node, FUNCTION_TYPES)
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    owner = ctx.parent(function)
    if isinstance(owner, ast.ClassDef):
        where = f"{owner.name}.{function.name}"
        if function.name in ENTRY_METHODS or _is_dataset(ctx, owner) or AUGMENTATION_NAME.search(owner.name):
            return function, where
    if AUGMENTATION_NAME.search(function.name):
        return function, function.name
    return None


def _is_dataset(ctx: ModuleContext, cls: ast.ClassDef) -> bool:
    return cls.name.lower().endswith("dataset") or any(
        ctx.qualname(b) in DATASET_BASES or (dotted(b) or "").lower().endswith("dataset") for b in cls.bases
    )


def _is_random_call(ctx: ModuleContext, call: ast.Call) -> bool:
    name = ctx.qualname(call.func)
    if _under(name, RANDOM_MODULES) or name in TORCH_RANDOM:
        return True
    return isinstance(call.func, ast.Attribute) and call.func.attr in RANDOM_METHODS


def _random_draws(ctx: ModuleContext, function: ast.AST) -> dict[str, ast.expr]:
    """Names assigned from a random draw in ``function``, with the value (``flip = random.random() < 0.5``)."""

    def compute() -> dict[str, ast.expr]:
        assigns = [
            node
            for node in ctx.within(function, ast.Assign)
            if any(_is_random_call(ctx, c) for c in ctx.within(node.value, ast.Call))
        ]
        # Of two draws into one name, the one ``ast.walk`` meets last wins: the more deeply nested.
        assigns.sort(key=lambda node: sum(1 for _ in ctx.ancestors(node)))
        return {t.id: node.value for node in assigns for t in node.targets if isinstance(t, ast.Name)}

    return ctx.memo(f"vision.random_draws.{id(function)}", compute)


def _is_random(ctx: ModuleContext, expr: ast.AST, function: ast.AST) -> bool:
    drawn = _random_draws(ctx, function)
    if any(_is_random_call(ctx, c) for c in ctx.within(expr, ast.Call)):
        return True
    return any(n.id in drawn for n in ctx.within(expr, ast.Name))


def _probability(ctx: ModuleContext, test: ast.AST, negated: bool, function: ast.AST, follow: bool = True) -> str:
    """The chance that ``test`` holds: ``p`` in ``random.random() < p``, also through a name
    assigned from such a draw (0.5 when unclear)."""
    drawn = _random_draws(ctx, function)
    for node in ast.walk(test):
        if follow and isinstance(node, ast.Name) and node.id in drawn:
            return _probability(ctx, drawn[node.id], negated, function, follow=False)
        if not (isinstance(node, ast.Compare) and len(node.ops) == 1):
            continue
        left, right, op = node.left, node.comparators[0], node.ops[0]
        if not isinstance(op, (ast.Lt, ast.LtE, ast.Gt, ast.GtE)):
            continue
        if isinstance(left, ast.Call) and _is_random_call(ctx, left):
            bound, below = right, isinstance(op, (ast.Lt, ast.LtE))
        elif isinstance(right, ast.Call) and _is_random_call(ctx, right):
            bound, below = left, isinstance(op, (ast.Gt, ast.GtE))
        else:
            continue
        return _complement(ctx, bound) if below == negated else ctx.text(bound)
    return "0.5"


def _complement(ctx: ModuleContext, bound: ast.AST) -> str:
    if is_constant(bound, (int, float)):
        return f"{1 - bound.value:g}"  # type: ignore[attr-defined]
    return f"1 - {ctx.text(bound)}"


def _decision(ctx: ModuleContext, node: ast.AST, function: ast.AST) -> str | None:
    """The probability of the random choice ``node`` runs under (``None``: it is not random)."""
    child = node
    for ancestor in ctx.ancestors(node):
        if ancestor is function:
            break
        if isinstance(ancestor, (ast.If, ast.IfExp)) and child is not ancestor.test:
            if _is_random(ctx, ancestor.test, function):
                negated = child in ancestor.orelse if isinstance(ancestor, ast.If) else child is ancestor.orelse
                return _probability(ctx, ancestor.test, negated, function)
        child = ancestor
    if isinstance(node, ast.Call) and any(_is_random(ctx, a, function) for a in [*node.args[1:], *node.keywords]):
        return "0.5"
    return None


def _top_statement(ctx: ModuleContext, node: ast.AST) -> ast.stmt:
    top = node
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, ast.Module):
            break
        top = ancestor
    return top  # type: ignore[return-value]


def _manual_flips(ctx: ModuleContext) -> list[_Flip]:
    flips = []
    candidates = [*ctx.calls(*FLIP_FUNCTIONS), *ctx.nodes(ast.Subscript)]
    # In source order, a call before a subscript that starts at the same place.
    for node in sorted(candidates, key=lambda n: (n.lineno, n.col_offset)):
        shape = _flip_kind(ctx, node)
        if shape is None:
            continue
        kind, array, needs_2d, operation = shape
        scope = _augmentation_scope(ctx, node)
        if scope is None or not _image_like(array, needs_2d):
            continue
        probability = _decision(ctx, node, scope[0])
        if probability is None:
            continue
        if kind == "rot90:" or (kind.startswith("rot90") and _is_random(ctx, node, scope[0])):
            kind = "rot90:"
        top = _top_statement(ctx, node)
        flips.append(_Flip(node, kind, probability, operation, scope[0], scope[1], top, _array_name(array)))
    return flips


def _free_name(ctx: ModuleContext, base: str) -> str:
    taken = {d.name for d in ctx.function_defs} | {c.name for c in ctx.nodes(ast.ClassDef)}
    name, suffix = base, 2
    while name in taken or name in ctx.identifiers() or name in ctx.imports:
        name, suffix = f"{base}_{suffix}", suffix + 1
    return name


class ManualNumpyAugmentation(Rule):
    """Images are flipped or rotated at random by hand with numpy in dataset or transform code.

    Fires on `np.flip`, `np.fliplr`, `np.flipud`, `np.rot90` and `arr[::-1]` / `arr[:, ::-1]` on
    image-like arrays under a random decision, inside a `Dataset`, a `__getitem__`, or a function
    or class named like an augmentation or transform. Deterministic flips, channel reversal
    (`img[..., ::-1]`), and reversing rewards, returns, shapes or other non-image arrays are not
    reported.
    """

    code = "TL204"
    name = "manual-numpy-augmentation"
    severity = Severity.WARNING
    requires = ("flip", "rot90", "::-1")
    message = "Use torchvision.transforms.v2 random flips instead of flipping numpy arrays by hand"
    why = """
        Hand-written random flips are easy to get subtly wrong (the mask or boxes not flipped with the
        image, negative strides that `torch.from_numpy` rejects, a seed shared by all workers) and
        cannot be composed, logged or switched off by configuration. `torchvision.transforms.v2`
        (or albumentations) draws the decision per sample, flips images, masks, boxes and keypoints
        together, and runs on tensors.
    """
    example = """
        def __getitem__(self, idx):
            img = self.images[idx]
            if random.random() < 0.5:
                img = np.fliplr(img)
    """
    use_instead = """
        from torchvision.transforms import v2

        train_augment = v2.Compose([v2.RandomHorizontalFlip(p=0.5)])

        def __getitem__(self, idx):
            img = train_augment(torch.from_numpy(self.images[idx]).permute(2, 0, 1))
    """
    action_title = "Add a torchvision.transforms.v2 augmentation pipeline"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        flips = _manual_flips(ctx)
        if not flips:
            return
        offer_action = ctx.imports.get("v2", V2) == V2
        name = _free_name(ctx, "train_augment")
        for flip in flips:
            transform = TRANSFORM_NAMES.get(flip.kind, "RandomRotation")
            message = (
                f"Use v2.{transform} in a torchvision.transforms.v2 (or albumentations) pipeline instead "
                f"of a hand-written random {flip.operation} on the numpy array"
            )
            if not offer_action:
                yield self.finding(ctx, flip.node, message)
                continue
            same_function = [f for f in flips if f.function is flip.function]
            transforms = tuple(dict.fromkeys(_transform_code(f) for f in same_function))
            operations = " / ".join(dict.fromkeys(f.operation for f in same_function))
            unknown = tuple(dict.fromkeys(f.probability for f in same_function if not _is_number(f.probability)))
            paired = len({f.array for f in same_function}) > 1
            data = (name, transforms, flip.where, operations, unknown, paired)
            node_type = "FunctionDef" if isinstance(flip.top, ast.AsyncFunctionDef) else type(flip.top).__name__
            yield self.finding(
                ctx, flip.node, message, action=True, action_target=flip.top, action_node=node_type, action_data=data
            )

    def action(self, node, action, ctx):
        import libcst as cst

        name, transforms, where, operations, unknown, paired = action.data
        ctx.add_import("torchvision.transforms", "v2")
        comments = [
            f"# torchvision.transforms.v2 version of the random {operations} in {where}.",
            "# v2 transforms act on CHW tensors and PIL images (numpy arrays pass through unchanged):",
            f"# call {name}(image) where the image is a tensor, then delete the manual flip.",
        ]
        if paired:
            comments.append(
                "# Pass the image and its mask in one call (the mask as tv_tensors.Mask) to flip both alike."
            )
        if unknown:
            comments.append(f"# Set p to the probability used there: {', '.join(unknown)}.")
        items = transforms[0] if len(transforms) == 1 else "".join(f"\n    {t}," for t in transforms) + "\n"
        pipeline = cst.parse_statement(f"{name} = v2.Compose([{items}])\n")
        blank = 0
        while blank < len(node.leading_lines) and node.leading_lines[blank].comment is None:
            blank += 1
        pipeline = pipeline.with_changes(
            leading_lines=[*node.leading_lines[:blank], *(cst.EmptyLine(comment=cst.Comment(c)) for c in comments)]
        )
        spacing = [cst.EmptyLine(), cst.EmptyLine()]
        return cst.FlattenSentinel([pipeline, node.with_changes(leading_lines=[*spacing, *node.leading_lines[blank:]])])
