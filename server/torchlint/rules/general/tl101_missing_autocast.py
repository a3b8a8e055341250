"""TL101 missing-autocast."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from ...analysis.context import ModuleContext, fact
from ...analysis.layout import CST_BLOCK_OWNERS, alone_on_its_lines
from ...analysis.scopes import lookup
from ...analysis.syntax import DEF_TYPES, callee_name, dotted
from ...analysis.text import unindented
from ...analysis.training import LBFGS, enclosing_loop, is_backward, looks_like_optimizer, optimizer_step_calls
from ...model import Applicability, Finding, Fix, Plan, Severity
from ...rule import Rule

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

#: Callee names that look like entering mixed precision (`accelerator.autocast()`, `amp_ctx()`).
AUTOCASTISH = re.compile(r"autocast|(^|_)amp($|_)|mixed_precision", re.IGNORECASE)
#: Frameworks that run the forward pass in mixed precision from their own configuration
#: (`Accelerator(mixed_precision=...)`, `Fabric(precision=...)`, DeepSpeed). Apex does not count:
#: its `amp.scale_loss` branch usually sits beside a plain full-precision one.
PRECISION_PACKAGES = ("accelerate", "lightning", "lightning_fabric", "pytorch_lightning", "deepspeed")
LOW_PRECISION = {"torch.float16", "torch.half", "torch.bfloat16"}
DOUBLE_PRECISION = {"torch.float64", "torch.double"}
CASTS = ("half", "bfloat16")
AUTOCAST_UNSAFE = {"torch.nn.BCELoss", "torch.nn.modules.loss.BCELoss", "torch.nn.functional.binary_cross_entropy"}
#: Calls that move, reshape or reduce tensors: none of them is a forward pass.
PLAIN_CALLS = frozenset(
    {
        "to", "cuda", "cpu", "float", "half", "double", "bfloat16", "long", "int", "bool", "type", "detach", "clone",
        "contiguous", "view", "view_as", "reshape", "squeeze", "unsqueeze", "flatten", "permute", "transpose", "t", "expand",
        "expand_as", "repeat", "size", "dim", "numel", "item", "tolist", "numpy", "mean", "sum", "scale", "len", "range",
        "enumerate", "zip", "min", "max", "abs", "isinstance", "getattr", "list", "tuple", "dict", "tqdm", "append", "extend",
        "items", "keys", "values", "get", "pop", "format", "print", "tensor", "as_tensor", "from_numpy", "zeros", "ones",
        "full", "empty", "rand", "randn", "randint", "arange", "zeros_like", "ones_like", "cat", "stack", "Variable",
    }
)
#: ``xs.append(v)`` and friends add ``v`` to ``xs``.
COLLECTING = {"append", "extend", "add", "update", "insert"}


@dataclass(frozen=True)
class AutocastScopes:
    """Where the module enters autocast (or may: a context manager we cannot see into)."""

    #: Functions that enter it somewhere in their body (or through a decorator).
    functions: frozenset[ast.AST]
    #: Names of those functions.
    entering: frozenset[str]
    #: Names of the functions called inside an autocast ``with``.
    called_under: frozenset[str]
    module_level: bool


@dataclass(frozen=True)
class _AutocastPlan(Plan):
    """Wrap the statements that read ``texts`` in ``with header:``."""

    header: str
    #: The source text of the forward pass's statements, in order.
    texts: tuple[str, ...]
    #: Positions in ``texts`` of the lines that go before the ``with``: ``optimizer.zero_grad()``
    #: between the forward pass and the loss does not belong under autocast.
    hoisted: tuple[int, ...] = ()


class MissingAutocast(Rule):
    """A training step runs its forward pass and loss in full precision.

    Fires on `loss.backward()`, `scaler.scale(loss).backward()` or
    `torch.autograd.backward(loss)` when the loss is computed in the same function without
    `torch.autocast` around it. Reported once per training step, at its first backward call:
    the backward calls before one optimizer step are one step (a GAN's discriminator and
    generator steps are two). A cast to half precision counts only in the step's own function.
    """

    code = "TL101"
    name = "missing-autocast"
    severity = Severity.WARNING
    requires = ("backward",)
    message = "Run the forward and loss under torch.autocast(..., dtype=torch.bfloat16)"
    scaled_message = "Run the forward and loss under torch.autocast(..., dtype=torch.float16) for the GradScaler"
    #: When the module uses ``nn.BCELoss``, which CUDA autocast refuses.
    bce_message = "Use nn.BCEWithLogitsLoss on logits (autocast rejects nn.BCELoss), then add torch.autocast"
    why = """
        Tensor cores run bfloat16/float16 matrix multiplies several times faster than float32,
        and activations take half the memory. `torch.autocast` picks the precision per
        operation (matmuls and convolutions in low precision, reductions and losses in
        float32), so most models train to the same accuracy with no other change. The backward
        pass runs outside autocast and reuses the forward's precisions. A GradScaler is for
        float16; CUDA autocast refuses `nn.BCELoss`, so it becomes `nn.BCEWithLogitsLoss` on logits.
    """
    example = """
        for x, y in loader:
            logits = model(x)
            loss = criterion(logits, y)
            loss.backward()
            optimizer.step()
    """
    use_instead = """
        for x, y in loader:
            with torch.autocast(device_type=device.type, dtype=torch.bfloat16):
                logits = model(x)
                loss = criterion(logits, y)
            loss.backward()
            optimizer.step()
    """
    fix_applicability = Applicability.UNSAFE
    fix_title = "Wrap the forward pass and loss in torch.autocast"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        scopes = _autocast_scopes(ctx)
        if scopes is None:
            return
        seen = set()
        for call in ctx.method_calls("backward"):
            loss = _loss_of(ctx, call)
            function = ctx.enclosing(call, DEF_TYPES)
            if loss is None or _under_autocast(ctx, function, scopes) or function in _half_precision(ctx):
                continue
            step = TrainingStep.of(ctx, call, loss, function)
            if step is None or step.key in seen or step.calls_autocast_function(scopes):
                continue
            seen.add(step.key)
            yield self._finding(ctx, step)

    def _finding(self, ctx: ModuleContext, step: TrainingStep) -> Finding:
        message = self.scaled_message if step.scaled else self.message
        if _autocast_unsafe_loss(ctx):
            message = self.bce_message
        run = None if _autocast_unsafe_loss(ctx) else step.forward_run()
        if run is None:
            return self.finding(ctx, step.backward, message)
        owner, statements = run
        dtype = "float16" if step.scaled else "bfloat16"
        header = f"torch.autocast(device_type={_device_type(ctx, step.backward)}, dtype=torch.{dtype})"
        hoisted = tuple(i for i, s in enumerate(statements) if _zeroes_gradients(s))
        plan = _AutocastPlan(header, tuple(ctx.text(s) for s in statements), hoisted)
        return self.finding(ctx, step.backward, message, fix=self.fix_at(ctx, owner, plan, node=CST_BLOCK_OWNERS[type(owner)]))

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.CSTNode:
        import libcst as cst

        plan = fix.plan_as(_AutocastPlan)
        block = node if isinstance(node, cst.Module) else getattr(node, "body", None)
        if not isinstance(block, (cst.Module, cst.IndentedBlock)):
            return node
        statements = list(block.body)
        span = _find_run(statements, plan.texts)
        if span is None:  # already wrapped, or changed by another fix in this pass
            return node
        start, end = span
        run = statements[start:end]
        before = [line for i, line in enumerate(run) if i in plan.hoisted]
        inside = [line for i, line in enumerate(run) if i not in plan.hoisted]
        assert isinstance(run[0], cst.SimpleStatementLine)  # a run holds simple statement lines only
        leading = run[0].leading_lines
        wrapped = cst.With(
            items=[cst.WithItem(cst.parse_expression(plan.header))],
            body=cst.IndentedBlock(body=[inside[0].with_changes(leading_lines=()), *inside[1:]]),
        )
        ctx.add_import("torch")
        lines = [*before, wrapped]
        lines[0] = lines[0].with_changes(leading_lines=leading)
        body = [*statements[:start], *lines, *statements[end:]]
        if isinstance(node, cst.Module):
            return node.with_changes(body=body)
        return node.with_changes(body=block.with_changes(body=body))


def _find_run(statements: list[cst.BaseStatement], texts: tuple[str, ...]) -> tuple[int, int] | None:
    """The first slice of ``statements`` (libcst lines) whose simple statements read ``texts``."""
    import libcst as cst

    def code(small: cst.BaseSmallStatement) -> str:
        return unindented(cst.Module(body=[]).code_for_node(small.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)))

    texts = tuple(unindented(text) for text in texts)
    for start in range(len(statements)):
        end, matched = start, 0
        while matched < len(texts) and end < len(statements):
            line = statements[end]
            if not isinstance(line, cst.SimpleStatementLine):
                break
            codes = [code(small) for small in line.body]
            if codes != list(texts[matched : matched + len(codes)]):
                break
            matched += len(codes)
            end += 1
        if matched == len(texts):
            return start, end
    return None


# .. module facts ...........................................................................


@fact
def _autocast_scopes(ctx: ModuleContext) -> AutocastScopes | None:
    """Where autocast is entered; ``None`` when no backward call in the module can fire."""
    if _mixed_precision_elsewhere(ctx) or _explicit_precision(ctx) or not _steps_an_optimizer(ctx):
        return None
    sites: list[ast.AST] = list(ctx.calls_named_matching(_autocastish))
    factories = {f.name for site in sites if isinstance(f := ctx.enclosing(site, DEF_TYPES), DEF_TYPES)}
    autocast_withs = [
        node
        for node in ctx.nodes(ast.With, ast.AsyncWith)
        if any(_enters_autocast(ctx, item.context_expr, factories) for item in node.items)
    ]
    sites += autocast_withs
    functions: set[ast.FunctionDef | ast.AsyncFunctionDef] = set()
    module_level = False
    for site in sites:
        enclosing = [a for a in ctx.ancestors(site) if isinstance(a, DEF_TYPES)]
        functions.update(enclosing)
        module_level |= not enclosing
    entering = frozenset(f.name for f in functions)
    if "forward" in entering:  # a model whose forward enters autocast itself
        return None
    called_under = {
        callee_name(call.func)
        for node in autocast_withs
        for call in ctx.within(node.body, ast.Call)
    }
    return AutocastScopes(frozenset(functions), entering, frozenset(called_under), module_level)


def _autocast_unsafe_loss(ctx: ModuleContext) -> bool:
    """The module uses a loss that raises under autocast (BCELoss on probabilities): wrapping its
    forward pass needs ``BCEWithLogitsLoss`` first, which no automatic edit can choose."""
    return bool(ctx.calls(*AUTOCAST_UNSAFE))


def _mixed_precision_elsewhere(ctx: ModuleContext) -> bool:
    """Accelerate, Lightning, apex or DeepSpeed own the precision, or LBFGS (needs full precision)."""
    if ctx.imports_any(*PRECISION_PACKAGES):
        return True
    return bool(ctx.calls(*LBFGS))


def _explicit_precision(ctx: ModuleContext) -> bool:
    """float64 work anywhere in the module (`.double()`, `torch.float64`)."""
    return bool(ctx.method_calls("double") or ctx.references(*DOUBLE_PRECISION))


@fact
def _half_precision(ctx: ModuleContext) -> frozenset[ast.AST | None]:
    """The functions (``None``: the module's top level) that cast to half precision themselves
    (`.half()`, `.bfloat16()`, `torch_dtype=torch.bfloat16`, `.to(torch.float16)`): their steps
    train in that precision on purpose; a cast elsewhere (an export or inference path) is no reason."""
    casts: list[ast.AST] = [call for cast in CASTS for call in ctx.method_calls(cast)]
    for node in ctx.references(*LOW_PRECISION):
        parent = ctx.parent(node)
        call = ctx.parent(parent) if isinstance(parent, ast.keyword) else parent
        if isinstance(call, ast.Call) and not _autocast_callee(call.func) and (
            (isinstance(parent, ast.keyword) and parent.arg in ("dtype", "torch_dtype"))
            or (isinstance(call.func, ast.Attribute) and call.func.attr == "to")
        ):
            casts.append(call)
    return frozenset(ctx.enclosing(cast, DEF_TYPES) for cast in casts)


def _steps_an_optimizer(ctx: ModuleContext) -> bool:
    """An optimizer is stepped: ``optimizer.step()``, ``scaler.step(optimizer)`` or a wrapper's
    stepping method (``optimizer.step_and_update_lr()``)."""
    return bool(_optimizer_steps(ctx))


@fact
def _optimizer_steps(ctx: ModuleContext) -> list[ast.Call]:
    """The calls that step an optimizer, in source order: ``optimizer.step()``,
    ``scaler.step(optimizer)``, ``optimizer.step_and_update_lr()``."""
    steps = set(optimizer_step_calls(ctx))
    for call in ctx.calls_named_matching(lambda name: name.startswith("step")):
        func = call.func
        if not isinstance(func, ast.Attribute):
            continue
        wrapper = func.attr != "step" and looks_like_optimizer(dotted(func.value) or "")
        scaled = func.attr == "step" and bool(call.args) and looks_like_optimizer(dotted(call.args[0]) or "")
        if wrapper or scaled:
            steps.add(call)
    return sorted(steps, key=lambda call: (call.lineno, call.col_offset))


def _autocast_callee(func: ast.expr) -> bool:
    return _autocastish(callee_name(func))


@lru_cache(maxsize=4096)
def _autocastish(name: str) -> bool:
    """``name`` looks like entering mixed precision (cached: every callee of a module is tested)."""
    return bool(AUTOCASTISH.search(name))


def _enters_autocast(ctx: ModuleContext, expr: ast.expr, factories: set[str]) -> bool:
    """A ``with`` item that enters autocast, or may: a context manager held in a variable counts
    unless every value the module gives that variable is a call that is not autocast."""
    if _calls_autocast(ctx, expr, factories):
        return True
    name = dotted(expr)
    if name is None:
        return False
    if _autocastish(name.rsplit(".", 1)[-1]):
        return True
    values = _assigned_values(ctx, name)
    if not values:
        return True
    return any(
        not isinstance(value, (ast.Call, ast.IfExp)) or _calls_autocast(ctx, value, factories) for value in values
    )


def _calls_autocast(ctx: ModuleContext, expr: ast.expr, factories: set[str]) -> bool:
    return any(_autocast_callee(n.func) or callee_name(n.func) in factories for n in ctx.within(expr, ast.Call))


def _assigned_values(ctx: ModuleContext, name: str) -> list[ast.expr]:
    """Values assigned to a plain or dotted name (``ctx``, ``self.amp_ctx``) in the module."""
    targets = ctx.attributes(name.rpartition(".")[2]) if "." in name else ctx.names(name)
    return [
        assign.value
        for target in targets
        if isinstance(assign := ctx.parent(target), ast.Assign) and target in assign.targets and dotted(target) == name
    ]


def _under_autocast(ctx: ModuleContext, function: ast.AST | None, scopes: AutocastScopes) -> bool:
    if function is None:
        return scopes.module_level
    while isinstance(function, DEF_TYPES):
        if function in scopes.functions or function.name in scopes.called_under:
            return True
        function = ctx.enclosing(function, DEF_TYPES)
    return False


def _loss_of(ctx: ModuleContext, call: ast.Call) -> ast.expr | None:
    """The loss a backward call differentiates: ``loss`` in ``loss.backward()``,
    ``scaler.scale(loss).backward()`` and ``torch.autograd.backward(loss)``.

    ``X.backward(loss)`` is a framework's backward (accelerate, Fabric, DeepSpeed): ``None``.
    """
    receiver = call.func.value  # type: ignore[attr-defined]
    if ctx.qualname(receiver) == "torch.autograd":
        return call.args[0] if call.args else None
    if call.args:
        return None
    if isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Attribute) and receiver.func.attr == "scale":
        return receiver.args[0] if len(receiver.args) == 1 else None
    return receiver


# .. one training step ......................................................................


@dataclass
class TrainingStep:
    """A backward call, the loss it differentiates, and the statements that compute that loss."""

    ctx: ModuleContext
    backward: ast.Call
    loss: ast.expr
    function: ast.AST | None
    #: Statements before the backward that the loss depends on, latest first.
    computing: list[ast.stmt]
    chains: frozenset[str]

    @classmethod
    def of(cls, ctx: ModuleContext, backward: ast.Call, loss: ast.expr, function: ast.AST | None) -> TrainingStep | None:
        """The step, or ``None`` when no forward pass is visible here (the loss is a parameter,
        an attribute set elsewhere, a value of a ``with ... as``)."""
        chains = frozenset(_read_chains(ctx, loss))
        if function is not None and _is_parameter_loss(loss, chains, function):
            return None
        computing = _dependencies(ctx, function, ctx.statement_of(backward), chains)
        step = cls(ctx, backward, loss, function, computing, chains)
        if not step.inline_forward and not any(_computes(ctx, s) for s in computing):
            return None
        return step

    @property
    def key(self) -> tuple:
        """What makes one training step: the optimizer step that follows the backward call in its
        function (several backward calls feed it), else the loss."""
        for step in _optimizer_steps(self.ctx):
            after = (step.lineno, step.col_offset) > (self.backward.lineno, self.backward.col_offset)
            if after and self.ctx.enclosing(step, DEF_TYPES) is self.function:
                return (self.function, step)
        return (self.function, self.chains)

    @property
    def scaled(self) -> bool:
        """The backward runs on a GradScaler's scaled loss: ``scaler.scale(loss).backward()``."""
        scaled = self.backward.func.value  # type: ignore[attr-defined]
        return isinstance(scaled, ast.Call) and isinstance(scaled.func, ast.Attribute) and scaled.func.attr == "scale"

    @property
    def inline_forward(self) -> bool:
        return _has_forward(self.ctx, self.loss)

    def calls_autocast_function(self, scopes: AutocastScopes) -> bool:
        """The loss comes from a function of this module that enters autocast itself."""
        exprs = [self.loss, *(value for s in self.computing for value in _values(s))]
        return any(callee_name(n.func) in scopes.entering for e in exprs for n in self.ctx.within(e, ast.Call))

    def forward_run(self) -> tuple[ast.AST, list[ast.stmt]] | None:
        """The block owner and the contiguous simple statements that compute the forward pass and
        loss, when they sit in one block before the backward (in it or in a statement around it)."""
        if self.inline_forward:
            return None
        core = [
            s for s in self.computing
            if _computes(self.ctx, s) or any(_covers(t, c) for t in _targets(s) for c in self.chains)
        ]
        owner = self.ctx.parent(core[0])
        if owner is None or type(owner) not in CST_BLOCK_OWNERS:
            return None
        block = getattr(owner, "body", None)
        if not isinstance(block, list) or any(s not in block for s in core):
            return None
        after = _index_within(self.ctx, block, self.ctx.statement_of(self.backward))
        if after is None:
            return None
        # What an earlier step of the block computed (the fake images a GAN's generator step
        # reuses) belongs to that step's run.
        earlier = max((i for i in range(after) if _has_backward(self.ctx, block[i])), default=-1)
        indices = sorted(i for i in (block.index(s) for s in core) if i > earlier)
        if not indices or after <= indices[-1]:
            return None
        first, last = indices[0], indices[-1]
        statements = block[first : last + 1]
        if not all(isinstance(s, SIMPLE) for s in statements):
            return None
        if not (alone_on_its_lines(self.ctx, statements[0]) and alone_on_its_lines(self.ctx, statements[-1])):
            return None
        return owner, statements


SIMPLE = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr)


def _zeroes_gradients(statement: ast.stmt) -> bool:
    """``optimizer.zero_grad()`` / ``model.zero_grad()`` as a statement."""
    call = statement.value if isinstance(statement, ast.Expr) else None
    return isinstance(call, ast.Call) and callee_name(call.func) == "zero_grad"


def _has_backward(ctx: ModuleContext, statement: ast.stmt) -> bool:
    return any(is_backward(call) for call in ctx.within(statement, ast.Call))


def _index_within(ctx: ModuleContext, block: list[ast.stmt], statement: ast.stmt) -> int | None:
    """Index in ``block`` of ``statement`` or of the statement of ``block`` around it."""
    for node in (statement, *ctx.ancestors(statement)):
        if node in block:
            return block.index(node)
    return None


def _is_parameter_loss(loss: ast.expr, chains: frozenset[str], function: ast.AST) -> bool:
    """The loss arrives as a parameter of the function: the differentiated tensor itself
    (``loss`` in ``loss.mean()``, ``losses[0]``) or a parameter named like a loss."""
    args = function.args  # type: ignore[attr-defined]
    parameters = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)} - {"self", "cls"}
    roots = {chain.split(".")[0] for chain in chains}
    if any("loss" in root.lower() for root in roots & parameters):
        return True
    name = _differentiated(loss)
    return name is not None and name.split(".")[0] in parameters


def _differentiated(loss: ast.expr) -> str | None:
    """The name a loss expression starts from: ``loss`` in ``loss.mean()`` or ``losses[0]``."""
    while True:
        if isinstance(loss, ast.Subscript):
            loss = loss.value
        elif isinstance(loss, ast.Call) and isinstance(loss.func, ast.Attribute):
            loss = loss.func.value
        else:
            return dotted(loss)


def _read_chains(ctx: ModuleContext, expr: ast.expr) -> set[str]:
    """Dotted names the expression reads as data: ``outputs.loss``, ``logits``; a callee is not
    data (``model`` in ``model(x)``), but a method's receiver is (``logits`` in ``logits.view()``),
    unless it is ``self`` or an imported module."""
    chains = set()
    for node in [*ctx.within(expr, ast.Name), *ctx.within(expr, ast.Attribute)]:
        parent = ctx.parent(node) if node is not expr else None
        name = dotted(node)
        if name is None or isinstance(parent, ast.Attribute):
            continue
        if isinstance(parent, ast.Call) and parent.func is node:
            name = name.rpartition(".")[0]
            if not name or name.split(".")[0] in ("self", "cls") or name.split(".")[0] in ctx.imports:
                continue
        chains.add(name)
    return chains


def _covers(target: str, chain: str) -> bool:
    """Assigning ``target`` changes ``chain`` (``outputs`` covers ``outputs.loss`` and back)."""
    return target == chain or chain.startswith(target + ".") or target.startswith(chain + ".")


def _targets(statement: ast.stmt) -> list[str]:
    """Dotted names a statement assigns or adds to (``xs`` in ``xs.append(v)``, ``d`` in ``d[k] = v``)."""
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, (ast.AugAssign, ast.AnnAssign)):
        targets = [statement.target]
    elif isinstance(statement, ast.Expr) and _collecting(statement.value):
        targets = [statement.value.func.value]  # type: ignore[attr-defined]
    else:
        return []
    names = []
    stack = list(targets)
    while stack:
        target = stack.pop()
        if isinstance(target, (ast.Tuple, ast.List)):
            stack.extend(target.elts)
        elif isinstance(target, (ast.Starred, ast.Subscript)):
            stack.append(target.value)
        elif name := dotted(target):
            names.append(name)
    return names


def _collecting(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr in COLLECTING


def _values(statement: ast.stmt) -> list[ast.expr]:
    if isinstance(statement, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
        return [statement.value] if statement.value is not None else []
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        return list(statement.value.args) + [kw.value for kw in statement.value.keywords]
    return []


def _computes(ctx: ModuleContext, statement: ast.stmt) -> bool:
    """A simple statement whose value runs a forward pass (a call that is not a tensor move or reduction)."""
    return isinstance(statement, SIMPLE) and any(_has_forward(ctx, value) for value in _values(statement))


def _has_forward(ctx: ModuleContext, expr: ast.expr) -> bool:
    return any(callee_name(n.func) not in PLAIN_CALLS for n in ctx.within(expr, ast.Call))


def _dependencies(ctx: ModuleContext, function: ast.AST | None, backward: ast.stmt, chains: frozenset[str]) -> list[ast.stmt]:
    """Statements of the same iteration (the innermost loop around ``backward``, else the
    function) before ``backward`` that the chains depend on, transitively, latest first
    (straight-line reading: loops and branches are not followed back)."""
    needed = set(chains)
    found = []
    scope = enclosing_loop(ctx, backward) or function or ctx.tree
    for statement in reversed(list(_statements_before(scope, backward))):
        targets = _targets(statement)
        if any(_covers(t, c) for t in targets for c in needed):
            found.append(statement)
            for value in _values(statement):
                needed |= _read_chains(ctx, value)
            if isinstance(statement, ast.AugAssign):
                needed |= set(targets)
    return found


def _statements_before(scope: ast.AST, end: ast.stmt) -> Iterator[ast.stmt]:
    """The statements in the body of ``scope`` (a loop, function or module) that start before
    ``end``, in source order, without entering nested functions and classes."""
    stack = list(reversed(scope.body))  # type: ignore[attr-defined]
    while stack:
        statement = stack.pop()
        if statement.lineno >= end.lineno:
            continue
        yield statement
        if isinstance(statement, (*DEF_TYPES, ast.ClassDef)):
            continue
        children: list[ast.stmt] = []
        for field in ("body", "handlers", "orelse", "finalbody", "cases"):
            for child in getattr(statement, field, ()):
                children.extend(child.body if isinstance(child, (ast.ExceptHandler, ast.match_case)) else [child])
        stack.extend(reversed(children))


def _device_type(ctx: ModuleContext, at: ast.AST) -> str:
    """``device.type`` for a ``torch.device`` named ``device`` in scope, ``torch.device(device).type``
    when it may be a string; with none, CUDA when it is there (the code may run on a CPU)."""
    bindings = lookup(ctx, "device", at)
    if not bindings:
        return '"cuda" if torch.cuda.is_available() else "cpu"'
    for binding in bindings:
        annotation = binding.node.annotation if isinstance(binding.node, ast.arg) else None
        if annotation is not None and ctx.qualname(annotation) == "torch.device":
            continue
        value = binding.value
        if binding.path or binding.iterated or value is None:
            return "torch.device(device).type"
        if not (
            (isinstance(value, ast.Call) and ctx.qualname(value.func) == "torch.device")
            or (isinstance(value, ast.Attribute) and value.attr == "device")
        ):
            return "torch.device(device).type"
    return "device.type"
