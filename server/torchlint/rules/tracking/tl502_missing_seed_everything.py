"""TL502 missing-seed-everything."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ...analysis.context import ModuleContext
from ...analysis.layout import alone_on_its_lines
from ...analysis.syntax import DEF_TYPES, LOOP_TYPES, callee_name, dotted, keyword
from ...analysis.training import assigned_names, enclosing_loop, has_main_guard, training_loops
from ...model import Applicability, Finding, Fix, Plan, Severity
from ...rule import Rule
from ._seeding import (
    Library,
    add_imports,
    is_entry_point,
    library_names,
    names_read,
    seeding,
    top_level_statement,
    uses_hf_trainer,
)
from ._steps import delegating_loops

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

#: Seeded random number generators: seeding too, though not of the global state.
RNG_CONSTRUCTORS = {"numpy.random.default_rng", "numpy.random.RandomState", "random.Random", "jax.random.PRNGKey"}
SEED_KEYWORDS = {"seed", "random_state", "random_seed"}
#: Methods that seed the object they are called on (``env.seed(s)``, ``generator.manual_seed(s)``).
LOCAL_SEED_METHODS = {"seed", "manual_seed"}
SEED_FUNCTION = '''
def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and PyTorch (CPU and every GPU) so that runs are reproducible."""
    {random}.seed(seed)
    {numpy}.random.seed(seed)
    {torch}.manual_seed(seed)
    {torch}.cuda.manual_seed_all(seed)
'''


@dataclass(frozen=True)
class _SeedEverythingPlan(Plan):
    """The ``seed_everything`` function to add after the imports, and where to call it."""

    libraries: tuple[Library, ...]
    #: The argument of the call: ``args.seed``, or ``0`` when the script has no ``--seed``.
    seed: str
    #: Call it right "after" the statement ``after`` (``args = parser.parse_args()``), first thing
    #: in the ``__main__`` "guard", or at "module" level right after the function.
    call_site: Literal["after", "guard", "module"]
    after: str = ""


class MissingSeedEverything(Rule):
    """A training entry point seeds no random number generator at all.

    Fires once per module, at the first training loop that runs when the module is executed,
    when the module has a `__main__` guard or parses arguments and nothing in it seeds anything
    (no `*seed*` call, no `seed=` argument, no seeded generator). Scripts built on a HuggingFace
    `Trainer` (seeded through `TrainingArguments.seed`) and modules whose training code only runs
    when called from elsewhere are left alone; partial seeding is TL503's.
    """

    code = "TL502"
    name = "missing-seed-everything"
    severity = Severity.WARNING
    requires = ("backward",)
    message = "Seed random, numpy and torch at the start of the entry point with seed_everything(seed)"
    why = """
        Weight initialisation, data shuffling, augmentation and dropout all draw from Python's,
        NumPy's and PyTorch's random number generators. Unseeded, two runs of the same script
        differ, so a change cannot be told apart from noise and a bug cannot be replayed.
    """
    example = """
        if __name__ == "__main__":
            args = parser.parse_args()
            model = Net()
            for epoch in range(args.epochs):
                train_one_epoch(model, loader)
    """
    use_instead = """
        def seed_everything(seed: int) -> None:
            random.seed(seed)
            np.random.seed(seed)
            torch.manual_seed(seed)
            torch.cuda.manual_seed_all(seed)


        if __name__ == "__main__":
            args = parser.parse_args()
            seed_everything(args.seed)
            model = Net()
            for epoch in range(args.epochs):
                train_one_epoch(model, loader)
    """
    fix_applicability = Applicability.UNSAFE
    fix_title = "Add a seed_everything(seed) function and call it at the start of the entry point"
    fix_node = "Module"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        if not is_entry_point(ctx) or _seeds_anything(ctx):
            return
        loop = _entry_training_loop(ctx)
        if loop is None:
            return
        plan = _plan(ctx)
        yield self.finding(ctx, loop, fix=self.fix_at(ctx, ctx.tree, plan) if plan else False)

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.CSTNode:
        import libcst as cst

        assert isinstance(node, cst.Module)
        plan = fix.plan_as(_SeedEverythingPlan)
        local = add_imports(ctx, plan.libraries)
        body = list(node.body)
        index = _after_imports(body)
        function = cst.parse_statement(SEED_FUNCTION.format(**local).lstrip("\n"))
        call = cst.parse_statement(f"seed_everything({plan.seed})\n")
        if plan.call_site == "module":
            # A script without a `__main__` block: seed right after the definition.
            body.insert(index, call.with_changes(leading_lines=[cst.EmptyLine()] * 2))
        elif index < len(body):
            body[index] = _with_blank_lines(body[index], 2)
        body.insert(index, function.with_changes(leading_lines=[cst.EmptyLine()] * 2))
        if plan.call_site == "after":
            return node.with_changes(body=body).visit(_call_after(ctx, plan.after, call))
        if plan.call_site == "guard":
            return node.with_changes(body=[_seed_main_guard(stmt, call) for stmt in body])
        return node.with_changes(body=body)


# -- detection ----------------------------------------------------------------------------------


def _seeds_anything(ctx: ModuleContext) -> bool:
    """Any seeding at all: a ``*seed*`` call, a ``seed=`` argument, a seeded generator, a HF Trainer."""
    generators = _torch_generators(ctx)
    for call in ctx.nodes(ast.Call):
        seeds = "seed" in callee_name(call.func).lower() and not _seeds_local_state(ctx, call, generators)
        if seeds or any(kw.arg in SEED_KEYWORDS for kw in call.keywords):
            return True
        if ctx.qualname(call.func) in RNG_CONSTRUCTORS and call.args:
            return True
    return uses_hf_trainer(ctx)


def _torch_generators(ctx: ModuleContext) -> set[ast.AST | str]:
    """``torch.Generator(...)`` calls and the names bound to them: local generators (for
    ``random_split``, a sampler), whose seeding leaves the global state unseeded."""
    calls = ctx.calls("torch.Generator")
    return {*calls, *(name for call in calls for name in assigned_names(ctx, call))}


def _seeds_local_state(ctx: ModuleContext, call: ast.Call, generators: set[ast.AST | str]) -> bool:
    """``env.seed(s)``, ``env.action_space.seed(s)``, ``g.manual_seed(s)`` for a local generator
    ``g``: the seed of one object (an environment, a generator), not of the run's global state."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    if func.value in generators or dotted(func.value) in generators:
        return True
    return func.attr in LOCAL_SEED_METHODS and ctx.qualname(func) is None and dotted(func.value) != "self"


def _entry_training_loop(ctx: ModuleContext) -> ast.AST | None:
    """The loop of the entry point that trains: the first training loop, loop that delegates the
    gradient step, or loop that calls a function that trains, in the code nearest to where the
    script starts (module-level code, then the functions it calls, and so on)."""
    depths = _call_depths(ctx)
    loops = [*training_loops(ctx), *delegating_loops(ctx)]
    training = [loop for loop in loops if _depth(ctx, loop, depths) is not None]
    trains = {top.name for loop in training if isinstance(top := top_level_statement(ctx, loop), DEF_TYPES)}
    refs, functions = names_read(ctx), {stmt.name for stmt in ctx.tree.body if isinstance(stmt, DEF_TYPES)}
    while grown := {name for name in functions if refs.get(name, set()) & trains} - trains:
        trains |= grown  # and the functions that call them
    callers = [
        loop
        for loop in ctx.nodes(*LOOP_TYPES)
        if enclosing_loop(ctx, loop) is None
        and _depth(ctx, loop, depths) is not None
        and any(isinstance(call.func, ast.Name) and call.func.id in trains for call in ctx.within(loop, ast.Call))
    ]
    return min([*training, *callers], key=lambda loop: (_depth(ctx, loop, depths), loop.lineno, loop.col_offset), default=None)


def _depth(ctx: ModuleContext, node: ast.AST, depths: dict[str, int]) -> int | None:
    """How many calls from the script's start reach ``node``'s module-level statement (None: never)."""
    top = top_level_statement(ctx, node)
    return depths.get(top.name) if isinstance(top, (*DEF_TYPES, ast.ClassDef)) else 0


def _call_depths(ctx: ModuleContext) -> dict[str, int]:
    """Module-level functions and classes that running the module as a script can reach, with the
    number of calls it takes (1 for ``main`` in ``main()``).

    Module-level code reaches what it names (``main()``, ``fire.Fire(train)``); command-line
    frameworks reach the functions they register (``@app.command()``, ``@hydra.main(...)``).
    """
    refs = names_read(ctx)
    defined = {stmt.name for stmt in ctx.tree.body if isinstance(stmt, (*DEF_TYPES, ast.ClassDef))}
    depths: dict[str, int] = {}
    frontier = (refs[None] | _registered_commands(ctx)) & defined
    depth = 1
    while frontier:
        depths.update(dict.fromkeys(frontier, depth))
        frontier = {name for caller in frontier for name in refs.get(caller, set()) & defined} - depths.keys()
        depth += 1
    return depths


def _registered_commands(ctx: ModuleContext) -> set[str]:
    """Top-level functions decorated as commands (``@click.command()``, ``@app.command()``, ``@hydra.main``)."""
    commands = set()
    for stmt in ctx.tree.body:
        if isinstance(stmt, DEF_TYPES):
            for decorator in stmt.decorator_list:
                name = dotted(decorator.func if isinstance(decorator, ast.Call) else decorator) or ""
                if name.rsplit(".", 1)[-1] in {"command", "main"}:
                    commands.add(stmt.name)
    return commands


# -- the fix's plan -----------------------------------------------------------------------------


def _plan(ctx: ModuleContext) -> _SeedEverythingPlan | None:
    """Where to call ``seed_everything`` and with what seed, or ``None`` when there is no room."""
    libraries = library_names(ctx)
    if libraries is None or "seed_everything" in ctx.imports or "seed_everything" in seeding(ctx).functions:
        return None
    if _has_seed_argument(ctx):
        parsed = _parsed_arguments(ctx)
        if parsed is None:
            return None
        target, assign = parsed
        return _SeedEverythingPlan(libraries, f"{target}.seed", "after", ctx.text(assign))
    return _SeedEverythingPlan(libraries, "0", "guard" if has_main_guard(ctx) else "module")


def _has_seed_argument(ctx: ModuleContext) -> bool:
    for call in ctx.method_calls("add_argument"):
        flags = [arg.value for arg in call.args if isinstance(arg, ast.Constant)]
        dest = keyword(call, "dest")
        if {"--seed", "seed"} & set(flags) or (dest is not None and getattr(dest.value, "value", None) == "seed"):
            return True
    return False


def _parsed_arguments(ctx: ModuleContext) -> tuple[str, ast.Assign] | None:
    """``("args", <args = parser.parse_args()>)``: where the parsed arguments become available."""
    for call in ctx.calls_named("parse_args", "parse_known_args"):
        assign = ctx.parent(call)
        if not isinstance(assign, ast.Assign) or assign.value is not call or len(assign.targets) != 1:
            continue
        target = assign.targets[0]
        target = target.elts[0] if isinstance(target, ast.Tuple) and target.elts else target
        if not isinstance(target, ast.Name) or _returns_name(ctx, assign, target.id):
            continue
        if not alone_on_its_lines(ctx, assign) or isinstance(ctx.parent(assign), ast.Module) and _imports_after(ctx, assign):
            return None  # shares its line, or parses arguments before the imports: no place for the call
        return target.id, assign
    return None


def _returns_name(ctx: ModuleContext, node: ast.AST, name: str) -> bool:
    """Whether ``node`` sits in a function that returns ``name`` (a ``parse_args()`` wrapper)."""
    function = ctx.enclosing(node, DEF_TYPES)
    if function is None:
        return False
    return any(isinstance(ret.value, ast.Name) and ret.value.id == name for ret in ctx.within(function, ast.Return))


def _imports_after(ctx: ModuleContext, stmt: ast.stmt) -> bool:
    return any(isinstance(s, (ast.Import, ast.ImportFrom)) and s.lineno > stmt.lineno for s in ctx.tree.body)


# -- the edit -------------------------------------------------------------------------------------


def _after_imports(body: Sequence[cst.BaseStatement]) -> int:
    """Index just after the last import of the module's leading block (before any compound statement)."""
    import libcst as cst

    index = 0
    for position, stmt in enumerate(body):
        if not isinstance(stmt, cst.SimpleStatementLine):
            break
        if all(isinstance(small, (cst.Import, cst.ImportFrom)) for small in stmt.body):
            index = position + 1
        elif position == 0 and index == 0 and _is_docstring(stmt):
            index = 1
    return index


def _is_docstring(stmt: cst.SimpleStatementLine) -> bool:
    import libcst as cst

    small = stmt.body[0]
    return isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString))


def _with_blank_lines(stmt: cst.BaseStatement, count: int) -> cst.SimpleStatementLine | cst.BaseCompoundStatement:
    """``stmt`` preceded by at least ``count`` blank lines (before its leading comments)."""
    import libcst as cst

    assert isinstance(stmt, (cst.SimpleStatementLine, cst.BaseCompoundStatement))
    lines = list(stmt.leading_lines)
    blank = 0
    while blank < len(lines) and lines[blank].comment is None:
        blank += 1
    return stmt.with_changes(leading_lines=[cst.EmptyLine()] * max(count - blank, 0) + lines)


def _seed_main_guard(stmt: cst.BaseStatement, call: cst.BaseStatement) -> cst.BaseStatement:
    """``stmt`` with ``call`` as its first statement when it is ``if __name__ == "__main__":``."""
    import libcst as cst

    if not isinstance(stmt, cst.If) or not _is_main_test(stmt.test):
        return stmt
    body = stmt.body
    if isinstance(body, cst.SimpleStatementSuite):
        inner = [cst.SimpleStatementLine(body=[*body.body[:-1], body.body[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)])]
        return stmt.with_changes(body=cst.IndentedBlock(header=body.trailing_whitespace, body=[call, *inner]))
    return stmt.with_changes(body=body.with_changes(body=[call, *body.body]))


def _is_main_test(test: cst.BaseExpression) -> bool:
    """``__name__ == "__main__"`` (either way round)."""
    import libcst as cst

    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    sides = [test.left, test.comparisons[0].comparator]
    return any(isinstance(s, cst.Name) and s.value == "__name__" for s in sides) and any(
        isinstance(s, cst.SimpleString) and s.evaluated_value == "__main__" for s in sides
    )


def _call_after(ctx: FixContext, text: str, call: cst.BaseStatement) -> cst.CSTTransformer:
    """A transformer that inserts ``call`` after the first simple statement whose code is ``text``."""
    import libcst as cst

    class CallAfter(cst.CSTTransformer):
        done = False

        def leave_SimpleStatementLine(
            self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
        ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
            if not self.done and any(ctx.code(small) == text for small in updated_node.body):
                self.done = True
                return cst.FlattenSentinel([updated_node, call])
            return updated_node

    return CallAfter()
