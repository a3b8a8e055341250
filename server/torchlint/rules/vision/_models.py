"""What the vision rules share: the model tables they map between, and name helpers.

The tables are plain data, checked against the sources of torchvision 0.29
(`torchvision.models.list_models()`) and timm 1.0 (`timm.list_models()`). A timm name is listed
only where `pretrained=True` loads ImageNet weights for it.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from ...analysis.context import ModuleContext

#: The v2 transforms package, which TL203 moves code to and TL204's pipelines import.
V2 = "torchvision.transforms.v2"


def under(name: str | None, prefixes: tuple[str, ...] | str) -> bool:
    """``name`` is one of ``prefixes`` or inside one (``timm.models`` is under ``timm``)."""
    if not name:
        return False
    prefixes = (prefixes,) if isinstance(prefixes, str) else prefixes
    return any(name == p or name.startswith(p + ".") for p in prefixes)


class Import(NamedTuple):
    """An import as ``FixContext.remove_unused_import`` takes it: ``from module import name as
    alias``, or ``import module as alias`` when ``name`` is None."""

    module: str
    name: str | None
    alias: str | None


def import_of(ctx: ModuleContext, local: str) -> Import | None:
    """The first import statement that binds the name ``local``."""
    for node in ctx.nodes(ast.Import, ast.ImportFrom):
        for alias in node.names:
            bound = alias.asname or alias.name.partition(".")[0]
            if bound != local or alias.name == "*":
                continue
            if isinstance(node, ast.Import):
                return Import(alias.name, None, alias.asname)
            if node.module and not node.level:
                return Import(node.module, alias.name, alias.asname)
    return None


#: Classification builders of `torchvision.models` (detection, segmentation, video, optical flow
#: and quantized models live in submodules and are not listed).
TORCHVISION_CLASSIFIERS = frozenset(
    {
        "alexnet", "googlenet", "inception_v3", "maxvit_t",
        "convnext_tiny", "convnext_small", "convnext_base", "convnext_large",
        "densenet121", "densenet161", "densenet169", "densenet201",
        "efficientnet_b0", "efficientnet_b1", "efficientnet_b2", "efficientnet_b3",
        "efficientnet_b4", "efficientnet_b5", "efficientnet_b6", "efficientnet_b7",
        "efficientnet_v2_s", "efficientnet_v2_m", "efficientnet_v2_l",
        "mnasnet0_5", "mnasnet0_75", "mnasnet1_0", "mnasnet1_3",
        "mobilenet_v2", "mobilenet_v3_large", "mobilenet_v3_small",
        "regnet_y_400mf", "regnet_y_800mf", "regnet_y_1_6gf", "regnet_y_3_2gf", "regnet_y_8gf",
        "regnet_y_16gf", "regnet_y_32gf", "regnet_y_128gf",
        "regnet_x_400mf", "regnet_x_800mf", "regnet_x_1_6gf", "regnet_x_3_2gf", "regnet_x_8gf",
        "regnet_x_16gf", "regnet_x_32gf",
        "resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
        "resnext50_32x4d", "resnext101_32x8d", "resnext101_64x4d", "wide_resnet50_2", "wide_resnet101_2",
        "shufflenet_v2_x0_5", "shufflenet_v2_x1_0", "shufflenet_v2_x1_5", "shufflenet_v2_x2_0",
        "squeezenet1_0", "squeezenet1_1",
        "swin_t", "swin_s", "swin_b", "swin_v2_t", "swin_v2_s", "swin_v2_b",
        "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
        "vit_b_16", "vit_b_32", "vit_l_16", "vit_l_32", "vit_h_14",
    }
)

#: The `torchvision.models` submodules whose builders are not image classifiers.
TORCHVISION_NON_CLASSIFIER_MODULES = frozenset({"detection", "segmentation", "video", "optical_flow", "quantization"})

#: timm models this package ever names.
TIMM_MODELS = frozenset(
    {
        "resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
        "resnext50_32x4d", "resnext101_32x8d", "resnext101_64x4d", "wide_resnet50_2", "wide_resnet101_2",
        "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
        "densenet121", "densenet161", "densenet169", "densenet201",
        "mobilenetv1_100", "mobilenetv2_100", "mobilenetv3_large_100", "mobilenetv3_small_100", "mnasnet_100",
        "efficientnet_b0", "efficientnet_b1", "efficientnet_b2", "efficientnet_b3", "efficientnet_b4",
        "efficientnet_b5", "tf_efficientnet_b6", "tf_efficientnet_b7",
        "tf_efficientnetv2_s", "tf_efficientnetv2_m", "tf_efficientnetv2_l",
        "convnext_tiny", "convnext_small", "convnext_base", "convnext_large",
        "vit_tiny_patch16_224", "vit_small_patch16_224", "vit_small_patch32_224", "vit_base_patch8_224",
        "vit_base_patch16_224", "vit_base_patch32_224", "vit_large_patch16_224",
        "swin_tiny_patch4_window7_224", "swin_small_patch4_window7_224", "swin_base_patch4_window7_224",
        "swin_large_patch4_window7_224", "swinv2_tiny_window8_256", "swinv2_small_window8_256",
        "swinv2_base_window8_256",
        "regnetx_004", "regnetx_008", "regnetx_016", "regnetx_032", "regnetx_080", "regnetx_160", "regnetx_320",
        "regnety_004", "regnety_008", "regnety_016", "regnety_032", "regnety_080", "regnety_160", "regnety_320",
        "regnety_1280",
        "inception_v3",
    }
)

#: torchvision builder -> the timm model of the same architecture. Builders without a timm
#: equivalent that has ImageNet-1k weights (alexnet, googlenet, shufflenet, squeezenet, maxvit_t,
#: most mnasnets, vit_l_32, vit_h_14) are left out: the rule reports them without a fix.
TORCHVISION_TO_TIMM = {
    **{name: name for name in ("resnet18", "resnet34", "resnet50", "resnet101", "resnet152")},
    **{name: name for name in ("resnext50_32x4d", "resnext101_32x8d", "resnext101_64x4d")},
    **{name: name for name in ("wide_resnet50_2", "wide_resnet101_2")},
    **{f"vgg{depth}{bn}": f"vgg{depth}{bn}" for depth in (11, 13, 16, 19) for bn in ("", "_bn")},
    **{f"densenet{depth}": f"densenet{depth}" for depth in (121, 161, 169, 201)},
    "mobilenet_v2": "mobilenetv2_100",
    "mobilenet_v3_large": "mobilenetv3_large_100",
    "mobilenet_v3_small": "mobilenetv3_small_100",
    "mnasnet1_0": "mnasnet_100",
    **{f"efficientnet_b{i}": f"efficientnet_b{i}" for i in range(6)},
    "efficientnet_b6": "tf_efficientnet_b6",
    "efficientnet_b7": "tf_efficientnet_b7",
    **{f"efficientnet_v2_{s}": f"tf_efficientnetv2_{s}" for s in "sml"},
    **{f"convnext_{s}": f"convnext_{s}" for s in ("tiny", "small", "base", "large")},
    "vit_b_16": "vit_base_patch16_224",
    "vit_b_32": "vit_base_patch32_224",
    "vit_l_16": "vit_large_patch16_224",
    "swin_t": "swin_tiny_patch4_window7_224",
    "swin_s": "swin_small_patch4_window7_224",
    "swin_b": "swin_base_patch4_window7_224",
    "swin_v2_t": "swinv2_tiny_window8_256",
    "swin_v2_s": "swinv2_small_window8_256",
    "swin_v2_b": "swinv2_base_window8_256",
    **{
        f"regnet_{kind}_{size}": f"regnet{kind}_{code}"
        for kind in "xy"
        for size, code in (
            ("400mf", "004"), ("800mf", "008"), ("1_6gf", "016"), ("3_2gf", "032"),
            ("8gf", "080"), ("16gf", "160"), ("32gf", "320"),
        )
    },
    "regnet_y_128gf": "regnety_1280",
    "inception_v3": "inception_v3",
}

#: Hand-written backbone families (the class-name stem) -> the timm model for each variant
#: suffix (lower case, without `_`), "" being the family's default when the variant is unknown.
BACKBONE_VARIANTS = {
    "ResNet": {"": "resnet50", **{str(d): f"resnet{d}" for d in (18, 34, 50, 101, 152)}},
    "ResNeXt": {"": "resnext50_32x4d", "50": "resnext50_32x4d", "101": "resnext101_32x8d"},
    "DenseNet": {"": "densenet121", **{str(d): f"densenet{d}" for d in (121, 161, 169, 201)}},
    "VGG": {
        "": "vgg16",
        **{f"{d}{bn}": f"vgg{d}{'_bn' if bn else ''}" for d in (11, 13, 16, 19) for bn in ("", "bn")},
    },
    "MobileNet": {
        "": "mobilenetv1_100",
        "v1": "mobilenetv1_100",
        "v2": "mobilenetv2_100",
        "v3": "mobilenetv3_large_100",
        "v3large": "mobilenetv3_large_100",
        "v3small": "mobilenetv3_small_100",
    },
    "EfficientNet": {
        "": "efficientnet_b0",
        **{f"b{i}": f"efficientnet_b{i}" for i in range(6)},
        "b6": "tf_efficientnet_b6",
        "b7": "tf_efficientnet_b7",
    },
    "ConvNeXt": {"": "convnext_tiny", **{s: f"convnext_{s}" for s in ("tiny", "small", "base", "large")}},
    "VisionTransformer": {
        "": "vit_base_patch16_224",
        **{s: f"vit_{s}_patch16_224" for s in ("tiny", "small", "base", "large")},
    },
    "ViT": {
        "": "vit_base_patch16_224",
        "ti16": "vit_tiny_patch16_224",
        "s16": "vit_small_patch16_224",
        "s32": "vit_small_patch32_224",
        "b8": "vit_base_patch8_224",
        "b16": "vit_base_patch16_224",
        "b32": "vit_base_patch32_224",
        "l16": "vit_large_patch16_224",
        **{s: f"vit_{s}_patch16_224" for s in ("tiny", "small", "base", "large")},
    },
    "SwinTransformer": {
        "": "swin_tiny_patch4_window7_224",
        **{s: f"swin_{s}_patch4_window7_224" for s in ("tiny", "small", "base", "large")},
        "v2": "swinv2_tiny_window8_256",
        **{f"v2{s}": f"swinv2_{s}_window8_256" for s in ("tiny", "small", "base")},
    },
}

#: A ResNet given by its block class and stage depths (`ResNet(BasicBlock, [2, 2, 2, 2])`).
RESNET_LAYOUTS: dict[tuple[str, tuple[int, ...]], str] = {
    ("BasicBlock", (2, 2, 2, 2)): "resnet18",
    ("BasicBlock", (3, 4, 6, 3)): "resnet34",
    ("Bottleneck", (3, 4, 6, 3)): "resnet50",
    ("Bottleneck", (3, 4, 23, 3)): "resnet101",
    ("Bottleneck", (3, 8, 36, 3)): "resnet152",
}

#: A ViT given by its embedding width and patch size (`VisionTransformer(embed_dim=384, patch_size=16)`).
VIT_LAYOUTS = {
    (192, 16): "vit_tiny_patch16_224",
    (384, 16): "vit_small_patch16_224",
    (384, 32): "vit_small_patch32_224",
    (768, 8): "vit_base_patch8_224",
    (768, 16): "vit_base_patch16_224",
    (768, 32): "vit_base_patch32_224",
    (1024, 16): "vit_large_patch16_224",
}
