"""TL201 handwritten-backbone."""

from __future__ import annotations

import ast
import itertools
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
from ._models import BACKBONE_VARIANTS, RESNET_LAYOUTS, TIMM_MODELS, VIT_LAYOUTS, Import, import_of, under

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext
    from ...fixing.imports import Statement

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
    "BottleNeck": "resnet50",  # weiaicunzai/pytorch-cifar100's spelling
    "PatchEmbed": "vit_base_patch16_224",
    "PatchEmbedding": "vit_base_patch16_224",
}
MAKE_LAYER = {"self._make_layer", "self.make_layer"}
RESIDUAL_NAMES = {"identity", "residual", "shortcut", "skip", "res"}
RESIDUAL_BRANCHES = {"shortcut", "downsample", "skip", "proj", "residual"}
NUM_CLASSES_PARAMS = ("num_classes", "n_classes", "nclasses", "num_class", "n_class", "classes", "num_labels")
DEPTHS_PARAMS = ("layers", "num_blocks", "num_block", "blocks")
IN_CHANS_PARAMS = ("in_chans", "in_channels", "input_channels", "in_ch", "img_channels", "image_channels")

_Function = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True)
class _Backbone:
    cls: ast.ClassDef
    family: str
    variant: str  # the suffix after the family name, lower case without underscores


@dataclass(frozen=True)
class _Site:
    """One ``ClassName(...)`` call, rewritten to ``timm.create_model(timm_name, pretrained=False, ...)``."""

    timm_name: str
    guessed: bool  # the family's default model, not one the class's variant names
    arguments: tuple[str, ...]  # ``num_classes=...`` / ``in_chans=...`` after ``pretrained=False``


@dataclass(frozen=True)
class _CreateModelPlan(Plan):
    """Rewrite every instantiation of the backbone (in source order) and delete the hand-written
    code that nothing else uses any more."""

    class_name: str
    sites: tuple[_Site, ...]
    deleted: tuple[tuple[str, ...], ...]  # the definitions to delete, by their path of names
    imports: tuple[Import, ...]  # imports the deleted code used, dropped if nothing else does


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
    if cls.name not in BLOCK_NAMES or _wraps_or_subclasses_library_model(ctx, cls):
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
    for value in arguments.values():  # kuangliu's `VGG("VGG16")`
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            named = value.value.lower().replace("_", "").replace("-", "")
            variant = named.removeprefix(backbone.family.lower())
            if variant != named and variant in variants and variant:
                return variants[variant], False
    if backbone.family == "ResNet":
        block = arguments.get("block")
        depths = _int_tuple(next((arguments[p] for p in DEPTHS_PARAMS if p in arguments), None))
        layouts = {(name.lower(), layout): model for (name, layout), model in RESNET_LAYOUTS.items()}
        if isinstance(block, ast.Name) and depths is not None and (block.id.lower(), depths) in layouts:
            return layouts[(block.id.lower(), depths)], False
    if backbone.family in {"ViT", "VisionTransformer"}:
        width = int_value(next((arguments[p] for p in ("embed_dim", "dim", "hidden_dim") if p in arguments), None))
        patch = int_value(arguments.get("patch_size"))
        if width is not None and patch is not None and (width, patch) in VIT_LAYOUTS:
            return VIT_LAYOUTS[(width, patch)], False
    return variants[""], True


def _instantiations(ctx: ModuleContext, cls: ast.ClassDef) -> list[ast.Call] | None:
    """The ``Cls(...)`` calls outside the class; ``None`` if one is not in a simple statement
    the action can rewrite."""
    calls = [
        call
        for call in ctx.calls_named(cls.name)
        if isinstance(call.func, ast.Name) and cls not in ctx.ancestors(call)
    ]
    simple = (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Return, ast.Expr)
    return calls if all(isinstance(ctx.statement_of(call), simple) for call in calls) else None


_Definition = ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef | ast.Assign


@fact
def _definitions(ctx: ModuleContext) -> dict[tuple[str, ...], list[_Definition]]:
    """Classes and functions by their path of names (``("build", "ResNet18")``), and the
    module's ``NAME = ...`` constants."""
    found: dict[tuple[str, ...], list[_Definition]] = {}
    for node in ctx.nodes(ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef):
        outer = [a.name for a in ctx.ancestors(node) if isinstance(a, (ast.ClassDef, *DEF_TYPES))]
        found.setdefault((*reversed(outer), node.name), []).append(node)
    for statement in ctx.tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
            found.setdefault((statement.targets[0].id,), []).append(statement)
    return found


def _exported(ctx: ModuleContext) -> set[str]:
    """The names listed in the module's ``__all__``."""
    return {
        node.value
        for statement in ctx.tree.body
        if isinstance(statement, (ast.Assign, ast.AugAssign, ast.AnnAssign))
        and "__all__" in {dotted(t) for t in (statement.targets if isinstance(statement, ast.Assign) else [statement.target])}
        for node in ctx.within(statement, ast.Constant)
        if isinstance(node.value, str)
    }


def _inside(ctx: ModuleContext, node: ast.AST, regions: set[ast.AST]) -> bool:
    return node in regions or any(a in regions for a in ctx.ancestors(node))


def _loads(ctx: ModuleContext, name: str) -> list[ast.Name]:
    return [n for n in ctx.names(name) if isinstance(n.ctx, ast.Load)]


def _obsolete_code(
    ctx: ModuleContext, cls: ast.ClassDef, sites: list[ast.Call]
) -> tuple[tuple[tuple[str, ...], ...], tuple[Import, ...]] | None:
    """What replacing ``sites`` leaves unused: the backbone class, then (to a fixpoint) each class,
    function or module constant that only removed code refers to, with the imports that code
    used. ``None`` when the class itself stays in use (it is exported, subclassed, checked with
    ``isinstance``...) or a block would be left empty."""
    definitions = _definitions(ctx)
    paths = {node: path for path, nodes in definitions.items() for node in nodes}
    exported = _exported(ctx)
    if len(definitions[paths[cls]]) != 1 or cls.name in exported:
        return None
    removed: set[ast.AST] = {cls, *sites}
    if not all(_inside(ctx, n, removed) for n in _loads(ctx, cls.name)):
        return None
    deleted: list[_Definition] = [cls]
    candidates = {
        nodes[0]: _loads(ctx, path[-1]) for path, nodes in definitions.items() if len(nodes) == 1 and path[-1] not in exported
    }
    changed = True
    while changed:
        changed = False
        for node, loads in candidates.items():
            if _inside(ctx, node, removed):
                continue
            if any(_inside(ctx, n, removed) for n in loads) and all(_inside(ctx, n, removed | {node}) for n in loads):
                removed.add(node)
                deleted.append(node)
                changed = True
    if any(_inside(ctx, ctx.parent(call) or call, set(deleted)) for call in sites):
        return None  # a call in code that goes anyway
    for node in deleted:
        block = getattr(ctx.parent(node), "body", None)
        if not isinstance(block, list) or node not in block or all(s in removed for s in block):
            return None
    used = {name.id for node in removed for name in ctx.within(node, ast.Name) if name.id in ctx.imports}
    imports = tuple(found for local in sorted(used) if (found := import_of(ctx, local)) is not None)
    return tuple(paths[node] for node in deleted), imports


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
    that stack residual conv blocks with `_make_layer`, and on each standard building block
    (`BasicBlock`, `Bottleneck`, `PatchEmbed`), also where the module defines the backbone that uses
    it. Classes that subclass or wrap a timm/torchvision model are not reported; mark a genuinely new
    architecture with `# torchlint: disable-file=TL201`. The code action rewrites every instantiation
    of the backbone to `timm.create_model(...)` and deletes the classes, helpers and imports that
    only the hand-written model used; it is offered where nothing else uses the class.
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
        (`features_only=True`) and a uniform `num_classes` / `in_chans` interface. Mark a
        genuinely new architecture with `# torchlint: disable-file=TL201`.
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
    action_title = "Replace the hand-written backbone with timm.create_model"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        local = module_classes(ctx)
        backbones = [b for b in (_backbone(ctx, cls, local) for cls in local.values()) if b]
        #: The action that deletes a block along with the backbone built from it.
        replaced_by: dict[tuple[str, ...], tuple[Action, _Backbone]] = {}
        for backbone in backbones:
            finding = self._backbone_finding(ctx, backbone)
            for action in finding.actions:
                replaced_by.update(dict.fromkeys(action.plan_as(_CreateModelPlan).deleted, (action, backbone)))
            yield finding
        paths = {nodes[0]: path for path, nodes in _definitions(ctx).items()}
        for cls in local.values():
            if not _is_block(ctx, cls):
                continue
            if (path := paths.get(cls)) not in replaced_by:
                yield self.finding(ctx, _name_node(ctx, cls), self._message(BLOCK_NAMES[cls.name], cls.name))
                continue
            action, backbone = replaced_by[path]
            timm_name = _block_model(ctx, cls, backbone, action.plan_as(_CreateModelPlan))
            yield self.finding(ctx, _name_node(ctx, cls), self._message(timm_name, cls.name), action=action)

    def _backbone_finding(self, ctx: ModuleContext, backbone: _Backbone) -> Finding:
        calls = _instantiations(ctx, backbone.cls)
        init = _methods(backbone.cls).get("__init__")
        sites = [
            _Site(*_timm_name(backbone, _bind_arguments(call, init)), _create_model_arguments(call, backbone.cls, ctx))
            for call in calls or []
        ]
        timm_name = sites[0].timm_name if sites else _timm_name(backbone, {})[0]
        node = _name_node(ctx, backbone.cls)
        message = self._message(timm_name, backbone.cls.name)
        obsolete = _obsolete_code(ctx, backbone.cls, calls) if calls else None
        if obsolete is None:
            return self.finding(ctx, node, message)
        plan = _CreateModelPlan(backbone.cls.name, tuple(sites), *obsolete)
        return self.finding(ctx, node, message, action=self.action_at(ctx, ctx.tree, plan, node="Module"))

    def _message(self, timm_name: str, class_name: str) -> str:
        return f'Use timm.create_model("{timm_name}") instead of hand-written {class_name}'

    def action(self, node: cst.CSTNode, action: Action, ctx: FixContext) -> cst.CSTNode:
        import libcst as cst

        assert isinstance(node, cst.Module)
        plan = action.plan_as(_CreateModelPlan)
        ctx.add_import("timm")
        for dropped in plan.imports:
            ctx.remove_unused_import(*dropped)
        return _rewrite(node, plan)


def _block_model(ctx: ModuleContext, block: ast.ClassDef, backbone: _Backbone, plan: _CreateModelPlan) -> str:
    """The timm model of the backbone built from ``block``: that of its first instantiation
    naming the block (``ResNet(Bottleneck, [3, 4, 6, 3])``), else of its first one."""
    calls = _instantiations(ctx, backbone.cls) or []
    names_block = [
        any(isinstance(arg, ast.Name) and arg.id == block.name for arg in [*call.args, *(k.value for k in call.keywords)])
        for call in calls
    ]
    return plan.sites[names_block.index(True) if True in names_block else 0].timm_name


def _site_comment(site: _Site, class_name: str) -> str:
    if site.guessed:
        family = re.split(r"[^a-z]", site.timm_name, maxsplit=1)[0]
        return (
            f'# "{site.timm_name}" stands in for the hand-written {class_name}: pick the variant '
            f'that matches it from timm.list_models("{family}*").'
        )
    return f'# timm\'s "{site.timm_name}" replaces the hand-written {class_name}; pretrained=True loads ImageNet weights.'


def _rewrite(module: cst.Module, plan: _CreateModelPlan) -> cst.Module:
    """``module`` with the plan's call sites rewritten (a comment above each statement) and its
    definitions deleted."""
    import libcst as cst

    class ReplaceBackbone(cst.CSTTransformer):
        def __init__(self) -> None:
            super().__init__()
            self.path: list[str] = []
            self.calls: dict[cst.Call, _Site] = {}
            self.comments: list[list[str]] = []
            self.removed: set[cst.CSTNode] = set()

        def _enter(self, name: str) -> bool:
            self.path.append(name)
            return tuple(self.path) not in plan.deleted  # do not look inside what goes

        def _leave(self, original: Statement, updated: Statement) -> Statement | cst.RemovalSentinel:
            deleted = tuple(self.path) in plan.deleted
            self.path.pop()
            return self._remove(original) if deleted else updated

        def _remove(self, original: Statement) -> cst.RemovalSentinel:
            self.removed.add(original)
            return cst.RemovalSentinel.REMOVE

        def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
            """A block whose first statement went starts without the blank lines that followed it."""
            if original.body[0] not in self.removed or not updated.body:
                return updated
            first = updated.body[0]
            assert isinstance(first, (cst.SimpleStatementLine, cst.BaseCompoundStatement))
            kept = list(itertools.dropwhile(lambda line: line.comment is None, first.leading_lines))
            return updated.with_changes(body=[first.with_changes(leading_lines=kept), *updated.body[1:]])

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            return self._enter(node.name.value)

        def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> Statement | cst.RemovalSentinel:
            return self._leave(original, updated)

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return self._enter(node.name.value)

        def leave_FunctionDef(
            self, original: cst.FunctionDef, updated: cst.FunctionDef
        ) -> Statement | cst.RemovalSentinel:
            return self._leave(original, updated)

        def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
            self.comments.append([])

        def leave_SimpleStatementLine(
            self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
        ) -> Statement | cst.RemovalSentinel:
            comments = self.comments.pop()
            first = original.body[0]
            if not self.path and isinstance(first, cst.Assign) and len(first.targets) == 1:
                target = first.targets[0].target
                if isinstance(target, cst.Name) and (target.value,) in plan.deleted:
                    return self._remove(original)
            if not comments:
                return updated
            lines = [cst.EmptyLine(comment=cst.Comment(comments[0]))]
            return updated.with_changes(leading_lines=[*updated.leading_lines, *lines])

        def visit_Call(self, node: cst.Call) -> None:
            if isinstance(node.func, cst.Name) and node.func.value == plan.class_name:
                self.calls[node] = plan.sites[len(self.calls)]

        def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
            site = self.calls.get(original)
            if site is None:
                return updated
            self.comments[-1].append(_site_comment(site, plan.class_name))
            arguments = ", ".join([f'"{site.timm_name}"', "pretrained=False", *site.arguments])
            return cst.parse_expression(f"timm.create_model({arguments})")

    return module.visit(ReplaceBackbone())
