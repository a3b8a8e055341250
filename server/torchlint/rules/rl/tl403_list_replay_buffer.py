"""TL403 list-replay-buffer."""

from __future__ import annotations

import ast
import itertools
import operator
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...analysis.context import ModuleContext, fact
from ...analysis.layout import alone_on_its_lines
from ...analysis.scopes import fresh_name, lookup
from ...analysis.syntax import DEF_TYPES, FUNCTION_TYPES, dotted, is_constant, keyword, outer_first
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
DATACLASS_DECORATORS = {"dataclasses.dataclass"}
#: Words in a class or callee name that say it is a transition (``Transition``, ``Experience``).
TRANSITION_WORDS = ("transition", "experience")
#: Words of a function that receives one transition to store (``push``, ``add_experience``).
PUSH_WORDS = {"push", "add", "put", "append", "store", "remember", "memorize"}
#: Words of what holds many steps (an episode buffer for recurrent agents stores sequences).
SEQUENCE_WORDS = ("episode", "traj", "rollout", "sequence", "seq")
#: Methods that store their one argument in a list or deque.
STORE_METHODS = ("append", "appendleft")
#: What a module that does reinforcement learning spells somewhere (identifiers, strings).
RL_WORDS = ("reward", "transition", "experience", "replay", "terminal", "gym")
RL_PARTS = ("done", "dones", "env", "envs", "rl", "dqn")
#: An identifier (one per line, lowered) that holds an RL word, or an RL part between underscores.
_RL_IDENTIFIER = re.compile(rf"{'|'.join(RL_WORDS)}|(?:^|_)(?:{'|'.join(RL_PARTS)})(?:_|$)", re.MULTILINE)
#: Parameters that hold a buffer's capacity (``def __init__(self, capacity)``).
CAPACITY_NAMES = {"capacity", "size", "max_size", "buffer_size", "maxlen", "memory_size", "buffer_limit", "mem_size"}
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
    #: The device its batches go to, as source text (``device``, ``"auto"``).
    device: str
    #: The list or deque it replaces (``self.memory``).
    old: str
    #: Where the old buffer is filled and sampled (``self.memory.append(...) in push``).
    stores: tuple[str, ...]
    samples: tuple[str, ...]


class ListReplayBuffer(Rule):
    """A replay buffer is a Python list or deque of transition tuples sampled uniformly.

    Fires, in a module that speaks of reinforcement learning (rewards, envs, dones, transitions;
    no library import needed), on the creation (`[]`, `list()`, `[None] * n`, `deque(maxlen=...)`)
    of a container, in a variable or attribute, that receives transitions
    (`buf.append((s, a, r, s2, done))` with four or more fields, a namedtuple or dataclass instance
    such as `Transition(*args)`, a name bound to one, or the one transition a
    `push`/`add`/`put`/`store`/`remember`/... function receives), by `append` or by index as a ring
    (`self.memory[self.position] = ...`), and is sampled uniformly (`random.sample(buf, n)`,
    `np.random.choice(len(buf), n)`, random indices below `len(buf)`, or indexed by a random draw:
    `[buf[i] for i in np.random.choice(n, k)]`). Prioritized replay (weights, priorities, sum
    trees), preallocated array buffers, on-policy rollouts read in order or shuffled, and SB3 /
    CleanRL buffers do not fire.
    """

    code = "TL403"
    name = "list-replay-buffer"
    severity = Severity.WARNING
    message = "Use stable_baselines3.common.buffers.ReplayBuffer instead of a list of transition tuples"
    requires = ("sample", "choice", "rand", "integers")
    needs_library = False
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
    action_title = "Insert a stable-baselines3 ReplayBuffer scaffold (then move the buffer's appends and sampling to it)"

    def check(self, ctx: ModuleContext) -> Iterator[Finding]:
        if not _uniform_draws(ctx):  # the rarest of the three shapes: looked for first
            return
        created = _buffer_creations(ctx)
        if not created or not _mentions_rl(ctx):
            return
        stores = self._stores_of_transitions(ctx, created)
        samples = self._uniform_samples(ctx, created)
        for key, creation in created.items():
            if key not in stores or key not in samples or _prioritized(ctx, key[0]):
                continue
            stmt = ctx.statement_of(creation)
            env = _env_in_scope(ctx, creation)
            if env is None or not alone_on_its_lines(ctx, stmt) or _has_sb3_buffer(ctx, key[0]):
                yield self.finding(ctx, creation)
                continue
            plan = _ReplayBufferPlan(
                buffer=_replay_buffer_name(ctx, key[1]),
                size=_buffer_size(ctx, creation),
                env=env,
                device=_device_in_scope(ctx, creation),
                old=key[1],
                stores=_places(ctx, stores[key]),
                samples=_places(ctx, samples[key]),
            )
            yield self.finding(ctx, creation, action=self.action_at(ctx, stmt, plan))

    def _stores_of_transitions(self, ctx: ModuleContext, created: dict[BufferKey, ast.expr]) -> dict[BufferKey, list[ast.AST]]:
        """The statements that store a transition in each buffer: ``buf.append(t)``, ``buf[i] = t``."""
        types = _transition_types(ctx)
        stores: dict[BufferKey, list[ast.AST]] = {}
        for name, value, node in _stored_values(ctx):
            if _holds_transition(ctx, value, types):
                stores.setdefault(_buffer_key(ctx, node, name, created), []).append(node)
        return stores

    def _uniform_samples(self, ctx: ModuleContext, created: dict[BufferKey, ast.expr]) -> dict[BufferKey, list[ast.AST]]:
        """The uniform sampler calls each buffer is passed to, itself or through ``len(buf)``, or
        whose draw indexes it (``[buf[i] for i in picked]`` with ``picked = np.random.choice(n, k)``)."""
        samples: dict[BufferKey, list[ast.AST]] = {}
        draws = _uniform_draws(ctx)
        for call in draws:
            names = {dotted(node) for arg in [*call.args, *(kw.value for kw in call.keywords)] for node in ast.walk(arg)}
            for name in sorted(filter(None, names)):
                samples.setdefault(_buffer_key(ctx, call, name, created), []).append(call)
        drawn = set(draws)
        for subscript in ctx.nodes(ast.Subscript) if drawn else ():
            indexed = dotted(subscript.value)
            draw = _drawn_from(ctx, subscript.slice, drawn) if indexed and isinstance(subscript.ctx, ast.Load) else None
            if indexed and draw is not None:
                samples.setdefault(_buffer_key(ctx, subscript, indexed, created), []).append(draw)
        return samples

    def action(self, node: cst.CSTNode, action: Action, ctx: FixContext) -> cst.FlattenSentinel[cst.BaseStatement]:
        import libcst as cst

        assert isinstance(node, cst.SimpleStatementLine)
        plan = action.plan_as(_ReplayBufferPlan)
        rb = plan.buffer
        ctx.add_import("stable_baselines3.common.buffers", "ReplayBuffer")
        added = cst.parse_statement(
            "# TL403 scaffold: SB3's ReplayBuffer keeps transitions in preallocated arrays. Left to do: store each step with\n"
            f"# {rb}.add(obs, next_obs, np.array(action), reward, terminated, [info]) instead of {', '.join(plan.stores)},\n"
            f"# sample with batch = {rb}.sample(batch_size) (batch.observations, batch.actions, batch.rewards,\n"
            f"# batch.next_observations, batch.dones) instead of {', '.join(plan.samples)}, then delete {plan.old}.\n"
            f"{rb} = ReplayBuffer(\n"
            f"    {plan.size},\n"
            f"    {plan.env}.observation_space,\n"
            f"    {plan.env}.action_space,\n"
            f"    device={plan.device},\n"
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
    """``[]``, ``list()``, ``[None] * n`` or ``collections.deque(...)``."""
    if isinstance(value, ast.List):
        return not value.elts
    if isinstance(value, ast.BinOp):
        return isinstance(value.op, ast.Mult) and _is_none_list(value.left)
    if not isinstance(value, ast.Call):
        return False
    if isinstance(value.func, ast.Name) and value.func.id == "list":
        return not value.args and not value.keywords
    return ctx.qualname(value.func) == "collections.deque"


def _is_none_list(node: ast.expr) -> bool:
    """``[None]``, the slots of a preallocated ring (``[None] * capacity``)."""
    return isinstance(node, ast.List) and len(node.elts) == 1 and is_constant(node.elts[0], type(None))


def _buffer_creations(ctx: ModuleContext) -> dict[BufferKey, ast.expr]:
    """Every empty list or deque assigned to a name, by buffer (the first assignment wins)."""
    created: dict[BufferKey, ast.expr] = {}
    candidates = [
        *ctx.nodes(ast.List),
        *ctx.nodes(ast.BinOp),
        *ctx.calls_named("list"),
        *ctx.calls("collections.deque"),
    ]
    empty = {value for value in candidates if _is_empty_container(ctx, value)}
    for value in sorted(empty, key=operator.attrgetter("lineno", "col_offset")):
        for name in assigned_names(ctx, value):
            created.setdefault(_local_key(ctx, value, name), value)
    return created


def _stored_values(ctx: ModuleContext) -> Iterator[tuple[str, ast.expr, ast.AST]]:
    """``(buffer, value, where)`` for each ``buffer.append(value)`` and ``buffer[i] = value``."""
    for method in STORE_METHODS:
        for call in ctx.method_calls(method):
            assert isinstance(call.func, ast.Attribute)  # the method index holds attribute calls only
            name = dotted(call.func.value)
            if name and len(call.args) == 1 and not call.keywords:
                yield name, call.args[0], call
    for assign in ctx.nodes(ast.Assign):
        for target in assign.targets:
            if isinstance(target, ast.Subscript) and not isinstance(target.slice, ast.Slice):
                name = dotted(target.value)
                if name:
                    yield name, assign.value, assign


@fact
def _transition_types(ctx: ModuleContext) -> set[str]:
    """Names of the module's transition classes: namedtuples (``Transition = namedtuple(...)``,
    ``self.experience = namedtuple(...)``, ``class T(NamedTuple)``) and dataclasses of four or
    more fields or named like a transition."""
    names = {n for call in ctx.calls(*NAMEDTUPLE_FACTORIES) for n in assigned_names(ctx, call)}
    for cls in ctx.nodes(ast.ClassDef):
        if any(ctx.qualname(base) in NAMEDTUPLE_FACTORIES for base in cls.bases):
            names.add(cls.name)
        elif any(_is_dataclass_decorator(ctx, d) for d in cls.decorator_list):
            fields = [s for s in cls.body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)]
            if len(fields) >= 4 or _named_like_transition(cls.name):
                names.add(cls.name)
    return names


def _is_dataclass_decorator(ctx: ModuleContext, decorator: ast.expr) -> bool:
    """``@dataclass``, ``@dataclasses.dataclass`` or ``@dataclass(frozen=True)``."""
    func = decorator.func if isinstance(decorator, ast.Call) else decorator
    return ctx.qualname(func) in DATACLASS_DECORATORS


def _named_like_transition(name: str) -> bool:
    lowered = name.rsplit(".", 1)[-1].lower()
    return any(word in lowered for word in TRANSITION_WORDS)


def _is_transition(node: ast.expr, transition_types: set[str]) -> bool:
    """``(s, a, r, s2, done)`` (four or more fields), ``Transition(...)`` or ``self.experience(...)``."""
    if isinstance(node, (ast.Tuple, ast.List)):
        return len(node.elts) >= 4
    if not isinstance(node, ast.Call):
        return False
    callee = dotted(node.func) or ""
    return callee in transition_types or (callee[:1].isupper() and _named_like_transition(callee))


def _holds_transition(ctx: ModuleContext, value: ast.expr, transition_types: set[str]) -> bool:
    """``value`` is a transition, a name bound only to transitions (``data = (obs, a, r, obs2, d)``),
    or the one transition a ``push``/``add``/``store``... function receives."""
    if _is_transition(value, transition_types):
        return True
    if not isinstance(value, ast.Name):
        return False
    bindings = lookup(ctx, value.id, value)
    if bindings and all(
        b.value is not None and not b.path and not b.iterated and _is_transition(b.value, transition_types) for b in bindings
    ):
        return True
    return len(bindings) == 1 and _receives_one_transition(ctx, bindings[0].node)


def _receives_one_transition(ctx: ModuleContext, node: ast.AST) -> bool:
    """``node`` is the only parameter (``self`` aside) or the ``*args`` of a push-like function."""
    if not isinstance(node, ast.arg):
        return False
    function = ctx.enclosing(node, DEF_TYPES)
    if not isinstance(function, DEF_TYPES) or not PUSH_WORDS & set(function.name.lower().split("_")):
        return False
    if any(word in name.lower() for name in (function.name, node.arg) for word in SEQUENCE_WORDS):
        return False  # whole episodes or sequences: no SB3 ReplayBuffer equivalent
    args = function.args
    if node is args.vararg:
        return True
    params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    if params and params[0].arg in {"self", "cls"}:
        params = params[1:]
    return params == [node] and args.vararg is None


def _mentions_rl(ctx: ModuleContext) -> bool:
    """The module spells a word of reinforcement learning (``reward``, ``env``, ``done``...)
    in an identifier, attribute, parameter, definition or string."""
    spelled = itertools.chain(
        ctx.identifiers(),
        ctx.attribute_names(),
        (node.arg for node in ctx.nodes(ast.arg)),
        (node.name for node in ctx.nodes(ast.FunctionDef, ast.ClassDef)),
        (node.value for node in ctx.nodes(ast.Constant) if isinstance(node.value, str) and node.value.isidentifier()),
    )
    return _RL_IDENTIFIER.search("\n".join(spelled).lower()) is not None


def _uniform_draws(ctx: ModuleContext) -> list[ast.Call]:
    """The module's uniform random draws (``random.sample(...)``, ``rng.integers(...)``), outermost first."""
    calls = {*ctx.calls(*UNIFORM_SAMPLERS), *ctx.calls_named(*GENERATOR_METHODS)}
    return sorted((call for call in calls if _is_uniform_sampler(ctx, call)), key=outer_first)


def _drawn_from(ctx: ModuleContext, index: ast.expr, draws: set[ast.Call], hops: int = 2) -> ast.Call | None:
    """The draw an index comes from: one inside it (``buf[random.randrange(n)]``), or one that a
    name it reads is bound to or iterates over (``i = rng.integers(n)``, ``for i in picked``)."""
    for node in ast.walk(index):
        if node in draws:
            assert isinstance(node, ast.Call)
            return node
    if not (isinstance(index, ast.Name) and hops):
        return None
    values = (b.value for b in lookup(ctx, index.id, index) if b.value is not None)
    return next(filter(None, (_drawn_from(ctx, value, draws, hops - 1) for value in values)), None)


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
    module_level = [n for n, scope, line in envs if scope is ctx.tree and (function is not None or line < creation.lineno)]
    return module_level[-1] if module_level else None


@fact
def _env_assignments(ctx: ModuleContext) -> list[tuple[str, ast.AST, int]]:
    """``(name, scope, line)`` of every ``env = gym.make(...)`` (wrappers included)."""
    found = []
    for call in ctx.calls(*ENV_MAKERS):
        env = wrapped_env(ctx, call)
        found += [(name, ctx.scope_of(env), env.lineno) for name in assigned_names(ctx, env)]
    return found


def _buffer_size(ctx: ModuleContext, creation: ast.expr) -> str:
    """The deque's ``maxlen`` (keyword or second argument), the ring's ``n`` in ``[None] * n``, a
    capacity parameter of the function that creates it, else a default size."""
    if isinstance(creation, ast.Call):
        maxlen = keyword(creation, "maxlen")
        if maxlen is not None:
            return ctx.text(maxlen.value)
        if len(creation.args) == 2:
            return ctx.text(creation.args[1])
    if isinstance(creation, ast.BinOp) and creation.right.lineno == creation.right.end_lineno:
        return ctx.text(creation.right)
    function = ctx.enclosing(creation, DEF_TYPES)
    if isinstance(function, DEF_TYPES):
        args = function.args
        capacity = next((a.arg for a in [*args.args, *args.kwonlyargs] if a.arg in CAPACITY_NAMES), None)
        if capacity is not None:
            return capacity
    return DEFAULT_BUFFER_SIZE


def _replay_buffer_name(ctx: ModuleContext, buffer: str) -> str:
    """``rb``, or ``self.rb`` for a buffer kept on ``self`` (another name where ``rb`` is taken)."""
    name = fresh_name(ctx, "rb", "replay_buffer", taken=ctx.attribute_names())
    return f"self.{name}" if buffer.startswith("self.") else name


def _device_in_scope(ctx: ModuleContext, creation: ast.expr) -> str:
    """Where the batches should go: a ``device`` visible at the creation, the class's
    ``self.device``, else ``"auto"`` (SB3's choice: CUDA when there is one)."""
    bindings = lookup(ctx, "device", creation)
    in_function = isinstance(ctx.enclosing(creation, DEF_TYPES), DEF_TYPES)
    if any(in_function or b.node.lineno < creation.lineno for b in bindings if hasattr(b.node, "lineno")):
        return "device"
    cls = ctx.enclosing(creation, ast.ClassDef)
    if (
        in_function
        and cls is not None
        and any(dotted(target) == "self.device" for assign in ctx.within(cls, ast.Assign) for target in assign.targets)
    ):
        return "self.device"
    return '"auto"'


def _has_sb3_buffer(ctx: ModuleContext, holder: ast.AST) -> bool:
    """The buffer's class (or scope) already builds an SB3 buffer: the scaffold is in place."""
    return any(
        (ctx.qualname(call.func) or "").startswith("stable_baselines3.") and holder in (ctx.tree, *ctx.ancestors(call))
        for call in ctx.calls_named("ReplayBuffer")
    )


def _places(ctx: ModuleContext, nodes: list[ast.AST]) -> tuple[str, ...]:
    """How the scaffold's comment names each statement left to change: ``self.memory.append(...) (in push)``."""
    places: list[str] = []
    for node in nodes:
        if isinstance(node, ast.Assign):
            target = node.targets[0]
            assert isinstance(target, ast.Subscript)  # a ring store
            code = f"{dotted(target.value)}[...] = ..."
        else:
            assert isinstance(node, ast.Call)
            code = f"{ctx.text(node.func)}(...)"
        function = ctx.enclosing(node, DEF_TYPES)
        place = f"{code} (in {function.name})" if isinstance(function, DEF_TYPES) else code
        if place not in places:
            places.append(place)
    return tuple(places)
