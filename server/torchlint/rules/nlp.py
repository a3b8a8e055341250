"""HuggingFace fine-tuning code: hand-written loops, unsaved tokenizers, manual placement (TL301-TL303)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..context import FUNCTION_TYPES, ModuleContext, dotted, has_star_kwargs, keyword, outer_first
from ..model import Applicability, Finding, Fix, Severity
from ..patterns import (
    assigned_names,
    backward_calls,
    looks_like_optimizer,
    method_calls,
    optimizer_names,
    optimizer_step_calls,
    outermost_loop,
    training_loops,
)
from ..rule import Rule

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
#: Calls that build a path without side effects, so a path expression can be evaluated twice.
PURE_PATH_CALLS = {"os.path.join", "posixpath.join", "pathlib.Path", "Path", "str", "os.fspath"}
PURE_PATH_METHODS = {"joinpath", "format", "with_suffix", "with_name"}
#: Wrappers around the iterable of a ``for`` (``enumerate(loader)``, ``tqdm(loader)``).
ITERATION_WRAPPERS = ("enumerate", "tqdm", "track", "progress_bar")
#: The keyword that names the directory, per save method.
PATH_KEYWORDS = {"save_pretrained": "save_directory", "save_model": "output_dir"}


# -- what the module holds ----------------------------------------------------------------------


def _builds_transformers_class(
    ctx: ModuleContext, call: ast.Call, pattern: re.Pattern, *, loaders: set[str] = LOADERS, direct: bool = True
) -> bool:
    """``call`` builds a transformers class matching ``pattern``: through ``loaders``, or called directly."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in loaders:
        func = func.value
    elif not direct:
        return False
    name = ctx.qualname(func) or ""
    return name.startswith("transformers.") and pattern.fullmatch(name.rsplit(".", 1)[-1]) is not None


def _transformers_calls(ctx: ModuleContext) -> list[ast.Call]:
    """Calls whose callee resolves into transformers: the only ones ``_builds_transformers_class`` accepts."""
    return ctx.memo("nlp.transformers_calls", lambda: ctx.calls_matching(lambda name: name.startswith("transformers.")))


def _in_source_order(calls: Iterable[ast.Call]) -> list[ast.Call]:
    """Distinct calls, in source order."""
    return sorted(set(calls), key=outer_first)


def _local_subclasses(ctx: ModuleContext, is_base) -> set[str]:
    """Names of classes in the module with a base for which ``is_base(qualified name)`` holds."""
    return {
        cls.name
        for cls in ctx.nodes(ast.ClassDef)
        if any(is_base(ctx.qualname(base) or "") for base in cls.bases)
    }


def _builds(call: ast.Call, classes: set[str]) -> bool:
    """``Cls(...)`` or ``Cls.from_pretrained(...)`` for one of the module's own ``classes``."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in LOADERS:
        func = func.value
    return isinstance(func, ast.Name) and func.id in classes


def hf_models(ctx: ModuleContext) -> dict[str, ast.Call]:
    """Names bound to a HuggingFace model (``from_pretrained``, a config, a ``*PreTrainedModel`` subclass, PEFT)."""
    return ctx.memo("nlp.hf_models", lambda: _hf_models(ctx))


def hf_model_calls(ctx: ModuleContext) -> list[ast.Call]:
    """Every call that builds a HuggingFace model, bound to a name or not."""
    return ctx.memo("nlp.hf_model_calls", lambda: _hf_model_calls(ctx))


def _hf_model_calls(ctx: ModuleContext) -> list[ast.Call]:
    own = _local_subclasses(
        ctx, lambda name: name.startswith("transformers.") and MODEL_CLASS.fullmatch(name.rsplit(".", 1)[-1])
    )
    peft = ctx.calls("peft.get_peft_model")
    own_builds = [call for call in ctx.calls_named(*own, *LOADERS) if _builds(call, own)] if own else []
    built = [call for call in _transformers_calls(ctx) if _builds_transformers_class(ctx, call, MODEL_CLASS)]
    return _in_source_order([*built, *own_builds, *peft])


def _hf_models(ctx: ModuleContext) -> dict[str, ast.Call]:
    models: dict[str, ast.Call] = {}
    for call in hf_model_calls(ctx):
        for name in assigned_names(ctx, _outer_chain(ctx, call)):
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


@dataclass(frozen=True)
class _Binding:
    name: str
    scope: ast.AST
    line: int


def tokenizer_bindings(ctx: ModuleContext) -> list[_Binding]:
    """Where the module binds a tokenizer or processor (``tok = AutoTokenizer.from_pretrained(...)``)."""
    return ctx.memo("nlp.tokenizers", lambda: _tokenizer_bindings(ctx))


def _tokenizer_bindings(ctx: ModuleContext) -> list[_Binding]:
    bindings = []
    for call in _transformers_calls(ctx):
        if _builds_transformers_class(
            ctx, call, TOKENIZER_CLASS, loaders={"from_pretrained"}, direct=False
        ) or _builds_transformers_class(ctx, call, TOKENIZER_INIT, loaders=set()):
            scope = ctx.enclosing(call, FUNCTION_TYPES) or ctx.tree
            bindings += [_Binding(name, scope, call.lineno) for name in assigned_names(ctx, call)]
    return bindings


def tokenizer_in_scope(ctx: ModuleContext, node: ast.AST) -> str | None:
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
        for arg in _parameters(function):
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


def _parameters(function: ast.AST) -> list[ast.arg]:
    args = function.args  # type: ignore[attr-defined]
    return [*args.posonlyargs, *args.args, *args.kwonlyargs]


def _is_tokenizer_annotation(ctx: ModuleContext, annotation: ast.expr | None) -> bool:
    name = ctx.qualname(annotation) if annotation is not None else None
    return bool(name and name.startswith("transformers.") and TOKENIZER_CLASS.fullmatch(name.rsplit(".", 1)[-1]))


def trainers(ctx: ModuleContext) -> dict[str, ast.Call]:
    """Names bound to a transformers/TRL ``*Trainer`` (or a subclass defined in the module), with the call."""
    return ctx.memo("nlp.trainers", lambda: _trainers(ctx))


def _is_trainer_class(name: str) -> bool:
    return name.startswith(("transformers.", "trl.")) and name.endswith("Trainer")


def _trainers(ctx: ModuleContext) -> dict[str, ast.Call]:
    own = _local_subclasses(ctx, _is_trainer_class)
    own_builds = [call for call in ctx.calls_named(*own) if isinstance(call.func, ast.Name)]
    found: dict[str, ast.Call] = {}
    for call in _in_source_order([*ctx.calls_matching(_is_trainer_class), *own_builds]):
        for name in assigned_names(ctx, call) or [""]:
            found.setdefault(name, call)
    return found


def uses_trainer(ctx: ModuleContext) -> bool:
    return bool(trainers(ctx))


def uses_accelerate(ctx: ModuleContext) -> bool:
    """The module imports accelerate for more than seeding."""
    return any(
        name.partition(".")[0] == "accelerate" and not name.endswith(".set_seed") for name in ctx.imports.values()
    )


def _loop_owned_elsewhere(ctx: ModuleContext) -> bool:
    """Trainer, accelerate, Lightning or DeepSpeed already run (or place) the training loop."""
    return uses_trainer(ctx) or uses_accelerate(ctx) or ctx.imports_any(*LOOP_OWNERS)


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


def raw_loops(ctx: ModuleContext) -> list[RawLoop]:
    return ctx.memo("nlp.raw_loops", lambda: _raw_loops(ctx))


def _raw_loops(ctx: ModuleContext) -> list[RawLoop]:
    stepped: dict[ast.AST, str] = {}
    for call, optimizer in _optimizer_steps(ctx):
        stepped.setdefault(outermost_loop(ctx, call), optimizer)
    return [_describe_loop(ctx, loop, stepped[loop]) for loop in training_loops(ctx) if loop in stepped]


def _optimizer_steps(ctx: ModuleContext) -> Iterator[tuple[ast.Call, str]]:
    """``optimizer.step()`` and ``scaler.step(optimizer)``, with the optimizer's name."""
    for call in optimizer_step_calls(ctx):
        yield call, dotted(call.func.value) or ""  # type: ignore[attr-defined]
    known = optimizer_names(ctx)
    for call in method_calls(ctx, "step"):
        name = dotted(call.args[0]) if len(call.args) == 1 else None
        if name and (name in known or looks_like_optimizer(name)):
            yield call, name


def _describe_loop(ctx: ModuleContext, loop, optimizer: str) -> RawLoop:
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
    backwards = [call for call in backward_calls(ctx) if outermost_loop(ctx, call) is loop]
    outputs = [_model_output(call, assigned, augmented) for call in backwards]
    model = next((m for m in (_callee(o, assigned) for o in outputs if o is not None) if m), None)
    return RawLoop(
        node=loop,
        optimizer=optimizer,
        model=model or _model_called(ctx, loop),
        loader=_loader(ctx, iterated, assigned),
        model_loss=all(output is not None for output in outputs),
        bound_inside=frozenset(assigned),
    )


def _walk_order(ctx: ModuleContext, root: ast.AST):
    """A sort key that puts nodes inside ``root`` in the order ``ast.walk(root)`` meets them (breadth first)."""

    def key(node: ast.AST) -> tuple[int, list[int]]:
        branches = []
        while node is not root:
            parent = ctx.parent(node)
            branches.append(next(i for i, child in enumerate(ast.iter_child_nodes(parent)) if child is node))
            node = parent  # type: ignore[assignment]
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


def _model_output(backward: ast.Call, assigned: dict[str, list[ast.expr]], augmented: set[str]) -> ast.expr | None:
    """The model output whose ``.loss`` this ``backward()`` differentiates, or None for any other objective."""
    if backward.args or backward.keywords:
        return None  # accelerator.backward(loss), torch.autograd.backward(...)
    loss = backward.func.value  # type: ignore[attr-defined]
    if _is_method_call(loss, "scale") and len(loss.args) == 1:  # type: ignore[attr-defined]
        loss = loss.args[0]  # type: ignore[attr-defined]  # scaler.scale(loss).backward()
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
    if isinstance(loss, ast.Subscript) and isinstance(loss.slice, ast.Constant) and loss.slice.value == "loss":
        return loss.value
    return None


def _strip_rescaling(loss: ast.expr) -> ast.expr:
    """``outputs.loss`` from ``outputs.loss / accum_steps`` or ``outputs.loss.mean()``."""
    while True:
        if isinstance(loss, ast.BinOp) and isinstance(loss.op, ast.Div):
            loss = loss.left
        elif _is_method_call(loss, "mean") and not loss.args:  # type: ignore[attr-defined]
            loss = loss.func.value  # type: ignore[attr-defined]
        else:
            return loss


def _rescales(value: ast.expr, name: str) -> bool:
    """``loss = loss / accum_steps`` (a rescaling of the same loss, not a new objective)."""
    return isinstance(value, ast.BinOp) and isinstance(value.op, ast.Div) and dotted(value.left) == name


def _is_method_call(node: ast.expr, method: str) -> bool:
    """``<anything>.method(...)``."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == method


def _callee(output: ast.expr, assigned: dict[str, list[ast.expr]]) -> str | None:
    """``model`` for ``model(**batch).loss`` or ``outputs = model(**batch); outputs.loss``."""
    if isinstance(output, ast.Name) and len(assigned.get(output.id, [])) == 1:
        output = assigned[output.id][0]
    return dotted(output.func) if isinstance(output, ast.Call) else None


def _model_called(ctx: ModuleContext, loop: ast.AST) -> str | None:
    """The callee in the loop known as a model (HF model, trained parameters, ``.train()``) that
    ``ast.walk(loop)`` meets first."""
    known = set(hf_models(ctx))
    for call in method_calls(ctx, "train"):
        if not call.args:
            known.add(dotted(call.func.value) or "")  # type: ignore[attr-defined]
    for optimizer in optimizer_names(ctx).values():
        params = optimizer.args[0] if optimizer.args else None
        if params is not None and _is_method_call(params, "parameters"):
            known.add(dotted(params.func.value) or "")  # type: ignore[attr-defined]
    known.discard("")
    called = [call for call in ctx.within(loop, ast.Call) if dotted(call.func) in known]
    first = min(called, key=_walk_order(ctx, loop), default=None)
    return dotted(first.func) if first else None


def dataloaders(ctx: ModuleContext) -> dict[str, ast.Call]:
    return ctx.memo("nlp.dataloaders", lambda: _dataloaders(ctx))


def _dataloaders(ctx: ModuleContext) -> dict[str, ast.Call]:
    found: dict[str, ast.Call] = {}
    for call in ctx.calls("torch.utils.data.DataLoader", "torch.utils.data.dataloader.DataLoader"):
        for name in assigned_names(ctx, call):
            found.setdefault(name, call)
    return found


def _loader(ctx: ModuleContext, iterated: list[ast.expr], assigned: dict[str, list[ast.expr]]) -> str | None:
    """What the loop iterates (``train_loader`` in ``for step, batch in enumerate(tqdm(train_loader))``)."""
    names = [name for name in (_unwrap_iteration(node, assigned) for node in iterated) if name]
    known = dataloaders(ctx)
    return next((name for name in names if name in known), names[0] if names else None)


def _is_dataloader(ctx: ModuleContext, name: str | None) -> bool:
    """``name`` is bound to a DataLoader in the module, or named like one (``train_loader``, ``self.dl``)."""
    if not name:
        return False
    last = name.rsplit(".", 1)[-1].lower()
    return name in dataloaders(ctx) or "loader" in last or last.endswith("dl")


def _unwrap_iteration(node: ast.expr, assigned: dict[str, list[ast.expr]]) -> str | None:
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


# -- device placement -----------------------------------------------------------------------------


def is_device_move(call: ast.Call) -> bool:
    """``x.cuda()`` or ``x.to(device)`` / ``x.to("cuda")`` (not ``x.to(torch.float16)``)."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    if func.attr == "cuda":
        return True
    if func.attr != "to":
        return False
    target = call.args[0] if call.args else getattr(keyword(call, "device"), "value", None)
    return target is not None and _is_device(target)


def _is_device(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value.startswith(("cuda", "cpu", "mps", "xpu"))
    if isinstance(node, ast.Call):
        return dotted(node.func) in {"torch.device", "device"}
    name = dotted(node)
    return name is not None and "device" in name.rsplit(".", 1)[-1].lower()


def device_moves(ctx: ModuleContext) -> list[ast.Call]:
    return ctx.memo("nlp.device_moves", lambda: [c for c in ctx.calls_named("cuda", "to") if is_device_move(c)])


# -- code insertion (shared by the code actions) --------------------------------------------------


def free_name(ctx: ModuleContext, base: str) -> str:
    """``base``, or ``hf_<base>`` / ``<base>_2``... when the module already uses that name."""
    used = ctx.memo("nlp.names", lambda: ctx.identifiers() | {a.arg for a in ctx.nodes(ast.arg)} | ctx.imports.keys())
    candidates = [base, f"hf_{base}", *(f"{base}_{i}" for i in range(2, 100))]
    return next(name for name in candidates if name not in used)


def inline(ctx: ModuleContext, node: ast.AST | None) -> str | None:
    """The source of ``node`` when it fits on one line."""
    if node is None or node.lineno != node.end_lineno:
        return None
    return ctx.text(node) or None


def insert_before(node, comments: tuple[str, ...], code: str):
    """``code``, under ``comments``, inserted before the statement ``node`` with a blank line between.

    The comments and blank lines above ``node`` now sit above the inserted block.
    """
    import libcst as cst

    statements = list(cst.parse_module(code).body)
    header = [cst.EmptyLine(comment=cst.Comment(f"# {text}")) for text in comments]
    statements[0] = statements[0].with_changes(leading_lines=[*node.leading_lines, *header])
    return cst.FlattenSentinel([*statements, node.with_changes(leading_lines=[cst.EmptyLine(indent=False)])])


def _rebindable(ctx: ModuleContext, loop: RawLoop):
    """A test for names that code inserted before ``loop`` may assign.

    Attributes (``self.model``) and module-level names at module level always; in a function,
    only its parameters and local variables (assigning a global there would make it local),
    and never a name the loop itself rebinds.
    """
    scope = ctx.scope_of(loop.node)
    local: set[str] | None = None
    if scope is not ctx.tree:
        stored = {n.id for n in ctx.within(scope, ast.Name) if isinstance(n.ctx, ast.Store)}
        local = {a.arg for a in _parameters(scope)} | stored

    def rebindable(name: str) -> bool:
        if name in loop.bound_inside:
            return False
        return "." in name or local is None or name in local

    return rebindable


def _anchor_node(loop: ast.AST) -> str:
    return "While" if isinstance(loop, ast.While) else "For"


# -- the rules -----------------------------------------------------------------------------------


class RawFinetuneLoop(Rule):
    """A hand-written loop fine-tunes a HuggingFace model on its own `outputs.loss`.

    Fires once per module, at the first training loop (`loss.backward()` and `optimizer.step()`)
    whose loss is the model's own `outputs.loss` (possibly divided for accumulation), in a module
    that builds a transformers model and uses neither `Trainer` nor accelerate. Loops that
    optimise any other objective (contrastive, distillation, RL losses) are left alone.
    """

    code = "TL301"
    name = "raw-finetune-loop"
    severity = Severity.INFO
    message = (
        "Fine-tune with transformers.Trainer and TrainingArguments instead of a hand-written loop: it "
        "brings the LR schedule, mixed precision, accumulation, evaluation and checkpointing"
    )
    requires = ("transformers",)
    why = """
        A hand-written fine-tuning loop over a model that computes its own loss re-implements what
        `Trainer` already does, usually without a warmup schedule, mixed precision, gradient
        accumulation, gradient clipping, evaluation, checkpoint rotation, resumption or logging.
        Each of those is a flag of `TrainingArguments`, tested by thousands of users.
    """
    example = """
        model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased", num_labels=2)
        optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5)
        for epoch in range(3):
            for batch in train_loader:
                loss = model(**batch).loss
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
    """
    use_instead = """
        args = TrainingArguments(output_dir="outputs", num_train_epochs=3, learning_rate=2e-5,
                                 per_device_train_batch_size=16, bf16=True)
        trainer = Trainer(model=model, args=args, train_dataset=train_dataset, processing_class=tokenizer)
        trainer.train()
    """
    action_title = "Insert a Trainer + TrainingArguments setup before the loop"

    _COMMENTS = (
        "TL301: transformers.Trainer runs this fine-tuning loop (schedule, mixed precision, accumulation,",
        "checkpoints). It calls model(**batch), so the dataset must yield dicts of model inputs with",
        '"labels". Check the arguments against the loop below, then delete that loop.',
    )

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        if not hf_model_calls(ctx) or _loop_owned_elsewhere(ctx):
            return
        loop = next((loop for loop in raw_loops(ctx) if loop.model_loss), None)
        if loop is None:
            return
        code = self._skeleton(ctx, loop)
        yield self.finding(
            ctx,
            loop.node,
            action=code is not None,
            action_node=_anchor_node(loop.node),
            action_data=(self._COMMENTS, code),
        )

    def _skeleton(self, ctx: ModuleContext, loop: RawLoop) -> str | None:
        """The Trainer setup as code, with the loop's own model, data and hyper-parameters."""
        if not loop.model or not _is_dataloader(ctx, loop.loader) or {loop.model, loop.loader} & loop.bound_inside:
            return None
        data = self._data_arguments(ctx, loop)
        training = [
            ("output_dir", '"outputs"'),
            self._length(ctx, loop),
            ("per_device_train_batch_size", data["batch_size"]),
            *self._optimizer_arguments(ctx, loop),
        ]
        tokenizer = tokenizer_in_scope(ctx, loop.node)
        args_name, trainer_name = free_name(ctx, "training_args"), free_name(ctx, "trainer")
        trainer = [
            ("model", loop.model),
            ("args", args_name),
            ("train_dataset", data["dataset"]),
            ("data_collator", data["collate_fn"]),
            ("processing_class", tokenizer if tokenizer not in loop.bound_inside else None),
        ]
        return "\n".join(
            [
                *_call_lines(args_name, "TrainingArguments", training, {"output_dir": "checkpoints and logs"}),
                *_call_lines(trainer_name, "Trainer", trainer),
                f"{trainer_name}.train()",
                "",
            ]
        )

    @staticmethod
    def _data_arguments(ctx: ModuleContext, loop: RawLoop) -> dict[str, str | None]:
        loader = loop.loader
        built = dataloaders(ctx).get(loader or "")
        data: dict[str, str | None] = {
            "dataset": f"{loader}.dataset",
            "batch_size": f"{loader}.batch_size",
            "collate_fn": None,
        }
        if built is None or ctx.scope_of(built) is not ctx.scope_of(loop.node):
            return data
        dataset = built.args[0] if built.args else getattr(keyword(built, "dataset"), "value", None)
        values = {key: getattr(keyword(built, key), "value", None) for key in ("batch_size", "collate_fn")}
        for key, value in {"dataset": dataset, **values}.items():
            if value is not None and not any(isinstance(n, ast.Call) for n in ast.walk(value)):
                data[key] = inline(ctx, value) or data[key]
        return data

    @staticmethod
    def _length(ctx: ModuleContext, loop: RawLoop) -> tuple[str, str | None]:
        """``num_train_epochs`` from ``for epoch in range(n)``, ``max_steps`` from ``while step < n``."""
        node = loop.node
        if isinstance(node, ast.While):
            test = node.test
            if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Lt):
                return "max_steps", inline(ctx, test.comparators[0])
            return "max_steps", None
        iterable = node.iter
        if isinstance(iterable, ast.Call) and dotted(iterable.func) == "range" and len(iterable.args) == 1:
            return "num_train_epochs", inline(ctx, iterable.args[0])
        return "num_train_epochs", "1" if _unwrap_iteration(iterable, {}) == loop.loader else None

    @staticmethod
    def _optimizer_arguments(ctx: ModuleContext, loop: RawLoop) -> list[tuple[str, str | None]]:
        built = optimizer_names(ctx).get(loop.optimizer)
        if built is None or ctx.scope_of(built) is not ctx.scope_of(loop.node):
            return [("learning_rate", f'{loop.optimizer}.param_groups[0]["lr"]')]
        lr = keyword(built, "lr")
        lr_value = lr.value if lr else (built.args[1] if len(built.args) > 1 else None)
        decay = keyword(built, "weight_decay")
        return [
            ("learning_rate", inline(ctx, lr_value) or f'{loop.optimizer}.param_groups[0]["lr"]'),
            ("weight_decay", inline(ctx, decay.value) if decay else None),
        ]

    def action(self, node, action, ctx):
        ctx.add_import("transformers", "Trainer")
        ctx.add_import("transformers", "TrainingArguments")
        comments, code = action.data
        return insert_before(node, comments, code)


def _call_lines(
    target: str, callee: str, arguments: list[tuple[str, str | None]], notes: dict[str, str] | None = None
) -> list[str]:
    """``target = callee(`` and one ``key=value,`` line per argument that has a value (with its note), ``)``."""
    notes = notes or {}
    lines = [f"    {key}={value},{'  # ' + notes[key] if key in notes else ''}" for key, value in arguments if value]
    return [f"{target} = {callee}(", *lines, ")"]


class TokenizerNotSaved(Rule):
    """A fine-tuned model is saved without the tokenizer that goes with it.

    Fires on `model.save_pretrained(path)`, and on `trainer.save_model(...)` for a `Trainer` built
    without `processing_class=` (or the older `tokenizer=`), when a tokenizer or processor is in
    scope and that scope never calls `tokenizer.save_pretrained(...)`.
    """

    code = "TL302"
    name = "tokenizer-not-saved"
    severity = Severity.WARNING
    message = (
        "Also save the tokenizer to the same directory (tokenizer.save_pretrained(path)): without it "
        "the saved model cannot be reloaded on its own with from_pretrained"
    )
    requires = ("save_pretrained", "save_model")
    why = """
        `from_pretrained(path)` on the saved directory needs both the weights and the tokenizer
        files (vocabulary, merges, special tokens, chat template). A checkpoint without them can
        only be used by whoever still knows which tokenizer, at which revision and with which added
        tokens, the model was trained with; inference servers and `pipeline(...)` fail on it.
    """
    example = """
        tokenizer = AutoTokenizer.from_pretrained("gpt2")
        ...
        model.save_pretrained(output_dir)
    """
    use_instead = """
        model.save_pretrained(output_dir)
        tokenizer.save_pretrained(output_dir)
    """
    fix_applicability = Applicability.SAFE
    fix_title = "Save the tokenizer after the model"
    fix_node = "SimpleStatementLine"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        for call in ctx.calls_named(*PATH_KEYWORDS):
            saved = self._model_save(ctx, call)
            if saved is None:
                continue
            tokenizer = tokenizer_in_scope(ctx, call)
            if tokenizer is None or self._tokenizer_saved(ctx, call):
                continue
            path, default = saved
            yield self.finding(ctx, call, fix=self._fix(ctx, call, tokenizer, path, default))

    @staticmethod
    def _model_save(ctx: ModuleContext, call: ast.Call) -> tuple[ast.expr | None, str] | None:
        """For a model save: the path argument, or the path text to use when it has none."""
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr not in PATH_KEYWORDS or has_star_kwargs(call):
            return None
        path = call.args[0] if call.args else getattr(keyword(call, PATH_KEYWORDS[func.attr]), "value", None)
        if func.attr == "save_pretrained" and _is_model(ctx, func.value):
            return (path, "") if path is not None else None
        if func.attr == "save_model":
            trainer = dotted(func.value)
            built = trainers(ctx).get(trainer) if trainer else None
            if built is None or _is_trl(ctx, built) or has_star_kwargs(built):
                return None
            if keyword(built, "processing_class") or keyword(built, "tokenizer"):
                return None
            return path, f"{trainer}.args.output_dir"
        return None

    @staticmethod
    def _tokenizer_saved(ctx: ModuleContext, save: ast.Call) -> bool:
        """The save's scope (or, in a method, its class) saves a tokenizer somewhere."""
        scope, cls = ctx.scope_of(save), ctx.enclosing(save, ast.ClassDef)
        return any(
            _is_tokenizer(ctx, call.func.value)  # type: ignore[attr-defined]
            and (ctx.scope_of(call) is scope or (cls is not None and ctx.enclosing(call, ast.ClassDef) is cls))
            for call in ctx.method_calls("save_pretrained")
        )

    def _fix(
        self, ctx: ModuleContext, call: ast.Call, tokenizer: str, path: ast.expr | None, default: str
    ) -> Fix | None:
        """Insert the tokenizer save after the statement, when the path names the same place twice."""
        statement = ctx.parent(call)
        if not isinstance(statement, ast.Expr) or not _alone_on_its_lines(ctx, statement):
            return None
        if path is not None and not _is_pure_path(ctx, path):
            return None  # a path with a clock or counter in it would name another directory
        return Fix(self.fix_title, Applicability.SAFE, ctx.range(statement), self.fix_node, (tokenizer, default))

    def fix(self, node, fix, ctx):
        import libcst as cst

        tokenizer, default = fix.data
        save = node.body[0].value
        paths = [arg.value for arg in save.args if arg.keyword is None or arg.keyword.value in PATH_KEYWORDS.values()]
        path = paths[0] if paths else None
        call = cst.Call(
            func=cst.Attribute(value=cst.parse_expression(tokenizer), attr=cst.Name("save_pretrained")),
            args=[cst.Arg(path if path is not None else cst.parse_expression(default))],
        )
        return cst.FlattenSentinel([node, cst.SimpleStatementLine([cst.Expr(call)])])


def _last_name(node: ast.expr) -> str:
    """The lower-cased last name of a receiver (``model`` for ``self.model`` and for ``model.module``)."""
    name = dotted(node) or ""
    parts = name.lower().split(".")
    return parts[-2] if parts[-1] == "module" and len(parts) > 1 else parts[-1]


def _is_tokenizer(ctx: ModuleContext, node: ast.expr) -> bool:
    """Bound to a tokenizer or processor, or named like one (``tok``, ``self.tokenizer``, ``processor``)."""
    name = dotted(node)
    if name is None:
        return False
    last = _last_name(node)
    return (
        any(b.name == name for b in tokenizer_bindings(ctx))
        or last in TOKENIZER_PARAMS
        or any(word in last for word in ("token", "processor"))
    )


def _is_model(ctx: ModuleContext, node: ast.expr) -> bool:
    """The receiver of ``save_pretrained`` is a model (not a tokenizer, config or pipeline)."""
    if isinstance(node, ast.Call):
        return (dotted(node.func) or "").endswith(("unwrap_model", "merge_and_unload"))
    name = dotted(node)
    if name is None or _is_tokenizer(ctx, node):
        return False
    last = _last_name(node)
    return name in hf_models(ctx) or ("model" in last and not any(word in last for word in ("config", "pipe")))


def _is_trl(ctx: ModuleContext, call: ast.Call) -> bool:
    """TRL trainers load and save the tokenizer themselves."""
    return (ctx.qualname(call.func) or "").startswith("trl.")


def _alone_on_its_lines(ctx: ModuleContext, statement: ast.stmt) -> bool:
    """No other statement shares a line with ``statement`` (``a; b`` or ``if x: a``)."""
    parent = ctx.parent(statement)
    if isinstance(parent, (ast.stmt, ast.ExceptHandler)) and getattr(parent, "lineno", 0) == statement.lineno:
        return False
    siblings = [s for field in ("body", "orelse", "finalbody") for s in getattr(parent, field, []) if s is not statement]
    return not any(s.end_lineno == statement.lineno or s.lineno == statement.end_lineno for s in siblings)


def _is_pure_path(ctx: ModuleContext, path: ast.expr) -> bool:
    """Evaluating the path twice gives the same directory (no clock, counter or other call)."""
    for node in ast.walk(path):
        if isinstance(node, (ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom)):
            return False
        if isinstance(node, ast.Call):
            name = ctx.qualname(node.func) or dotted(node.func) or ""
            method = node.func.attr if isinstance(node.func, ast.Attribute) else ""
            if name not in PURE_PATH_CALLS and method not in PURE_PATH_METHODS:
                return False
    return True


class RawLoopWithoutAccelerate(Rule):
    """A transformers training loop places the model and batches on devices by hand.

    Fires once per module, at the first training loop (`backward()` and `optimizer.step()`), in a
    module that imports transformers and moves tensors or models with `.to(device)` / `.cuda()`,
    and uses none of `Accelerator`, `Trainer`, Lightning or DeepSpeed. Models dispatched with
    `device_map=` are left alone.
    """

    code = "TL303"
    name = "raw-loop-without-accelerate"
    severity = Severity.INFO
    message = (
        "Let accelerate place the model, optimizer and batches (accelerator = Accelerator(); "
        "accelerator.prepare(...)) instead of .to(device) calls, so the loop runs unchanged on CPU, "
        "one or many GPUs and in mixed precision"
    )
    requires = ("transformers",)
    why = """
        Manual `.to(device)` / `.cuda()` placement ties the loop to one device: multi-GPU (DDP,
        FSDP), mixed precision and TPU need a rewrite, and a forgotten `.to(device)` on one tensor
        fails only at run time. `accelerator.prepare` wraps the model, optimizer and dataloader once
        and `accelerator.backward` handles loss scaling; the same script then runs anywhere with
        `accelerate launch`.
    """
    example = """
        model.to(device)
        for batch in train_loader:
            batch = {k: v.to(device) for k, v in batch.items()}
            loss = model(**batch).loss
            loss.backward()
            optimizer.step()
    """
    use_instead = """
        accelerator = Accelerator()
        model, optimizer, train_loader = accelerator.prepare(model, optimizer, train_loader)
        for batch in train_loader:
            loss = model(**batch).loss
            accelerator.backward(loss)
            optimizer.step()
    """
    action_title = "Insert an Accelerator and accelerator.prepare(...) before the loop"

    _COMMENTS = (
        "TL303: accelerate places the model, optimizer and batches on its device (CPU, one or many GPUs,",
        "mixed precision: see `accelerate config`); the .to(device) / .cuda() calls can then go.",
    )

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        if not ctx.imports_any("transformers") or _loop_owned_elsewhere(ctx) or not device_moves(ctx):
            return
        if any(kw.arg == "device_map" and isinstance(ctx.parent(kw), ast.Call) for kw in ctx.nodes(ast.keyword)):
            return
        loops = raw_loops(ctx)
        if not loops:
            return
        loop = loops[0]
        code = self._setup(ctx, loop)
        yield self.finding(
            ctx,
            loop.node,
            action=code is not None,
            action_node=_anchor_node(loop.node),
            action_data=(self._COMMENTS, code, free_name(ctx, "accelerator")),
        )

    def _setup(self, ctx: ModuleContext, loop: RawLoop) -> str | None:
        """``accelerator = Accelerator()`` and the ``prepare`` call on the loop's own objects.

        Only names the loop's function may rebind: a global reassigned there would become local.
        """
        rebindable = _rebindable(ctx, loop)
        if not loop.model or not loop.optimizer or not (rebindable(loop.model) and rebindable(loop.optimizer)):
            return None
        prepared = [loop.model, loop.optimizer, *([loop.loader] if loop.loader and rebindable(loop.loader) else [])]
        accelerator = free_name(ctx, "accelerator")
        names = ", ".join(prepared)
        lines = [f"{accelerator} = Accelerator()", f"{names} = {accelerator}.prepare({names})"]
        device = self._device_name(ctx, loop)
        if device and rebindable(device):
            lines.append(f"{device} = {accelerator}.device")
        return "\n".join([*lines, ""])

    @staticmethod
    def _device_name(ctx: ModuleContext, loop: RawLoop) -> str | None:
        """The one device variable the loop moves tensors to (``device``, ``args.device``)."""
        node = loop.node
        names = {
            dotted(call.args[0] if call.args else keyword(call, "device").value)  # type: ignore[union-attr]
            for call in device_moves(ctx)
            if call.func.attr == "to" and node.lineno <= call.lineno <= node.end_lineno  # type: ignore[attr-defined, operator]
        }
        return names.pop() if len(names) == 1 else None

    def action(self, node, action, ctx):
        comments, code, accelerator = action.data
        ctx.add_import("accelerate", "Accelerator")
        return insert_before(_accelerated_backward(node, accelerator), comments, code)


def _accelerated_backward(loop, accelerator: str):
    """``loop`` with ``loss.backward(...)`` rewritten to ``accelerator.backward(loss, ...)``.

    ``scaler.scale(loss).backward()`` is left for the user: accelerate does its own loss scaling.
    """
    import libcst as cst

    class AcceleratedBackward(cst.CSTTransformer):
        def leave_Call(self, original, updated):
            func = updated.func
            if not isinstance(func, cst.Attribute) or func.attr.value != "backward":
                return updated
            loss = func.value
            if isinstance(loss, cst.Call) or (isinstance(loss, cst.Name) and loss.value == accelerator):
                return updated
            return updated.with_changes(
                func=cst.Attribute(value=cst.Name(accelerator), attr=cst.Name("backward")),
                args=[cst.Arg(loss), *updated.args],
            )

    return loop.visit(AcceleratedBackward())
