"""TL203 legacy-transforms."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...analysis.context import ModuleContext, fact
from ...model import Applicability, Finding, Fix, Plan, Severity
from ...rule import Rule
from ._models import V2, under

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

V1 = "torchvision.transforms"

#: Public names of `torchvision.transforms.v2` (torchvision 0.29). `ToTensor` is there too,
#: deprecated but with v1's behaviour, so a v1 pipeline that uses it can still move to v2.
V2_TRANSFORMS = frozenset(
    {
        "AugMix", "AutoAugment", "AutoAugmentPolicy", "CenterCrop", "ClampBoundingBoxes", "ClampKeyPoints", "ColorJitter",
        "Compose", "ConvertBoundingBoxFormat", "ConvertImageDtype", "CutMix", "ElasticTransform", "FiveCrop", "GaussianBlur",
        "GaussianNoise", "Grayscale", "Identity", "InterpolationMode", "JPEG", "Lambda", "LinearTransformation", "MixUp",
        "Normalize", "PILToTensor", "Pad", "RGB", "RandAugment", "RandomAdjustSharpness", "RandomAffine", "RandomApply",
        "RandomAutocontrast", "RandomChannelPermutation", "RandomChoice", "RandomCrop", "RandomEqualize",
        "RandomErasing", "RandomGrayscale", "RandomHorizontalFlip", "RandomInvert", "RandomIoUCrop", "RandomOrder",
        "RandomPerspective", "RandomPhotometricDistort", "RandomPosterize", "RandomResize", "RandomResizedCrop",
        "RandomRotation", "RandomShortestSize", "RandomSolarize", "RandomVerticalFlip", "RandomZoomOut", "Resize",
        "SanitizeBoundingBoxes", "SanitizeKeyPoints", "ScaleJitter", "SetClampingMode", "TenCrop", "ToDtype", "ToImage",
        "ToPILImage", "ToPureTensor", "ToTensor", "Transform", "TrivialAugmentWide", "UniformTemporalSubsample",
        "check_type", "functional", "get_bounding_boxes", "get_keypoints", "has_all", "has_any", "query_chw", "query_size",
    }
)

#: The public functions of v1's `torchvision.transforms.functional`; every one of them is also in
#: `torchvision.transforms.v2.functional`.
V2_FUNCTIONAL = frozenset(
    {
        "InterpolationMode", "adjust_brightness", "adjust_contrast", "adjust_gamma", "adjust_hue", "adjust_saturation",
        "adjust_sharpness", "affine", "autocontrast", "center_crop", "convert_image_dtype", "crop", "elastic_transform",
        "equalize", "erase", "five_crop", "gaussian_blur", "get_dimensions", "get_image_num_channels", "get_image_size",
        "hflip", "invert", "normalize", "pad", "perspective", "pil_to_tensor", "posterize", "resize", "resized_crop",
        "rgb_to_grayscale",
        "rotate", "solarize", "ten_crop", "to_grayscale", "to_pil_image", "to_tensor", "vflip",
    }
)

#: Enums that v1 and v2 share (v2 re-exports them): importing them is not legacy.
SHARED_ENUMS = frozenset({"InterpolationMode", "AutoAugmentPolicy"})
_V1_MODULES = {V1: V2, f"{V1}.functional": f"{V2}.functional"}
_V1_MEMBERS = {V1: V2_TRANSFORMS, f"{V1}.functional": V2_FUNCTIONAL}


# -- the fixes, one plan per kind -------------------------------------------------------------


@dataclass(frozen=True)
class _AppendV2Plan(Plan):
    """``torchvision.transforms`` written out -> ``torchvision.transforms.v2``."""


@dataclass(frozen=True)
class _RenameModulesPlan(Plan):
    """``import torchvision.transforms as T`` -> ``import torchvision.transforms.v2 as T``."""

    renames: tuple[tuple[str, str], ...]  # (v1 module, its v2 module)


@dataclass(frozen=True)
class _RetargetMemberImportPlan(Plan):
    """``from torchvision.transforms import X`` -> ``from torchvision.transforms.v2 import X``."""

    module: str  # the v2 module


@dataclass(frozen=True)
class _SplitPackageImportPlan(Plan):
    """``from torchvision import transforms [as local]`` -> ``from torchvision.transforms import v2 as local``,
    kept apart from the other names of the import."""

    local: str


@dataclass(frozen=True)
class _ReplaceToTensorPlan(Plan):
    """``v2.ToTensor()`` -> ``v2.ToImage(), v2.ToDtype(torch.float32, scale=True)``: in its place in
    the list that holds it (element ``index``), else wrapped in ``v2.Compose([...])``."""

    prefix: str  # what the v2 names are reached through (``v2.``, ``T.``), "" for imported names
    index: int | None


#: Replaces the deprecated ``v2.ToTensor()`` (TorchFix TOR202).
TO_TENSOR_STEPS = ("ToImage()", "ToDtype(torch.float32, scale=True)")
TO_TENSOR_TITLE = "Replace v2.ToTensor() with v2.ToImage(), v2.ToDtype(torch.float32, scale=True)"


# -- detection ----------------------------------------------------------------------------------


def _is_v2(path: str) -> bool:
    return under(path, V2)


def _is_legacy_module(path: str) -> bool:
    return under(path, V1) and not _is_v2(path)


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


@fact
def _full_path_uses(ctx: ModuleContext) -> list[tuple[str, ast.AST, ast.Attribute]]:
    """``torchvision.transforms.X`` written out: (path, node reaching X, the ``torchvision.transforms`` node)."""
    uses = []
    for node in ctx.attributes("transforms"):
        if not isinstance(node.value, ast.Name):
            continue
        if ctx.qualname(node.value) == "torchvision":
            path, end = _use_path(ctx, node, V1)
            uses.append((path, end, node))
    return uses


class LegacyTransforms(Rule):
    """`torchvision.transforms` (v1) is used instead of `torchvision.transforms.v2`.

    Reported at each import that brings v1 transforms in and at each use written through the full
    dotted path (`torchvision.transforms.Resize(...)`). Importing only the enums both versions share
    (`InterpolationMode`, `AutoAugmentPolicy`) is not reported. The fix rewrites the import to v2,
    keeping the local names, only where every name used exists in v2. `v2.ToTensor()`, deprecated
    in v2 too (TorchFix TOR202), is reported at each call and replaced by `v2.ToImage(),
    v2.ToDtype(torch.float32, scale=True)`.
    """

    code = "TL203"
    name = "legacy-transforms"
    severity = Severity.WARNING
    aliases = ("TOR202",)
    requires = ("torchvision",)
    message = "Use torchvision.transforms.v2 instead of the legacy torchvision.transforms"
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
        import torch
        import torchvision.transforms.v2 as T

        train_tf = T.Compose(
            [T.RandomResizedCrop(224), T.RandomHorizontalFlip(), T.ToImage(), T.ToDtype(torch.float32, scale=True)]
        )
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
                fix = self.fix_at(ctx, base, _AppendV2Plan(), node="Attribute") if _Uses((path,)).fixable else False
                yield self.finding(ctx, end, fix=fix)
        for call in ctx.calls(f"{V2}.ToTensor"):
            yield self._to_tensor_finding(ctx, call)

    def _to_tensor_finding(self, ctx: ModuleContext, call: ast.Call) -> Finding:
        """``v2.ToTensor()``, deprecated in v2 too."""
        message = "Use v2.ToImage(), v2.ToDtype(torch.float32, scale=True) instead of v2.ToTensor()"
        func = call.func
        prefix = f"{ctx.text(func.value)}." if isinstance(func, ast.Attribute) else ""
        if call.args or call.keywords or (isinstance(func, ast.Name) and func.id != "ToTensor"):
            return self.finding(ctx, call, message)
        holder = ctx.parent(call)
        if isinstance(holder, ast.List):  # a list of transforms
            target: ast.AST = holder
            plan = _ReplaceToTensorPlan(prefix, holder.elts.index(call))
        else:
            target, plan = call, _ReplaceToTensorPlan(prefix, None)
        fix = self.fix_at(ctx, target, plan, node=type(target).__name__, title=TO_TENSOR_TITLE)
        return self.finding(ctx, call, message, fix=fix)

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
            if target:
                renames.append((alias.name, target))
        if not legacy:
            return None
        fix = self.fix_at(ctx, node, _RenameModulesPlan(tuple(renames)), node="Import") if fixable else False
        return self.finding(ctx, node, fix=fix)

    def _check_package_import(self, ctx: ModuleContext, node: ast.ImportFrom) -> Finding | None:
        """``from torchvision import transforms [as T]`` (maybe among other names)."""
        alias = next((a for a in node.names if a.name == "transforms"), None)
        if alias is None:
            return None
        local = alias.asname or alias.name
        uses = _module_uses(ctx, local, V1)
        if not uses.legacy:
            return None
        plan = _SplitPackageImportPlan(local)
        fix = self.fix_at(ctx, node, plan, node="SimpleStatementLine") if uses.fixable else False
        return self.finding(ctx, node, fix=fix)

    def _check_member_import(self, ctx: ModuleContext, node: ast.ImportFrom) -> Finding | None:
        """``from torchvision.transforms import Compose, functional as F``."""
        module = node.module or ""
        v2_module = _V1_MODULES.get(module)
        legacy, fixable = False, v2_module is not None
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
        if not fixable or v2_module is None:
            return self.finding(ctx, node)
        return self.finding(ctx, node, fix=self.fix_at(ctx, node, _RetargetMemberImportPlan(v2_module), node="ImportFrom"))

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.CSTNode | cst.FlattenSentinel[cst.CSTNode]:
        import libcst as cst

        if isinstance(fix.plan, _AppendV2Plan):
            assert isinstance(node, cst.Attribute)
            return cst.Attribute(value=node, attr=cst.Name("v2"))
        if isinstance(fix.plan, _RenameModulesPlan):
            assert isinstance(node, cst.Import)
            renames = dict(fix.plan.renames)
            names = [
                a.with_changes(name=cst.parse_expression(renames[code])) if (code := ctx.code(a.name)) in renames else a
                for a in node.names
            ]
            return node.with_changes(names=names)
        if isinstance(fix.plan, _RetargetMemberImportPlan):
            assert isinstance(node, cst.ImportFrom)
            return node.with_changes(module=cst.parse_expression(fix.plan.module))
        if isinstance(fix.plan, _ReplaceToTensorPlan):
            return _replace_to_tensor(node, fix.plan, ctx)
        assert isinstance(node, cst.SimpleStatementLine)
        return _split_package_import(node, fix.plan_as(_SplitPackageImportPlan).local)


def _replace_to_tensor(node: cst.CSTNode, plan: _ReplaceToTensorPlan, ctx: FixContext) -> cst.CSTNode:
    import libcst as cst

    ctx.add_import("torch")
    if not plan.prefix:
        for name in ("ToImage", "ToDtype"):
            ctx.add_import(V2, name)
        ctx.remove_unused_import(V2, "ToTensor")
    if plan.index is None:
        assert isinstance(node, cst.Call)
        return cst.parse_expression(f"{plan.prefix}Compose([{', '.join(plan.prefix + s for s in TO_TENSOR_STEPS)}])")
    steps = [cst.parse_expression(plan.prefix + step) for step in TO_TENSOR_STEPS]
    assert isinstance(node, cst.List)
    old = node.elements[plan.index]
    # The two steps are separated like the elements before them (on one line or one per line).
    before = node.elements[plan.index - 1].comma if plan.index else old.comma
    comma = before if isinstance(before, cst.Comma) else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    first = cst.Element(value=steps[0], comma=comma)
    second = old.with_changes(value=steps[1])
    elements = [*node.elements[: plan.index], first, second, *node.elements[plan.index + 1 :]]
    return node.with_changes(elements=elements)


def _split_package_import(
    line: cst.SimpleStatementLine, local: str
) -> cst.CSTNode | cst.FlattenSentinel[cst.CSTNode]:
    """``from torchvision import datasets, transforms`` -> that import without ``transforms``,
    followed by ``from torchvision.transforms import v2 as transforms``."""
    import libcst as cst

    statement = line.body[0]
    assert isinstance(statement, cst.ImportFrom) and not isinstance(statement.names, cst.ImportStar)
    v2_import = cst.parse_statement(f"from torchvision.transforms import v2 as {local}\n")
    kept = [a for a in statement.names if (a.evaluated_alias or a.evaluated_name) != local]
    if not kept:
        return v2_import.with_changes(leading_lines=line.leading_lines, trailing_whitespace=line.trailing_whitespace)
    kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return cst.FlattenSentinel([line.with_changes(body=[statement.with_changes(names=kept)]), v2_import])
