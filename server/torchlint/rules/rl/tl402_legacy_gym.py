"""TL402 legacy-gym."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ...analysis.context import ModuleContext, fact
from ...model import Applicability, Finding, Fix, Severity
from ...rule import Rule

if TYPE_CHECKING:
    import libcst as cst

    from ...fixing.fix_context import FixContext

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
    message = "Use gymnasium (import gymnasium as gym); reset() returns (obs, info), step() five values"
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
                fix = self.fix_at(ctx, node, node=type(node).__name__) if not _uses_removed_names(ctx) else False
                yield self.finding(ctx, node, fix=fix)

    def fix(self, node: cst.CSTNode, fix: Fix, ctx: FixContext) -> cst.CSTNode:
        import libcst as cst

        if isinstance(node, cst.ImportFrom):
            assert node.module is not None  # a gym import names its module
            return node.with_changes(module=_gymnasium_path(ctx.code(node.module)))
        assert isinstance(node, cst.Import)
        names: list[cst.ImportAlias] = []
        for alias in node.names:
            names.extend(_gymnasium_aliases(alias, ctx) if _is_gym_module(ctx.code(alias.name)) else [alias])
        return node.with_changes(names=_without_repeats(names, ctx))


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


@fact
def _uses_removed_names(ctx: ModuleContext) -> bool:
    last_names = {name.rsplit(".", 1)[-1] for name in REMOVED_IN_GYMNASIUM}
    used = {ctx.qualname(n) for n in ctx.attributes(*last_names)}
    for node in ctx.nodes(ast.ImportFrom):
        used.update(f"{node.module}.{alias.name}" for alias in node.names)
    return bool(used & REMOVED_IN_GYMNASIUM)


def _gymnasium_path(module: str) -> cst.Attribute | cst.Name:
    import libcst as cst

    path = cst.parse_expression("gymnasium" + module[len("gym") :])
    assert isinstance(path, (cst.Attribute, cst.Name))
    return path


def _gymnasium_aliases(alias: cst.ImportAlias, ctx: FixContext) -> list[cst.ImportAlias]:
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


def _without_repeats(names: list[cst.ImportAlias], ctx: FixContext) -> list[cst.ImportAlias]:
    """Each alias once (``import gym, gym.spaces`` gives ``gymnasium as gym`` twice), the last without a comma."""
    import libcst as cst

    seen: set[tuple[str, str]] = set()
    kept: list[cst.ImportAlias] = []
    for alias in names:
        key = (ctx.code(alias.name), ctx.code(alias.asname.name) if alias.asname else "")
        if key not in seen:
            seen.add(key)
            kept.append(alias)
    if len(kept) < len(names):
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return kept
