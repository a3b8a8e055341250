"""TL401 sequential-envs."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...analysis.callgraph import Function, call_graph
from ...analysis.context import ModuleContext, fact
from ...analysis.layout import alone_on_its_lines
from ...analysis.syntax import DEF_TYPES, FUNCTION_TYPES, dotted, keyword
from ...analysis.training import assigned_names, enclosing_loop
from ...model import Action, Finding, Plan, Severity
from ...rule import Rule
from ._envs import ENV_MAKERS, is_wrapper_call, wrapped_env

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

#: Callables that turn several environments (or their factories) into one vector env.
VECTOR_WRAPPERS = {"SyncVectorEnv", "AsyncVectorEnv", "DummyVecEnv", "SubprocVecEnv", "make_vec_env", "make_vec"}
#: How many helpers deep an environment is followed to its ``gym.make(...)`` (``make_env`` -> ``make_base_env``).
HELPER_DEPTH = 3


@dataclass(frozen=True)
class _VectorEnvPlan(Plan):
    #: How to spell the package's ``vector`` namespace (``gym``, ``gymnasium``).
    vector: str
    #: The package to import for it, or ``""`` when the module already has it.
    package: str
    #: The list of environments (``envs``, ``self.envs``).
    list_name: str


@dataclass(frozen=True)
class _LoopPlan(_VectorEnvPlan):
    """Add a vector env after the ``for`` loop that appends the environments to a list."""


@dataclass(frozen=True)
class _ComprehensionPlan(_VectorEnvPlan):
    """Build the vector env from the list comprehension's own factories."""

    #: The comprehension's loop variables the environment uses, bound as lambda defaults.
    bound: tuple[str, ...]


@dataclass(frozen=True)
class _EnvSource:
    """Where a list gets each environment from: ``gym.make(...)`` itself or a helper that returns one."""

    #: The call at the list (``gym.make(...)``, ``make_env(i)``): the finding's place.
    site: ast.Call
    #: The ``gym.make(...)`` call that builds the environment (inside the helper, for one).
    make: ast.Call
    #: The module's function that returns the environment, when ``site`` calls one.
    helper: Function | None = None
    #: The helper's parameters that the environment id depends on (``None``: the id is unknown).
    id_params: frozenset[str] | None = None

    def same_env(self, loop_names: set[str]) -> bool:
        """The environment id is known and stays the same while ``loop_names`` change."""
        if self.helper is None:
            return _same_env_each_time(self.make, loop_names)
        return _helper_same_env(self.site, self.helper, self.id_params, loop_names)


class SequentialEnvs(Rule):
    """Several copies of one environment are kept in a list and stepped one at a time.

    Fires on `gym.make(...)` / `gymnasium.make(...)` (wrapped or not), or on a call of a helper
    of the module that returns one (`def make_env(seed): env = gym.make(...); return env`), or
    returns what another such helper returns (up to three deep), that
    builds the items of a list: a list comprehension or a `for` loop that appends each new
    environment, over at least two copies of the same environment id. The list need not be
    stepped where the rule can see it; a list handed to a vector wrapper (`SyncVectorEnv`,
    `AsyncVectorEnv`, SB3 `DummyVecEnv`, `SubprocVecEnv`, `make_vec_env`) does not fire, and
    neither does a list of environment factories (lambdas, CleanRL's `make_env(i)` thunks) or of
    different environments (one per task).
    """

    code = "TL401"
    name = "sequential-envs"
    severity = Severity.WARNING
    message = "Step these envs as one vector env (gymnasium.vector.SyncVectorEnv or gym.make_vec)"
    requires = ("gym",)
    why = """
        A list of environments stepped in a Python loop steps them strictly one after the other
        and leaves batching, resets of finished episodes and seeding to hand-written code. A
        vector environment takes one batch of actions, returns batched observations, rewards and
        termination flags ready for the policy network, resets finished episodes itself, and
        moves to subprocesses (`AsyncVectorEnv`) by changing one name.
    """
    example = """
        envs = [gym.make("CartPole-v1") for _ in range(8)]
        for env in envs:
            obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
    """
    use_instead = """
        envs = gym.vector.SyncVectorEnv([lambda: gym.make("CartPole-v1") for _ in range(8)])
        obs, rewards, terminations, truncations, infos = envs.step(envs.action_space.sample())
    """
    action_title = "Build a gymnasium SyncVectorEnv from these environments"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        for make in ctx.calls(*ENV_MAKERS):
            finding = self._listed(ctx, _EnvSource(make, make))
            if finding:
                yield finding
        for source in _env_helper_calls(ctx):
            finding = self._listed(ctx, source)
            if finding:
                yield finding

    def _listed(self, ctx: ModuleContext, source: _EnvSource) -> Finding | None:
        """The finding for ``source`` when the environment it makes is an item of a list."""
        env = wrapped_env(ctx, source.site)
        parent = ctx.parent(env)
        if isinstance(parent, ast.ListComp) and parent.elt is env:
            return self._comprehension(ctx, source, parent)
        return self._appending_loop(ctx, source, env)

    def _comprehension(self, ctx: ModuleContext, source: _EnvSource, comp: ast.ListComp) -> Finding | None:
        loop_names = {name for generator in comp.generators for name in _names(generator.target)}
        if not source.same_env(loop_names) or _fewer_than_two(comp.generators[0].iter):
            return None
        if any(_is_vector_wrapper(a) for a in ctx.ancestors(comp)):
            return None
        names = assigned_names(ctx, comp)
        if set(names) & _handed_to_vector_env(ctx):
            return None
        stmt = ctx.parent(comp)
        if not (isinstance(stmt, ast.Assign) and len(names) == 1 and alone_on_its_lines(ctx, stmt)):
            return self.finding(ctx, source.site)
        bound = tuple(sorted(loop_names & _names(comp.elt)))
        plan = _ComprehensionPlan(*_vector_module(ctx, source.make), names[0], bound)
        return self.finding(ctx, source.site, action=self.action_at(ctx, stmt, plan))

    def _appending_loop(self, ctx: ModuleContext, source: _EnvSource, env: ast.expr) -> Finding | None:
        loop = enclosing_loop(ctx, source.site)
        if not isinstance(loop, ast.For) or _fewer_than_two(loop.iter):
            return None
        if not source.same_env(_names(loop.target) | _assigned_in(ctx, loop)):
            return None
        list_name = _appended_to(ctx, loop, env)
        if list_name is None or list_name in _handed_to_vector_env(ctx):
            return None
        plan = _LoopPlan(*_vector_module(ctx, source.make), list_name)
        return self.finding(ctx, source.site, action=self.action_at(ctx, loop, plan, node="For"))

    def action(self, node: cst.CSTNode, action: Action, ctx: FixContext) -> cst.FlattenSentinel[cst.BaseStatement]:
        import libcst as cst

        plan = action.plan_as(_VectorEnvPlan)
        if plan.package:
            ctx.add_import(plan.package)
        vec = _vector_name(plan.list_name)
        comment = f"# {vec}.step(actions) steps every environment at once and resets finished episodes itself."
        if isinstance(plan, _LoopPlan):
            assert isinstance(node, cst.For)
            factories = f"[lambda env=env: env for env in {plan.list_name}]"
            added = cst.parse_statement(f"{comment}\n{vec} = {plan.vector}.vector.SyncVectorEnv({factories})\n")
            return cst.FlattenSentinel([node, added])
        assert isinstance(plan, _ComprehensionPlan) and isinstance(node, cst.SimpleStatementLine)
        assignment = node.body[0]
        assert isinstance(assignment, cst.Assign) and isinstance(assignment.value, cst.ListComp)
        comp = assignment.value
        params = cst.Parameters(
            params=[
                cst.Param(
                    cst.Name(name),
                    default=cst.Name(name),
                    equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
                )
                for name in plan.bound
            ]
        )
        factories = ctx.code(comp.with_changes(elt=cst.Lambda(params=params, body=comp.elt)))
        vector_env = cst.parse_statement(
            f"{comment}\n# {plan.list_name} keeps the single environments until the loops below step {vec} instead.\n"
            f"{vec} = {plan.vector}.vector.SyncVectorEnv({factories})\n"
        )
        single_envs = cst.parse_statement(f"{plan.list_name} = {vec}.envs\n")
        assert isinstance(single_envs, cst.SimpleStatementLine)
        single_envs = single_envs.with_changes(trailing_whitespace=node.trailing_whitespace)
        vector_env = vector_env.with_changes(leading_lines=[*node.leading_lines, *vector_env.leading_lines])
        return cst.FlattenSentinel([vector_env, single_envs])


def _env_id(make: ast.Call) -> ast.expr | None:
    if make.args and not isinstance(make.args[0], ast.Starred):
        return make.args[0]
    found = keyword(make, "id")
    return found.value if found else None


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _same_env_each_time(make: ast.Call, loop_names: set[str]) -> bool:
    """The environment id is known and does not change with the loop (else: several tasks)."""
    env_id = _env_id(make)
    return env_id is not None and not (_names(env_id) & loop_names)


def _fewer_than_two(iterable: ast.expr) -> bool:
    """``range(1)``, ``[x]``: literals that yield fewer than two items."""
    if isinstance(iterable, (ast.List, ast.Tuple, ast.Set)):
        return len(iterable.elts) < 2
    if (
        isinstance(iterable, ast.Call)
        and isinstance(iterable.func, ast.Name)
        and iterable.func.id == "range"
        and iterable.args
        and not iterable.keywords
    ):
        bounds = [a.value for a in iterable.args if isinstance(a, ast.Constant) and type(a.value) is int]
        return len(bounds) == len(iterable.args) and len(range(*bounds)) < 2
    return False


def _is_vector_wrapper(call: ast.AST) -> bool:
    if not isinstance(call, ast.Call):
        return False
    name = dotted(call.func) or ""
    return name.rsplit(".", 1)[-1] in VECTOR_WRAPPERS


@fact
def _handed_to_vector_env(ctx: ModuleContext) -> set[str]:
    """Dotted names that appear in the arguments of a vector-env constructor."""
    names: set[str] = set()
    for call in ctx.calls_named(*VECTOR_WRAPPERS):
        if _is_vector_wrapper(call):
            for arg in [*call.args, *(kw.value for kw in call.keywords)]:
                names.update(filter(None, (dotted(n) for n in ast.walk(arg))))
    return names


def _vector_module(ctx: ModuleContext, make: ast.Call) -> tuple[str, str]:
    """How to spell the package's ``vector`` namespace, and the package to import for it (if any)."""
    package = (ctx.qualname(make.func) or "gymnasium").partition(".")[0]
    func = make.func
    if isinstance(func, ast.Attribute) and ctx.qualname(func.value) == package:
        return dotted(func.value) or package, ""
    return package, package


def _vector_name(list_name: str) -> str:
    """``envs`` -> ``vec_envs``, ``self.envs`` -> ``self.vec_envs``."""
    owner, dot, last = list_name.rpartition(".")
    return f"{owner}{dot}vec_{last}"


def _appended_to(ctx: ModuleContext, loop: ast.For, env: ast.expr) -> str | None:
    """The list that ``loop`` appends ``env`` to: ``envs.append(env)`` directly or via a name."""
    holders = set(assigned_names(ctx, env))
    for node in ast.walk(loop):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "append"
            and len(node.args) == 1
            and (node.args[0] is env or dotted(node.args[0]) in holders)
            and enclosing_loop(ctx, node) is loop
        ):
            return dotted(node.func.value)
    return None


def _assigned_in(ctx: ModuleContext, loop: ast.For) -> set[str]:
    """Names assigned in the loop body: an id read from one of them may change every turn."""
    assignments: list[ast.Assign | ast.AnnAssign | ast.AugAssign] = ctx.within(loop, ast.Assign, ast.AnnAssign, ast.AugAssign)
    return {
        target.id
        for node in assignments
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
    }


@dataclass(frozen=True)
class _Helper:
    """A function of the module that returns a new environment, however many helpers deep."""

    #: The ``gym.make(...)`` call that builds the environment.
    make: ast.Call
    #: The helper's parameters the environment id depends on (``None``: the id is unknown).
    id_params: frozenset[str] | None


@fact
def _env_helpers(ctx: ModuleContext) -> dict[Function, _Helper]:
    """The module's functions that return a new environment, made by ``gym.make(...)`` or by another
    such helper, up to ``HELPER_DEPTH`` helpers deep (``def make_env(seed): env = gym.make(...);
    return env``); not factories that return a thunk."""
    helpers: dict[Function, _Helper] = {}
    sources: list[tuple[ast.Call, _Helper | None]] = [(make, None) for make in ctx.calls(*ENV_MAKERS)]
    for _ in range(HELPER_DEPTH):
        found: dict[Function, _Helper] = {}
        for call, inner in sources:
            function = _returning_function(ctx, call)
            if function is not None and function not in helpers:
                params = _id_params(ctx, function, call, inner)
                found.setdefault(function, _Helper(inner.make if inner else call, params))
        helpers.update(found)
        sources = [(site.call, found[site.callee]) for site in call_graph(ctx).sites if site.callee in found]
    return helpers


def _returning_function(ctx: ModuleContext, call: ast.Call) -> Function | None:
    """The function around ``call`` when every one of its returns is the environment ``call`` makes."""
    function = ctx.enclosing(call, (*DEF_TYPES, ast.Lambda))
    if not isinstance(function, DEF_TYPES) or ctx.within(function, ast.Yield, ast.YieldFrom):
        return None
    env = wrapped_env(ctx, call)
    holders = set(assigned_names(ctx, env))
    returns = [r for r in ctx.within(function, ast.Return) if ctx.enclosing(r, FUNCTION_TYPES) is function]
    if returns and all(_returns_env(ctx, function, r.value, env, holders) for r in returns):
        return function
    return None


def _id_params(ctx: ModuleContext, function: Function, call: ast.Call, inner: _Helper | None) -> frozenset[str] | None:
    """The parameters of ``function`` that the id of the environment ``call`` makes depends on."""
    if inner is None:
        env_id = _env_id(call)
        return None if env_id is None else _dependencies(ctx, function, env_id)
    if inner.id_params is None:
        return None
    callee = call_graph(ctx).site(call)
    assert callee is not None
    found: set[str] = set()
    for name in inner.id_params:
        argument = _argument(call, callee.callee, name)
        if argument is None:
            if name not in _defaults(callee.callee):
                return None
            continue
        dependencies = _dependencies(ctx, function, argument)
        if dependencies is None:
            return None
        found |= dependencies
    return frozenset(found)


def _dependencies(ctx: ModuleContext, function: Function, expr: ast.expr) -> frozenset[str] | None:
    """The parameters of ``function`` that ``expr`` reads, directly or through a local assigned from
    them without a call (``env_id = ENV_IDS[rank]``); ``None`` when a local it reads cannot be
    followed (made by a call, or from another local)."""
    params, assigned = _params(function), _assignments(ctx, function)
    found: set[str] = set()
    for name in _names(expr):
        if name in params:
            found.add(name)
        for value in assigned.get(name, []):
            names = _names(value)
            if ctx.within(value, ast.Call) or (names - params) & assigned.keys():
                return None
            found |= names & params
    return frozenset(found)


def _params(function: Function) -> set[str]:
    args = function.args
    return {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}


def _defaults(function: Function) -> set[str]:
    """The parameters that have a default value."""
    args = function.args
    params = [*args.posonlyargs, *args.args]
    defaults = {a.arg for a in params[len(params) - len(args.defaults) :]}
    return defaults | {a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None}


def _assignments(ctx: ModuleContext, function: Function) -> dict[str, list[ast.expr]]:
    """The values that ``function``'s body assigns to each name (the whole value for an unpacked name)."""
    found: dict[str, list[ast.expr]] = {}
    for node in ctx.within(function, ast.Assign):
        for target in node.targets:
            for name in ast.walk(target):
                if isinstance(name, ast.Name) and isinstance(name.ctx, ast.Store):
                    found.setdefault(name.id, []).append(node.value)
    return found


def _returns_env(ctx: ModuleContext, function: Function, value: ast.expr | None, env: ast.expr, holders: set[str]) -> bool:
    """``return gym.make(...)``, ``return env`` or ``return Wrapper(env)``, where ``env`` holds
    nothing but the environment and wrappers of it."""
    while value is not env and isinstance(value, ast.Call) and is_wrapper_call(value) and value.args:
        value = value.args[0]
    if value is env:
        return True
    if not (isinstance(value, ast.Name) and value.id in holders):
        return False
    assignments = [
        node.value
        for node in ctx.within(function, ast.Assign)
        if any(isinstance(t, ast.Name) and t.id == value.id for t in node.targets)
    ]
    return all(assigned is env or _wraps(assigned, value.id) for assigned in assignments)


def _wraps(value: ast.expr, name: str) -> bool:
    """``Wrapper(name, ...)``: ``name`` wrapped again."""
    return isinstance(value, ast.Call) and is_wrapper_call(value) and bool(value.args) and dotted(value.args[0]) == name


def _env_helper_calls(ctx: ModuleContext) -> Iterator[_EnvSource]:
    """Each call of one of the module's environment helpers."""
    helpers = _env_helpers(ctx)
    for site in call_graph(ctx).sites:
        helper = helpers.get(site.callee)
        if helper is not None:
            yield _EnvSource(site.call, helper.make, site.callee, helper.id_params)


def _helper_same_env(call: ast.Call, helper: Function, id_params: frozenset[str] | None, loop_names: set[str]) -> bool:
    """The helper's environment id is known and every parameter it depends on gets an argument
    free of ``loop_names`` (or keeps its default)."""
    if id_params is None:
        return False
    for name in id_params:
        argument = _argument(call, helper, name)
        if argument is None and name not in _defaults(helper):
            return False
        if argument is not None and _names(argument) & loop_names:
            return False
    return True


def _argument(call: ast.Call, function: Function, name: str) -> ast.expr | None:
    """The argument ``call`` passes for the parameter ``name`` (``None`` when it passes none it can tell)."""
    found = keyword(call, name)
    if found is not None:
        return found.value
    params = [*function.args.posonlyargs, *function.args.args]
    skipped = 1 if isinstance(call.func, ast.Attribute) else 0  # ``self.make_env(i)``
    index = next((i for i, a in enumerate(params) if a.arg == name), None)
    if index is None or index < skipped:
        return None
    position = index - skipped
    positional = call.args[: next((i for i, a in enumerate(call.args) if isinstance(a, ast.Starred)), len(call.args))]
    return positional[position] if position < len(positional) else None
