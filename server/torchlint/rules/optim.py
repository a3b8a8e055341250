"""Optimizers and learning-rate schedules (TL103-TL105)."""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Iterator

from ..context import ModuleContext, dotted, is_constant
from ..model import Applicability, Finding, Severity
from ..patterns import (
    CST_BLOCK_OWNERS,
    OPTIMIZER_PREFIX,
    SCHEDULER_PREFIX,
    alone_on_its_lines,
    assigned_names,
    binds,
    is_optimizer_constructor,
    lookup,
    method_calls,
    unindented,
)
from ..rule import Rule

ADAM = {"torch.optim.Adam", "torch.optim.adam.Adam"}


class AdamNotAdamW(Rule):
    """`torch.optim.Adam` is used where `AdamW` belongs.

    Fires on every reference to `torch.optim.Adam`, however it was imported.
    """

    code = "TL103"
    name = "adam-not-adamw"
    severity = Severity.WARNING
    message = (
        "Use torch.optim.AdamW instead of Adam: AdamW decouples weight decay from the gradient "
        "update, so weight_decay becomes decoupled decay (re-check its value)"
    )
    why = """
        `Adam` with `weight_decay` adds the decay to the gradient, where the adaptive step size
        rescales it: the effective regularisation differs per parameter and is much weaker than
        intended. `AdamW` (Loshchilov & Hutter) applies the decay directly to the weights and is
        the default optimizer of modern training recipes.
    """
    example = """
        optimizer = torch.optim.Adam(model.parameters(), lr=3e-4, weight_decay=1e-2)
    """
    use_instead = """
        optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=1e-2)
    """
    fix_applicability = Applicability.UNSAFE
    fix_title = "Replace Adam with AdamW"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        for node in ctx.references(*ADAM):
            yield self.finding(ctx, node, fix=True, fix_node=type(node).__name__)

    def fix(self, node, fix, ctx):
        import libcst as cst

        if isinstance(node, cst.Name):
            # `Adam` came from `from torch.optim import Adam`: import AdamW in its place.
            ctx.add_import("torch.optim", "AdamW")
            ctx.remove_unused_import("torch.optim", "Adam", None if node.value == "Adam" else node.value)
            return node.with_changes(value="AdamW")
        return node.with_changes(attr=node.attr.with_changes(value="AdamW"))


# -- learning-rate schedules (TL104, TL105) ---------------------------------------------------

LBFGS = {"torch.optim.LBFGS", "torch.optim.lbfgs.LBFGS"}
COSINE = {f"{SCHEDULER_PREFIX}CosineAnnealingLR", f"{SCHEDULER_PREFIX}CosineAnnealingWarmRestarts"}
#: The cosine schedulers' period: ``CosineAnnealingLR(optimizer, T_max)``, ``...WarmRestarts(optimizer, T_0)``.
PERIOD = {"CosineAnnealingLR": "T_max", "CosineAnnealingWarmRestarts": "T_0"}
#: Schedulers that are, or can hold, a warmup.
WARMUP_SCHEDULERS = {
    f"{SCHEDULER_PREFIX}{name}"
    for name in ("LinearLR", "SequentialLR", "LambdaLR", "MultiplicativeLR", "ChainedScheduler", "OneCycleLR")
}
#: Names of calls and imports that build or apply a learning-rate schedule: `get_scheduler`,
#: `get_cosine_schedule_with_warmup`, `adjust_learning_rate`, `OneCycleLR`, `set_lr`.
SCHEDULE_NAME = re.compile(r"sched|warm_?up|learning_rate|(^|_)lrs?(_|$)", re.IGNORECASE)
WARMUP = re.compile(r"warm_?up", re.IGNORECASE)
#: The share of the run that the inserted warmup takes.
WARMUP_DIVISOR = 20
PLACEHOLDER_STEPS = "10_000  # TODO: the number of optimizer steps in the run"
BUILTINS = frozenset(dir(builtins))
DEFS = (ast.FunctionDef, ast.AsyncFunctionDef)


def builds_scheduler(ctx: ModuleContext) -> bool:
    """The module builds or applies some learning-rate schedule (any library, or by hand)."""
    return ctx.memo("optim.builds_scheduler", lambda: _builds_scheduler(ctx))


def _builds_scheduler(ctx: ModuleContext) -> bool:
    for local, qualname in ctx.imports.items():
        if qualname.startswith(SCHEDULER_PREFIX) or _schedule_name(local) or _schedule_name(qualname.rsplit(".", 1)[-1]):
            return True
    for call in ctx.nodes(ast.Call):
        if _schedule_name(_last_name(call.func)) or (ctx.qualname(call.func) or "").startswith(SCHEDULER_PREFIX):
            return True
    if any("sched" in (dotted(call.func.value) or "").lower() for call in method_calls(ctx, "step")):  # type: ignore[attr-defined]
        return True
    return sets_lr_by_hand(ctx)


def _schedule_name(name: str) -> bool:
    """Named like a schedule: ``get_scheduler``, ``adjust_learning_rate``, ``set_lr``, ``OneCycleLR``."""
    return bool(SCHEDULE_NAME.search(name)) or name.endswith("LR")


def sets_lr_by_hand(ctx: ModuleContext) -> bool:
    """A hand-written schedule: ``param_group["lr"] = ...`` (or ``*=``)."""
    return any(
        isinstance(node.ctx, ast.Store) and is_constant(node.slice, str) and node.slice.value in ("lr", "learning_rate")  # type: ignore[attr-defined]
        for node in ctx.nodes(ast.Subscript)
    )


def _last_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def warmup_then(spelling: str, optimizer: str, warmup: str, cosine: str) -> str:
    """``SequentialLR`` of a ``LinearLR`` warmup over ``warmup`` steps and the ``cosine`` schedule."""
    return (
        f"{spelling}SequentialLR(\n"
        f"    {optimizer},\n"
        f"    schedulers=[\n"
        f"        {spelling}LinearLR({optimizer}, start_factor=0.01, total_iters={warmup}),\n"
        f"        {cosine},\n"
        f"    ],\n"
        f"    milestones=[{warmup}],\n"
        f")"
    )


def scheduler_spelling(ctx: ModuleContext, callee: ast.expr, names: tuple[str, ...]) -> tuple[str, tuple]:
    """How to write the ``lr_scheduler`` classes ``names`` in the style of ``callee`` (a
    ``torch.optim`` optimizer or ``lr_scheduler`` class), and the imports that needs:
    ``("torch.optim.lr_scheduler.", ())``, ``("optim.lr_scheduler.", ())``, or bare names
    imported from ``torch.optim.lr_scheduler``."""
    if isinstance(callee, ast.Attribute) and (base := dotted(callee.value)):
        qualname = ctx.qualname(callee.value)
        if qualname == SCHEDULER_PREFIX[:-1]:
            return f"{base}.", ()
        if qualname == "torch.optim":
            return f"{base}.lr_scheduler.", ()
    taken = bound_names(ctx)
    if isinstance(callee, ast.Name) and all(
        name not in taken or ctx.imports.get(name) == f"{SCHEDULER_PREFIX}{name}" for name in names
    ):
        return "", tuple((SCHEDULER_PREFIX[:-1], name) for name in names)
    return SCHEDULER_PREFIX, (("torch", None),)


def bound_names(ctx: ModuleContext) -> set[str]:
    """Every name the module binds or reads anywhere (to pick new names that clash with none)."""
    return ctx.memo("optim.bound_names", lambda: _bound_names(ctx))


def _bound_names(ctx: ModuleContext) -> set[str]:
    names = set(ctx.identifiers()) | set(ctx.imports)
    names |= {node.arg for node in ctx.nodes(ast.arg)}
    names |= {node.name for node in ctx.nodes(ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)}
    return names


def fresh_name(taken: set[str], *candidates: str) -> str:
    """The first candidate not in ``taken``, else the first one with a number appended."""
    for candidate in candidates:
        if candidate not in taken:
            return candidate
    number = 2
    while f"{candidates[0]}_{number}" in taken:
        number += 1
    return f"{candidates[0]}_{number}"


class MissingLrScheduler(Rule):
    """An optimizer is stepped at a constant learning rate.

    Fires once per module, at the construction of the first `torch.optim` optimizer that the
    module steps (`optimizer.step()`, `scaler.step(optimizer)`, or a function of the module it
    is handed to), when the module builds no learning-rate schedule at all.
    """

    code = "TL104"
    name = "missing-lr-scheduler"
    severity = Severity.WARNING
    requires = ("step",)
    message = (
        "Schedule the learning rate: build a scheduler (linear warmup then cosine decay) for this "
        "optimizer and call scheduler.step() after each optimizer.step()"
    )
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
        if builds_scheduler(ctx):
            return
        for call in ctx.calls_matching(lambda name: name.startswith(OPTIMIZER_PREFIX) and name not in LBFGS):
            if not is_optimizer_constructor(ctx, call):
                continue
            for name in assigned_names(ctx, call):
                use = OptimizerUse.of(ctx, call, name)
                if use.steps or use.handed_to_stepping_function():
                    yield self._finding(ctx, use)
                    return

    def _finding(self, ctx: ModuleContext, use: OptimizerUse) -> Finding:
        edit = use.schedule_insertion()
        if edit is None:
            return self.finding(ctx, use.call)
        owner, data = edit
        return self.finding(ctx, use.call, fix=True, fix_target=owner, fix_node=CST_BLOCK_OWNERS[type(owner)], fix_data=data)

    def fix(self, node, fix, ctx):
        optimizer, optimizer_path, step_paths, scheduler, statements, imports = fix.data
        inserted = _insert_schedule(node, optimizer, optimizer_path, step_paths, scheduler, statements)
        if inserted is not node:
            for module, name in imports:
                ctx.add_import(module, name)
        return inserted


class OptimizerUse:
    """Where an optimizer built at ``call`` and bound to ``name`` is stepped."""

    def __init__(self, ctx: ModuleContext, call: ast.Call, name: str) -> None:
        self.ctx = ctx
        self.call = call
        self.name = name
        #: The class (for ``self.x``), function or module (``None``) the name belongs to.
        self.home = ctx.enclosing(call, ast.ClassDef if name.startswith("self.") else DEFS)
        self.steps: list[ast.Call] = []

    @classmethod
    def of(cls, ctx: ModuleContext, call: ast.Call, name: str) -> OptimizerUse:
        use = cls(ctx, call, name)
        use.steps = [step for step in method_calls(ctx, "step") if _steps(step, name) and use.reaches(step)]
        return use

    def reaches(self, node: ast.AST) -> bool:
        """The optimizer's name read at ``node`` is the binding made at home."""
        name = self.name
        if name.startswith("self."):
            return self.home is not None and self.ctx.enclosing(node, ast.ClassDef) is self.home
        root = name.split(".")[0]
        function = self.ctx.enclosing(node, DEFS)
        while function is not None and function is not self.home:
            if binds(self.ctx, function, root):
                return False
            function = self.ctx.enclosing(function, DEFS)
        return function is self.home

    def handed_to_stepping_function(self) -> bool:
        """The optimizer is passed to a function of this module that steps the parameter."""
        for call in self.ctx.calls_named(*{function.name for function in self.ctx.function_defs}):
            for parameter, function in self._receiving_parameters(call):
                if any(_steps(step, parameter) and function in self.ctx.ancestors(step) for step in method_calls(self.ctx, "step")):
                    return True
        return False

    def _receiving_parameters(self, call: ast.Call) -> Iterator[tuple[str, ast.AST]]:
        positions = [i for i, arg in enumerate(call.args) if dotted(arg) == self.name]
        keywords = [kw.arg for kw in call.keywords if kw.arg and dotted(kw.value) == self.name]
        if not (positions or keywords) or not self.reaches(call):
            return
        callee = _last_name(call.func)
        for function in self.ctx.function_defs:
            if function.name != callee:
                continue
            parameters = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
            if parameters[:1] in (["self"], ["cls"]) and isinstance(call.func, ast.Attribute):
                parameters = parameters[1:]
            yield from ((parameters[i], function) for i in positions if i < len(parameters))
            yield from ((kw, function) for kw in keywords)

    def schedule_insertion(self) -> tuple[ast.AST, tuple] | None:
        """Where and what the fix inserts, when the optimizer statement and every step are
        statements of their own that one libcst node holds."""
        ctx = self.ctx
        statement = ctx.statement_of(self.call)
        steps = [ctx.statement_of(step) for step in self.steps]
        if not steps or not isinstance(statement, (ast.Assign, ast.AnnAssign)) or statement.value is not self.call:
            return None
        if not all(isinstance(s, ast.Expr) and s.value is step for s, step in zip(steps, self.steps)):
            return None
        if not all(alone_on_its_lines(ctx, s) for s in (statement, *steps)) or self._rebound():
            return None
        owner = _common_owner(ctx, [statement, *steps])
        if type(owner) not in CST_BLOCK_OWNERS:
            return None
        spelling, imports = scheduler_spelling(ctx, self.call.func, ("CosineAnnealingLR", "LinearLR", "SequentialLR"))
        scheduler = self._scheduler_name()
        taken = bound_names(ctx)
        total = fresh_name(taken, "total_steps", "num_training_steps")
        warmup = fresh_name(taken, "warmup_steps", "num_warmup_steps")
        cosine = f"{spelling}CosineAnnealingLR({self.name}, T_max={total} - {warmup})"
        statements = (
            f"{total} = {self._total_steps(statement) or PLACEHOLDER_STEPS}",
            f"{warmup} = max(1, {total} // {WARMUP_DIVISOR})",
            f"{scheduler} = {warmup_then(spelling, self.name, warmup, cosine)}",
        )
        data = (
            self.name,
            _def_path(ctx, statement, owner),
            frozenset(_def_path(ctx, s, owner) for s in steps),
            scheduler,
            statements,
            imports,
        )
        return owner, data

    def _rebound(self) -> bool:
        """The name is assigned more than once (`if sgd: opt = SGD(...) else: opt = AdamW(...)`)."""
        assignments = [
            node
            for node in self.ctx.nodes(ast.Assign, ast.AnnAssign)
            if any(dotted(t) == self.name for t in _assigned_targets(node))
        ]
        return sum(self.reaches(node) for node in assignments) > 1

    def _scheduler_name(self) -> str:
        owner, _, _ = self.name.rpartition(".")
        if not owner:
            return fresh_name(bound_names(self.ctx), "scheduler", "lr_scheduler")
        attributes = {node.attr for node in self.ctx.nodes(ast.Attribute)}
        return f"{owner}.{fresh_name(attributes, 'scheduler', 'lr_scheduler')}"

    def _total_steps(self, statement: ast.stmt) -> str | None:
        """``epochs * len(loader)`` when the only step sits in ``for`` loops of the optimizer's own
        function whose sizes can be read before the optimizer is built."""
        ctx = self.ctx
        if len(self.steps) != 1 or ctx.enclosing(self.steps[0], DEFS) is not ctx.enclosing(statement, DEFS):
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
    while isinstance(iterable, ast.Call) and _last_name(iterable.func) in ("enumerate", "tqdm", "iter") and iterable.args:
        iterable = iterable.args[0]
    if isinstance(iterable, ast.Call) and _last_name(iterable.func) == "range" and not iterable.keywords:
        if len(iterable.args) == 1:
            return ctx.text(iterable.args[0]), iterable.args
        if len(iterable.args) == 2:
            start, stop = iterable.args
            return f"({ctx.text(stop)} - {ctx.text(start)})", iterable.args
        return None
    if dotted(iterable):
        return f"len({ctx.text(iterable)})", [iterable]
    return None


def _readable_at(ctx: ModuleContext, expressions: list[ast.expr], statement: ast.stmt) -> bool:
    """Every name the expressions read is bound before ``statement`` runs."""
    for expression in expressions:
        for node in ctx.within(expression, ast.Name):
            if node.id not in BUILTINS and not any(
                isinstance(b.node, (ast.arg, ast.alias))
                or b.node.lineno < statement.lineno
                or ctx.enclosing(b.node, DEFS) is not ctx.enclosing(statement, DEFS)
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
        if isinstance(ancestor, (*DEFS, ast.ClassDef)):
            names.append(ancestor.name)
        if ancestor is owner:
            break
    return tuple(reversed(names))


def _insert_schedule(node, optimizer: str, optimizer_path, step_paths, scheduler: str, statements):
    """``node`` with the scheduler built after the optimizer's assignment and stepped after each
    ``optimizer.step()`` (after ``scaler.update()`` when a GradScaler steps it); ``node`` itself
    when the assignment is not there any more."""
    import libcst as cst

    code = cst.Module(body=[]).code_for_node
    built = [cst.parse_statement(text + "\n") for text in statements]

    class Insert(cst.CSTTransformer):
        def __init__(self) -> None:
            super().__init__()
            self.path: list[str] = []
            self.placed = False

        def visit_FunctionDef(self, node) -> None:
            self.path.append(node.name.value)

        def leave_FunctionDef(self, original, updated):
            self.path.pop()
            return updated

        visit_ClassDef = visit_FunctionDef
        leave_ClassDef = leave_FunctionDef

        def leave_IndentedBlock(self, original, updated):
            return updated.with_changes(body=self.body(list(updated.body)))

        def leave_Module(self, original, updated):
            return updated.with_changes(body=self.body(list(updated.body)))

        def body(self, body: list) -> list:
            here = tuple(self.path)
            out = []
            index = 0
            while index < len(body):
                statement = body[index]
                out.append(statement)
                if here == optimizer_path and not self.placed and _assigns(statement, optimizer, code):
                    out.extend(built)
                    self.placed = True
                elif here in step_paths and (scaler := _stepping(statement, optimizer, code)) is not None:
                    if scaler and index + 1 < len(body) and _is_call(body[index + 1], f"{scaler}.update", code):
                        index += 1
                        out.append(body[index])
                    out.append(cst.parse_statement(f"{scheduler}.step()\n"))
                index += 1
            return out

    inserter = Insert()
    inserted = node.visit(inserter)
    return inserted if inserter.placed else node


def _assigns(line, target: str, code) -> bool:
    import libcst as cst

    if not isinstance(line, cst.SimpleStatementLine):
        return False
    for small in line.body:
        targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [getattr(small, "target", None)]
        if isinstance(small, (cst.Assign, cst.AnnAssign)) and isinstance(small.value, cst.Call):
            if any(t is not None and code(t) == target for t in targets):
                return True
    return False


def _stepping(line, optimizer: str, code) -> str | None:
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


def _is_call(line, callee: str, code) -> bool:
    import libcst as cst

    return (
        isinstance(line, cst.SimpleStatementLine)
        and len(line.body) == 1
        and isinstance(line.body[0], cst.Expr)
        and isinstance(line.body[0].value, cst.Call)
        and code(line.body[0].value.func) == callee
    )


class SchedulerWithoutWarmup(Rule):
    """A cosine learning-rate schedule starts at the peak learning rate, with no warmup.

    Fires on each `CosineAnnealingLR(...)` / `CosineAnnealingWarmRestarts(...)` in a module that
    has no warmup anywhere: no `LinearLR`, `SequentialLR`, `LambdaLR`, `*_with_warmup` schedule,
    hand-written `param_group["lr"]` update or anything named warmup.
    """

    code = "TL105"
    name = "scheduler-without-warmup"
    severity = Severity.INFO
    requires = ("Cosine",)
    message = "Warm the learning rate up before the cosine decay: chain a LinearLR warmup and this scheduler with SequentialLR"
    why = """
        At the first steps the optimizer's statistics (Adam's moments, batch-norm running
        stats) are not yet estimated and the loss surface is steep: the full learning rate
        then causes loss spikes or divergence, most of all with large batches and
        transformers. A short linear warmup lets the run start at the peak rate safely.
    """
    example = """
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    """
    use_instead = """
        warmup_steps = max(1, epochs // 20)
        scheduler = torch.optim.lr_scheduler.SequentialLR(
            optimizer,
            schedulers=[
                torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.01, total_iters=warmup_steps),
                torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs),
            ],
            milestones=[warmup_steps],
        )
    """
    fix_applicability = Applicability.UNSAFE
    fix_title = "Warm up with LinearLR, then the cosine schedule, in a SequentialLR"
    fix_node = "SimpleStatementLine"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        if has_warmup(ctx):
            return
        for call in ctx.calls(*COSINE):
            yield self._finding(ctx, call, ctx.qualname(call.func).rsplit(".", 1)[-1])  # type: ignore[union-attr]

    def _finding(self, ctx: ModuleContext, call: ast.Call, kind: str) -> Finding:
        statement = ctx.statement_of(call)
        optimizer = _argument(call, 0, "optimizer")
        period = _argument(call, 1, PERIOD[kind])
        fixable = (
            isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr, ast.Return))
            and alone_on_its_lines(ctx, statement)
            and optimizer is not None
            and dotted(optimizer) is not None
            and period is not None
            and not _in_nested_scope(ctx, call, statement)
            and not _spans_lines_in_a_string(call)
            and not _stepped_with_arguments(ctx, statement)
        )
        if not fixable:
            return self.finding(ctx, call)
        spelling, imports = scheduler_spelling(ctx, call.func, ("LinearLR", "SequentialLR"))
        if is_constant(period, int):
            warmup = str(max(1, period.value // WARMUP_DIVISOR))  # type: ignore[union-attr]
        else:
            operand = ctx.text(period)
            if not isinstance(period, (ast.Name, ast.Attribute, ast.Call, ast.Subscript)):
                operand = f"({operand})"
            warmup = f"max(1, {operand} // {WARMUP_DIVISOR})"
        return self.finding(
            ctx, call, fix=True, fix_target=statement, fix_data=(ctx.text(call), spelling, ctx.text(optimizer), warmup, imports)
        )

    def fix(self, node, fix, ctx):
        import libcst as cst

        cosine, spelling, optimizer, warmup, imports = fix.data
        code = cst.Module(body=[]).code_for_node

        class Chain(cst.CSTTransformer):
            done = False

            def leave_Call(self, original, updated):
                if self.done or unindented(code(original)) != unindented(cosine):
                    return updated
                self.done = True
                # Two levels deeper inside SequentialLR(schedulers=[...]).
                nested = code(updated).replace("\n", "\n" + " " * 8)
                return cst.parse_expression(warmup_then(spelling, optimizer, "warmup_steps", nested))

        chain = Chain()
        chained = node.visit(chain)
        if not chain.done:
            return node
        for module, name in imports:
            ctx.add_import(module, name)
        warmup_line = cst.parse_statement(f"warmup_steps = {warmup}\n").with_changes(leading_lines=node.leading_lines)
        return cst.FlattenSentinel([warmup_line, chained.with_changes(leading_lines=())])


def has_warmup(ctx: ModuleContext) -> bool:
    """The module warms the learning rate up somewhere (or mentions a warmup at all)."""
    return ctx.memo("optim.has_warmup", lambda: _has_warmup(ctx))


def _has_warmup(ctx: ModuleContext) -> bool:
    if WARMUP.search(ctx.source) or sets_lr_by_hand(ctx):
        return True
    names = {name.rsplit(".", 1)[-1] for name in WARMUP_SCHEDULERS}
    return (
        any(ctx.attributes(name) for name in names)
        or not names.isdisjoint(ctx.identifiers())
        or any(qualname in WARMUP_SCHEDULERS for qualname in ctx.imports.values())
    )


def _argument(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    """The argument at ``position`` or named ``keyword``; ``None`` when absent or hidden by ``*``/``**``."""
    if any(isinstance(a, ast.Starred) for a in call.args) or any(kw.arg is None for kw in call.keywords):
        return None
    if position < len(call.args):
        return call.args[position]
    return next((kw.value for kw in call.keywords if kw.arg == keyword), None)


def _in_nested_scope(ctx: ModuleContext, node: ast.AST, statement: ast.stmt) -> bool:
    """``node`` sits in a lambda or comprehension of ``statement``, whose names a statement
    inserted before it could not read."""
    for ancestor in ctx.ancestors(node):
        if ancestor is statement:
            return False
        if isinstance(ancestor, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            return True
    return False


def _spans_lines_in_a_string(node: ast.AST) -> bool:
    """A string literal inside ``node`` spans lines (re-indenting ``node`` would change it)."""
    return any(
        (isinstance(n, ast.JoinedStr) or is_constant(n, str)) and n.end_lineno != n.lineno for n in ast.walk(node)  # type: ignore[attr-defined]
    )


def _stepped_with_arguments(ctx: ModuleContext, statement: ast.stmt) -> bool:
    """The scheduler the statement assigns is stepped with an epoch (`scheduler.step(epoch + i / n)`),
    which SequentialLR does not take."""
    names = {dotted(t) for t in _assigned_targets(statement)} - {None}
    return any(call.args and dotted(call.func.value) in names for call in method_calls(ctx, "step"))  # type: ignore[attr-defined]


def _assigned_targets(statement: ast.stmt) -> list[ast.expr]:
    if isinstance(statement, ast.Assign):
        return statement.targets
    return [statement.target] if isinstance(statement, (ast.AnnAssign, ast.AugAssign)) else []
