"""TL503 incomplete-seeding."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...analysis.context import ModuleContext, fact
from ...analysis.layout import alone_on_its_lines
from ...analysis.syntax import DEF_TYPES, callee_name, dotted
from ...model import Applicability, Finding, Fix, Plan, Severity
from ...rule import Rule
from ._seeding import (
    LIBRARIES,
    SEED_CALLS,
    Library,
    SeedBlock,
    Seeding,
    add_imports,
    is_entry_point,
    library_names,
    names_read,
    seed_argument,
    seeding,
    uses_hf_trainer,
)

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

#: How the message names each library's seed call.
SEED_FUNCTIONS = {"random": "random.seed", "numpy": "np.random.seed", "torch": "torch.manual_seed"}
SEED_STATEMENTS = {
    "random": "{random}.seed({seed})",
    "numpy": "{numpy}.random.seed({seed})",
    "torch": "{torch}.manual_seed({seed})",
}
#: What a seed expression may consist of to be repeated in the added calls (no call, no side effect).
_SIMPLE_NODES = (
    ast.Name, ast.Attribute, ast.Subscript, ast.Constant, ast.BinOp, ast.UnaryOp, ast.operator, ast.unaryop, ast.expr_context
)


@dataclass(frozen=True)
class _MissingSeedsPlan(Plan):
    """The libraries to seed after the fixed statement, with the seed its seed call is given."""

    libraries: tuple[Library, ...]
    seed: str


class IncompleteSeeding(Rule):
    """A seeding function or the seed calls of an entry point leave random, numpy or torch unseeded.

    A function named like `*seed*`, and the seed calls at the start of a `__main__` block, a script
    or the function it runs, must seed all of `random`, `numpy` and `torch`, whatever the module
    imports (gym, albumentations or scikit-learn draw from them). Reported at the seeding function's name or at the
    block's first seed call, unless the module's seeding as a whole is complete. Seeds reset inside
    a loop, `DataLoader` worker-init functions and environment `seed` methods are not the run's
    seeding.
    """

    code = "TL503"
    name = "incomplete-seeding"
    severity = Severity.WARNING
    requires = ("seed",)
    message = "Seed random, numpy and torch together, with the same seed"
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
    fix_node = "SimpleStatementLine"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        for item in _incomplete_seeding(ctx):
            block = item.block
            calls = _enumeration([SEED_FUNCTIONS[lib] for lib in item.missing])
            message = f"Also call {calls} with the same seed"
            function = _seeding_function(ctx, block.owner)
            anchor = _function_name(ctx, function) if function else _direct_calls(block)[0]
            planned = _plan(ctx, block, item.missing)
            fix = self.fix_at(ctx, *planned) if planned else False
            yield self.finding(ctx, anchor, message, fix=fix)

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.FlattenSentinel[cst.BaseStatement]:
        import libcst as cst

        assert isinstance(node, cst.SimpleStatementLine)
        plan = fix.plan_as(_MissingSeedsPlan)
        local = add_imports(ctx, plan.libraries)
        added = [
            cst.parse_statement(SEED_STATEMENTS[library.module].format(**local, seed=plan.seed) + "\n")
            for library in plan.libraries
        ]
        return cst.FlattenSentinel([node, *added])


# -- which blocks leave a generator unseeded ----------------------------------------------------


@dataclass(frozen=True)
class _Incomplete:
    """A block that leaves ``missing`` (of LIBRARIES, in that order) unseeded."""

    block: SeedBlock
    missing: tuple[str, ...]


def _incomplete_seeding(ctx: ModuleContext) -> list[_Incomplete]:
    """Seeding functions and entry-point seed blocks that leave a generator unseeded.

    Nothing is reported when the module's seeding as a whole (every such function and block
    together) covers what is needed, or when a HuggingFace Trainer seeds the run.
    """
    if uses_hf_trainer(ctx):
        return []
    state = seeding(ctx)
    seeders = [
        (function, block)
        for owner, block in state.blocks.items()
        if _direct_calls(block) and (function := _seeding_function(ctx, owner))
    ]
    delegated = {callee_name(call.func) for _, block in seeders for call, kind in block.calls if kind == "call"}
    functions = [block for function, block in seeders if function.name not in delegated]
    entries = _entry_blocks(ctx, state)
    covered = set().union(*(_coverage(state, block) for block in functions + entries))
    if covered >= set(LIBRARIES):  # libraries the script calls draw from all three, whatever it imports
        return []
    candidates = functions + [block for block in entries if _direct_calls(block)]
    return [_Incomplete(block, tuple(lib for lib in LIBRARIES if lib not in _coverage(state, block))) for block in candidates]


def _direct_calls(block: SeedBlock) -> list[ast.Call]:
    """The block's calls of the libraries' own seed functions."""
    return [call for call, kind in block.calls if kind in SEED_CALLS.values()]


def _coverage(state: Seeding, block: SeedBlock) -> set[str]:
    """The libraries ``block`` seeds, through the seeding functions of this module it calls too."""
    covered: set[str] = set()
    seen: set[ast.AST] = {block.owner}
    pending = [block]
    while pending:
        for call, kind in pending.pop().calls:
            if kind == "all":
                covered.update(LIBRARIES)
            elif kind != "call":
                covered.add(kind)
            elif (function := state.functions[callee_name(call.func)]) not in seen and function in state.blocks:
                seen.add(function)
                pending.append(state.blocks[function])
    return covered


def _seeding_function(ctx: ModuleContext, owner: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """``owner`` if it is a function named like ``*seed*`` that seeds global state, other than a
    DataLoader worker init."""
    if not isinstance(owner, DEF_TYPES):
        return None
    name = owner.name.lower()
    if "seed" not in name or "worker" in name or owner.name in _worker_init_names(ctx) or _is_env_method(ctx, owner):
        return None
    return None if any(owner in ctx.ancestors(call) for call in ctx.calls("torch.initial_seed")) else owner


@fact
def _worker_init_names(ctx: ModuleContext) -> set[str]:
    """The names passed as ``worker_init_fn=`` to a call."""
    return {
        kw.value.id
        for kw in ctx.nodes(ast.keyword)
        if kw.arg == "worker_init_fn" and isinstance(kw.value, ast.Name) and isinstance(ctx.parent(kw), ast.Call)
    }


def _is_env_method(ctx: ModuleContext, function: ast.AST) -> bool:
    """``seed`` of an environment or wrapper class seeds that environment, not the run."""
    owner = ctx.parent(function)
    if not isinstance(owner, ast.ClassDef):
        return False
    bases = [dotted(base) or "" for base in owner.bases] + [owner.name]
    return any("Env" in base or "Wrapper" in base for base in bases)


def _entry_blocks(ctx: ModuleContext, state: Seeding) -> list[SeedBlock]:
    """The seed calls at the start of the entry point: ``__main__`` block, script body, ``main()``.

    Functions count when module-level code uses them directly (``main()``, ``fire.Fire(train)``).
    """
    if not is_entry_point(ctx):
        return []
    first_level = names_read(ctx)[None]
    return [
        block
        for owner, block in state.blocks.items()
        if not isinstance(owner, DEF_TYPES)
        or (owner.name in first_level and ctx.parent(owner) is ctx.tree and "seed" not in owner.name.lower())
    ]


# -- the report and the fix -----------------------------------------------------------------------


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


def _plan(ctx: ModuleContext, block: SeedBlock, missing: tuple[str, ...]) -> tuple[ast.stmt, _MissingSeedsPlan] | None:
    """The statement to add the missing seed calls after, and the fix's plan.

    That is the block's last unconditional seed call (so a call under `if torch.cuda.is_available():`
    does not make the others conditional), or its last seed call when all are conditional.
    """
    direct = _direct_calls(block)
    unconditional = [call for call in direct if ctx.statement_of(call) in block.owner.body]
    last = (unconditional or direct)[-1]
    seed = seed_argument(last)
    statement = ctx.statement_of(last)
    libraries = library_names(ctx)
    if seed is None or not _simple_expression(seed) or libraries is None or not _can_follow(ctx, statement):
        return None
    missing_libraries = tuple(library for library in libraries if library.module in missing)
    return statement, _MissingSeedsPlan(missing_libraries, ctx.text(seed))


def _simple_expression(expr: ast.expr) -> bool:
    """Names, attributes, subscripts, constants and arithmetic: safe to evaluate twice."""
    return all(isinstance(node, _SIMPLE_NODES) for node in ast.walk(expr))


def _can_follow(ctx: ModuleContext, statement: ast.stmt) -> bool:
    """``statement`` is a simple statement (``torch.manual_seed(s)``, ``g = ...``) on lines of its
    own, so new lines can follow it."""
    return isinstance(statement, (ast.Expr, ast.Assign, ast.AnnAssign)) and alone_on_its_lines(ctx, statement)
