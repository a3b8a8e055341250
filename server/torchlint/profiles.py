"""Named presets (``profile = "rl"``): the advice that does not pay off for a kind of project.

A profile only drops rules. A code that the selection names in full (``select`` or
``extend-select = ["TL104"]``) runs all the same: naming it is asking for it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    name: str
    #: The codes the profile turns off.
    drops: tuple[str, ...]
    #: Why they do not pay off there (for the README and ``--show-settings``).
    why: str


PROFILES = {
    profile.name: profile
    for profile in (
        Profile(
            "rl",
            ("TL101", "TL104", "TL105"),
            "reinforcement learning with small policy and value networks: mixed precision saves nothing on "
            "a few small layers, and a constant learning rate is the norm in PPO, DQN and SAC recipes",
        ),
        Profile(
            "small-model",
            ("TL101", "TL104", "TL105", "TL110", "TL111"),
            "small models trained in seconds or minutes on data held in memory (MLPs, tabular data, toy "
            "problems): mixed precision, learning-rate schedules, loader workers and pinned memory cost more "
            "than they save",
        ),
        Profile(
            "library",
            ("TL101", "TL104", "TL105", "TL303", "TL501", "TL502"),
            "a library's training utilities, not a training script: precision, schedules, device placement, "
            "logging and seeding are the caller's choice",
        ),
    )
}
