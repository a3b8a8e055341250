"""TL123 manual-grad-accumulation."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeGuard

from ...analysis.context import ModuleContext, fact
from ...analysis.syntax import DEF_TYPES, dotted, outer_first
from ...analysis.training import (
    enclosing_loop,
    is_backward,
    looks_like_optimizer,
    loops_with_backward,
    optimizer_names,
    optimizer_step_calls,
    outermost_loop,
)
from ...model import Action, Finding, Plan, Severity
from ...rule import Rule

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

#: Callables that wrap a data loader in a ``for`` header: ``enumerate(tqdm(loader))``.
LOADER_WRAPPERS = ("enumerate", "tqdm")
#: Where one training step runs: a loop, or a callback that runs once per batch.
Scope = ast.For | ast.AsyncFor | ast.While | ast.FunctionDef | ast.AsyncFunctionDef
ACCELERATE_COMMENT = "# accelerate accumulates gradients over {steps} batches: it divides the loss and steps on sync."


@dataclass(frozen=True)
class _AcceleratePlan(Plan):
    """What the accelerate rewrite needs, all as source text."""

    steps: str  # the accumulation constant
    model: str
    optimizer: str
    loader: str
    guard: str  # the guard's test
    loss: str
    unconditional: bool  # the guard holds only the optimizer step and zero_grad calls


class ManualGradAccumulation(Rule):
    """Gradient accumulation is written by hand.

    Fires on a step counter modulo an accumulation constant that guards the optimizer step
    (reported at the `if`), and on an inner micro-step loop that calls `backward()` before one
    optimizer step after it (reported at the inner `for`). The modulo divisor or the loop bound must
    be named like `accum*` / `gradient_accumulation*` / `grad_acc*` / `micro*`, or the loss must be
    divided by it; other periodic updates (a train frequency, a target-network sync, a delayed
    policy update) do not fire. For a `for` loop over a data loader with the modulo guard, a code
    action rewrites it with `accelerator.accumulate(model)`.
    """

    code = "TL123"
    name = "manual-grad-accumulation"
    severity = Severity.WARNING
    message = "Use accelerator.accumulate(model) with Accelerator(gradient_accumulation_steps=...)"
    requires = ("backward",)
    why = """
        Hand-written accumulation is easy to get subtly wrong: the loss must be divided by the number
        of micro-steps, the last incomplete group of an epoch is dropped or merged, the counter is
        off by one after a resume, and under DistributedDataParallel every micro-step all-reduces
        the gradients unless `no_sync()` is used. `accelerator.accumulate(model)` (or
        `TrainingArguments(gradient_accumulation_steps=...)` with `Trainer`) handles all of it.
    """
    example = """
        for step, (x, y) in enumerate(loader):
            loss = loss_fn(model(x), y) / accum_steps
            loss.backward()
            if (step + 1) % accum_steps == 0:
                optimizer.step()
                optimizer.zero_grad()
    """
    use_instead = """
        accelerator = Accelerator(gradient_accumulation_steps=accum_steps)
        model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
        for x, y in loader:
            with accelerator.accumulate(model):
                loss = loss_fn(model(x), y)
                accelerator.backward(loss)
                optimizer.step()
                optimizer.zero_grad()
    """
    action_title = "Accumulate gradients with accelerate"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        for guard in ctx.nodes(ast.If):
            divisor = _guard_divisor(ctx, guard)
            if divisor is not None:
                plan = _accelerate_plan(ctx, guard, divisor)
                outer = outermost_loop(ctx, guard)
                if plan is not None and outer is not None:
                    yield self.finding(ctx, guard, action=self.action_at(ctx, outer, plan, node=type(outer).__name__))
                else:
                    yield self.finding(ctx, guard)
        for loop in sorted(loops_with_backward(ctx), key=outer_first):
            if isinstance(loop, (ast.For, ast.AsyncFor)) and _is_micro_step_loop(ctx, loop):
                yield self.finding(ctx, loop)

    def action(self, node: cst.CSTNode, action: Action, ctx: FixContext) -> cst.FlattenSentinel[cst.BaseStatement]:
        import libcst as cst

        assert isinstance(node, (cst.For, cst.While))
        plan = action.plan_as(_AcceleratePlan)
        ctx.add_import("accelerate", "Accelerator")
        setup = [
            cst.parse_statement(f"accelerator = Accelerator(gradient_accumulation_steps={plan.steps})"),
            cst.parse_statement(
                f"{plan.model}, {plan.optimizer}, {plan.loader} = "
                f"accelerator.prepare({plan.model}, {plan.optimizer}, {plan.loader})"
            ),
        ]
        comment = cst.EmptyLine(comment=cst.Comment(ACCELERATE_COMMENT.format(steps=plan.steps)))
        setup[0] = setup[0].with_changes(leading_lines=[*node.leading_lines, comment])
        loop = _rewrite_loop(node.with_changes(leading_lines=[]), plan, ctx)
        return cst.FlattenSentinel([*setup, loop])


# -- detection ------------------------------------------------------------------------------------


def _named_like_accumulation(node: ast.AST) -> bool:
    """``accum_steps``, ``args.gradient_accumulation_steps``, ``grad_acc``, ``n_micro_batches``."""
    name = dotted(node)
    if name is None:
        return False
    last = name.rsplit(".", 1)[-1].lower()
    return "grad_acc" in last or any(word.startswith(("accum", "micro")) for word in last.split("_"))


@fact
def _optimizer_steps(ctx: ModuleContext) -> set[ast.Call]:
    """``optimizer.step()`` and ``scaler.step(optimizer)``."""
    steps = set(optimizer_step_calls(ctx))
    known = optimizer_names(ctx)
    for call in ctx.method_calls("step"):
        name = dotted(call.args[0]) if call.args else None
        if name and (name in known or looks_like_optimizer(name)):
            steps.add(call)
    return steps


def _following(ctx: ModuleContext, statement: ast.stmt) -> list[ast.stmt]:
    """The statements after ``statement`` in its block."""
    parent = ctx.parent(statement)
    for field in ("body", "orelse", "finalbody"):
        block = getattr(parent, field, None)
        if isinstance(block, list) and statement in block:
            return block[block.index(statement) + 1 :]
    return []


def _update_region(ctx: ModuleContext, guard: ast.If) -> list[ast.stmt]:
    """The statements that run only on update steps: the guard's body, or what follows a
    ``if step % accum != 0: continue``."""
    if len(guard.body) == 1 and isinstance(guard.body[0], ast.Continue) and not guard.orelse:
        return _following(ctx, guard)
    return guard.body


def _guard_divisor(ctx: ModuleContext, guard: ast.If) -> ast.expr | None:
    """The accumulation constant of ``if step % accum_steps == 0: optimizer.step()``, if it is one.
    The guard sits in the loop that calls ``backward()``, or, with no loop around it, in a
    function that does (a per-batch callback or handler)."""
    loop: Scope | None = enclosing_loop(ctx, guard)
    if loop is None:
        function = ctx.enclosing(guard, DEF_TYPES)
        if not isinstance(function, DEF_TYPES) or not any(is_backward(call) for call in ctx.within(function.body, ast.Call)):
            return None
        loop = function
    elif loop not in loops_with_backward(ctx):
        return None
    divisors = [n.right for n in ctx.within(guard.test, ast.BinOp) if isinstance(n.op, ast.Mod)]
    if not divisors:
        return None
    steps = _optimizer_steps(ctx)
    region = set(ctx.within(_update_region(ctx, guard), ast.Call))
    stepped = backward_outside = False
    for call in ctx.within(loop.body, ast.Call):
        if call in steps:
            if call not in region:
                return None  # the loop also steps every iteration: the guard is for something else
            stepped = True
        elif _clears_every_iteration(ctx, loop, call) and call not in region:
            return None  # gradients are cleared every iteration: nothing accumulates
        elif is_backward(call) and call not in region:
            backward_outside = True
    if not (stepped and backward_outside):
        return None
    return next((d for d in divisors if _named_like_accumulation(d) or _divides_loss(ctx, loop, d)), None)


def _clears_every_iteration(ctx: ModuleContext, loop: ast.AST, call: ast.Call) -> bool:
    """``optimizer.zero_grad()`` as a statement of the loop's own body (not under a condition)."""
    return (
        isinstance(call.func, ast.Attribute)
        and call.func.attr == "zero_grad"
        and ctx.parent(ctx.statement_of(call)) is loop
    )


def _divides_loss(ctx: ModuleContext, loop: Scope, divisor: ast.expr) -> bool:
    """Whether the loop divides the loss by ``divisor`` (``loss = loss / k``, ``(loss / k).backward()``)."""
    key = ast.dump(divisor)
    for node in ctx.within(loop.body, ast.AugAssign, ast.BinOp):
        if isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Div) and ast.dump(node.value) == key:
            if _is_loss(ctx, node.target):
                return True
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and ast.dump(node.right) == key:
            if isinstance(divisor, ast.Constant) and isinstance(node.left, ast.BinOp):
                continue  # `(loss_a + loss_b) / 2` averages losses
            if _scales_loss(ctx, node):
                return True
    return False


def _is_loss(ctx: ModuleContext, target: ast.AST) -> bool:
    names = (dotted(node) or "" for node in ctx.within(target, ast.Name, ast.Attribute))
    return any("loss" in name.lower() for name in names)


def _scales_loss(ctx: ModuleContext, division: ast.BinOp) -> bool:
    """The division is assigned to a loss or is what ``backward()`` is called on."""
    parent = ctx.parent(division)
    if isinstance(parent, ast.Attribute) and parent.attr == "backward":
        return True
    statement = ctx.statement_of(division)
    return isinstance(statement, ast.Assign) and any(_is_loss(ctx, t) for t in statement.targets)


def _is_micro_step_loop(ctx: ModuleContext, loop: ast.For | ast.AsyncFor) -> bool:
    """``for micro_step in range(grad_accum_steps): ... backward()`` followed by one optimizer step."""
    steps = _optimizer_steps(ctx)
    calls = ctx.within(loop.body, ast.Call)
    if not any(is_backward(call) for call in calls) or any(call in steps for call in calls):
        return False
    if any(_clears_every_iteration(ctx, loop, call) for call in calls):
        return False
    if not any(call in steps for call in ctx.within(_following(ctx, loop), ast.Call)):
        return False
    return any(_named_like_accumulation(b) or _divides_loss(ctx, loop, b) for b in _loop_bounds(ctx, loop.iter))


def _loop_bounds(ctx: ModuleContext, iterable: ast.expr) -> list[ast.expr]:
    """What a micro-step loop counts to: ``range``'s stop, the iterable itself, or the names in the
    arguments of the call it iterates (``zip(x.chunk(micro_batches), ...)``)."""
    if isinstance(iterable, (ast.Name, ast.Attribute)):
        return [iterable]
    if not isinstance(iterable, ast.Call):
        return []
    if isinstance(iterable.func, ast.Name) and iterable.func.id == "range":
        return iterable.args[1:2] if len(iterable.args) > 1 else iterable.args[:1]
    arguments = [*iterable.args, *(kw.value for kw in iterable.keywords)]
    return [node for argument in arguments for node in ctx.within(argument, ast.Name, ast.Attribute)]


# -- the accelerate rewrite -----------------------------------------------------------------------


def _accelerate_plan(ctx: ModuleContext, guard: ast.If, divisor: ast.expr) -> _AcceleratePlan | None:
    """The facts for the rewrite of the common shape, ``None`` for shapes it cannot rewrite safely:
    a ``for`` over a data loader, one ``loss.backward()``, the guard directly in that loop, an
    optimizer built from ``model.parameters()``."""
    inner = ctx.parent(guard)
    outer = outermost_loop(ctx, guard)
    if ctx.imports_any("accelerate") or guard.orelse or not isinstance(inner, ast.For):
        return None
    if outer is None or isinstance(outer, ast.AsyncFor) or _update_region(ctx, guard) is not guard.body:
        return None
    loader = _loader(inner.iter)
    loss = _loss_name(ctx, inner, divisor)
    optimizer, model = _optimizer_and_model(ctx, guard)
    if not (loader and loss and optimizer and model):
        return None
    if _rebinds(ctx, outer, {loader, optimizer, model}):
        return None
    unconditional = all(_is_update_call(s, optimizer, model) for s in guard.body)
    return _AcceleratePlan(ctx.text(divisor), model, optimizer, loader, ctx.text(guard.test), loss, unconditional)


def _loader(iterable: ast.expr) -> str | None:
    """``loader`` of ``loader``, ``enumerate(loader)``, ``enumerate(tqdm(loader), 1)``."""
    while isinstance(iterable, ast.Call) and iterable.args:
        name = (dotted(iterable.func) or "").rsplit(".", 1)[-1]
        if name not in LOADER_WRAPPERS:
            return None
        iterable = iterable.args[0]
    return dotted(iterable)


def _loss_name(ctx: ModuleContext, loop: ast.For, divisor: ast.expr) -> str | None:
    """The loss of the loop's only ``loss.backward()`` / ``(loss / k).backward()``, if every
    division of it by ``divisor`` has a form the rewrite removes."""
    key = ast.dump(divisor)
    backward = [call for call in ctx.within(loop.body, ast.Call) if is_backward(call)]
    if len(backward) != 1 or backward[0].args:
        return None
    func = backward[0].func
    assert isinstance(func, ast.Attribute)  # ``is_backward``: a ``.backward()`` method call
    receiver = func.value
    if isinstance(receiver, ast.BinOp) and isinstance(receiver.op, ast.Div) and ast.dump(receiver.right) == key:
        receiver = receiver.left
    if not isinstance(receiver, ast.Name):
        return None
    loss = receiver.id
    for node in ctx.within(loop.body, ast.BinOp):
        if isinstance(node.op, ast.Div) and ast.dump(node.right) == key:
            statement = ctx.statement_of(node)
            removable = node.left is receiver or (
                isinstance(statement, ast.Assign) and statement.value is node and _assigns(statement, loss)
            )
            if not removable and loss in {n.id for n in ctx.within(statement, ast.Name)}:
                return None
    return loss


def _assigns(statement: ast.Assign, name: str) -> bool:
    targets = statement.targets
    return len(targets) == 1 and isinstance(targets[0], ast.Name) and targets[0].id == name


def _optimizer_and_model(ctx: ModuleContext, guard: ast.If) -> tuple[str | None, str | None]:
    """The optimizer stepped under the guard and the model whose ``parameters()`` it was built from."""
    known = optimizer_names(ctx)
    for node in ctx.within(guard.body, ast.Call):
        if isinstance(node.func, ast.Attribute) and node.func.attr == "step":
            name = dotted(node.func.value) or ""
            built = known.get(name)
            if built is not None and built.args and _same_owner(ctx, built, guard, name):
                params = built.args[0]
                func = params.func if isinstance(params, ast.Call) else None
                if isinstance(func, ast.Attribute) and func.attr == "parameters":
                    return name, dotted(func.value)
    return None, None


def _same_owner(ctx: ModuleContext, built: ast.AST, guard: ast.AST, name: str) -> bool:
    """The optimizer ``name`` was built where the loop can see its model: in the same function
    (or both at module level), or, for ``self.optimizer``, in the same class."""
    if name.startswith("self."):
        return ctx.enclosing(built, ast.ClassDef) is ctx.enclosing(guard, ast.ClassDef)
    return ctx.enclosing(built, DEF_TYPES) is ctx.enclosing(guard, DEF_TYPES)


def _rebinds(ctx: ModuleContext, loop: ast.AST, names: set[str]) -> bool:
    """Whether the loop assigns any of ``names`` (then ``prepare`` cannot run before it)."""
    return any(
        isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Store) and dotted(node) in names
        for node in ctx.within(loop, ast.Name, ast.Attribute)
    )


def _is_update_call(statement: ast.stmt, optimizer: str, model: str) -> bool:
    """``optimizer.step()``, ``optimizer.zero_grad(...)`` or ``model.zero_grad(...)``."""
    if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
        return False
    func = statement.value.func
    if not isinstance(func, ast.Attribute):
        return False
    receiver = dotted(func.value)
    if func.attr == "step":
        return receiver == optimizer
    return func.attr == "zero_grad" and receiver in {optimizer, model}


def _source(node: cst.BaseExpression, ctx: FixContext) -> str:
    """An expression's code without its outer parentheses and whitespace, to compare with ``ast`` text."""
    return "".join(ctx.code(node.with_changes(lpar=[], rpar=[])).split())


def _rewrite_loop(loop: cst.For | cst.While, plan: _AcceleratePlan, ctx: FixContext) -> cst.For | cst.While:
    """The outer loop with its data-loader loop rewritten to ``accelerator.accumulate``."""
    import libcst as cst

    guard_test = "".join(plan.guard.split())
    steps = "".join(plan.steps.split())

    def is_guard(statement: cst.CSTNode) -> bool:
        return isinstance(statement, cst.If) and statement.orelse is None and _source(statement.test, ctx) == guard_test

    def divides(node: cst.BaseExpression) -> TypeGuard[cst.BinaryOperation]:
        return (
            isinstance(node, cst.BinaryOperation)
            and isinstance(node.operator, cst.Divide)
            and _source(node.right, ctx) == steps
        )

    def is_loss(node: cst.BaseExpression) -> bool:
        return isinstance(node, cst.Name) and node.value == plan.loss

    def divides_loss(small: cst.BaseSmallStatement) -> bool:
        """``loss /= k`` or ``loss = loss / k``."""
        if isinstance(small, cst.AugAssign):
            return isinstance(small.operator, cst.DivideAssign) and is_loss(small.target) and _source(small.value, ctx) == steps
        if isinstance(small, cst.Assign) and len(small.targets) == 1 and is_loss(small.targets[0].target):
            return divides(small.value) and is_loss(small.value.left)
        return False

    class Accumulate(cst.CSTTransformer):
        """Rewrites the statements of the loop that holds the guard, and wraps its body."""

        def __init__(self) -> None:
            super().__init__()
            self.inner: cst.For | None = None
            self.active = False

        def visit_For(self, node: cst.For) -> bool:
            if self.inner is None and isinstance(node.body, cst.IndentedBlock) and any(map(is_guard, node.body.body)):
                self.inner = node
                self.active = True
            return True

        def leave_For(self, original_node: cst.For, updated_node: cst.For) -> cst.BaseStatement:
            if original_node is not self.inner:
                return updated_node
            self.active = False
            body = updated_node.body
            assert isinstance(body, cst.IndentedBlock)  # as ``visit_For`` saw it
            accumulate = cst.With(
                items=[cst.WithItem(cst.parse_expression(f"accelerator.accumulate({plan.model})"))],
                body=cst.IndentedBlock(body=list(body.body)),
            )
            return updated_node.with_changes(body=body.with_changes(body=[accumulate]))

        def leave_SimpleStatementLine(
            self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
        ) -> cst.BaseStatement | cst.RemovalSentinel:
            """Drop ``loss = loss / k`` and ``loss /= k``: ``accelerator.backward`` divides."""
            if not self.active or len(original_node.body) != 1:
                return updated_node
            return cst.RemoveFromParent() if divides_loss(original_node.body[0]) else updated_node

        def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> cst.BaseSmallStatement:
            """``loss = loss_fn(out, y) / k`` -> ``loss = loss_fn(out, y)``."""
            single = len(updated_node.targets) == 1 and is_loss(updated_node.targets[0].target)
            if self.active and single and divides(updated_node.value):
                return updated_node.with_changes(value=updated_node.value.left.with_changes(lpar=[], rpar=[]))
            return updated_node

        def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
            """``loss.backward()`` / ``(loss / k).backward()`` -> ``accelerator.backward(loss)``."""
            func = updated_node.func
            if not (self.active and isinstance(func, cst.Attribute) and func.attr.value == "backward"):
                return updated_node
            loss = func.value.left if divides(func.value) else func.value
            if not is_loss(loss):
                return updated_node
            return cst.Call(
                func=cst.parse_expression("accelerator.backward"),
                args=[cst.Arg(loss.with_changes(lpar=[], rpar=[])), *updated_node.args],
            )

        def leave_If(
            self, original_node: cst.If, updated_node: cst.If
        ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
            if not (self.active and is_guard(original_node)):
                return updated_node
            if not plan.unconditional:
                return updated_node.with_changes(
                    test=cst.parse_expression("accelerator.sync_gradients"),
                    whitespace_before_test=cst.SimpleWhitespace(" "),
                )
            # The guard holds only the update calls, which accelerate skips until gradients sync.
            block = updated_node.body
            assert isinstance(block, cst.IndentedBlock)
            first, *rest = block.body
            assert isinstance(first, (cst.SimpleStatementLine, cst.BaseCompoundStatement))
            leading_lines = [*updated_node.leading_lines, *first.leading_lines]
            return cst.FlattenSentinel([first.with_changes(leading_lines=leading_lines), *rest])

    rewritten = loop.visit(Accumulate())
    assert isinstance(rewritten, (cst.For, cst.While))
    return rewritten
