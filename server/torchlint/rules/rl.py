"""Reinforcement learning: vector environments, Gymnasium and replay buffers (TL401-TL403)."""

from __future__ import annotations

import ast
import operator
from collections.abc import Iterator

from ..context import FUNCTION_TYPES, ModuleContext, dotted, keyword
from ..model import Applicability, Finding, Severity
from ..patterns import assigned_names, enclosing_loop, method_calls
from ..rule import Rule

ENV_MAKERS = {
    "gym.make",
    "gymnasium.make",
    "gym.envs.registration.make",
    "gymnasium.envs.registration.make",
}
#: Callables that turn several environments (or their factories) into one vector env.
VECTOR_WRAPPERS = {"SyncVectorEnv", "AsyncVectorEnv", "DummyVecEnv", "SubprocVecEnv", "make_vec_env", "make_vec"}


# -- environments -----------------------------------------------------------------------------


def _is_wrapper_call(call: ast.AST) -> bool:
    """``RecordEpisodeStatistics(env)``, ``wrap_deepmind(env)``: a class or a ``wrap*`` function."""
    if not isinstance(call, ast.Call):
        return False
    name = (dotted(call.func) or "").rsplit(".", 1)[-1]
    return name[:1].isupper() or "wrap" in name.lower()


def _wrapped_env(ctx: ModuleContext, make: ast.Call) -> ast.expr:
    """The outermost wrapper call whose first argument leads down to ``make``."""
    node: ast.expr = make
    parent = ctx.parent(node)
    while _is_wrapper_call(parent) and parent.args and parent.args[0] is node:  # type: ignore[union-attr]
        node, parent = parent, ctx.parent(parent)
    return node


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
        and all(isinstance(a, ast.Constant) and type(a.value) is int for a in iterable.args)
        and not iterable.keywords
    ):
        return len(range(*(a.value for a in iterable.args))) < 2  # type: ignore[union-attr]
    return False


def _is_vector_wrapper(call: ast.AST) -> bool:
    if not isinstance(call, ast.Call):
        return False
    name = dotted(call.func) or ""
    return name.rsplit(".", 1)[-1] in VECTOR_WRAPPERS


def _handed_to_vector_env(ctx: ModuleContext) -> set[str]:
    """Dotted names that appear in the arguments of a vector-env constructor."""

    def compute() -> set[str]:
        names: set[str] = set()
        for call in ctx.calls_named(*VECTOR_WRAPPERS):
            if _is_vector_wrapper(call):
                for arg in [*call.args, *(kw.value for kw in call.keywords)]:
                    names.update(filter(None, (dotted(n) for n in ast.walk(arg))))
        return names

    return ctx.memo("rl.handed_to_vector_env", compute)


def _alone_on_its_line(ctx: ModuleContext, stmt: ast.stmt) -> bool:
    """Nothing but the statement (and a comment) on its lines: a libcst line can be replaced."""
    before = ctx.lines[stmt.lineno - 1][: stmt.col_offset]
    after = ctx.lines[(stmt.end_lineno or stmt.lineno) - 1][stmt.end_col_offset or 0 :]
    return not before.strip() and (not after.strip() or after.lstrip().startswith("#"))


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


class SequentialEnvs(Rule):
    """Several copies of one environment are kept in a list and stepped one at a time.

    Fires on `gym.make(...)` / `gymnasium.make(...)` (wrapped or not) that builds the items of a
    list: a list comprehension or a `for` loop that appends each new environment, over at least
    two copies of the same environment id. The list need not be stepped where the rule can see
    it; a list handed to a vector wrapper (`SyncVectorEnv`, `AsyncVectorEnv`, SB3 `DummyVecEnv`,
    `SubprocVecEnv`, `make_vec_env`) does not fire, and neither does a list of environment
    factories (lambdas, `make_env(i)` thunks) or of different environments (one per task).
    """

    code = "TL401"
    name = "sequential-envs"
    severity = Severity.WARNING
    message = (
        "Step these environments as one vector env, gymnasium.vector.SyncVectorEnv([lambda: "
        "gym.make(env_id) for _ in range(n)]) or gym.make_vec(env_id, num_envs=n), instead of a "
        "list stepped one by one"
    )
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
            env = _wrapped_env(ctx, make)
            parent = ctx.parent(env)
            if isinstance(parent, ast.ListComp) and parent.elt is env:
                finding = self._comprehension(ctx, make, parent)
            else:
                finding = self._appending_loop(ctx, make, env)
            if finding:
                yield finding

    def _comprehension(self, ctx: ModuleContext, make: ast.Call, comp: ast.ListComp) -> Finding | None:
        loop_names = set().union(*(_names(g.target) for g in comp.generators))
        if not _same_env_each_time(make, loop_names) or _fewer_than_two(comp.generators[0].iter):
            return None
        if any(_is_vector_wrapper(a) for a in ctx.ancestors(comp)):
            return None
        names = assigned_names(ctx, comp)
        if set(names) & _handed_to_vector_env(ctx):
            return None
        stmt = ctx.parent(comp)
        if not (isinstance(stmt, ast.Assign) and len(names) == 1 and _alone_on_its_line(ctx, stmt)):
            return self.finding(ctx, make)
        bound = tuple(sorted(loop_names & _names(comp.elt)))
        data = ("comprehension", *_vector_module(ctx, make), names[0], bound)
        return self.finding(ctx, make, action=True, action_target=stmt, action_data=data)

    def _appending_loop(self, ctx: ModuleContext, make: ast.Call, env: ast.expr) -> Finding | None:
        loop = enclosing_loop(ctx, make)
        if not isinstance(loop, ast.For) or _fewer_than_two(loop.iter):
            return None
        if not _same_env_each_time(make, _names(loop.target) | _assigned_in(ctx, loop)):
            return None
        list_name = _appended_to(ctx, loop, env)
        if list_name is None or list_name in _handed_to_vector_env(ctx):
            return None
        data = ("loop", *_vector_module(ctx, make), list_name, ())
        return self.finding(ctx, make, action=True, action_target=loop, action_node="For", action_data=data)

    def action(self, node, action, ctx):
        import libcst as cst

        kind, vector, package, list_name, bound = action.data
        if package:
            ctx.add_import(package)
        vec = _vector_name(list_name)
        comment = f"# {vec}.step(actions) steps every environment at once and resets finished episodes itself."
        if kind == "loop":
            factories = f"[lambda env=env: env for env in {list_name}]"
            added = cst.parse_statement(f"{comment}\n{vec} = {vector}.vector.SyncVectorEnv({factories})\n")
            return cst.FlattenSentinel([node, added])
        comp = node.body[0].value
        params = cst.Parameters(
            params=[
                cst.Param(
                    cst.Name(name),
                    default=cst.Name(name),
                    equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
                )
                for name in bound
            ]
        )
        factories = ctx.code(comp.with_changes(elt=cst.Lambda(params=params, body=comp.elt)))
        vector_env = cst.parse_statement(
            f"{comment}\n# {list_name} keeps the single environments until the loops below step {vec} instead.\n"
            f"{vec} = {vector}.vector.SyncVectorEnv({factories})\n"
        )
        single_envs = cst.parse_statement(f"{list_name} = {vec}.envs\n").with_changes(
            trailing_whitespace=node.trailing_whitespace
        )
        vector_env = vector_env.with_changes(leading_lines=[*node.leading_lines, *vector_env.leading_lines])
        return cst.FlattenSentinel([vector_env, single_envs])


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
    return {
        target.id
        for node in ctx.within(loop, ast.Assign, ast.AnnAssign, ast.AugAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
    }


# -- legacy gym -------------------------------------------------------------------------------

#: Subpackages that ``import gymnasium`` loads, so ``gym.spaces`` works after ``import gymnasium as gym``.
EAGER_SUBPACKAGES = {"core", "envs", "error", "logger", "spaces", "utils", "vector", "wrappers"}
#: Names of gym that Gymnasium removed or renamed: the import rewrite alone would break them.
REMOVED_IN_GYMNASIUM = {
    "gym.GoalEnv",
    "gym.vector.make",
    "gym.wrappers.Monitor",
    "gym.wrappers.FrameStack",
    "gym.wrappers.LazyFrames",
    "gym.wrappers.GrayScaleObservation",
    "gym.wrappers.PixelObservationWrapper",
    "gym.wrappers.StepAPICompatibility",
    "gym.wrappers.EnvCompatibility",
    "gym.wrappers.AutoResetWrapper",
}


def _is_gym_module(name: str | None) -> bool:
    return name == "gym" or (name or "").startswith("gym.")


def _legacy_import(node: ast.Import | ast.ImportFrom) -> bool:
    if isinstance(node, ast.ImportFrom):
        return not node.level and _is_gym_module(node.module)
    return any(_is_gym_module(alias.name) for alias in node.names)


def _imports_gymnasium(node: ast.AST) -> bool:
    if isinstance(node, ast.ImportFrom):
        return (node.module or "").partition(".")[0] == "gymnasium"
    return isinstance(node, ast.Import) and any(a.name.partition(".")[0] == "gymnasium" for a in node.names)


def _compatibility_fallback(ctx: ModuleContext, node: ast.stmt) -> bool:
    """``try: import gymnasium as gym / except ImportError: import gym`` (or the reverse)."""
    trys = [a for a in ctx.ancestors(node) if isinstance(a, ast.Try)]
    if not trys:
        return False
    return any(
        _imports_gymnasium(other) and any(t in trys for t in ctx.ancestors(other))
        for other in ctx.nodes(ast.Import, ast.ImportFrom)
    )


def _uses_removed_names(ctx: ModuleContext) -> bool:
    def compute() -> bool:
        last_names = {name.rsplit(".", 1)[-1] for name in REMOVED_IN_GYMNASIUM}
        used = {ctx.qualname(n) for n in ctx.attributes(*last_names)}
        for node in ctx.nodes(ast.ImportFrom):
            used.update(f"{node.module}.{alias.name}" for alias in node.names)
        return bool(used & REMOVED_IN_GYMNASIUM)

    return ctx.memo("rl.uses_removed_gym_names", compute)


class LegacyGym(Rule):
    """The unmaintained `gym` package is imported instead of Gymnasium.

    Fires on `import gym`, `import gym.spaces`, `from gym import ...` and `from gym.x import ...`,
    once per import statement: every later `gym.X` goes through the imported name, which the fix
    rebinds, so uses are not reported again. An import of `gym` that is only the fallback of a
    `try` that imports `gymnasium` does not fire.
    """

    code = "TL402"
    deprecated = True
    name = "legacy-gym"
    severity = Severity.WARNING
    message = (
        "Import gymnasium instead of the unmaintained gym (import gymnasium as gym), then check the "
        "calls: reset() returns (obs, info) and step() returns (obs, reward, terminated, truncated, info)"
    )
    requires = ("gym",)
    why = """
        OpenAI Gym has had no release since 2022; its maintained successor is Gymnasium (Farama),
        which SB3, CleanRL, Tianshou and the environment suites now target. Gymnasium keeps the
        `gym` module layout, so `import gymnasium as gym` is usually the whole migration, except
        for the 0.26 API: `reset()` returns `(obs, info)` and `step()` returns `terminated` and
        `truncated` separately instead of one `done`.
    """
    example = """
        import gym

        env = gym.make("CartPole-v1")
        obs = env.reset()
        obs, reward, done, info = env.step(env.action_space.sample())
    """
    use_instead = """
        import gymnasium as gym

        env = gym.make("CartPole-v1")
        obs, info = env.reset(seed=0)
        obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
    """
    fix_applicability = Applicability.UNSAFE
    fix_title = "Import gymnasium in place of gym"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        for node in ctx.nodes(ast.Import, ast.ImportFrom):
            if _legacy_import(node) and not _compatibility_fallback(ctx, node):
                fixable = not _uses_removed_names(ctx)
                yield self.finding(ctx, node, fix=fixable, fix_node=type(node).__name__)

    def fix(self, node, fix, ctx):
        import libcst as cst

        if isinstance(node, cst.ImportFrom):
            return node.with_changes(module=_gymnasium_path(ctx.code(node.module)))
        names: list[cst.ImportAlias] = []
        for alias in node.names:
            names.extend(_gymnasium_aliases(alias, ctx) if _is_gym_module(ctx.code(alias.name)) else [alias])
        return node.with_changes(names=names)


def _gymnasium_path(module: str):
    import libcst as cst

    return cst.parse_expression("gymnasium" + module[len("gym") :])


def _gymnasium_aliases(alias, ctx) -> list:
    """``gym`` -> ``gymnasium as gym``; ``gym.x as y`` -> ``gymnasium.x as y``.

    ``import gym.a.b`` binds ``gym`` and loads ``gym.a.b``: it becomes ``import gymnasium as gym``
    when ``import gymnasium`` already loads ``a``, else ``gymnasium.a.b, gymnasium as gym``.
    """
    import libcst as cst

    module = ctx.code(alias.name)
    renamed = alias.with_changes(name=_gymnasium_path(module))
    if alias.asname is not None:
        return [renamed]
    as_gym = alias.with_changes(name=cst.Name("gymnasium"), asname=cst.AsName(cst.Name("gym")))
    submodule = module.split(".")[1:]
    if not submodule or (len(submodule) == 1 and submodule[0] in EAGER_SUBPACKAGES):
        return [as_gym]
    return [renamed.with_changes(comma=cst.MaybeSentinel.DEFAULT), as_gym]


# -- replay buffers ---------------------------------------------------------------------------

UNIFORM_SAMPLERS = {
    "random.sample",
    "random.choice",
    "random.choices",
    "random.randint",
    "random.randrange",
    "numpy.random.choice",
    "numpy.random.randint",
    "torch.randint",
}
#: Sampling methods of a random generator object (``rng.integers``, ``self.np_random.choice``).
GENERATOR_METHODS = {"choice", "choices", "sample", "integers", "randint", "randrange"}
#: Keywords that make a draw non-uniform: prioritized replay, which SB3 has no buffer for.
WEIGHT_KEYWORDS = {"p", "weights", "cum_weights"}
PRIORITY_WORDS = ("priorit", "sumtree", "sum_tree", "segmenttree", "segment_tree")
NAMEDTUPLE_FACTORIES = {"collections.namedtuple", "typing.NamedTuple"}
DEFAULT_BUFFER_SIZE = "100_000"

BufferKey = tuple[ast.AST, str]


def _local_key(ctx: ModuleContext, node: ast.AST, name: str) -> BufferKey:
    """``self.x`` belongs to its class, other names to the scope they appear in."""
    if name.startswith("self."):
        return (ctx.enclosing(node, ast.ClassDef) or ctx.tree, name)
    return (ctx.scope_of(node), name)


def _buffer_key(ctx: ModuleContext, node: ast.AST, name: str, created: dict[BufferKey, ast.expr]) -> BufferKey:
    """The buffer ``name`` refers to at ``node``: a local one, else the module's."""
    key = _local_key(ctx, node, name)
    return key if key in created or name.startswith("self.") else (ctx.tree, name)


def _is_empty_container(ctx: ModuleContext, value: ast.AST) -> bool:
    """``[]``, ``list()`` or ``collections.deque(...)``."""
    if isinstance(value, ast.List):
        return not value.elts
    if not isinstance(value, ast.Call):
        return False
    if isinstance(value.func, ast.Name) and value.func.id == "list":
        return not value.args and not value.keywords
    return ctx.qualname(value.func) == "collections.deque"


def _buffer_creations(ctx: ModuleContext) -> dict[BufferKey, ast.expr]:
    """Every empty list or deque assigned to a name, by buffer (the first assignment wins)."""
    created: dict[BufferKey, ast.expr] = {}
    candidates = [*ctx.nodes(ast.List), *ctx.calls_named("list"), *ctx.calls("collections.deque")]
    empty = {value for value in candidates if _is_empty_container(ctx, value)}
    for value in sorted(empty, key=operator.attrgetter("lineno", "col_offset")):
        for name in assigned_names(ctx, value):
            created.setdefault(_local_key(ctx, value, name), value)
    return created


def _transition_types(ctx: ModuleContext) -> set[str]:
    """Names of namedtuple classes (``Transition = namedtuple(...)``, ``class T(NamedTuple)``)."""
    names = {n for call in ctx.calls(*NAMEDTUPLE_FACTORIES) for n in assigned_names(ctx, call)}
    for cls in ctx.nodes(ast.ClassDef):
        if any(ctx.qualname(base) in NAMEDTUPLE_FACTORIES for base in cls.bases):
            names.add(cls.name)
    return names


def _is_transition(node: ast.expr, transition_types: set[str]) -> bool:
    """``(s, a, r, s2, done)`` (four or more fields) or ``Transition(...)``."""
    if isinstance(node, (ast.Tuple, ast.List)):
        return len(node.elts) >= 4
    return isinstance(node, ast.Call) and dotted(node.func) in transition_types


def _is_uniform_sampler(ctx: ModuleContext, call: ast.Call) -> bool:
    if any(kw.arg in WEIGHT_KEYWORDS for kw in call.keywords):
        return False
    name = ctx.qualname(call.func)
    if name is not None:
        return name in UNIFORM_SAMPLERS
    if not isinstance(call.func, ast.Attribute) or call.func.attr not in GENERATOR_METHODS:
        return False
    receiver = (dotted(call.func.value) or "").lower()
    return "rng" in receiver or "random" in receiver


def _prioritized(ctx: ModuleContext, container: ast.AST) -> bool:
    """The buffer's class (or scope) mentions priorities or a sum tree."""
    lines = ctx.memo("rl.priority_lines", lambda: _priority_lines(ctx))
    if isinstance(container, ast.Module):
        return bool(lines)
    return any(container.lineno <= line <= (container.end_lineno or container.lineno) for line in lines)


def _priority_lines(ctx: ModuleContext) -> list[int]:
    """Lines with an identifier about priorities or sum trees."""
    source = ctx.source.lower()
    if not any(word in source for word in PRIORITY_WORDS):
        return []
    lines = [node.lineno for name in ctx.identifiers() if _about_priorities(name) for node in ctx.names(name)]
    for kind, field in ((ast.Attribute, "attr"), (ast.arg, "arg"), (ast.FunctionDef, "name"), (ast.ClassDef, "name")):
        lines += [node.lineno for node in ctx.nodes(kind) if _about_priorities(getattr(node, field))]
    return lines


def _about_priorities(identifier: str) -> bool:
    lowered = identifier.lower()
    return any(word in lowered for word in PRIORITY_WORDS)


def _env_in_scope(ctx: ModuleContext, creation: ast.expr) -> str | None:
    """An environment the buffer's spaces can come from, visible where the buffer is created."""
    function = ctx.enclosing(creation, FUNCTION_TYPES)
    envs = ctx.memo("rl.env_assignments", lambda: _env_assignments(ctx))
    if function is not None:
        local = [n for n, scope, line in envs if scope is function and line < creation.lineno]
        if local:
            return local[-1]
        if any(arg.arg == "env" for arg in function.args.args + function.args.kwonlyargs):
            return "env"
    module_level = [
        n for n, scope, line in envs if scope is ctx.tree and (function is not None or line < creation.lineno)
    ]
    return module_level[-1] if module_level else None


def _env_assignments(ctx: ModuleContext) -> list[tuple[str, ast.AST, int]]:
    """``(name, scope, line)`` of every ``env = gym.make(...)`` (wrappers included)."""
    found = []
    for call in ctx.calls(*ENV_MAKERS):
        env = _wrapped_env(ctx, call)
        found += [(name, ctx.scope_of(env), env.lineno) for name in assigned_names(ctx, env)]
    return found


def _buffer_size(creation: ast.expr, ctx: ModuleContext) -> str:
    """The deque's ``maxlen`` (keyword or second argument), else a default size."""
    if isinstance(creation, ast.Call):
        maxlen = keyword(creation, "maxlen")
        if maxlen is not None:
            return ctx.text(maxlen.value)
        if len(creation.args) == 2:
            return ctx.text(creation.args[1])
    return DEFAULT_BUFFER_SIZE


class ListReplayBuffer(Rule):
    """A replay buffer is a Python list or deque of transition tuples sampled uniformly.

    Fires on the creation (`[]`, `list()`, `deque(maxlen=...)`) of a container that is filled
    with transitions (`buf.append((s, a, r, s2, done))` with four or more fields, or a
    namedtuple such as `Transition(*args)`) and sampled uniformly (`random.sample(buf, n)`,
    `np.random.choice(len(buf), n)`, random indices below `len(buf)`). Prioritized replay
    (weights, priorities, sum trees), preallocated array buffers, on-policy rollouts read in
    order or shuffled, and SB3 / CleanRL buffers do not fire.
    """

    code = "TL403"
    name = "list-replay-buffer"
    severity = Severity.WARNING
    message = (
        "Use stable_baselines3.common.buffers.ReplayBuffer instead of a list of transition tuples: "
        "it stores transitions in preallocated arrays and samples batches as tensors"
    )
    requires = ("sample", "choice", "rand", "integers")
    why = """
        A list or deque of tuples stores every transition as separate Python objects, and each
        batch is rebuilt element by element (`zip(*random.sample(...))`, `np.array` per field),
        which dominates the update step of small off-policy agents. A preallocated buffer
        such as SB3's `ReplayBuffer` writes each transition into fixed numpy arrays, returns
        batches as tensors on the training device, handles the observation and action spaces,
        and is a tested implementation of truncation-aware `dones`.
    """
    example = """
        memory = deque(maxlen=100_000)
        memory.append((obs, action, reward, next_obs, terminated))
        batch = random.sample(memory, 64)
    """
    use_instead = """
        from stable_baselines3.common.buffers import ReplayBuffer

        rb = ReplayBuffer(100_000, env.observation_space, env.action_space, device="cpu",
                          handle_timeout_termination=False)
        rb.add(obs, next_obs, np.array(action), reward, terminated, [info])
        batch = rb.sample(64)  # batch.observations, batch.actions, batch.rewards, ...
    """
    action_title = "Add a stable-baselines3 ReplayBuffer"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        created = _buffer_creations(ctx)
        if not created:
            return
        filled = self._filled_with_transitions(ctx, created)
        sampled = self._sampled_uniformly(ctx, created)
        for key, creation in created.items():
            if key not in filled or key not in sampled or _prioritized(ctx, key[0]):
                continue
            stmt = ctx.statement_of(creation)
            env = _env_in_scope(ctx, creation)
            if env is None or not _alone_on_its_line(ctx, stmt):
                yield self.finding(ctx, creation)
                continue
            data = (_replay_buffer_name(key[1]), _buffer_size(creation, ctx), env)
            yield self.finding(ctx, creation, action=True, action_target=stmt, action_data=data)

    def _filled_with_transitions(self, ctx: ModuleContext, created: dict[BufferKey, ast.expr]) -> set[BufferKey]:
        types = _transition_types(ctx)
        filled = set()
        for call in method_calls(ctx, "append"):
            name = dotted(call.func.value)  # type: ignore[attr-defined]
            if name and len(call.args) == 1 and _is_transition(call.args[0], types):
                filled.add(_buffer_key(ctx, call, name, created))
        return filled

    def _sampled_uniformly(self, ctx: ModuleContext, created: dict[BufferKey, ast.expr]) -> set[BufferKey]:
        """Buffers passed to a uniform sampler, themselves or through ``len(buf)``."""
        sampled = set()
        for call in {*ctx.calls(*UNIFORM_SAMPLERS), *ctx.calls_named(*GENERATOR_METHODS)}:
            if not _is_uniform_sampler(ctx, call):
                continue
            for arg in [*call.args, *(kw.value for kw in call.keywords)]:
                for node in ast.walk(arg):
                    name = dotted(node)
                    if name:
                        sampled.add(_buffer_key(ctx, call, name, created))
        return sampled

    def action(self, node, action, ctx):
        import libcst as cst

        rb, size, env = action.data
        ctx.add_import("stable_baselines3.common.buffers", "ReplayBuffer")
        added = cst.parse_statement(
            "# SB3's ReplayBuffer keeps transitions in preallocated arrays and samples them uniformly:\n"
            f"# {rb}.add(obs, next_obs, np.array(action), reward, terminated, [info]) after each step,\n"
            f"# then batch = {rb}.sample(batch_size) (batch.observations, batch.actions, batch.rewards, ...).\n"
            f"{rb} = ReplayBuffer(\n"
            f"    {size},\n"
            f"    {env}.observation_space,\n"
            f"    {env}.action_space,\n"
            '    device="cpu",\n'
            "    handle_timeout_termination=False,\n"
            ")\n"
        )
        return cst.FlattenSentinel([node, added])


def _replay_buffer_name(buffer: str) -> str:
    """``rb``, or ``self.rb`` for a buffer kept on ``self``."""
    return "self.rb" if buffer.startswith("self.") else "rb"
