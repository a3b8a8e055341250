"""TL202 torchvision-backbone."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...analysis.context import ModuleContext, fact
from ...analysis.layout import CST_BLOCK_OWNERS, alone_on_its_lines
from ...analysis.syntax import FUNCTION_TYPES, dotted, has_star_kwargs, is_constant, keyword
from ...model import Applicability, Finding, Fix, Plan, Severity
from ...rule import Rule
from ._models import (
    TORCHVISION_CLASSIFIERS,
    TORCHVISION_NON_CLASSIFIER_MODULES,
    TORCHVISION_TO_TIMM,
    Import,
    import_of,
    under,
)

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
#: Methods that return the module itself: ``resnet50(...).to(device).eval()`` is still the model.
CHAINED_METHODS = frozenset({"to", "cuda", "cpu", "eval", "train", "half", "float", "double", "bfloat16", "requires_grad_"})
#: Parts of a torchvision model used as a feature extractor, where timm is no drop-in replacement.
FEATURE_EXTRACTOR_ATTRIBUTES = {"features"}
#: Ways of taking a model apart: its classifier cut off by hand.
TRUNCATING_METHODS = {"children", "named_children"}
#: Wrappers that take a model's intermediate layers.
FEATURE_WRAPPERS = ("create_feature_extractor", "IntermediateLayerGetter")
#: Modules that stand in for a removed head.
IDENTITY_MODULES = {"torch.nn.Identity", "torch.nn.Sequential"}
PRETRAINED_WEIGHTS = {"DEFAULT", "IMAGENET1K_V1", "IMAGENET1K_V2"}
TORCHVISION_KEYWORDS = {"weights", "pretrained", "num_classes", "progress"}


def _head_attribute(builder: str) -> str | None:
    """The attribute holding the whole classifier of a torchvision model, where replacing it by
    ``nn.Identity()`` gives the same pooled features as timm's ``num_classes=0`` (VGG, ConvNeXt and
    MobileNetV3 heads hold more than the last layer: no such attribute)."""
    if builder.startswith(("resnet", "resnext", "wide_resnet", "regnet", "inception")):
        return "fc"
    if builder.startswith(("densenet", "efficientnet", "mobilenet_v2", "mnasnet")):
        return "classifier"
    if builder.startswith("vit_"):
        return "heads"
    return "head" if builder.startswith("swin_") else None


@dataclass(frozen=True)
class _TimmPlan(Plan):
    """Call ``timm.create_model(timm_name, pretrained=...)`` instead, dropping the imports only
    the torchvision call may have used."""

    timm_name: str
    pretrained: str  # the text of timm's ``pretrained=`` value
    dropped: tuple[Import, ...]


@dataclass(frozen=True)
class _HeadlessPlan(Plan):
    """In the block that holds both, rewrite the call (found by its text) to timm with
    ``num_classes=0`` and delete the statement that replaced its head by ``nn.Identity()``."""

    model: _TimmPlan
    call: str
    head: str


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


def _model_expression(ctx: ModuleContext, call: ast.Call) -> tuple[ast.expr, bool]:
    """The outermost expression that is still the model (``resnet50(...).to(device).eval()``),
    and whether that chain freezes it (``.requires_grad_(False)``)."""
    node: ast.expr = call
    frozen = False
    while (
        isinstance(attribute := ctx.parent(node), ast.Attribute)
        and attribute.attr in CHAINED_METHODS
        and isinstance(method := ctx.parent(attribute), ast.Call)
        and method.func is attribute
    ):
        frozen |= _freezes(method)
        node = method
    return node, frozen


def _freezes(call: ast.Call) -> bool:
    """``x.requires_grad_(False)``."""
    value = call.args[0] if call.args else (kw.value if (kw := keyword(call, "requires_grad")) else None)
    return isinstance(call.func, ast.Attribute) and call.func.attr == "requires_grad_" and _is_false(value)


def _is_false(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def _model_name(ctx: ModuleContext, node: ast.expr) -> str | None:
    """The dotted name ``node`` is bound to, through ``.to()``/``.eval()`` chains: ``model`` in
    ``model = resnet50()`` and ``model.eval()``; ``self.net`` in ``self.net.fc``."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in CHAINED_METHODS:
        node = node.func.value
    return dotted(node)


def _owner(ctx: ModuleContext, name: str, node: ast.AST) -> ast.AST:
    """Where ``name`` lives: the class for ``self.x``, else the function or module around ``node``."""
    if name.startswith("self."):
        return ctx.enclosing(node, ast.ClassDef) or ctx.tree
    return ctx.scope_of(node)


def _unconditional(ctx: ModuleContext, node: ast.AST) -> bool:
    """No ``if`` decides whether ``node`` runs in its function."""
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, FUNCTION_TYPES):
            return True
        if isinstance(ancestor, (ast.If, ast.IfExp, ast.Try)):
            return False
    return True


@fact
def _frozen_models(ctx: ModuleContext) -> set[tuple[str, ast.AST]]:
    """(name, owner) of the models frozen whole, unconditionally: ``model.requires_grad_(False)``,
    or ``p.requires_grad = False`` / ``p.requires_grad_(False)`` for every ``p`` of ``model.parameters()``."""
    frozen = set()
    for call in ctx.method_calls("requires_grad_"):
        receiver = call.func.value if isinstance(call.func, ast.Attribute) else call.func
        if _freezes(call) and _unconditional(ctx, call) and (name := _model_name(ctx, receiver)):
            frozen.add((name, _owner(ctx, name, call)))
    for loop in ctx.nodes(ast.For):
        iterated = loop.iter
        if not (isinstance(iterated, ast.Call) and isinstance(iterated.func, ast.Attribute)):
            continue
        if iterated.func.attr not in ("parameters", "named_parameters") or not _unconditional(ctx, loop):
            continue
        target = loop.target.elts[-1] if isinstance(loop.target, ast.Tuple) and loop.target.elts else loop.target
        if isinstance(target, ast.Name) and any(_freezes_parameter(s, target.id) for s in loop.body):
            name = _model_name(ctx, iterated.func.value)
            if name:
                frozen.add((name, _owner(ctx, name, loop)))
    return frozen


def _freezes_parameter(statement: ast.stmt, parameter: str) -> bool:
    """``p.requires_grad = False`` or ``p.requires_grad_(False)``, directly in the loop body."""
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        target = statement.targets[0]
        return dotted(target) == f"{parameter}.requires_grad" and _is_false(statement.value)
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        call = statement.value
        return _freezes(call) and isinstance(call.func, ast.Attribute) and dotted(call.func.value) == parameter
    return False


@fact
def _head_replacements(ctx: ModuleContext) -> dict[str, list[ast.Assign]]:
    """Assignments to a part of a model, by the model's name: ``model.fc = nn.Linear(...)``,
    ``model.classifier[1] = ...``."""
    found: dict[str, list[ast.Assign]] = {}
    for assign in ctx.nodes(ast.Assign):
        for target in assign.targets:
            if isinstance(target, ast.Subscript):
                target = target.value
            if isinstance(target, ast.Attribute) and (base := dotted(target.value)):
                found.setdefault(base, []).append(assign)
    return found


def _is_identity(ctx: ModuleContext, value: ast.expr) -> bool:
    """``nn.Identity()`` or an empty ``nn.Sequential()``."""
    return isinstance(value, ast.Call) and ctx.qualname(value.func) in IDENTITY_MODULES and not value.args and not value.keywords


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


def _imports_to_drop(ctx: ModuleContext, call: ast.Call, *deleted: ast.expr) -> tuple[Import, ...]:
    """The imports only the torchvision call (and the ``deleted`` expressions) may have used."""
    roots = [call.func, *deleted]
    weights = keyword(call, "weights")
    if weights is not None and isinstance(weights.value, ast.Attribute):
        roots.append(weights.value.value)
    dropped = []
    for node in roots:
        while isinstance(node, ast.Attribute):
            node = node.value
        if isinstance(node, ast.Name) and (found := import_of(ctx, node.id)):
            dropped.append(found)
    return tuple(dropped)


def _passed_to_feature_wrapper(ctx: ModuleContext, name: str) -> bool:
    """``create_feature_extractor(model, ...)`` / ``IntermediateLayerGetter(model, ...)``."""
    return any(
        dotted(arg) == name
        for call in ctx.calls_matching(lambda qualname: qualname.endswith(FEATURE_WRAPPERS))
        for arg in [*call.args, *(kw.value for kw in call.keywords)]
    )


def _in_one_block(ctx: ModuleContext, first: ast.stmt, second: ast.stmt) -> ast.AST | None:
    """The statement (or module) whose body holds ``first`` and, after it, ``second``, each on
    lines of its own, if the fixer can find it (not an ``elif``)."""
    owner = ctx.parent(first)
    body = getattr(owner, "body", None)
    if owner is None or type(owner) not in CST_BLOCK_OWNERS or not isinstance(body, list):
        return None
    if first not in body or second not in body or body.index(first) > body.index(second):
        return None
    if isinstance(owner, ast.If) and ctx.lines[owner.lineno - 1].lstrip().startswith("elif"):
        return None
    return owner if alone_on_its_lines(ctx, first) and alone_on_its_lines(ctx, second) else None


class TorchvisionBackbone(Rule):
    """A classification backbone is built with a `torchvision.models` constructor.

    Fires on calls of the torchvision classification builders (`resnet50(...)`, `vit_b_16(...)`,
    `efficientnet_b0(...)`...), however imported, also where the classifier is cut off
    (`model.fc = nn.Identity()`, `list(model.children())[:-1]`, `create_feature_extractor(model)`):
    timm's `num_classes=0` / `features_only=True` does that. Detection, segmentation, video and
    quantized models, dynamic lookups (`models.__dict__[arch]`) and feature extractors timm does not
    replace (models used through `.features`, or frozen whole with `requires_grad_(False)` /
    `p.requires_grad = False` for all parameters) are not reported.
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
            if builder is None:
                continue
            usage = _usage(ctx, call)
            if usage == EXTRACTOR:
                continue
            timm_name = TORCHVISION_TO_TIMM.get(builder)
            pretrained = _pretrained(ctx, call)
            if timm_name is None:
                message = f"Use timm.create_model(...) instead of torchvision's {builder}"
                yield self.finding(ctx, call, message)
                continue
            if usage == HEADLESS:
                message = f'Use timm.create_model("{timm_name}", num_classes=0) for features'
                fix = self._headless_fix(ctx, call, builder, timm_name, pretrained)
                yield self.finding(ctx, call, message, fix=fix or False)
                continue
            message = f'Use timm.create_model("{timm_name}") instead of torchvision\'s {builder}'
            if pretrained is None or not _drop_in(ctx, call, TORCHVISION_KEYWORDS, MODULE_API):
                yield self.finding(ctx, call, message)
            else:
                yield self.finding(ctx, call, message, fix=_TimmPlan(timm_name, pretrained, _imports_to_drop(ctx, call)))

    def _headless_fix(
        self, ctx: ModuleContext, call: ast.Call, builder: str, timm_name: str, pretrained: str | None
    ) -> Fix | None:
        """``model = resnet50(...)`` then ``model.fc = nn.Identity()`` in one block: timm with
        ``num_classes=0``, and the head statement deleted."""
        head = _head_attribute(builder)
        model, _ = _model_expression(ctx, call)
        name = _assigned_name(ctx, model)
        if head is None or pretrained is None or name is None:
            return None
        replaced = _head_replacements(ctx).get(name, [])
        spelled = [n for n in ctx.attributes(head) if dotted(n.value) == name]
        if len(replaced) != 1 or [t for a in replaced for t in a.targets] != spelled or len(spelled) != 1:
            return None
        if not _drop_in(ctx, call, TORCHVISION_KEYWORDS - {"num_classes"}, MODULE_API | {head}):
            return None
        owner = _in_one_block(ctx, ctx.statement_of(model), replaced[0])
        text = ctx.text(call)
        if owner is None or sum(ctx.text(c) == text for c in ctx.within(owner, ast.Call)) != 1:
            return None
        dropped = _imports_to_drop(ctx, call, replaced[0].value)
        plan = _HeadlessPlan(_TimmPlan(timm_name, pretrained, dropped), text, ctx.text(replaced[0]))
        return self.fix_at(ctx, owner, plan, node=CST_BLOCK_OWNERS[type(owner)])

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.CSTNode:
        import libcst as cst

        if isinstance(fix.plan, _HeadlessPlan):
            return _drop_head(node, fix.plan, ctx)
        assert isinstance(node, cst.Call)
        return _timm_call(node, fix.plan_as(_TimmPlan), ctx)


#: How a torchvision model is used: as a feature extractor timm does not replace, with its
#: classifier cut off, or otherwise.
EXTRACTOR, HEADLESS, WHOLE = "extractor", "headless", "whole"


def _usage(ctx: ModuleContext, call: ast.Call) -> str:
    model, frozen = _model_expression(ctx, call)
    parent = ctx.parent(model)
    if isinstance(parent, ast.Attribute) and parent.attr in FEATURE_EXTRACTOR_ATTRIBUTES:
        return EXTRACTOR
    name = _assigned_name(ctx, model)
    heads = _head_replacements(ctx).get(name, []) if name else []
    trainable_head = any(not _is_identity(ctx, assign.value) for assign in heads)
    if name and not trainable_head:
        frozen |= (name, _owner(ctx, name, model)) in _frozen_models(ctx)
    if frozen and not trainable_head:
        return EXTRACTOR
    if isinstance(parent, ast.Attribute) and parent.attr in TRUNCATING_METHODS:
        return HEADLESS
    if isinstance(parent, ast.Call) and (ctx.qualname(parent.func) or "").endswith(FEATURE_WRAPPERS):
        return HEADLESS
    if not name:
        return WHOLE
    uses = _attribute_uses(ctx, name)
    if uses & FEATURE_EXTRACTOR_ATTRIBUTES:
        return EXTRACTOR
    if uses & TRUNCATING_METHODS or _passed_to_feature_wrapper(ctx, name) or any(_is_identity(ctx, a.value) for a in heads):
        return HEADLESS
    return WHOLE


def _drop_in(ctx: ModuleContext, call: ast.Call, keywords: set[str], api: frozenset[str]) -> bool:
    """Only ``keywords`` among the arguments, and the model used only through ``api``."""
    if call.args or has_star_kwargs(call) or any(kw.arg not in keywords for kw in call.keywords):
        return False
    name = _assigned_name(ctx, _model_expression(ctx, call)[0])
    return not name or _attribute_uses(ctx, name) <= api


def _timm_call(node: cst.Call, plan: _TimmPlan, ctx: FixContext, num_classes: str | None = None) -> cst.Call:
    """``timm.create_model(name, pretrained=..., num_classes=...)`` for the torchvision call
    ``node``, keeping its ``num_classes`` (or passing ``num_classes``) and its layout."""
    import libcst as cst

    for dropped in plan.dropped:
        ctx.remove_unused_import(*dropped)
    ctx.add_import("timm")
    by_keyword = {arg.keyword.value: arg for arg in node.args if arg.keyword}
    flag = by_keyword.get("pretrained")
    if flag is None and "weights" in by_keyword:
        flag = by_keyword["weights"].with_changes(keyword=cst.Name("pretrained"), value=cst.Name(plan.pretrained))
    if flag is None:
        flag = cst.Arg(value=cst.Name(plan.pretrained), keyword=cst.Name("pretrained"), equal=_no_space_equal())
    if num_classes is not None:
        by_keyword["num_classes"] = cst.Arg(value=cst.Integer(num_classes), keyword=cst.Name("num_classes"), equal=flag.equal)
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


def _drop_head(owner: cst.CSTNode, plan: _HeadlessPlan, ctx: FixContext) -> cst.CSTNode:
    """``owner``'s block with the torchvision call rewritten to timm (``num_classes=0``) and the
    statement that cut its head off deleted; unchanged if either is no longer there."""
    import libcst as cst
    import libcst.matchers as m

    block = owner if isinstance(owner, cst.Module) else getattr(owner, "body", None)
    assert isinstance(block, (cst.Module, cst.IndentedBlock))
    statements = list(block.body)
    heads = [
        i
        for i, s in enumerate(statements)
        if isinstance(s, cst.SimpleStatementLine) and len(s.body) == 1 and ctx.code(s.body[0]) == plan.head
    ]
    calls = [i for i, s in enumerate(statements) if any(ctx.code(c) == plan.call for c in m.findall(s, m.Call()))]
    if len(heads) != 1 or len(calls) != 1 or calls[0] > heads[0]:
        return owner

    class RewriteCall(cst.CSTTransformer):
        def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
            return _timm_call(updated, plan.model, ctx, "0") if ctx.code(original) == plan.call else updated

    rewritten = statements[calls[0]].visit(RewriteCall())
    assert isinstance(rewritten, (cst.SimpleStatementLine, cst.BaseCompoundStatement))
    statements[calls[0]] = rewritten
    del statements[heads[0]]
    return owner.with_changes(body=statements) if isinstance(owner, cst.Module) else owner.with_changes(
        body=block.with_changes(body=statements)
    )


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
