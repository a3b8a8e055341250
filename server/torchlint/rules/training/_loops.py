"""What the training-loop rules share: torch evidence, which names hold modules, which loops
evaluate, which calls set a model's mode and which code needs gradients."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Any, TypeVar

from ...analysis.callgraph import instance_method, owner, reachable, resolve
from ...analysis.context import ModuleContext, fact
from ...analysis.layout import CST_BLOCK_OWNERS, alone_on_its_lines
from ...analysis.scopes import bound_names, lookup
from ...analysis.syntax import DEF_TYPES, LOOP_TYPES, dotted, keyword
from ...analysis.torch_types import local_subclasses, module_classes
from ...analysis.training import is_backward, is_optimizer_class

if TYPE_CHECKING:
    import libcst as cst

N = TypeVar("N", bound=ast.AST)

#: Packages whose import says the module is PyTorch code (each is matched by the engine's cheap skip).
TORCH_PACKAGES = ("torch", "torchvision", "torchaudio", "lightning", "pytorch_lightning", "transformers", "accelerate", "timm")
#: Recursion bound when following names through their assignments.
DEPTH = 6


def uses_torch(ctx: ModuleContext) -> bool:
    return ctx.imports_any(*TORCH_PACKAGES)


def start(node: ast.AST) -> tuple[int, int]:
    """Where ``node`` starts (``(0, 0)`` for the module)."""
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def before(node: ast.AST, other: ast.AST) -> bool:
    """``node`` starts before ``other``."""
    return start(node) < start(other)


def inside(ctx: ModuleContext, root: ast.AST, *types: type[N]) -> list[N]:
    """``ctx.within`` that also takes the module (which has no position of its own)."""
    return ctx.within(root.body if isinstance(root, ast.Module) else root, *types)


# -- frameworks that own the loop -----------------------------------------------------------------


def _is_framework_base(name: str) -> bool:
    """Lightning's classes, and the Hugging Face (and TRL) trainers: their subclasses' hooks run
    inside a loop the framework writes (zeroing, ``eval()``/``train()``, ``no_grad``)."""
    root, last = name.partition(".")[0], name.rsplit(".", 1)[-1]
    return root in {"lightning", "pytorch_lightning"} or (root in {"transformers", "trl"} and last.endswith("Trainer"))


@fact
def framework_classes(ctx: ModuleContext) -> frozenset[ast.ClassDef]:
    return frozenset(local_subclasses(ctx, _is_framework_base).values())


def in_framework_code(ctx: ModuleContext, node: ast.AST) -> bool:
    """``node`` is in a Lightning module or a ``Trainer`` subclass."""
    classes = framework_classes(ctx)
    return bool(classes) and any(ancestor in classes for ancestor in ctx.ancestors(node))


# -- modules --------------------------------------------------------------------------------------

#: Module methods that return the module itself.
_RETURNS_MODULE = frozenset(
    {"to", "cuda", "cpu", "half", "float", "double", "bfloat16", "train", "eval", "requires_grad_", "to_empty"}
)
_TORCHVISION_NOT_BUILDERS = frozenset({"get_weight", "get_model_weights", "get_model_builder", "list_models"})
_HF_NOT_MODELS = ("Config", "Tokenizer", "Processor", "FeatureExtractor")


def builds_module(ctx: ModuleContext, expr: ast.expr, depth: int = 0) -> bool:
    """``expr`` makes a module: an ``nn.*`` or module-class constructor, ``from_pretrained`` of a
    transformers model class, ``timm.create_model``, a torchvision model builder, ``torch.compile``
    of a module, or a method that returns its module (``Net().to(device)``)."""
    if not isinstance(expr, ast.Call) or depth > DEPTH:
        return False
    func = expr.func
    name = ctx.qualname(func)
    if name is None:
        if isinstance(func, ast.Attribute) and func.attr in _RETURNS_MODULE:
            return holds_module(ctx, func.value, depth + 1)
        if isinstance(func, ast.Name) and func.id in module_classes(ctx):
            return any(binding.node is module_classes(ctx)[func.id] for binding in lookup(ctx, func.id, func))
        return False
    parts = name.split(".")
    if name == "torch.compile":
        return bool(expr.args) and holds_module(ctx, expr.args[0], depth + 1)
    if name == "timm.create_model":
        return True
    if parts[:2] == ["torch", "nn"] and parts[-1][:1].isupper():
        return (len(parts) == 3 and parts[-1] not in {"Parameter", "Buffer"}) or parts[2] in {"modules", "parallel"}
    if parts[:2] == ["torchvision", "models"]:
        return parts[-1][:1].islower() and parts[-1] not in _TORCHVISION_NOT_BUILDERS
    if parts[0] == "transformers" and parts[-1] == "from_pretrained" and len(parts) >= 3:
        model_class = parts[-2]
        return ("Model" in model_class or "For" in model_class) and not any(w in model_class for w in _HF_NOT_MODELS)
    return False


def holds_module(ctx: ModuleContext, expr: ast.expr, depth: int = 0) -> bool:
    """``expr`` certainly holds a module: a name every assignment of which builds one, or
    ``self.<attr>`` that every method of the class assigns one (see :func:`builds_module`)."""
    if depth > DEPTH:
        return False
    if isinstance(expr, ast.Call):
        return builds_module(ctx, expr, depth)
    if isinstance(expr, ast.Name):
        values = []
        for binding in lookup(ctx, expr.id, expr):
            value = binding.value
            if value is None or binding.path or binding.iterated:
                return False
            if not _converts_itself(value, expr.id):  # ``model = model.to(device)`` keeps what it was
                values.append(value)
        return bool(values) and all(builds_module(ctx, value, depth + 1) for value in values)
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
        values = self_attribute_values(ctx, expr)
        return bool(values) and all(builds_module(ctx, value, depth + 1) for value in values)
    return False


def _converts_itself(value: ast.expr, name: str) -> bool:
    func = value.func if isinstance(value, ast.Call) else None
    return (
        isinstance(func, ast.Attribute)
        and func.attr in _RETURNS_MODULE
        and isinstance(func.value, ast.Name)
        and func.value.id == name
    )


def self_attribute_values(ctx: ModuleContext, attribute: ast.Attribute) -> list[ast.expr]:
    """What the methods of the class around ``self.<attr>`` assign to it (``[]`` when ``self``
    is no method's first parameter, or when something else than a plain assignment binds it)."""
    assert isinstance(attribute.value, ast.Name)
    method = instance_method(ctx, attribute.value.id, attribute.value)
    if method is None:
        return []
    cls = ctx.parent(method)
    assert isinstance(cls, ast.ClassDef)
    values: list[ast.expr] = []
    for node in ctx.within(cls, ast.Attribute):
        if node.attr != attribute.attr or not isinstance(node.value, ast.Name) or isinstance(node.ctx, ast.Load):
            continue
        method = instance_method(ctx, node.value.id, node.value)
        parent = ctx.parent(node)
        if method is None or ctx.parent(method) is not cls:
            continue
        if not isinstance(parent, (ast.Assign, ast.AnnAssign)) or parent.value is None or node not in _targets(parent):
            return []
        values.append(parent.value)
    return values


def _targets(statement: ast.Assign | ast.AnnAssign) -> list[ast.expr]:
    return statement.targets if isinstance(statement, ast.Assign) else [statement.target]


_MODEL_NAME = re.compile(
    r"model|net|encoder|decoder|backbone|classifier|policy|actor|critic|generator|discriminator|transformer|unet|vae",
    re.IGNORECASE,
)


def looks_like_model(name: str) -> bool:
    """``model``, ``self.net``, ``netG``, ``q_network``: the last part is named like a model."""
    return bool(_MODEL_NAME.search(name.rsplit(".", 1)[-1]))


@fact
def model_called(ctx: ModuleContext, call: ast.Call) -> str | None:
    """The dotted name of the model that ``call`` runs (``model(x)``, ``self.net(x)``,
    ``model.forward(x)``), when the callee holds a module or is named like a model and is
    neither imported nor one of the module's functions or classes."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "forward":
        func = func.value
    name = dotted(func)
    if name is None or ctx.qualname(func) is not None or resolve(ctx, call) is not None:
        return None
    if isinstance(func, ast.Name) and any(isinstance(b.node, (ast.ClassDef, *DEF_TYPES)) for b in lookup(ctx, func.id, func)):
        return None
    return name if looks_like_model(name) or holds_module(ctx, func) else None


# -- evaluation -----------------------------------------------------------------------------------

_EVALUATION_PREFIXES = ("eval", "valid", "test", "predict", "infer")
_EVALUATION_DATA = ("val", "valid", "validation", "test", "testing", "eval", "evaluation", "heldout")
_DATA_SUFFIXES = ("", "loader", "dl", "set", "data", "dataset", "iter", "batches")
#: The words that name evaluation data: ``val``, ``testloader``, ``evaldataset``.
_EVALUATION_DATA_WORDS = frozenset(data + suffix for data in _EVALUATION_DATA for suffix in _DATA_SUFFIXES)
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def _words(name: str) -> list[str]:
    return [word.lower() for word in _WORDS.findall(name)]


def named_for_evaluation(name: str) -> bool:
    """``evaluate``, ``run_validation``, ``predictStep``, ``infer``: a word starts like eval*,
    valid*, test*, predict* or infer*."""
    return any(word.startswith(_EVALUATION_PREFIXES) for word in _words(name))


def is_evaluation_function(ctx: ModuleContext, function: ast.AST) -> bool:
    """A function named for evaluation that is not a unit test (``test_*`` in a pytest or
    unittest module)."""
    if not isinstance(function, DEF_TYPES) or not named_for_evaluation(function.name):
        return False
    return not (function.name.startswith("test") and ctx.imports_any("pytest", "unittest"))


def iterates_evaluation_data(ctx: ModuleContext, loop: ast.AST) -> bool:
    """``for x, y in val_loader`` / ``enumerate(self.testloader)``: the loop's data is named for
    evaluation (callee names and strings aside)."""
    if not isinstance(loop, (ast.For, ast.AsyncFor)):
        return False
    callees = {call.func for call in ctx.within(loop.iter, ast.Call)}
    names = [
        *(name.id for name in ctx.within(loop.iter, ast.Name) if name not in callees),
        *(attribute.attr for attribute in ctx.within(loop.iter, ast.Attribute) if attribute not in callees),
    ]
    return any(word in _EVALUATION_DATA_WORDS for name in names for word in name.lower().split("_"))


# -- gradients and modes --------------------------------------------------------------------------

_GRAD_FUNCTIONS = ("torch.autograd.grad", "torch.autograd.backward", "torch.autograd.functional.", "torch.func.")


def needs_grad(ctx: ModuleContext, root: ast.AST, *, backward: bool = True) -> bool:
    """``root`` (or a function of the module it calls) computes gradients: ``backward()`` (unless
    ``backward`` is false), ``torch.autograd.grad``, ``torch.func`` transforms, ``requires_grad_()``,
    ``x.requires_grad = ...`` or a read of ``x.grad`` (saliency maps, adversarial examples)."""
    callees = reachable(ctx, root) if isinstance(root, (*DEF_TYPES, *LOOP_TYPES, ast.Module)) else ()
    return any(_computes_gradients(ctx, part, backward) for part in (root, *callees))


def _computes_gradients(ctx: ModuleContext, root: ast.AST, backward: bool) -> bool:
    for call in inside(ctx, root, ast.Call):
        if backward and is_backward(call):
            return True
        name = ctx.qualname(call.func) or ""
        if name.startswith(_GRAD_FUNCTIONS) or (isinstance(call.func, ast.Attribute) and call.func.attr == "requires_grad_"):
            return True
    for attribute in inside(ctx, root, ast.Attribute):
        if attribute.attr == "requires_grad" and not isinstance(attribute.ctx, ast.Load):
            return True
        if attribute.attr == "grad" and isinstance(attribute.ctx, ast.Load) and ctx.qualname(attribute) is None:
            return True
    return False


EVAL, TRAIN, UNKNOWN = "eval", "train", "unknown"


def mode_set(call: ast.Call) -> tuple[str, str] | None:
    """``(model, mode)`` for ``model.eval()`` (``"eval"``), ``model.train()`` / ``.train(True)``
    (``"train"``), ``.train(False)`` (``"eval"``) and ``.train(flag)`` (``"unknown"``)."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in {"eval", "train"}:
        return None
    module = func.value
    while isinstance(module, ast.Call) and isinstance(module.func, ast.Attribute) and module.func.attr in _RETURNS_MODULE:
        module = module.func.value  # ``model.to(device).train()`` sets ``model``'s mode
    receiver = dotted(module)
    if receiver is None:
        return None
    if func.attr == "eval":
        return None if call.args or call.keywords else (receiver, EVAL)
    flag = call.args[0] if call.args else next((kw.value for kw in call.keywords if kw.arg == "mode"), None)
    if flag is None:
        return (receiver, TRAIN)
    if isinstance(flag, ast.Constant) and flag.value in (True, False):
        return (receiver, TRAIN if flag.value else EVAL)
    return (receiver, UNKNOWN)


def parameter_owners(constructor: ast.Call) -> frozenset[str] | None:
    """The models whose ``parameters()`` an optimizer constructor is given, when the call shows them."""
    params = constructor.args[0] if constructor.args else getattr(keyword(constructor, "params"), "value", None)
    if params is None:
        return None
    methods = [node.func for node in ast.walk(params) if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)]
    owners = {dotted(method.value) for method in methods if method.attr in {"parameters", "named_parameters"}}
    return frozenset(name for name in owners if name) or None


@fact
def optimized_models(ctx: ModuleContext) -> frozenset[str] | None:
    """The models that the module's optimizers train, by the names of the functions that build
    them; ``None`` unless every optimizer shows its models, none of them a parameter or ``self``."""
    models: set[str] = set()
    constructors = ctx.calls_matching(is_optimizer_class)
    for constructor in constructors:
        owners = parameter_owners(constructor)
        function = owner(ctx, constructor)
        arguments = () if isinstance(function, ast.Module) else ast.walk(function.args)
        parameters = {a.arg for a in arguments if isinstance(a, ast.arg)}
        if owners is None or any(name.split(".")[0] in {"self", *parameters} for name in owners):
            return None
        models |= owners
    return frozenset(models) if constructors else None


def related(name: str, other: str) -> bool:
    """The two dotted names are one object or one holds the other (``model`` and ``model.module``)."""
    return name == other or name.startswith(other + ".") or other.startswith(name + ".")


# -- fixes ----------------------------------------------------------------------------------------


def torch_reference(ctx: ModuleContext) -> tuple[str, bool] | None:
    """How an inserted statement names torch: the alias of a top-level ``import torch`` (and
    ``False``: nothing to add), or ``("torch", True)`` when the import must be added; ``None``
    when the module spells ``torch`` otherwise."""
    for statement in ctx.tree.body:
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                if alias.name == "torch" or (alias.name.startswith("torch.") and not alias.asname):
                    return (alias.asname or "torch", False)
    return None if "torch" in bound_names(ctx) else ("torch", True)


def insertion_node(ctx: ModuleContext, statement: ast.stmt) -> str | None:
    """The libcst node type of ``statement``, for a fix that inserts a statement before it;
    ``None`` when it shares its lines (``if x: y``, ``a; b``), where no line can go before it."""
    if not alone_on_its_lines(ctx, statement):
        return None
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return None  # its decorators come first
    return CST_BLOCK_OWNERS.get(type(statement)) or ("SimpleStatementLine" if not hasattr(statement, "body") else None)


def insert_before(node: cst.CSTNode, code: str) -> cst.FlattenSentinel[Any]:
    """The statement ``code`` and then ``node``; the comments and blank lines above ``node`` stay above both."""
    import libcst as cst

    assert isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement))
    line = cst.parse_statement(code + "\n")
    return cst.FlattenSentinel([line.with_changes(leading_lines=node.leading_lines), node.with_changes(leading_lines=())])


def with_keywords(call: cst.Call, keywords: list[tuple[str, str]]) -> cst.Call:
    """``call`` with ``name=value`` arguments appended (``value`` is source code): ``f(a, key=value)``
    on one line; one argument a line, with the trailing comma kept, when the call is laid out so."""
    import libcst as cst

    equal = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))
    added = [cst.Arg(value=cst.parse_expression(value), keyword=cst.Name(name), equal=equal) for name, value in keywords]
    args = list(call.args)
    separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    trailing = args[-1].comma if args else cst.MaybeSentinel.DEFAULT
    if isinstance(trailing, cst.Comma) and not isinstance(trailing.whitespace_after, cst.SimpleWhitespace):
        # One argument a line: the new ones follow the layout of the others.
        previous = args[-2].comma if len(args) > 1 else None
        separator = previous if isinstance(previous, cst.Comma) else cst.Comma(whitespace_after=call.whitespace_before_args)
    else:
        trailing = cst.MaybeSentinel.DEFAULT if not isinstance(trailing, cst.Comma) else trailing
    if args:
        args[-1] = args[-1].with_changes(comma=separator)
    added = [arg.with_changes(comma=separator) for arg in added[:-1]] + [added[-1].with_changes(comma=trailing)]
    return call.with_changes(args=[*args, *added])
