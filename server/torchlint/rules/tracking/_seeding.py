"""What TL502 and TL503 share: where a module seeds random, numpy and torch, and where it starts."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeAlias

from ...analysis.context import ModuleContext, fact
from ...analysis.syntax import DEF_TYPES, callee_name, dotted, keyword
from ...analysis.training import enclosing_loop, has_main_guard, is_main_guard, parses_arguments

if TYPE_CHECKING:
    from ...fixing.fix_context import FixContext

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
#: The name each library is imported as when a fix has to add the import.
PREFERRED_NAMES = {"random": "random", "numpy": "np", "torch": "torch"}


def uses_hf_trainer(ctx: ModuleContext) -> bool:
    """A HuggingFace ``Trainer`` (or a TRL trainer and its ``*Config``) is imported."""
    for name in ctx.imports.values():
        package, _, rest = name.partition(".")
        suffixes = ("Trainer", "TrainingArguments", "Config") if package == "trl" else ("Trainer", "TrainingArguments")
        if package in TRAINER_PACKAGES and rest.endswith(suffixes):
            return True
    return False


def seed_argument(call: ast.Call) -> ast.expr | None:
    """The seed a seed call is given: its first argument or ``seed=``."""
    if call.args:
        return call.args[0]
    found = keyword(call, "seed")
    return found.value if found else None


# -- the names a fix calls the libraries by ----------------------------------------------------


@dataclass(frozen=True)
class Library:
    """How a fix calls one of random, numpy and torch: by ``local``, imported first if ``missing``."""

    module: str
    local: str
    missing: bool


def library_names(ctx: ModuleContext) -> tuple[Library, ...] | None:
    """For random, numpy and torch (in that order): the name to call it by, and whether it must
    be imported. ``None`` when a name the fix would add is already taken by something else."""
    top_level: dict[str, str] = {}
    for stmt in ctx.tree.body:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.name in PREFERRED_NAMES:
                    top_level.setdefault(alias.name, alias.asname or alias.name)
    names = []
    for module, preferred in PREFERRED_NAMES.items():
        if module in top_level:
            names.append(Library(module, top_level[module], missing=False))
        elif ctx.imports.get(preferred, module) == module:
            names.append(Library(module, preferred, missing=True))
        else:
            return None
    return tuple(names)


def add_imports(ctx: FixContext, libraries: tuple[Library, ...]) -> dict[str, str]:
    """Ask the fixer for the missing imports; the local name of each library."""
    for library in libraries:
        if library.missing:
            ctx.add_import(library.module, None, None if library.local == library.module else library.local)
    return {library.module: library.local for library in libraries}


# -- where the module is entered ---------------------------------------------------------------


def is_entry_point(ctx: ModuleContext) -> bool:
    return has_main_guard(ctx) or parses_arguments(ctx)


def top_level_statement(ctx: ModuleContext, node: ast.AST) -> ast.AST:
    """The module-level statement that contains ``node`` (``node`` itself when it is one)."""
    top = node
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, ast.Module):
            break
        top = ancestor
    return top


@fact
def names_read(ctx: ModuleContext) -> dict[str | None, set[str]]:
    """Names read in module-level code (key ``None``) and in each top-level function or class."""
    refs: dict[str | None, set[str]] = {None: set()}
    names = iter(ctx.nodes(ast.Name))  # in source order, as the statements are: one pass for all
    name = next(names, None)
    for stmt in ctx.tree.body:
        owner = stmt.name if isinstance(stmt, (*DEF_TYPES, ast.ClassDef)) else None
        end = (stmt.end_lineno, stmt.end_col_offset)
        read = refs.setdefault(owner, set())
        while name is not None and (name.lineno, name.col_offset) <= end:
            if isinstance(name.ctx, ast.Load):
                read.add(name.id)
            name = next(names, None)
    return refs


# -- seed calls and the blocks they form -------------------------------------------------------

#: What makes seed calls: a function, the ``__main__`` block or the module.
SeedOwner: TypeAlias = ast.FunctionDef | ast.AsyncFunctionDef | ast.If | ast.Module


@dataclass
class SeedBlock:
    """The seed calls (outside loops) of one function, of the ``__main__`` block or of the module."""

    owner: SeedOwner
    #: (call, what it seeds): a library of LIBRARIES, "cuda", "all", or "call" (a seeding function here).
    calls: list[tuple[ast.Call, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Seeding:
    blocks: dict[ast.AST, SeedBlock]
    #: The module's functions by name (the first one of each name).
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef]


@fact
def seeding(ctx: ModuleContext) -> Seeding:
    """The module's seed blocks, by owner."""
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    for function in ctx.function_defs:
        functions.setdefault(function.name, function)
    blocks: dict[ast.AST, SeedBlock] = {}
    for call in ctx.calls_named_matching(lambda name: "seed" in name.lower()):
        kind = _seed_kind(ctx, call, functions)
        if kind is None or enclosing_loop(ctx, call) is not None:
            continue  # seeds reset inside an algorithm's loop are not the run's seeding
        owner = _block_owner(ctx, call)
        if owner is not None:
            blocks.setdefault(owner, SeedBlock(owner)).calls.append((call, kind))
    return Seeding(blocks, functions)


def _seed_kind(ctx: ModuleContext, call: ast.Call, functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef]) -> str | None:
    """What a call of a ``*seed*`` name seeds (see :class:`SeedBlock`), ``None`` when nothing the run depends on."""
    name = callee_name(call.func)
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


def _block_owner(ctx: ModuleContext, call: ast.Call) -> SeedOwner | None:
    """The function, ``__main__`` block or module whose statements make the call."""
    scope = ctx.scope_of(call)
    if ctx.statement_of(call) is scope:
        return None  # a default argument or a decorator
    if isinstance(scope, DEF_TYPES):
        return scope
    if not isinstance(scope, ast.Module):
        return None
    top = top_level_statement(ctx, call)
    return top if isinstance(top, ast.If) and is_main_guard(top) else scope
