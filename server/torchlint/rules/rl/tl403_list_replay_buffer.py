"""TL403 list-replay-buffer."""

from __future__ import annotations

import ast
import operator
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...analysis.context import ModuleContext, fact
from ...analysis.layout import alone_on_its_lines
from ...analysis.syntax import FUNCTION_TYPES, dotted, keyword
from ...analysis.training import assigned_names
from ...model import Action, Finding, Plan, Severity
from ...rule import Rule
from ._envs import ENV_MAKERS, wrapped_env

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

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

#: A buffer: the class (for ``self.x``) or scope that holds it, and its name.
BufferKey = tuple[ast.AST, str]


@dataclass(frozen=True)
class _ReplayBufferPlan(Plan):
    #: The name of the new buffer (``rb``, ``self.rb``).
    buffer: str
    #: Its capacity, as source text.
    size: str
    #: The environment whose spaces it stores.
    env: str


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
            if env is None or not alone_on_its_lines(ctx, stmt):
                yield self.finding(ctx, creation)
                continue
            plan = _ReplayBufferPlan(_replay_buffer_name(key[1]), _buffer_size(creation, ctx), env)
            yield self.finding(ctx, creation, action=self.action_at(ctx, stmt, plan))

    def _filled_with_transitions(self, ctx: ModuleContext, created: dict[BufferKey, ast.expr]) -> set[BufferKey]:
        types = _transition_types(ctx)
        filled = set()
        for call in ctx.method_calls("append"):
            assert isinstance(call.func, ast.Attribute)  # the method index holds attribute calls only
            name = dotted(call.func.value)
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

    def action(self, node: cst.CSTNode, action: Action, ctx: FixContext) -> cst.FlattenSentinel[cst.BaseStatement]:
        import libcst as cst

        assert isinstance(node, cst.SimpleStatementLine)
        plan = action.plan_as(_ReplayBufferPlan)
        rb, env = plan.buffer, plan.env
        ctx.add_import("stable_baselines3.common.buffers", "ReplayBuffer")
        added = cst.parse_statement(
            "# SB3's ReplayBuffer keeps transitions in preallocated arrays and samples them uniformly:\n"
            f"# {rb}.add(obs, next_obs, np.array(action), reward, terminated, [info]) after each step,\n"
            f"# then batch = {rb}.sample(batch_size) (batch.observations, batch.actions, batch.rewards, ...).\n"
            f"{rb} = ReplayBuffer(\n"
            f"    {plan.size},\n"
            f"    {env}.observation_space,\n"
            f"    {env}.action_space,\n"
            '    device="cpu",\n'
            "    handle_timeout_termination=False,\n"
            ")\n"
        )
        return cst.FlattenSentinel([node, added])


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
    lines = _priority_lines(ctx)
    if not isinstance(container, (ast.stmt, ast.expr)):  # the module
        return bool(lines)
    end = container.end_lineno or container.lineno
    return any(container.lineno <= line <= end for line in lines)


@fact
def _priority_lines(ctx: ModuleContext) -> list[int]:
    """Lines with an identifier about priorities or sum trees."""
    source = ctx.source.lower()
    if not any(word in source for word in PRIORITY_WORDS):
        return []
    lines = [node.lineno for name in ctx.identifiers() if _about_priorities(name) for node in ctx.names(name)]
    spelled = [
        *((node.lineno, node.attr) for node in ctx.nodes(ast.Attribute)),
        *((node.lineno, node.arg) for node in ctx.nodes(ast.arg)),
        *((node.lineno, node.name) for node in ctx.nodes(ast.FunctionDef, ast.ClassDef)),
    ]
    return lines + [line for line, identifier in spelled if _about_priorities(identifier)]


def _about_priorities(identifier: str) -> bool:
    lowered = identifier.lower()
    return any(word in lowered for word in PRIORITY_WORDS)


def _env_in_scope(ctx: ModuleContext, creation: ast.expr) -> str | None:
    """An environment the buffer's spaces can come from, visible where the buffer is created."""
    function = ctx.enclosing(creation, FUNCTION_TYPES)
    envs = _env_assignments(ctx)
    if isinstance(function, FUNCTION_TYPES):
        local = [n for n, scope, line in envs if scope is function and line < creation.lineno]
        if local:
            return local[-1]
        if any(arg.arg == "env" for arg in function.args.args + function.args.kwonlyargs):
            return "env"
    module_level = [
        n for n, scope, line in envs if scope is ctx.tree and (function is not None or line < creation.lineno)
    ]
    return module_level[-1] if module_level else None


@fact
def _env_assignments(ctx: ModuleContext) -> list[tuple[str, ast.AST, int]]:
    """``(name, scope, line)`` of every ``env = gym.make(...)`` (wrappers included)."""
    found = []
    for call in ctx.calls(*ENV_MAKERS):
        env = wrapped_env(ctx, call)
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


def _replay_buffer_name(buffer: str) -> str:
    """``rb``, or ``self.rb`` for a buffer kept on ``self``."""
    return "self.rb" if buffer.startswith("self.") else "rb"
