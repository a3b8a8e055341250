"""TL204 manual-numpy-augmentation."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...analysis.callgraph import call_graph, reachable
from ...analysis.context import ModuleContext, fact
from ...analysis.scopes import fresh_name
from ...analysis.syntax import DEF_TYPES, FUNCTION_TYPES, dotted, int_value, keyword
from ...model import Action, Finding, Plan, Severity
from ...rule import Rule
from ._models import V2, under

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

FLIP_FUNCTIONS = {"numpy.flip", "numpy.fliplr", "numpy.flipud", "numpy.rot90", "cv2.flip"}
RANDOM_MODULES = ("random", "numpy.random")
TORCH_RANDOM = {"torch.rand", "torch.randint", "torch.randn", "torch.rand_like", "torch.randperm", "torch.bernoulli"}
RANDOM_METHODS = {"random", "rand", "uniform", "randint", "integers", "choice", "randn", "binomial", "random_sample"}
DATASET_BASES = {"torch.utils.data.Dataset", "torch.utils.data.IterableDataset", "torch.utils.data.dataset.Dataset"}
AUGMENTATION_NAME = re.compile(r"augment|transform|flip|rotat|^random|(^|_)aug(_|$)", re.IGNORECASE)
#: Functions and classes named like data loading (`load_image`, `get_patch`, `DataGenerator`): their
#: random flips are augmentation when the flipped array is named like an image.
LOADING_NAME = re.compile(
    r"load|read|fetch|preprocess|prepare|batch|generat|sample|patch|crop|item|pipeline|dataset|loader",
    re.IGNORECASE,
)
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

#: Names that are a per-pixel label map (segmentation) when the flip needs two dimensions.
LABEL_MAP_WORDS = {"label", "labels"}

HORIZONTAL, VERTICAL, ROTATE_180 = "horizontal", "vertical", "rotate180"
#: ``np.flip(img, axis)`` along an axis drawn at random or not known here.
EITHER_AXIS = "either"
#: The v2 transform named in the message (rotations, 180-degree flips included, are RandomRotation).
TRANSFORM_NAMES = {
    HORIZONTAL: "RandomHorizontalFlip",
    VERTICAL: "RandomVerticalFlip",
    EITHER_AXIS: "RandomHorizontalFlip/RandomVerticalFlip",
}

_Function = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True)
class _Flip:
    node: ast.AST
    kind: str  # HORIZONTAL, VERTICAL, ROTATE_180, or "rot90:<k>" ("rot90:" for a random k)
    probability: str
    operation: str  # as the user wrote it, for messages
    function: _Function
    where: str
    top: ast.stmt  # the module-level statement around it
    array: str | None  # the flipped array's name


@dataclass(frozen=True)
class _PipelinePlan(Plan):
    """Insert ``name = v2.Compose([...transforms])`` before the statement, with comments on how
    to use it in place of the manual flips of one function."""

    name: str
    transforms: tuple[str, ...]  # the code of each v2 transform
    where: str  # the function, for the comment
    operations: str  # the manual flips as written, for the comment
    unknown: tuple[str, ...]  # probabilities that are not literals, to set by hand
    paired: bool  # several arrays are flipped (an image and its mask)


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
    if flip.kind == EITHER_AXIS:
        either = "v2.RandomChoice([v2.RandomHorizontalFlip(p=1.0), v2.RandomVerticalFlip(p=1.0)])"
        return either if p == "1" else f"v2.RandomApply([{either}], p={p})"
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
        if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
            return node.slice.value
        return _array_name(node.value)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ARRAY_METHODS:
        return _array_name(node.func.value)
    return None


def _image_like(node: ast.AST, at_least_2d: bool, strict: bool) -> bool:
    """An image array: named like one, or (when the operation needs 2-D, and not ``strict``) not
    named like anything else."""
    words = _words(_array_name(node))
    excluded = words & NON_IMAGE_WORDS
    if excluded and not (at_least_2d and excluded <= LABEL_MAP_WORDS):
        return False
    return bool(words & IMAGE_WORDS) or (at_least_2d and not strict and bool(words))


def _is_reversal(node: ast.AST) -> bool:
    """``::-1``."""
    if not isinstance(node, ast.Slice) or node.lower or node.upper or node.step is None:
        return False
    step = node.step
    if isinstance(step, ast.UnaryOp) and isinstance(step.op, ast.USub):
        return int_value(step.operand) == 1
    return int_value(step) == -1


def _axis(call: ast.Call, position: int, name: str) -> ast.expr | None:
    kw = keyword(call, name)
    if kw is not None:
        return kw.value
    return call.args[position] if len(call.args) > position else None


def _flip_kind(ctx: ModuleContext, node: ast.AST) -> tuple[str, ast.AST, bool, str] | None:
    """(kind, the flipped array, whether the operation needs a 2-D array, its text) for a flip."""
    if isinstance(node, ast.Call):
        name = ctx.qualname(node.func)
        if name is None or name not in FLIP_FUNCTIONS or not node.args:
            return None
        if name == "cv2.flip":
            return _cv2_flip_kind(node)
        array, operation = node.args[0], f"np.{name.rpartition('.')[2]}"
        if name == "numpy.fliplr":
            return HORIZONTAL, array, True, operation
        if name == "numpy.flipud":
            return VERTICAL, array, False, operation
        if name == "numpy.rot90":
            k = _axis(node, 1, "k")
            fixed = "1" if k is None else "" if (turns := int_value(k)) is None else str(turns)
            return f"rot90:{fixed}", array, True, operation
        axis = _axis(node, 1, "axis")
        if axis is None:
            return ROTATE_180, array, True, operation
        value = int_value(axis)
        if value is None:
            return (EITHER_AXIS, array, True, operation) if _maybe_axis(axis) else None
        if value == 0:
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


def _cv2_flip_kind(call: ast.Call) -> tuple[str, ast.AST, bool, str] | None:
    """``cv2.flip(img, 1)`` flips horizontally, ``0`` vertically, ``-1`` both ways (a 180-degree turn)."""
    code = _axis(call, 1, "flipCode")
    if code is None:
        return None
    value = _signed_int(code)
    if value is None:
        return (EITHER_AXIS, call.args[0], True, "cv2.flip") if _maybe_axis(code) else None
    kind = HORIZONTAL if value > 0 else VERTICAL if value == 0 else ROTATE_180
    return kind, call.args[0], True, "cv2.flip"


def _signed_int(node: ast.expr) -> int | None:
    """``1``, ``0`` or ``-1``."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        value = int_value(node.operand)
        return None if value is None else -value
    return int_value(node)


def _maybe_axis(axis: ast.expr) -> bool:
    """A name, attribute or call that may give 0 or 1 (``axis``, ``random.randint(0, 1)``), not a tuple."""
    return isinstance(axis, (ast.Name, ast.Attribute, ast.Call))


def _where(function: _Function, owner: ast.AST | None) -> str:
    return f"{owner.name}.{function.name}" if isinstance(owner, ast.ClassDef) else function.name


def _is_augmentation_code(ctx: ModuleContext, function: _Function) -> bool:
    """A ``__getitem__``, a method of a dataset or of a class named like a transform, or a
    function named like one."""
    owner = ctx.parent(function)
    if isinstance(owner, ast.ClassDef) and (
        function.name in ENTRY_METHODS or _is_dataset(ctx, owner) or AUGMENTATION_NAME.search(owner.name)
    ):
        return True
    return AUGMENTATION_NAME.search(function.name) is not None


@fact
def _dataset_code(ctx: ModuleContext) -> set[_Function]:
    """Augmentation code and the module's functions it calls, directly or through each other
    (``__getitem__`` -> ``self.load_image`` -> ``preprocess``)."""
    roots = [f for f in ctx.function_defs if _is_augmentation_code(ctx, f)]
    return {*roots, *(helper for root in roots for helper in reachable(ctx, root))}


def _augmentation_scope(ctx: ModuleContext, node: ast.AST) -> tuple[_Function, str, bool] | None:
    """The function around ``node`` if it is dataset or transform code, with a name for it and
    whether the flipped array must be named like an image (code only named like data loading)."""
    function = ctx.enclosing(node, FUNCTION_TYPES)
    if not isinstance(function, DEF_TYPES):
        return None
    owner = ctx.parent(function)
    if function in _dataset_code(ctx):
        return function, _where(function, owner), False
    names = [function.name, owner.name if isinstance(owner, ast.ClassDef) else ""]
    if any(LOADING_NAME.search(name) for name in names):
        return function, _where(function, owner), True
    return None


def _is_dataset(ctx: ModuleContext, cls: ast.ClassDef) -> bool:
    return cls.name.lower().endswith("dataset") or any(
        ctx.qualname(b) in DATASET_BASES or (dotted(b) or "").lower().endswith("dataset") for b in cls.bases
    )


def _is_random_call(ctx: ModuleContext, call: ast.Call) -> bool:
    name = ctx.qualname(call.func)
    if under(name, RANDOM_MODULES) or name in TORCH_RANDOM:
        return True
    return isinstance(call.func, ast.Attribute) and call.func.attr in RANDOM_METHODS


@fact
def _random_draws(ctx: ModuleContext, function: ast.AST) -> dict[str, ast.expr]:
    """Names assigned from a random draw in ``function``, with the value (``flip = random.random() < 0.5``)."""
    assigns = [
        node
        for node in ctx.within(function, ast.Assign)
        if any(_is_random_call(ctx, c) for c in ctx.within(node.value, ast.Call))
    ]
    # Of two draws into one name, the one ``ast.walk`` meets last wins: the more deeply nested.
    assigns.sort(key=lambda node: sum(1 for _ in ctx.ancestors(node)))
    return {t.id: node.value for node in assigns for t in node.targets if isinstance(t, ast.Name)}


@fact
def _visible_draws(ctx: ModuleContext, function: ast.AST) -> dict[str, ast.expr]:
    """The random draws ``function`` sees: its own, then those of the functions it is nested in
    (BasicSR's ``augment`` draws ``hflip``, its inner ``_augment(img)`` flips)."""
    drawn: dict[str, ast.expr] = {}
    for scope in [function, *ctx.ancestors(function)]:
        if isinstance(scope, DEF_TYPES):
            for name, value in _random_draws(ctx, scope).items():
                drawn.setdefault(name, value)
    return drawn


def _is_random(ctx: ModuleContext, expr: ast.AST, function: ast.AST) -> bool:
    drawn = _visible_draws(ctx, function)
    if any(_is_random_call(ctx, c) for c in ctx.within(expr, ast.Call)):
        return True
    return any(n.id in drawn for n in ctx.within(expr, ast.Name))


def _probability(ctx: ModuleContext, test: ast.AST, negated: bool, function: ast.AST, follow: bool = True) -> str:
    """The chance that ``test`` holds: ``p`` in ``random.random() < p``, also through a name
    assigned from such a draw (0.5 when unclear)."""
    drawn = _visible_draws(ctx, function)
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
    if isinstance(bound, ast.Constant) and isinstance(bound.value, (int, float)):
        return f"{1 - bound.value:g}"
    return f"1 - {ctx.text(bound)}"


def _decision(ctx: ModuleContext, node: ast.AST, function: ast.AST) -> str | None:
    """The probability of the random choice ``node`` runs under (``None``: it is not random)."""
    child = node
    for ancestor in ctx.ancestors(node):
        if ancestor is function:
            break
        if (
            isinstance(ancestor, (ast.If, ast.IfExp))
            and child is not ancestor.test
            and (_is_random(ctx, ancestor.test, function) or _drawn_by_callers(ctx, ancestor.test, function))
        ):
            negated = child in ancestor.orelse if isinstance(ancestor, ast.If) else child is ancestor.orelse
            return _probability(ctx, ancestor.test, negated, function)
        child = ancestor
    if isinstance(node, ast.Call) and any(_is_random(ctx, a, function) for a in [*node.args[1:], *node.keywords]):
        return "1"  # drawn in the arguments: a random axis or number of turns, every time
    return None


def _drawn_by_callers(ctx: ModuleContext, test: ast.expr, function: ast.AST) -> bool:
    """``test`` reads a parameter that a caller in the module draws at random: DnCNN's
    ``data_augmentation(patch, np.random.randint(0, 8))`` choosing flips by ``mode == 1``."""
    if not isinstance(function, DEF_TYPES):
        return False
    read = {n.id for n in ctx.within(test, ast.Name)}
    params = [a.arg for a in function.args.posonlyargs + function.args.args]
    for site in call_graph(ctx).callers(function):
        positional = params[1:] if site.through_self else params
        passed = [*zip(positional, site.call.args, strict=False), *((k.arg, k.value) for k in site.call.keywords)]
        if any(name in read and _is_random(ctx, value, site.caller) for name, value in passed):
            return True
    return False


def _top_statement(ctx: ModuleContext, node: ast.AST) -> ast.stmt:
    """The module-level statement around ``node``."""
    *_, top, module = [node, *ctx.ancestors(node)]
    assert isinstance(top, ast.stmt) and module is ctx.tree
    return top


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
        if scope is None:
            continue
        needs_2d = needs_2d or _array_name(array) in _planar_arrays(ctx, scope[0])
        if not _image_like(array, needs_2d, strict=scope[2]):
            continue
        probability = _decision(ctx, node, scope[0])
        if probability is None:
            continue
        if kind == "rot90:" or (kind.startswith("rot90") and _is_random(ctx, node, scope[0])):
            kind = "rot90:"
        top = _top_statement(ctx, node)
        flips.append(_Flip(node, kind, probability, operation, scope[0], scope[1], top, _array_name(array)))
    return flips


@fact
def _planar_arrays(ctx: ModuleContext, function: ast.AST) -> set[str]:
    """Names of arrays that ``function`` treats as images: flipped or turned by an operation that
    needs two dimensions (``np.fliplr``, ``np.rot90``, ``[:, ::-1]``), or made from an array named
    like an image (``out = np.transpose(image, (1, 2, 0))``). Reversing the first axis of one of
    them (``np.flipud(out)``) is a vertical flip, not a reversal of order."""
    names = set()
    for node in [*ctx.within(function, ast.Call), *ctx.within(function, ast.Subscript)]:
        shape = _flip_kind(ctx, node)
        if shape is not None and shape[2] and (name := _array_name(shape[1])):
            names.add(name)
    for assign in ctx.within(function, ast.Assign):
        if _image_like(_source_array(ctx, assign.value), at_least_2d=False, strict=True):
            names.update(t.id for t in assign.targets if isinstance(t, ast.Name))
    return names


def _source_array(ctx: ModuleContext, value: ast.expr) -> ast.AST:
    """The array a numpy function makes its result from (``image`` of ``np.transpose(image, axes)``)."""
    if isinstance(value, ast.Call) and value.args and under(ctx.qualname(value.func), ("numpy",)):
        return value.args[0]
    return value


def _dumped(transforms: tuple[str, ...] | list[ast.expr]) -> tuple[str, ...]:
    """The transforms' code, compared by syntax tree."""
    return tuple(ast.dump(ast.parse(t, mode="eval").body if isinstance(t, str) else t) for t in transforms)


@fact
def _pipelines(ctx: ModuleContext) -> set[tuple[str, ...]]:
    """The transforms of each module-level ``name = v2.Compose([...])``."""
    return {
        _dumped(statement.value.args[0].elts)
        for statement in ctx.tree.body
        if isinstance(statement, ast.Assign)
        and isinstance(statement.value, ast.Call)
        and ctx.qualname(statement.value.func) == f"{V2}.Compose"
        and len(statement.value.args) == 1
        and isinstance(statement.value.args[0], ast.List)
    }


class ManualNumpyAugmentation(Rule):
    """Images are flipped or rotated at random by hand with numpy in dataset or transform code.

    Fires on `np.flip`, `np.fliplr`, `np.flipud`, `np.rot90`, `cv2.flip` and `arr[::-1]` /
    `arr[:, ::-1]` on image-like arrays under a random decision, inside a `Dataset`, a `__getitem__`,
    a function or class named like an augmentation or transform, or a helper of the module that such
    code calls; also in functions named like data loading (`load_image`, `get_patch`) where the array
    is named like an image. A first-axis flip (`np.flipud(out)`, `out[::-1]`) counts when the array
    is named like an image, or the same function also flips or turns it in two dimensions or makes it
    from an image; a `label` turned or flipped in two dimensions is a segmentation map. The
    decision may be drawn in an enclosing function, in the arguments (a random axis or number of
    turns) or by a caller (`augment(img, mode=random.randint(0, 7))`).
    Deterministic flips, channel reversal (`img[..., ::-1]`), and reversing rewards, returns,
    shapes or other non-image arrays are not reported. The code action inserts a v2 pipeline
    scaffold; the manual flips stay until the pipeline is called in their place.
    """

    code = "TL204"
    name = "manual-numpy-augmentation"
    severity = Severity.WARNING
    requires = ("flip", "rot90", "::-1")
    message = "Use torchvision.transforms.v2 random flips instead of flipping arrays by hand"
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
    action_title = "Insert a torchvision.transforms.v2 augmentation pipeline scaffold (then call it and delete the manual flips)"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        flips = _manual_flips(ctx)
        if not flips:
            return
        offer_action = ctx.imports.get("v2", V2) == V2
        name = fresh_name(ctx, "train_augment")
        for flip in flips:
            transform = TRANSFORM_NAMES.get(flip.kind, "RandomRotation")
            message = f"Use v2.{transform} instead of a random {flip.operation} by hand"
            if not offer_action:
                yield self.finding(ctx, flip.node, message)
                continue
            same_function = [f for f in flips if f.function is flip.function]
            transforms = tuple(dict.fromkeys(_transform_code(f) for f in same_function))
            pipelines = _pipelines(ctx)
            if pipelines and _dumped(transforms) in pipelines:  # the scaffold is there already
                yield self.finding(ctx, flip.node, message)
                continue
            plan = _PipelinePlan(
                name=name,
                transforms=transforms,
                where=flip.where,
                operations=" / ".join(dict.fromkeys(f.operation for f in same_function)),
                unknown=tuple(dict.fromkeys(f.probability for f in same_function if not _is_number(f.probability))),
                paired=len({f.array for f in same_function}) > 1,
            )
            node_type = "FunctionDef" if isinstance(flip.top, ast.AsyncFunctionDef) else type(flip.top).__name__
            yield self.finding(ctx, flip.node, message, action=self.action_at(ctx, flip.top, plan, node=node_type))

    def action(self, node: cst.CSTNode, action: Action, ctx: FixContext) -> cst.FlattenSentinel[cst.CSTNode]:
        import libcst as cst

        assert isinstance(node, cst.BaseCompoundStatement)
        plan = action.plan_as(_PipelinePlan)
        ctx.add_import("torchvision.transforms", "v2")
        comments = [
            f"# torchvision.transforms.v2 version of the random {plan.operations} in {plan.where}.",
            "# v2 transforms act on CHW tensors and PIL images (numpy arrays pass through unchanged):",
            f"# call {plan.name}(image) where the image is a tensor, then delete the manual flip.",
        ]
        if plan.paired:
            comments.append(
                "# Pass the image and its mask in one call (the mask as tv_tensors.Mask) to flip both alike."
            )
        if plan.unknown:
            comments.append(f"# Set p to the probability used there: {', '.join(plan.unknown)}.")
        transforms = plan.transforms
        items = transforms[0] if len(transforms) == 1 else "".join(f"\n    {t}," for t in transforms) + "\n"
        pipeline = cst.parse_statement(f"{plan.name} = v2.Compose([{items}])\n")
        blank = 0
        while blank < len(node.leading_lines) and node.leading_lines[blank].comment is None:
            blank += 1
        pipeline = pipeline.with_changes(
            leading_lines=[*node.leading_lines[:blank], *(cst.EmptyLine(comment=cst.Comment(c)) for c in comments)]
        )
        spacing = [cst.EmptyLine(), cst.EmptyLine()]
        return cst.FlattenSentinel([pipeline, node.with_changes(leading_lines=[*spacing, *node.leading_lines[blank:]])])
