"""Reproducibility (TL502, TL503): a training entry point seeds random, numpy and torch."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..context import ModuleContext, dotted, keyword
from ..model import Applicability, Finding, Severity
from ..patterns import enclosing_loop, has_main_guard, is_main_guard, method_calls, parses_arguments, training_loops
from ..rule import Rule

#: The three global random number generators a training run draws from.
LIBRARIES = ("random", "numpy", "torch")
#: Calls that seed one global generator ("cuda" seeds the GPUs only, not torch's CPU generator).
SEED_CALLS = {
    "random.seed": "random",
    "numpy.random.seed": "numpy",
    "torch.manual_seed": "torch",
    "torch.random.manual_seed": "torch",
    "torch.cuda.manual_seed": "cuda",
    "torch.cuda.manual_seed_all": "cuda",
}
#: Packages whose ``*Trainer``/``TrainingArguments`` seed the run themselves (``TrainingArguments.seed``).
TRAINER_PACKAGES = {"transformers", "trl"}
#: Seeded random number generators: seeding too, though not of the global state.
RNG_CONSTRUCTORS = {"numpy.random.default_rng", "numpy.random.RandomState", "random.Random", "jax.random.PRNGKey"}
SEED_KEYWORDS = {"seed", "random_state", "random_seed"}
#: The name each library is imported as when the fix has to add the import.
PREFERRED_NAMES = {"random": "random", "numpy": "np", "torch": "torch"}
#: How the message names each library's seed call.
SEED_FUNCTIONS = {"random": "random.seed", "numpy": "np.random.seed", "torch": "torch.manual_seed"}
SEED_STATEMENTS = {
    "random": "{random}.seed({seed})",
    "numpy": "{numpy}.random.seed({seed})",
    "torch": "{torch}.manual_seed({seed})",
}
SEED_FUNCTION = '''
def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and PyTorch (CPU and every GPU) so that runs are reproducible."""
    {random}.seed(seed)
    {numpy}.random.seed(seed)
    {torch}.manual_seed(seed)
    {torch}.cuda.manual_seed_all(seed)
'''


def callee_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def seeds_anything(ctx: ModuleContext) -> bool:
    """Any seeding at all: a ``*seed*`` call, a ``seed=`` argument, a seeded generator, a HF Trainer."""
    for call in ctx.nodes(ast.Call):
        if "seed" in callee_name(call).lower() or any(kw.arg in SEED_KEYWORDS for kw in call.keywords):
            return True
        if ctx.qualname(call.func) in RNG_CONSTRUCTORS and call.args:
            return True
    return uses_hf_trainer(ctx)


def uses_hf_trainer(ctx: ModuleContext) -> bool:
    """A HuggingFace ``Trainer`` (or a TRL trainer and its ``*Config``) is imported."""
    for name in ctx.imports.values():
        package, _, rest = name.partition(".")
        suffixes = ("Trainer", "TrainingArguments", "Config") if package == "trl" else ("Trainer", "TrainingArguments")
        if package in TRAINER_PACKAGES and rest.endswith(suffixes):
            return True
    return False


def module_names(ctx: ModuleContext) -> dict[str, tuple[str, bool]] | None:
    """For random, numpy and torch: the name to call it by, and whether it must be imported.

    ``None`` when a name the fix would add is already taken by something else.
    """
    top_level = {}
    for stmt in ctx.tree.body:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.name in PREFERRED_NAMES:
                    top_level.setdefault(alias.name, alias.asname or alias.name)
    names = {}
    for library, preferred in PREFERRED_NAMES.items():
        if library in top_level:
            names[library] = (top_level[library], False)
        elif ctx.imports.get(preferred, library) == library:
            names[library] = (preferred, True)
        else:
            return None
    return names


def add_imports(ctx, names: tuple[tuple[str, str, bool], ...]) -> dict[str, str]:
    """Ask the fixer for the missing imports; the local name of each library."""
    for library, local, needed in names:
        if needed:
            ctx.add_import(library, None, None if local == library else local)
    return {library: local for library, local, _ in names}


def simple_expression(expr: ast.expr) -> bool:
    """Names, attributes, subscripts, constants and arithmetic: safe to evaluate twice."""
    allowed = (ast.Name, ast.Attribute, ast.Subscript, ast.Constant, ast.BinOp, ast.UnaryOp, ast.operator, ast.unaryop, ast.expr_context)
    return all(isinstance(node, allowed) for node in ast.walk(expr))


def seed_argument(call: ast.Call) -> ast.expr | None:
    if call.args:
        return call.args[0]
    found = keyword(call, "seed")
    return found.value if found else None


# -- where the module is entered ---------------------------------------------------------------


def references(ctx: ModuleContext) -> dict[str | None, set[str]]:
    """Names read in module-level code (key ``None``) and in each top-level function or class."""
    return ctx.memo("module_references", lambda: _references(ctx))


def _references(ctx: ModuleContext) -> dict[str | None, set[str]]:
    refs: dict[str | None, set[str]] = {None: set()}
    for stmt in ctx.tree.body:
        owner = stmt.name if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else None
        for name in ctx.within(stmt, ast.Name):
            if isinstance(name.ctx, ast.Load):
                refs.setdefault(owner, set()).add(name.id)
    return refs


def top_level_definition(ctx: ModuleContext, node: ast.AST) -> str | None:
    """The name of the module-level function or class containing ``node`` (``None`` outside any)."""
    top = node
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, ast.Module):
            break
        top = ancestor
    if isinstance(top, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return top.name
    return None


def reachable_definitions(ctx: ModuleContext) -> set[str]:
    """Module-level functions and classes that running the module as a script can reach.

    Module-level code reaches what it names (``main()``, ``fire.Fire(train)``); command-line
    frameworks reach the functions they register (``@app.command()``, ``@hydra.main(...)``).
    """
    refs = references(ctx)
    defined = {stmt.name for stmt in ctx.tree.body if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    reached: set[str] = set()
    frontier = (refs[None] | registered_commands(ctx)) & defined
    while frontier:
        name = frontier.pop()
        reached.add(name)
        frontier |= (refs.get(name, set()) & defined) - reached
    return reached


def registered_commands(ctx: ModuleContext) -> set[str]:
    """Top-level functions decorated as commands (``@click.command()``, ``@app.command()``, ``@hydra.main``)."""
    commands = set()
    for stmt in ctx.tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in stmt.decorator_list:
                name = dotted(decorator.func if isinstance(decorator, ast.Call) else decorator) or ""
                if name.rsplit(".", 1)[-1] in {"command", "main"}:
                    commands.add(stmt.name)
    return commands


def is_entry_point(ctx: ModuleContext) -> bool:
    return has_main_guard(ctx) or parses_arguments(ctx)


def entry_training_loop(ctx: ModuleContext) -> ast.AST | None:
    """The first training loop that runs when the module is executed as a script."""
    reached = reachable_definitions(ctx)
    for loop in training_loops(ctx):
        owner = top_level_definition(ctx, loop)
        if owner is None or owner in reached:
            return loop
    return None


# -- seed calls and the blocks they form -------------------------------------------------------


@dataclass
class SeedBlock:
    """The seed calls (outside loops) of one function, of the ``__main__`` block or of the module."""

    owner: ast.AST
    #: (call, what it seeds): a library of LIBRARIES, "cuda", "all", or "call" (a seeding function here).
    calls: list[tuple[ast.Call, str]] = field(default_factory=list)

    @property
    def body(self) -> list[ast.stmt]:
        return self.owner.body  # type: ignore[attr-defined]

    @property
    def direct(self) -> list[ast.Call]:
        return [call for call, kind in self.calls if kind in SEED_CALLS.values()]


@dataclass
class Seeding:
    blocks: dict[ast.AST, SeedBlock]
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef]

    def coverage(self, block: SeedBlock) -> set[str]:
        """The libraries ``block`` seeds, through the seeding functions of this module it calls too."""
        covered: set[str] = set()
        seen, pending = {block.owner}, [block]
        while pending:
            for call, kind in pending.pop().calls:
                if kind == "all":
                    covered.update(LIBRARIES)
                elif kind != "call":
                    covered.add(kind)
                elif (function := self.functions[callee_name(call)]) not in seen and function in self.blocks:
                    seen.add(function)
                    pending.append(self.blocks[function])
        return covered


def seeding(ctx: ModuleContext) -> Seeding:
    return ctx.memo("seeding", lambda: _seeding(ctx))


def _seeding(ctx: ModuleContext) -> Seeding:
    functions: dict = {}
    for function in ctx.function_defs:
        functions.setdefault(function.name, function)
    blocks: dict[ast.AST, SeedBlock] = {}
    for call in ctx.nodes(ast.Call):
        kind = _seed_kind(ctx, call, functions)
        if kind is None or enclosing_loop(ctx, call) is not None:
            continue  # seeds reset inside an algorithm's loop are not the run's seeding
        owner = _block_owner(ctx, call)
        if owner is not None:
            blocks.setdefault(owner, SeedBlock(owner)).calls.append((call, kind))
    return Seeding(blocks, functions)


def _seed_kind(ctx: ModuleContext, call: ast.Call, functions: dict) -> str | None:
    name = callee_name(call)
    if "seed" not in name.lower():
        return None
    qualname = ctx.qualname(call.func)
    if qualname in SEED_CALLS:
        argument = seed_argument(call)
        seeded = argument is not None and not (isinstance(argument, ast.Constant) and argument.value is None)
        return SEED_CALLS[qualname] if seeded else None
    if qualname is not None:
        # lightning.seed_everything, transformers.set_seed, accelerate.utils.set_seed seed all
        # three; a seeding function of another library or project cannot be judged: assume it does.
        return "all"
    if isinstance(call.func, ast.Name) or dotted(call.func) == f"self.{name}":
        return "call" if name in functions else "all"
    if name == "seed_everything":  # fabric.seed_everything(...)
        return "all"
    return None  # env.seed(...), generator.manual_seed(...): a local generator, not the global state


def _block_owner(ctx: ModuleContext, call: ast.Call) -> ast.AST | None:
    """The function, ``__main__`` block or module whose statements make the call."""
    scope = ctx.scope_of(call)
    top = ctx.statement_of(call)
    if top is scope:
        return None  # a default argument or a decorator
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return scope
    if not isinstance(scope, ast.Module):
        return None
    while ctx.parent(top) is not scope:
        top = ctx.parent(top)  # type: ignore[assignment]
    return top if is_main_guard(top) else scope


# -- TL503 candidates ----------------------------------------------------------------------------


def is_seeding_function(ctx: ModuleContext, function: ast.AST) -> bool:
    """A function named like ``*seed*`` that seeds global state, other than a DataLoader worker init."""
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    name = function.name.lower()
    if "seed" not in name or "worker" in name or function.name in _worker_init_names(ctx) or _is_env_method(ctx, function):
        return False
    return not any(function in ctx.ancestors(call) for call in ctx.calls("torch.initial_seed"))


def _worker_init_names(ctx: ModuleContext) -> set[str]:
    """The names passed as ``worker_init_fn=`` to a call."""
    return ctx.memo(
        "worker_init_names",
        lambda: {
            kw.value.id
            for kw in ctx.nodes(ast.keyword)
            if kw.arg == "worker_init_fn" and isinstance(kw.value, ast.Name) and isinstance(ctx.parent(kw), ast.Call)
        },
    )


def _is_env_method(ctx: ModuleContext, function: ast.AST) -> bool:
    """``seed`` of an environment or wrapper class seeds that environment, not the run."""
    owner = ctx.parent(function)
    if not isinstance(owner, ast.ClassDef):
        return False
    bases = [dotted(base) or "" for base in owner.bases] + [owner.name]
    return any("Env" in base or "Wrapper" in base for base in bases)


def entry_blocks(ctx: ModuleContext, blocks: dict[ast.AST, SeedBlock]) -> list[SeedBlock]:
    """The seed calls at the start of the entry point: ``__main__`` block, script body, ``main()``.

    Functions count when module-level code uses them directly (``main()``, ``fire.Fire(train)``).
    """
    if not is_entry_point(ctx):
        return []
    first_level = references(ctx)[None]
    return [
        block
        for owner, block in blocks.items()
        if not isinstance(owner, (ast.FunctionDef, ast.AsyncFunctionDef))
        or (owner.name in first_level and ctx.parent(owner) is ctx.tree and "seed" not in owner.name.lower())
    ]


@dataclass(frozen=True)
class Incomplete:
    """A block that leaves ``missing`` unseeded."""

    block: SeedBlock
    missing: tuple[str, ...]


def incomplete_seeding(ctx: ModuleContext) -> list[Incomplete]:
    """Seeding functions and entry-point seed blocks that leave a generator unseeded.

    Nothing is reported when the module's seeding as a whole (every such function and block
    together) covers what is needed, or when a HuggingFace Trainer seeds the run.
    """
    if uses_hf_trainer(ctx):
        return []
    state = seeding(ctx)
    functions = [b for owner, b in state.blocks.items() if b.direct and is_seeding_function(ctx, owner)]
    delegated = {callee_name(call) for b in functions for call, kind in b.calls if kind == "call"}
    functions = [b for b in functions if b.owner.name not in delegated]  # type: ignore[attr-defined]
    entries = entry_blocks(ctx, state.blocks)
    covered = set().union(*(state.coverage(block) for block in functions + entries))
    entry_needs = {"torch"} | ({"random", "numpy"} & ctx.imported_modules())
    candidates = [(b, set(LIBRARIES)) for b in functions] + [(b, entry_needs) for b in entries if b.direct]
    return [
        Incomplete(block, tuple(lib for lib in LIBRARIES if lib in needs - state.coverage(block)))
        for block, needs in candidates
        if not needs <= covered
    ]


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
    message = (
        "Seed random, numpy and torch at the start of the entry point (a seed_everything(seed) "
        "function) so that runs are reproducible"
    )
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
        if not is_entry_point(ctx) or seeds_anything(ctx):
            return
        loop = entry_training_loop(ctx)
        if loop is None:
            return
        data = _fix_data(ctx)
        yield self.finding(ctx, loop, fix=data is not None, fix_target=ctx.tree, fix_data=data or ())

    def fix(self, node, fix, ctx):
        import libcst as cst

        names, placement, seed = fix.data
        local = add_imports(ctx, names)
        body = list(node.body)
        index = _after_imports(body)
        function = cst.parse_statement(SEED_FUNCTION.format(**local).lstrip("\n"))
        call = cst.parse_statement(f"seed_everything({seed})\n")
        if placement[0] == "module":
            # A script without a `__main__` block: seed right after the definition.
            body.insert(index, call.with_changes(leading_lines=[cst.EmptyLine()] * 2))
        elif index < len(body):
            body[index] = _with_blank_lines(body[index], 2)
        body.insert(index, function.with_changes(leading_lines=[cst.EmptyLine()] * 2))
        if placement[0] == "after":
            return node.with_changes(body=body).visit(_call_after(ctx, placement[1], call))
        if placement[0] == "guard":
            return node.with_changes(body=[_seed_main_guard(stmt, call) for stmt in body])
        return node.with_changes(body=body)


def _fix_data(ctx: ModuleContext) -> tuple | None:
    """(library names, where to call ``seed_everything``, the seed), or ``None``."""
    names = module_names(ctx)
    if names is None or "seed_everything" in ctx.imports or "seed_everything" in seeding(ctx).functions:
        return None
    packed = tuple((library, local, needed) for library, (local, needed) in names.items())
    if _has_seed_argument(ctx):
        parsed = _parsed_arguments(ctx)
        if parsed is None:
            return None
        target, assign = parsed
        return packed, ("after", ctx.text(assign)), f"{target}.seed"
    return packed, ("guard",) if has_main_guard(ctx) else ("module",), "0"


def _has_seed_argument(ctx: ModuleContext) -> bool:
    for call in method_calls(ctx, "add_argument"):
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
        if not _can_follow(ctx, assign) or isinstance(ctx.parent(assign), ast.Module) and _imports_after(ctx, assign):
            return None  # shares its line, or parses arguments before the imports: no place for the call
        return target.id, assign
    return None


def _returns_name(ctx: ModuleContext, node: ast.AST, name: str) -> bool:
    """Whether ``node`` sits in a function that returns ``name`` (a ``parse_args()`` wrapper)."""
    function = ctx.enclosing(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    if function is None:
        return False
    return any(
        isinstance(ret.value, ast.Name) and ret.value.id == name for ret in ctx.within(function, ast.Return)
    )


def _imports_after(ctx: ModuleContext, stmt: ast.stmt) -> bool:
    return any(isinstance(s, (ast.Import, ast.ImportFrom)) and s.lineno > stmt.lineno for s in ctx.tree.body)


def _after_imports(body: list) -> int:
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


def _is_docstring(stmt) -> bool:
    import libcst as cst

    small = stmt.body[0]
    return isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString))


def _with_blank_lines(stmt, count: int):
    import libcst as cst

    lines = list(stmt.leading_lines)
    blank = 0
    while blank < len(lines) and lines[blank].comment is None:
        blank += 1
    return stmt.with_changes(leading_lines=[cst.EmptyLine()] * max(count - blank, 0) + lines)


def _seed_main_guard(stmt, call):
    """``stmt`` with ``call`` as its first statement when it is ``if __name__ == "__main__":``."""
    import libcst as cst

    if not isinstance(stmt, cst.If) or not _is_main_test(stmt.test):
        return stmt
    body = stmt.body
    if isinstance(body, cst.SimpleStatementSuite):
        inner = [cst.SimpleStatementLine(body=[*body.body[:-1], body.body[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)])]
        return stmt.with_changes(body=cst.IndentedBlock(header=body.trailing_whitespace, body=[call, *inner]))
    return stmt.with_changes(body=body.with_changes(body=[call, *body.body]))


def _is_main_test(test) -> bool:
    import libcst as cst

    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    sides = [test.left, test.comparisons[0].comparator]
    return any(isinstance(s, cst.Name) and s.value == "__name__" for s in sides) and any(
        isinstance(s, cst.SimpleString) and s.evaluated_value == "__main__" for s in sides
    )


def _call_after(ctx, text: str, call):
    """A transformer that inserts ``call`` after the first simple statement whose code is ``text``."""
    import libcst as cst

    class CallAfter(cst.CSTTransformer):
        done = False

        def leave_SimpleStatementLine(self, original, updated):
            if not self.done and any(ctx.code(small) == text for small in updated.body):
                self.done = True
                return cst.FlattenSentinel([updated, call])
            return updated

    return CallAfter()


class IncompleteSeeding(Rule):
    """A seeding function or the seed calls of an entry point leave random, numpy or torch unseeded.

    A function named like `*seed*` must seed all of `random`, `numpy` and `torch`; the seed calls
    at the start of a `__main__` block, a script or the function it runs must seed `torch` and each
    of `random` / `numpy` that the module imports. Reported at the seeding function's name or at the
    block's first seed call, unless the module's seeding as a whole is complete. Seeds reset inside
    a loop, `DataLoader` worker-init functions and environment `seed` methods are not the run's
    seeding.
    """

    code = "TL503"
    name = "incomplete-seeding"
    severity = Severity.WARNING
    requires = ("seed",)
    message = "Seed random, numpy and torch together, with the same seed, so that runs are reproducible"
    why = """
        Seeding only `torch` leaves NumPy- and Python-based augmentation, sampling and shuffling
        random; seeding only NumPy leaves weight initialisation and dropout random. A run is
        reproducible only when every generator it draws from starts from the seed.
    """
    example = """
        def set_seed(seed):
            torch.manual_seed(seed)
            np.random.seed(seed)
    """
    use_instead = """
        def set_seed(seed):
            torch.manual_seed(seed)
            np.random.seed(seed)
            random.seed(seed)
    """
    fix_applicability = Applicability.UNSAFE
    fix_title = "Add the missing seed calls"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        for item in incomplete_seeding(ctx):
            block = item.block
            calls = _enumeration([SEED_FUNCTIONS[lib] for lib in item.missing])
            message = f"Also call {calls} with the same seed so that every random number generator of the run is seeded"
            anchor = _function_name(ctx, block.owner) if is_seeding_function(ctx, block.owner) else block.direct[0]
            fix = _seed_fix(ctx, block, item.missing)
            if fix is None:
                yield self.finding(ctx, anchor, message)
            else:
                statement, data = fix
                yield self.finding(
                    ctx, anchor, message, fix=True, fix_target=statement, fix_node="SimpleStatementLine", fix_data=data
                )

    def fix(self, node, fix, ctx):
        import libcst as cst

        names, seed, missing = fix.data
        local = add_imports(ctx, names)
        added = [cst.parse_statement(SEED_STATEMENTS[lib].format(**local, seed=seed) + "\n") for lib in missing]
        return cst.FlattenSentinel([node, *added])


def _enumeration(items: list[str]) -> str:
    """``"a, b and c"``."""
    return " and ".join([", ".join(items[:-1]), items[-1]] if len(items) > 1 else items)


def _function_name(ctx: ModuleContext, function: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.AST:
    """A node spanning the name in ``def name(...)``, to report at."""
    line = ctx.lines[function.lineno - 1].encode()
    start = line.find(function.name.encode(), function.col_offset)
    return ast.Name(
        id=function.name,
        lineno=function.lineno,
        col_offset=start,
        end_lineno=function.lineno,
        end_col_offset=start + len(function.name.encode()),
    )


def _seed_fix(ctx: ModuleContext, block: SeedBlock, missing: tuple[str, ...]) -> tuple[ast.stmt, tuple] | None:
    """The statement to add the missing seed calls after, and the fix's data.

    That is the block's last unconditional seed call (so a call under `if torch.cuda.is_available():`
    does not make the others conditional), or its last seed call when all are conditional.
    """
    unconditional = [call for call in block.direct if ctx.statement_of(call) in block.body]
    last = (unconditional or block.direct)[-1]
    seed = seed_argument(last)
    statement = ctx.statement_of(last)
    names = module_names(ctx)
    if seed is None or not simple_expression(seed) or names is None or not _can_follow(ctx, statement):
        return None
    packed = tuple((lib, local, imported) for lib, (local, imported) in names.items() if lib in missing)
    return statement, (packed, ctx.text(seed), missing)


def _can_follow(ctx: ModuleContext, statement: ast.stmt) -> bool:
    """``statement`` is a simple statement on lines of its own, so new lines can follow it."""
    if not isinstance(statement, (ast.Expr, ast.Assign, ast.AnnAssign)):
        return False
    parent = ctx.parent(statement)
    siblings = next(
        (getattr(parent, name) for name in ("body", "orelse", "finalbody") if statement in getattr(parent, name, ())),
        [],
    )
    on_header = statement.lineno == getattr(parent, "lineno", None)
    shares_line = any(
        other is not statement and other.lineno <= statement.end_lineno and other.end_lineno >= statement.lineno  # type: ignore[operator]
        for other in siblings
    )
    return not on_header and not shares_line
