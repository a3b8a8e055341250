"""What the NLP rules know about HuggingFace code: models, tokenizers, trainers and raw loops."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...analysis.context import ModuleContext, fact
from ...analysis.syntax import DEF_TYPES, FUNCTION_TYPES, callee_name, dotted, outer_first
from ...analysis.torch_types import local_subclasses
from ...analysis.training import (
    assigned_names,
    dataloader_calls,
    looks_like_optimizer,
    optimizer_names,
    optimizer_step_calls,
    outermost_loop,
    training_loops,
)

if TYPE_CHECKING:
    import libcst as cst

#: transformers classes that are models (``BertModel``, ``AutoModelForCausalLM``, ``T5ForConditionalGeneration``).
MODEL_CLASS = re.compile(r"(?!DataCollator)[A-Z]\w*(Model|For[A-Z]\w*)")
#: transformers classes loaded with ``from_pretrained`` that a saved model needs beside it.
TOKENIZER_CLASS = re.compile(r"[A-Z]\w*(Tokenizer|TokenizerFast|TokenizerBase|Processor)")
#: The same, built directly (``BertTokenizerFast(vocab_file=...)``); processors are built from files.
TOKENIZER_INIT = re.compile(r"[A-Z]\w*(Tokenizer|TokenizerFast)")
LOADERS = {"from_pretrained", "from_config"}
TOKENIZER_PARAMS = {"tokenizer", "tok", "processor", "processing_class"}
#: Libraries that own the training loop (and device placement) when a module uses them.
LOOP_OWNERS = ("lightning", "pytorch_lightning", "deepspeed")
#: Methods that return the model they are called on, placed or switched (``model.to(device)``).
PLACEMENT_METHODS = {"to", "cuda", "eval", "train", "half", "bfloat16"}
#: Wrappers around the iterable of a ``for`` (``enumerate(loader)``, ``tqdm(loader)``).
ITERATION_WRAPPERS = ("enumerate", "tqdm", "track", "progress_bar")


# -- models -------------------------------------------------------------------------------------


def _builds_transformers_class(
    ctx: ModuleContext, call: ast.Call, pattern: re.Pattern, *, loaders: set[str] = LOADERS, direct: bool = True
) -> bool:
    """``call`` builds a transformers class matching ``pattern``: through ``loaders``, or called directly.

    The class may be written out or looked up in a table of classes (``MODEL_CLASSES[name]``,
    ``model_class`` unpacked from it).
    """
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in loaders:
        func = func.value
    elif not direct:
        return False
    return any(_is_transformers_class(name, pattern) for name in _classes_of(ctx, func))


def _is_transformers_class(name: str, pattern: re.Pattern) -> bool:
    """``name`` is the qualified name of a transformers class matching ``pattern``."""
    return name.startswith("transformers.") and pattern.fullmatch(name.rsplit(".", 1)[-1]) is not None


def _classes_of(ctx: ModuleContext, node: ast.expr) -> set[str]:
    """The qualified names of the classes ``node`` may denote: the class itself, an entry of a
    class table, or a name bound to one."""
    name = ctx.qualname(node)
    if name is not None:
        return {name}
    tables = _class_tables(ctx)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id in tables:
        return {name for value in tables[node.value.id] for name in _qualnames(ctx, [value])}
    if isinstance(node, ast.Name):
        return _table_aliases(ctx).get(node.id, set())
    return set()


def _qualnames(ctx: ModuleContext, nodes: Iterable[ast.expr]) -> set[str]:
    return {name for name in map(ctx.qualname, nodes) if name is not None}


@fact
def _class_tables(ctx: ModuleContext) -> dict[str, list[ast.expr]]:
    """Module-level dicts of classes, with their values:
    ``MODEL_CLASSES = {"bert": (BertConfig, BertForSequenceClassification, BertTokenizer), ...}``."""
    tables: dict[str, list[ast.expr]] = {}
    for stmt in ctx.tree.body:
        value = stmt.value if isinstance(stmt, (ast.Assign, ast.AnnAssign)) else None
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [getattr(stmt, "target", None)]
        if isinstance(value, ast.Dict) and len(targets) == 1 and isinstance(targets[0], ast.Name):
            tables[targets[0].id] = [v for v in value.values if v is not None]
    return tables


@fact
def _table_aliases(ctx: ModuleContext) -> dict[str, set[str]]:
    """Names bound to an entry of a class table, with the classes they may denote:
    ``config_class, model_class, tokenizer_class = MODEL_CLASSES[args.model_type]``."""
    tables = _class_tables(ctx)
    aliases: dict[str, set[str]] = {}
    if not tables:
        return aliases
    for assign in ctx.nodes(ast.Assign):
        value = assign.value
        if not (isinstance(value, ast.Subscript) and isinstance(value.value, ast.Name) and value.value.id in tables):
            continue
        entries = tables[value.value.id]
        for target in assign.targets:
            if isinstance(target, ast.Name):
                aliases.setdefault(target.id, set()).update(_qualnames(ctx, entries))
            elif isinstance(target, ast.Tuple):
                rows = [entry.elts for entry in entries if isinstance(entry, ast.Tuple)]
                for position, element in enumerate(target.elts):
                    column = [row[position] for row in rows if len(row) > position]
                    if isinstance(element, ast.Name):
                        aliases.setdefault(element.id, set()).update(_qualnames(ctx, column))
    return aliases


@fact
def _transformers_calls(ctx: ModuleContext) -> list[ast.Call]:
    """Calls that may build a transformers class: callees that resolve into transformers, and
    ``from_pretrained``/``from_config`` or direct calls of a class looked up in a class table."""
    direct = ctx.calls_matching(lambda name: name.startswith("transformers."))
    looked_up = ctx.calls_named(*LOADERS, *_table_aliases(ctx)) if _class_tables(ctx) else []
    return _in_source_order([*direct, *looked_up])


def _in_source_order(calls: Iterable[ast.Call]) -> list[ast.Call]:
    """Distinct calls, in source order."""
    return sorted(set(calls), key=outer_first)


def _builds(call: ast.Call, classes: Collection[str]) -> bool:
    """``Cls(...)`` or ``Cls.from_pretrained(...)`` for one of the module's own ``classes``."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in LOADERS:
        func = func.value
    return isinstance(func, ast.Name) and func.id in classes


@fact
def hf_model_calls(ctx: ModuleContext) -> list[ast.Call]:
    """Every call that builds a HuggingFace model (``from_pretrained``, a config, a
    ``*PreTrainedModel`` subclass of the module, PEFT, a helper of the module that returns one),
    bound to a name or not."""
    return _in_source_order([*_model_builds(ctx), *ctx.calls("peft.get_peft_model"), *_model_helper_calls(ctx)])


@fact
def _model_builds(ctx: ModuleContext) -> list[ast.Call]:
    """``from_pretrained``/``from_config``/constructor calls of transformers models and of the module's subclasses."""
    own = local_subclasses(ctx, lambda name: _is_transformers_class(name, MODEL_CLASS))
    own_builds = [call for call in ctx.calls_named(*own, *LOADERS) if _builds(call, own)] if own else []
    built = [call for call in _transformers_calls(ctx) if _builds_transformers_class(ctx, call, MODEL_CLASS)]
    return [*built, *own_builds]


@fact
def _model_helper_calls(ctx: ModuleContext) -> dict[ast.Call, int | None]:
    """Calls of the module's helpers that return a model they build, with its place in the
    returned tuple (``None``: the helper returns the model itself)."""
    return _helper_calls(ctx, _model_builds(ctx))


@fact
def _tokenizer_helper_calls(ctx: ModuleContext) -> dict[ast.Call, int | None]:
    """Calls of the module's helpers that return a tokenizer they build (``model, tokenizer = load(name)``)."""
    return _helper_calls(ctx, _tokenizer_builds(ctx))


def _helper_calls(ctx: ModuleContext, builds: list[ast.Call]) -> dict[ast.Call, int | None]:
    """Calls of the module's functions that return what one of ``builds`` built
    (``def load_model(name): return AutoModel.from_pretrained(name)``), or return it in a tuple
    (``return model, tokenizer``), with its place in the tuple."""
    helpers: dict[str, int | None] = {}
    for call in builds:
        function = ctx.scope_of(call)
        if not isinstance(function, DEF_TYPES):
            continue
        outer = _outer_chain(ctx, call)
        held = {*assigned_names(ctx, outer)}
        for ret in ctx.within(function, ast.Return):
            if ret.value is None or ctx.scope_of(ret) is not function:
                continue
            if _is_held(ret.value, outer, held):
                helpers.setdefault(function.name, None)
            elif isinstance(ret.value, ast.Tuple):
                position = next((i for i, elt in enumerate(ret.value.elts) if _is_held(elt, outer, held)), None)
                if position is not None:
                    helpers.setdefault(function.name, position)
    calls = ctx.calls_named(*helpers) if helpers else []
    return {call: helpers[callee_name(call.func)] for call in calls if callee_name(call.func) in helpers and _is_own_call(call)}


def _is_held(value: ast.expr, built: ast.Call, held: set[str]) -> bool:
    """``value`` is the built object: the call itself or a name bound to it (``model``, ``model.to(device)``)."""
    if value is built:
        return True
    while isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr in PLACEMENT_METHODS:
        value = value.func.value
    return dotted(value) in held


def _bound_names(ctx: ModuleContext, call: ast.Call, position: int | None) -> list[str]:
    """The names ``call``'s result (or its method chain, ``.to(device)``) is bound to, or the name at
    ``position`` of a tuple target (``tokenizer`` of ``model, tokenizer = load(name)`` for position 1)."""
    if position is None:
        return assigned_names(ctx, _outer_chain(ctx, call))
    assign = ctx.parent(call)
    if not isinstance(assign, ast.Assign) or assign.value is not call:
        return []
    return [
        name
        for target in assign.targets
        if isinstance(target, (ast.Tuple, ast.List)) and len(target.elts) > position
        for name in [dotted(target.elts[position])]
        if name
    ]


def _is_own_call(call: ast.Call) -> bool:
    """``helper(...)`` or ``self.helper(...)``: a call of the module's own function or method."""
    return isinstance(call.func, ast.Name) or dotted(call.func) == f"self.{callee_name(call.func)}"


@fact
def hf_models(ctx: ModuleContext) -> dict[str, ast.Call]:
    """Names bound to a HuggingFace model, with the call that builds it."""
    models: dict[str, ast.Call] = {}
    helpers = _model_helper_calls(ctx)
    for call in hf_model_calls(ctx):
        for name in _bound_names(ctx, call, helpers.get(call)):
            models.setdefault(name, call)
    return models


def _outer_chain(ctx: ModuleContext, call: ast.Call) -> ast.Call:
    """The last call of a method chain (``X.from_pretrained(...).to(device)`` for the first call)."""
    while True:
        attribute = ctx.parent(call)
        outer = ctx.parent(attribute) if isinstance(attribute, ast.Attribute) else None
        if not isinstance(outer, ast.Call) or outer.func is not attribute:
            return call
        call = outer


# -- tokenizers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenizerBinding:
    """A name bound to a tokenizer, in a function (or the module), on a line."""

    name: str
    scope: ast.AST
    line: int


@fact
def tokenizer_bindings(ctx: ModuleContext) -> list[TokenizerBinding]:
    """Where the module binds a tokenizer or processor: loaded (``tok = AutoTokenizer.from_pretrained(...)``),
    built (``BertTokenizer(vocab_file=...)``), one of the module's subclasses of a tokenizer class, or
    returned by a helper of the module (``model, tokenizer = load_model(name)``)."""
    helpers = _tokenizer_helper_calls(ctx)
    bindings = []
    for call in _in_source_order([*_tokenizer_builds(ctx), *helpers]):
        scope = ctx.enclosing(call, FUNCTION_TYPES) or ctx.tree
        bindings += [TokenizerBinding(name, scope, call.lineno) for name in _bound_names(ctx, call, helpers.get(call))]
    return bindings


@fact
def _tokenizer_builds(ctx: ModuleContext) -> list[ast.Call]:
    """Calls that load or build a tokenizer or processor, in source order."""
    own = local_subclasses(ctx, lambda name: _is_transformers_class(name, TOKENIZER_CLASS))
    own_builds = [call for call in ctx.calls_named(*own, "from_pretrained") if _builds(call, own)] if own else []
    return [
        call
        for call in _in_source_order([*_transformers_calls(ctx), *own_builds])
        if call in own_builds
        or _builds_transformers_class(ctx, call, TOKENIZER_CLASS, loaders={"from_pretrained"}, direct=False)
        or _builds_transformers_class(ctx, call, TOKENIZER_INIT, loaders=set())
    ]


def tokenizer_in_scope(ctx: ModuleContext, node: ast.stmt | ast.expr) -> str | None:
    """The name of a tokenizer that code at ``node`` can use, if there is one.

    Looks in the enclosing functions (bindings before ``node``, then parameters), then at
    ``self.<name>`` bound in any method of the enclosing class, then at module level.
    """
    bindings = tokenizer_bindings(ctx)
    functions = [a for a in ctx.ancestors(node) if isinstance(a, FUNCTION_TYPES)]
    for function in functions:
        for binding in bindings:
            if binding.scope is function and binding.line < node.lineno:
                return binding.name
        for arg in parameters(function):
            if arg.arg in TOKENIZER_PARAMS or _is_tokenizer_annotation(ctx, arg.annotation):
                return arg.arg
    cls = ctx.enclosing(node, ast.ClassDef)
    for binding in bindings:
        if binding.name.startswith("self.") and cls is not None and ctx.enclosing(binding.scope, ast.ClassDef) is cls:
            return binding.name
    for binding in bindings:
        if binding.scope is ctx.tree and "." not in binding.name and (functions or binding.line < node.lineno):
            return binding.name
    return None


def parameters(function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> list[ast.arg]:
    """The named parameters of ``function`` (not ``*args`` or ``**kwargs``)."""
    args = function.args
    return [*args.posonlyargs, *args.args, *args.kwonlyargs]


def _is_tokenizer_annotation(ctx: ModuleContext, annotation: ast.expr | None) -> bool:
    name = ctx.qualname(annotation) if annotation is not None else None
    return _is_transformers_class(name or "", TOKENIZER_CLASS)


# -- trainers and other loop owners -------------------------------------------------------------


def _is_trainer_class(name: str) -> bool:
    return name.startswith(("transformers.", "trl.")) and name.endswith("Trainer")


@fact
def trainers(ctx: ModuleContext) -> dict[str, ast.Call]:
    """Names bound to a transformers/TRL ``*Trainer`` (or a subclass defined in the module), with the call."""
    own = local_subclasses(ctx, _is_trainer_class)
    own_builds = [call for call in ctx.calls_named(*own) if isinstance(call.func, ast.Name)]
    found: dict[str, ast.Call] = {}
    for call in _in_source_order([*ctx.calls_matching(_is_trainer_class), *own_builds]):
        for name in assigned_names(ctx, call) or [""]:
            found.setdefault(name, call)
    return found


def _uses_accelerate(ctx: ModuleContext) -> bool:
    """The module imports accelerate for more than seeding."""
    return any(
        name.partition(".")[0] == "accelerate" and not name.endswith(".set_seed") for name in ctx.imports.values()
    )


def loop_owned_elsewhere(ctx: ModuleContext) -> bool:
    """Trainer, accelerate, Lightning or DeepSpeed already run (or place) the training loop."""
    return bool(trainers(ctx)) or _uses_accelerate(ctx) or ctx.imports_any(*LOOP_OWNERS)


# -- hand-written training loops ----------------------------------------------------------------


@dataclass(frozen=True)
class RawLoop:
    """A hand-written training loop: ``backward()`` and ``optimizer.step()`` in one outermost loop."""

    node: ast.For | ast.AsyncFor | ast.While
    #: The optimizer stepped in the loop (``optimizer``, ``self.opt``).
    optimizer: str
    #: The model called in the loop, when it can be told.
    model: str | None
    #: What the loop (or its inner loop) iterates, preferring a DataLoader.
    loader: str | None
    #: Every backward() runs on the model's own ``outputs.loss`` (no custom objective).
    model_loss: bool
    #: Names (re)bound inside the loop: they are not available before it.
    bound_inside: frozenset[str]


@fact
def raw_loops(ctx: ModuleContext) -> list[RawLoop]:
    """The training loops that step an optimizer, in source order."""
    stepped: dict[ast.AST | None, str] = {}
    for call, optimizer in _optimizer_steps(ctx):
        stepped.setdefault(outermost_loop(ctx, call), optimizer)
    return [_describe_loop(ctx, loop, stepped[loop]) for loop in training_loops(ctx) if loop in stepped]


def _optimizer_steps(ctx: ModuleContext) -> Iterator[tuple[ast.Call, str]]:
    """``optimizer.step()`` and ``scaler.step(optimizer)``, with the optimizer's name."""
    for call in optimizer_step_calls(ctx):
        assert isinstance(call.func, ast.Attribute)  # the method index holds attribute calls only
        yield call, dotted(call.func.value) or ""
    known = optimizer_names(ctx)
    for call in ctx.method_calls("step"):
        name = dotted(call.args[0]) if len(call.args) == 1 else None
        if name and (name in known or looks_like_optimizer(name)):
            yield call, name


def _describe_loop(ctx: ModuleContext, loop: ast.For | ast.AsyncFor | ast.While, optimizer: str) -> RawLoop:
    assigned: dict[str, list[ast.expr]] = {}
    augmented: set[str] = set()
    loops: list[ast.For | ast.AsyncFor] = []
    for node in ctx.within(loop, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                _record_assignment(target, node.value, assigned)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)) and node.value is not None:
            _record_assignment(node.target, node.value, assigned)
            if isinstance(node, ast.AugAssign):
                augmented.add(dotted(node.target) or "")
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            _record_assignment(node.target, node.target, assigned)
            loops.append(node)
    iterated = [node.iter for node in sorted(loops, key=_walk_order(ctx, loop))]
    backwards = [call for call in ctx.method_calls("backward") if outermost_loop(ctx, call) is loop]
    outputs = [_model_output(ctx, call, assigned, augmented) for call in backwards]
    model = next((m for m in (_callee(o, assigned) for o in outputs if o is not None) if m), None)
    return RawLoop(
        node=loop,
        optimizer=optimizer,
        model=model or _model_called(ctx, loop),
        loader=_loader(ctx, iterated, assigned),
        model_loss=all(output is not None for output in outputs),
        bound_inside=frozenset(assigned),
    )


def _walk_order(ctx: ModuleContext, root: ast.AST) -> Callable[[ast.AST], tuple[int, list[int]]]:
    """A sort key that puts nodes inside ``root`` in the order ``ast.walk(root)`` meets them (breadth first)."""

    def key(node: ast.AST) -> tuple[int, list[int]]:
        branches = []
        while node is not root:
            parent = ctx.parent(node)
            assert parent is not None  # ``node`` is inside ``root``
            branches.append(next(i for i, child in enumerate(ast.iter_child_nodes(parent)) if child is node))
            node = parent
        return len(branches), branches[::-1]

    return key


def _record_assignment(target: ast.expr, value: ast.expr, assigned: dict[str, list[ast.expr]]) -> None:
    """Record ``target = value``; a name unpacked from a tuple gets itself (an unknown value)."""
    if isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            _record_assignment(element, element, assigned)
        return
    name = dotted(target.value if isinstance(target, ast.Starred) else target)
    if name:
        assigned.setdefault(name, []).append(value)


def _model_output(
    ctx: ModuleContext, backward: ast.Call, assigned: dict[str, list[ast.expr]], augmented: set[str]
) -> ast.expr | None:
    """The model output whose ``.loss`` (``["loss"]``, or ``[0]`` of a model's tuple) this ``backward()``
    differentiates, or None for any other objective."""
    if backward.args or backward.keywords:
        return None  # accelerator.backward(loss), torch.autograd.backward(...)
    assert isinstance(backward.func, ast.Attribute)  # the method index holds attribute calls only
    loss = backward.func.value
    if isinstance(loss, ast.Call) and isinstance(loss.func, ast.Attribute) and loss.func.attr == "scale" and len(loss.args) == 1:
        loss = loss.args[0]  # scaler.scale(loss).backward()
    if isinstance(loss, ast.Name):
        if loss.id in augmented:
            return None  # loss += aux_loss
        values = [v for v in assigned.get(loss.id, []) if not _rescales(v, loss.id)]
        if len(values) != 1:
            return None
        loss = values[0]
    loss = _strip_rescaling(loss)
    if isinstance(loss, ast.Attribute) and loss.attr == "loss":
        return loss.value
    if isinstance(loss, ast.Subscript) and isinstance(loss.slice, ast.Constant):
        key = loss.slice.value
        if key == "loss" or (key == 0 and _is_model_name(ctx, _callee(loss.value, assigned))):
            return loss.value
    return None


def _is_model_name(ctx: ModuleContext, name: str | None) -> bool:
    """``name`` is bound to a HuggingFace model or named like a model (``model``, ``self.bert_model``)."""
    return name is not None and (name in hf_models(ctx) or "model" in name.rsplit(".", 1)[-1].lower())


def _strip_rescaling(loss: ast.expr) -> ast.expr:
    """``outputs.loss`` from ``outputs.loss / accum_steps`` or ``outputs.loss.mean()``."""
    while True:
        if isinstance(loss, ast.BinOp) and isinstance(loss.op, ast.Div):
            loss = loss.left
        elif (
            isinstance(loss, ast.Call) and isinstance(loss.func, ast.Attribute) and loss.func.attr == "mean" and not loss.args
        ):
            loss = loss.func.value
        else:
            return loss


def _rescales(value: ast.expr, name: str) -> bool:
    """``loss = loss / accum_steps`` or ``loss = loss.mean()`` (DataParallel): a rescaling of the same
    loss, not a new objective."""
    stripped = _strip_rescaling(value)
    return stripped is not value and dotted(stripped) == name


def _callee(output: ast.expr, assigned: dict[str, list[ast.expr]]) -> str | None:
    """``model`` for ``model(**batch).loss`` or ``outputs = model(**batch); outputs.loss``."""
    if isinstance(output, ast.Name) and len(assigned.get(output.id, [])) == 1:
        output = assigned[output.id][0]
    return _model_callee(output) if isinstance(output, ast.Call) else None


def _model_callee(call: ast.Call) -> str | None:
    """``model`` for ``model(...)`` and for ``model.forward(...)``."""
    func = call.func
    return dotted(func.value if isinstance(func, ast.Attribute) and func.attr == "forward" else func)


def _model_called(ctx: ModuleContext, loop: ast.AST) -> str | None:
    """The callee in the loop known as a model (HF model, trained parameters, ``.train()``) that
    ``ast.walk(loop)`` meets first."""
    known = set(hf_models(ctx))
    for call in ctx.method_calls("train"):
        if not call.args:
            assert isinstance(call.func, ast.Attribute)  # the method index holds attribute calls only
            known.add(dotted(call.func.value) or "")
    for optimizer in optimizer_names(ctx).values():
        params = optimizer.args[0] if optimizer.args else None
        if isinstance(params, ast.Call) and isinstance(params.func, ast.Attribute) and params.func.attr == "parameters":
            known.add(dotted(params.func.value) or "")
    known.discard("")
    called = [call for call in ctx.within(loop, ast.Call) if _model_callee(call) in known]
    first = min(called, key=_walk_order(ctx, loop), default=None)
    return _model_callee(first) if first else None


@fact
def dataloaders(ctx: ModuleContext) -> dict[str, ast.Call]:
    """Names bound to a ``DataLoader(...)``, with the call."""
    found: dict[str, ast.Call] = {}
    for call in dataloader_calls(ctx):
        for name in assigned_names(ctx, call):
            found.setdefault(name, call)
    return found


def _loader(ctx: ModuleContext, iterated: list[ast.expr], assigned: dict[str, list[ast.expr]]) -> str | None:
    """What the loop iterates (``train_loader`` in ``for step, batch in enumerate(tqdm(train_loader))``)."""
    names = [name for name in (unwrap_iteration(node, assigned) for node in iterated) if name]
    known = dataloaders(ctx)
    return next((name for name in names if name in known), names[0] if names else None)


def unwrap_iteration(node: ast.expr, assigned: dict[str, list[ast.expr]]) -> str | None:
    """The iterable under ``enumerate``/``tqdm`` wrappers, also through ``progress = tqdm(loader)``."""
    while True:
        if isinstance(node, ast.Call) and node.args and (dotted(node.func) or "").endswith(ITERATION_WRAPPERS):
            node = node.args[0]
        elif isinstance(node, ast.Name) and len(assigned.get(node.id, [])) == 1:
            node = assigned[node.id][0]  # progress = tqdm(loader)
            if not (isinstance(node, ast.Call) and (dotted(node.func) or "").endswith(ITERATION_WRAPPERS)):
                return None
        else:
            return dotted(node)


# -- code insertion (shared by the code actions) --------------------------------------------------


def insert_before(
    node: cst.BaseCompoundStatement, comments: tuple[str, ...], code: str
) -> cst.FlattenSentinel[cst.BaseStatement]:
    """``code``, under ``comments``, inserted before the statement ``node`` with a blank line between.

    The comments and blank lines above ``node`` now sit above the inserted block.
    """
    import libcst as cst

    statements = list(cst.parse_module(code).body)
    header = [cst.EmptyLine(comment=cst.Comment(f"# {text}")) for text in comments]
    statements[0] = statements[0].with_changes(leading_lines=[*node.leading_lines, *header])
    return cst.FlattenSentinel([*statements, node.with_changes(leading_lines=[cst.EmptyLine(indent=False)])])
