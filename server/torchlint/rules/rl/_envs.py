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


def _is_wrapper_call(call: ast.Call) -> bool:
    """``RecordEpisodeStatistics(env)``, ``wrap_deepmind(env)``: a class or a ``wrap*`` function."""
    name = (dotted(call.func) or "").rsplit(".", 1)[-1]
    return name[:1].isupper() or "wrap" in name.lower()


def wrapped_env(ctx: ModuleContext, make: ast.Call) -> ast.expr:
    """The outermost wrapper call whose first argument leads down to ``make``."""
    node: ast.expr = make
    parent = ctx.parent(node)
    while isinstance(parent, ast.Call) and _is_wrapper_call(parent) and parent.args and parent.args[0] is node:
        node, parent = parent, ctx.parent(parent)
    return node
