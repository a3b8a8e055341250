"""TL104 missing-lr-scheduler."""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...analysis.context import ModuleContext, fact
from ...analysis.layout import CST_BLOCK_OWNERS, alone_on_its_lines
from ...analysis.scopes import binds, fresh_name, lookup
from ...analysis.syntax import DEF_TYPES, callee_name, dotted, outer_first
from ...analysis.training import (
    LBFGS,
    OPTIMIZER_PREFIX,
    SCHEDULER_PREFIX,
    assigned_names,
    assignments_to,
    is_dataloader,
    is_optimizer_constructor,
    looks_like_optimizer,
    optimizer_names,
)
from ...model import Applicability, Finding, Fix, Plan, Severity
from ...rule import Rule
from ._schedules import WARMUP_DIVISOR, Imports, scheduler_spelling, sets_lr_by_hand, warmup_then

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

#: Names of calls and imports that build or apply a learning-rate schedule: `get_scheduler`,
#: `get_cosine_schedule_with_warmup`, `adjust_learning_rate`, `OneCycleLR`, `set_lr`.
SCHEDULE_NAME = re.compile(r"sched|warm_?up|learning_rate|(^|_)lrs?(_|$)", re.IGNORECASE)
#: Names of the noise schedules of diffusion models, which are no learning-rate schedules:
#: `cosine_beta_schedule`, `noise_scheduler.step(...)`.
NOISE_SCHEDULE = re.compile(r"beta|noise|alpha|sigma|diffusion|timestep", re.IGNORECASE)
#: Iterables named like sized collections, which ``len()`` works on: ``train_loader``, ``dataset``.
SIZED_NAME = re.compile(r"loader|dataset", re.IGNORECASE)
PLACEHOLDER_STEPS = "10_000  # TODO: the number of optimizer steps in the run"
BUILTINS = frozenset(dir(builtins))


@dataclass(frozen=True)
class _SchedulePlan(Plan):
    """The scheduler to build after the optimizer's assignment and to step after its steps."""

    optimizer: str
    #: Names of the functions and classes from the fixed node down to the optimizer's assignment.
    optimizer_path: tuple[str, ...]
    #: The same for each statement that steps the optimizer.
    step_paths: frozenset[tuple[str, ...]]
    scheduler: str
    #: The statements that build the scheduler.
    statements: tuple[str, ...]
    imports: Imports


class MissingLrScheduler(Rule):
    """An optimizer is stepped at a constant learning rate.

    Fires at the construction of each `torch.optim` optimizer that the module steps
    (`optimizer.step()`, `scaler.step(optimizer)`, or a function of the module it is handed to)
    and that no learning-rate schedule of the module takes. A schedule that cannot be tied to
    one optimizer (built in a helper, set by hand through `param_groups`) silences them all; a
    name alone (`cosine_beta_schedule(...)`, a diffusion noise scheduler) is no schedule.
    """

    code = "TL104"
    name = "missing-lr-scheduler"
    severity = Severity.WARNING
    requires = ("step",)
    message = "Schedule the learning rate: add a warmup-cosine scheduler and call scheduler.step()"
    why = """
        A constant learning rate is either too high at the start (large early updates with
        poorly estimated Adam moments destabilise training) or too high at the end (the loss
        plateaus above its minimum). A short linear warmup followed by cosine decay is the
        default recipe of modern training code and usually converges faster and lower.
    """
    example = """
        optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4)
        for epoch in range(epochs):
            for batch in loader:
                loss = model(**batch).loss
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
    """
    use_instead = """
        optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4)
        total_steps = epochs * len(loader)
        warmup_steps = max(1, total_steps // 20)
        scheduler = torch.optim.lr_scheduler.SequentialLR(
            optimizer,
            schedulers=[
                torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.01, total_iters=warmup_steps),
                torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_steps - warmup_steps),
            ],
            milestones=[warmup_steps],
        )
        for epoch in range(epochs):
            for batch in loader:
                loss = model(**batch).loss
                loss.backward()
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()
    """
    fix_applicability = Applicability.UNSAFE
    fix_title = "Add a linear-warmup + cosine learning-rate scheduler"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        scheduled = scheduled_optimizers(ctx)
        if scheduled is None:
            return
        taken: set[str] = set()  # the names that the fixes of earlier findings introduce
        for call in ctx.calls_matching(lambda name: name.startswith(OPTIMIZER_PREFIX) and name not in LBFGS):
            if not is_optimizer_constructor(ctx, call):
                continue
            for name in assigned_names(ctx, call):
                use = OptimizerUse.of(ctx, call, name)
                if name not in scheduled and (use.steps or use.handed_to_stepping_function()):
                    yield self._finding(ctx, use, taken)
                    break

    def _finding(self, ctx: ModuleContext, use: OptimizerUse, taken: set[str]) -> Finding:
        edit = use.schedule_insertion(taken)
        if edit is None:
            return self.finding(ctx, use.call)
        owner, plan = edit
        return self.finding(ctx, use.call, fix=self.fix_at(ctx, owner, plan, node=CST_BLOCK_OWNERS[type(owner)]))

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.CSTNode:
        plan = fix.plan_as(_SchedulePlan)
        inserted = _insert_schedule(node, plan, ctx.code)
        if inserted is not node:
            for module, name in plan.imports:
                ctx.add_import(module, name)
        return inserted


@fact
def scheduled_optimizers(ctx: ModuleContext) -> frozenset[str] | None:
    """The optimizers (by name) that the module's learning-rate schedules take, or ``None`` when
    the module schedules in a way that cannot be tied to its optimizers (then all count as
    scheduled). A schedule is a ``torch.optim.lr_scheduler`` call or a schedule-named call that
    takes an optimizer (``get_linear_schedule_with_warmup(opt, ...)``, ``adjust_learning_rate(opt, epoch)``)."""
    known = set(optimizer_names(ctx))
    scheduled: set[str] = set()
    library_calls = set(ctx.calls_matching(lambda qualname: qualname.startswith(SCHEDULER_PREFIX)))
    for call in sorted({*library_calls, *ctx.calls_named_matching(_schedule_name)}, key=outer_first):
        library = call in library_calls
        arguments = [name for name in (dotted(a) for a in (*call.args, *(k.value for k in call.keywords))) if name]
        taken = {name for name in arguments if name in known}
        if taken:
            scheduled |= taken
        elif library or any(looks_like_optimizer(name) for name in arguments):
            return None  # built in a helper from its own parameter, or from an optimizer we do not know
    stepped = any(_schedule_name(dotted(call.func.value) or "") for call in ctx.method_calls("step"))  # type: ignore[attr-defined]
    imported = any(qualname.startswith(SCHEDULER_PREFIX) for qualname in ctx.imports.values())
    if sets_lr_by_hand(ctx) or (not scheduled and (stepped or imported)):
        return None
    return frozenset(scheduled)


def _schedule_name(name: str) -> bool:
    """Named like a learning-rate schedule: ``get_scheduler``, ``adjust_learning_rate``, ``set_lr``,
    ``OneCycleLR``; not like a noise schedule."""
    return (bool(SCHEDULE_NAME.search(name)) or name.endswith("LR")) and not NOISE_SCHEDULE.search(name)


class OptimizerUse:
    """Where an optimizer built at ``call`` and bound to ``name`` is stepped."""

    def __init__(self, ctx: ModuleContext, call: ast.Call, name: str) -> None:
        self.ctx = ctx
        self.call = call
        self.name = name
        #: The class (for ``self.x``), function or module (``None``) the name belongs to.
        self.home = ctx.enclosing(call, ast.ClassDef if name.startswith("self.") else DEF_TYPES)
        self.steps: list[ast.Call] = []

    @classmethod
    def of(cls, ctx: ModuleContext, call: ast.Call, name: str) -> OptimizerUse:
        use = cls(ctx, call, name)
        use.steps = [step for step in ctx.method_calls("step") if _steps(step, name) and use.reaches(step)]
        return use

    def reaches(self, node: ast.AST) -> bool:
        """The optimizer's name read at ``node`` is the binding made at home."""
        name = self.name
        if name.startswith("self."):
            return self.home is not None and self.ctx.enclosing(node, ast.ClassDef) is self.home
        root = name.split(".")[0]
        function = self.ctx.enclosing(node, DEF_TYPES)
        while function is not None and function is not self.home:
            if binds(self.ctx, function, root):
                return False
            function = self.ctx.enclosing(function, DEF_TYPES)
        return function is self.home

    def handed_to_stepping_function(self) -> bool:
        """The optimizer is passed to a function of this module that steps the parameter."""
        for call in self.ctx.calls_named(*{function.name for function in self.ctx.function_defs}):
            for parameter, function in self._receiving_parameters(call):
                steps = self.ctx.method_calls("step")
                if any(_steps(step, parameter) and function in self.ctx.ancestors(step) for step in steps):
                    return True
        return False

    def _receiving_parameters(self, call: ast.Call) -> Iterator[tuple[str, ast.AST]]:
        positions = [i for i, arg in enumerate(call.args) if dotted(arg) == self.name]
        keywords = [kw.arg for kw in call.keywords if kw.arg and dotted(kw.value) == self.name]
        if not (positions or keywords) or not self.reaches(call):
            return
        callee = callee_name(call.func)
        for function in self.ctx.function_defs:
            if function.name != callee:
                continue
            parameters = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
            if parameters[:1] in (["self"], ["cls"]) and isinstance(call.func, ast.Attribute):
                parameters = parameters[1:]
            yield from ((parameters[i], function) for i in positions if i < len(parameters))
            yield from ((kw, function) for kw in keywords)

    def schedule_insertion(self, taken: set[str]) -> tuple[ast.AST, _SchedulePlan] | None:
        """Where and what the fix inserts, when the optimizer statement and every step are
        statements of their own that one libcst node holds; the names it introduces avoid
        ``taken`` and join it."""
        ctx = self.ctx
        statement = ctx.statement_of(self.call)
        steps = [ctx.statement_of(step) for step in self.steps]
        if not steps or not isinstance(statement, (ast.Assign, ast.AnnAssign)) or statement.value is not self.call:
            return None
        if not all(isinstance(s, ast.Expr) and s.value is step for s, step in zip(steps, self.steps, strict=True)):
            return None
        if not all(alone_on_its_lines(ctx, s) for s in (statement, *steps)) or self._rebound():
            return None
        owner = _common_owner(ctx, [statement, *steps])
        if type(owner) not in CST_BLOCK_OWNERS:
            return None
        spelling, imports = scheduler_spelling(ctx, self.call.func, ("CosineAnnealingLR", "LinearLR", "SequentialLR"))
        scheduler = self._scheduler_name(taken)
        total = fresh_name(ctx, "total_steps", "num_training_steps", taken=taken)
        warmup = fresh_name(ctx, "warmup_steps", "num_warmup_steps", taken=taken)
        taken.update((scheduler.rpartition(".")[2], total, warmup))
        cosine = f"{spelling}CosineAnnealingLR({self.name}, T_max={total} - {warmup})"
        statements = (
            f"{total} = {self._total_steps(statement) or PLACEHOLDER_STEPS}",
            f"{warmup} = max(1, {total} // {WARMUP_DIVISOR})",
            f"{scheduler} = {warmup_then(spelling, self.name, warmup, cosine)}",
        )
        plan = _SchedulePlan(
            optimizer=self.name,
            optimizer_path=_def_path(ctx, statement, owner),
            step_paths=frozenset(_def_path(ctx, s, owner) for s in steps),
            scheduler=scheduler,
            statements=statements,
            imports=imports,
        )
        return owner, plan

    def _rebound(self) -> bool:
        """The name is assigned more than once (`if sgd: opt = SGD(...) else: opt = AdamW(...)`)."""
        annotated = [node for node in self.ctx.nodes(ast.AnnAssign) if dotted(node.target) == self.name]
        assignments = [*assignments_to(self.ctx).get(self.name, ()), *annotated]
        return sum(self.reaches(node) for node in assignments) > 1

    def _scheduler_name(self, taken: set[str]) -> str:
        owner, _, _ = self.name.rpartition(".")
        if not owner:
            return fresh_name(self.ctx, "scheduler", "lr_scheduler", taken=taken)
        return f"{owner}.{fresh_name(self.ctx, 'scheduler', 'lr_scheduler', taken=self.ctx.attribute_names() | taken)}"

    def _total_steps(self, statement: ast.stmt) -> str | None:
        """``epochs * len(loader)`` when the only step sits in ``for`` loops of the optimizer's own
        function whose sizes can be read before the optimizer is built."""
        ctx = self.ctx
        if len(self.steps) != 1 or ctx.enclosing(self.steps[0], DEF_TYPES) is not ctx.enclosing(statement, DEF_TYPES):
            return None
        factors = []
        around_optimizer = set(ctx.ancestors(statement))
        for ancestor in ctx.ancestors(ctx.statement_of(self.steps[0])):
            if ancestor in around_optimizer:
                break
            if isinstance(ancestor, (ast.With, ast.AsyncWith)):
                continue
            if not isinstance(ancestor, ast.For):
                return None
            factor = _loop_length(ctx, ancestor.iter)
            if factor is None or not _readable_at(ctx, factor[1], statement):
                return None
            factors.append(factor[0])
        return " * ".join(reversed(factors)) or None


def _steps(call: ast.Call, name: str) -> bool:
    """``name.step()`` or ``scaler.step(name)``."""
    return dotted(call.func.value) == name or bool(call.args and dotted(call.args[0]) == name)  # type: ignore[attr-defined]


def _loop_length(ctx: ModuleContext, iterable: ast.expr) -> tuple[str, list[ast.expr]] | None:
    """The number of iterations of ``for _ in iterable`` as text, with the expressions it reads."""
    while isinstance(iterable, ast.Call) and callee_name(iterable.func) in ("enumerate", "tqdm", "iter") and iterable.args:
        iterable = iterable.args[0]
    if isinstance(iterable, ast.Call) and callee_name(iterable.func) == "range" and not iterable.keywords:
        if len(iterable.args) == 1:
            return ctx.text(iterable.args[0]), iterable.args
        if len(iterable.args) == 2:
            start, stop = iterable.args
            return f"({ctx.text(stop)} - {ctx.text(start)})", iterable.args
        return None
    if dotted(iterable) and _sized(ctx, iterable):
        return f"len({ctx.text(iterable)})", [iterable]
    return None


def _sized(ctx: ModuleContext, iterable: ast.expr) -> bool:
    """``len(iterable)`` works: a name bound to a ``DataLoader`` or a list or tuple, or named like
    a loader or dataset (a generator or an experience source has no length)."""
    if SIZED_NAME.search((dotted(iterable) or "").rpartition(".")[2]):
        return True
    bindings = lookup(ctx, iterable.id, iterable) if isinstance(iterable, ast.Name) else []
    return bool(bindings) and all(
        not binding.iterated and not binding.path
        and (
            isinstance(binding.value, (ast.List, ast.Tuple, ast.ListComp))
            or (isinstance(binding.value, ast.Call) and is_dataloader(ctx, binding.value.func))
        )
        for binding in bindings
    )


def _readable_at(ctx: ModuleContext, expressions: list[ast.expr], statement: ast.stmt) -> bool:
    """Every name the expressions read is bound before ``statement`` runs."""
    for expression in expressions:
        for node in ctx.within(expression, ast.Name):
            if node.id not in BUILTINS and not any(
                isinstance(b.node, (ast.arg, ast.alias))
                or b.node.lineno < statement.lineno  # type: ignore[attr-defined]
                or ctx.enclosing(b.node, DEF_TYPES) is not ctx.enclosing(statement, DEF_TYPES)
                for b in lookup(ctx, node.id, statement)
            ):
                return False
    return True


def _common_owner(ctx: ModuleContext, statements: list[ast.stmt]) -> ast.AST:
    """The innermost statement (or the module) that contains all of ``statements``."""
    others = [set(ctx.ancestors(s)) for s in statements[1:]]
    for ancestor in ctx.ancestors(statements[0]):
        if all(ancestor in chain for chain in others):
            return ancestor
    return ctx.tree


def _def_path(ctx: ModuleContext, statement: ast.stmt, owner: ast.AST) -> tuple[str, ...]:
    """Names of the functions and classes from ``owner`` (included) down to ``statement``."""
    names = []
    for ancestor in ctx.ancestors(statement):
        if isinstance(ancestor, (*DEF_TYPES, ast.ClassDef)):
            names.append(ancestor.name)
        if ancestor is owner:
            break
    return tuple(reversed(names))


# -- the fix ------------------------------------------------------------------------------------


def _insert_schedule(node: cst.CSTNode, plan: _SchedulePlan, code: Callable[[cst.CSTNode], str]) -> cst.CSTNode:
    """``node`` with the scheduler built after the optimizer's assignment and stepped after each
    ``optimizer.step()`` (after ``scaler.update()`` when a GradScaler steps it); ``node`` itself
    when the assignment is not there any more."""
    import libcst as cst

    built = [cst.parse_statement(text + "\n") for text in plan.statements]

    class Insert(cst.CSTTransformer):
        def __init__(self) -> None:
            super().__init__()
            self.path: list[str] = []
            self.placed = False

        def visit_FunctionDef(self, node: cst.FunctionDef | cst.ClassDef) -> None:
            self.path.append(node.name.value)

        def leave_FunctionDef(
            self, original_node: cst.FunctionDef | cst.ClassDef, updated_node: cst.FunctionDef | cst.ClassDef
        ) -> cst.BaseStatement:
            self.path.pop()
            return updated_node

        visit_ClassDef = visit_FunctionDef
        leave_ClassDef = leave_FunctionDef

        def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
            return updated.with_changes(body=self.body(list(updated.body)))

        def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
            return updated.with_changes(body=self.body(list(updated.body)))

        def body(self, body: list[cst.BaseStatement]) -> list[cst.BaseStatement]:
            here = tuple(self.path)
            out = []
            index = 0
            while index < len(body):
                statement = body[index]
                out.append(statement)
                if here == plan.optimizer_path and not self.placed and _assigns(statement, plan.optimizer, code):
                    out.extend(built)
                    self.placed = True
                elif here in plan.step_paths and (scaler := _stepping(statement, plan.optimizer, code)) is not None:
                    if scaler and index + 1 < len(body) and _is_call(body[index + 1], f"{scaler}.update", code):
                        index += 1
                        out.append(body[index])
                    out.append(cst.parse_statement(f"{plan.scheduler}.step()\n"))
                index += 1
            return out

    inserter = Insert()
    inserted = node.visit(inserter)
    assert isinstance(inserted, cst.CSTNode)  # the transformer replaces nodes, it never removes one
    return inserted if inserter.placed else node


def _assigns(line: cst.BaseStatement, target: str, code: Callable[[cst.CSTNode], str]) -> bool:
    """``line`` assigns the result of a call to ``target``."""
    import libcst as cst

    if not isinstance(line, cst.SimpleStatementLine):
        return False
    for small in line.body:
        targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [getattr(small, "target", None)]
        if (
            isinstance(small, (cst.Assign, cst.AnnAssign))
            and isinstance(small.value, cst.Call)
            and any(t is not None and code(t) == target for t in targets)
        ):
            return True
    return False


def _stepping(line: cst.BaseStatement, optimizer: str, code: Callable[[cst.CSTNode], str]) -> str | None:
    """``""`` for ``optimizer.step()``, ``"scaler"`` for ``scaler.step(optimizer)``, else ``None``."""
    import libcst as cst

    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1 or not isinstance(line.body[0], cst.Expr):
        return None
    call = line.body[0].value
    if not (isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) and call.func.attr.value == "step"):
        return None
    receiver = code(call.func.value)
    if receiver == optimizer:
        return ""
    if call.args and code(call.args[0].value) == optimizer:
        return receiver
    return None


def _is_call(line: cst.BaseStatement, callee: str, code: Callable[[cst.CSTNode], str]) -> bool:
    """``line`` is the statement ``callee(...)``."""
    import libcst as cst

    return (
        isinstance(line, cst.SimpleStatementLine)
        and len(line.body) == 1
        and isinstance(line.body[0], cst.Expr)
        and isinstance(line.body[0].value, cst.Call)
        and code(line.body[0].value.func) == callee
    )
