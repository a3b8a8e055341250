"""What the RL rules know about Gym/Gymnasium environments: how they are made and wrapped."""

from __future__ import annotations

import ast

from ...analysis.context import ModuleContext
from ...analysis.syntax import dotted

ENV_MAKERS = {
    "gym.make",
    "gymnasium.make",
    "gym.envs.registration.make",
    "gymnasium.envs.registration.make",
}


def is_wrapper_call(call: ast.Call) -> bool:
    """``RecordEpisodeStatistics(env)``, ``wrap_deepmind(env)``: a class or a ``wrap*`` function."""
    name = (dotted(call.func) or "").rsplit(".", 1)[-1]
    return name[:1].isupper() or "wrap" in name.lower()


def wrapped_env(ctx: ModuleContext, make: ast.Call) -> ast.expr:
    """The outermost wrapper call (or ``.unwrapped``) whose first argument leads down to ``make``."""
    node: ast.expr = make
    parent = ctx.parent(node)
    while _wraps_env(parent, node):
        assert isinstance(parent, ast.expr)
        node, parent = parent, ctx.parent(parent)
    return node


def _wraps_env(parent: ast.AST | None, env: ast.expr) -> bool:
    """``Wrapper(env, ...)`` or ``env.unwrapped``: still the environment."""
    if isinstance(parent, ast.Attribute):
        return parent.attr == "unwrapped" and parent.value is env
    return isinstance(parent, ast.Call) and is_wrapper_call(parent) and bool(parent.args) and parent.args[0] is env
