"""The RL code actions (TL401, TL403) and the TL402 fix, applied to small CartPole scripts and run."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from torchlint.config import Config
from torchlint.engine import analyze
from torchlint.fixing.fixer import fix_all, run_action

pytest.importorskip("gymnasium")


def _script(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def _act(source: str, code: str) -> str:
    """``source`` after the code action of the first ``code`` finding."""
    finding = next(f for f in analyze(source, "train.py", Config(select=(code,))) if f.actions)
    result = run_action(source, finding, finding.actions[0])
    assert result != source
    return result


def _run(source: str, tmp_path: Path) -> str:
    path = tmp_path / "train.py"
    path.write_text(source)
    proc = subprocess.run([sys.executable, str(path)], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


LIST_OF_ENVS = _script(
    """
    import gymnasium as gym
    import numpy as np

    env_id = "CartPole-v1"
    num_envs = 4
    envs = [gym.make(env_id, max_episode_steps=50) for _ in range(num_envs)]
    observations = [env.reset(seed=seed)[0] for seed, env in enumerate(envs)]
    for step in range(60):
        for i, env in enumerate(envs):
            obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
            if terminated or truncated:
                obs, info = env.reset()
            observations[i] = obs
    print(np.stack(observations).shape)
    """
)

APPENDED_ENVS = _script(
    """
    import gymnasium
    import numpy as np


    def make_workers(env_id, num_workers, seed):
        workers = []
        for rank in range(num_workers):
            env = gymnasium.make(env_id)
            env = gymnasium.wrappers.RecordEpisodeStatistics(env)
            env.reset(seed=seed + rank)
            workers.append(env)
        return workers


    workers = make_workers("CartPole-v1", 3, seed=7)
    for env in workers:
        env.step(env.action_space.sample())
    """
)

#: Steps the vector env the TL401 action inserted (named after the list: ``vec_<list>``).
STEP_VECTOR_ENV = """
vec_envs.reset(seed=0)
for _ in range(60):
    obs, rewards, terminations, truncations, infos = vec_envs.step(vec_envs.action_space.sample())
assert obs.shape == (len(envs), 4), obs.shape
print("vector", obs.shape)
"""


def test_sync_vector_env_from_a_comprehension_runs(tmp_path: Path) -> None:
    result = _act(LIST_OF_ENVS, "TL401")
    assert "vec_envs = gym.vector.SyncVectorEnv([lambda: gym.make(env_id, max_episode_steps=50)" in result
    out = _run(result + STEP_VECTOR_ENV, tmp_path)
    assert "(4, 4)" in out and "vector (4, 4)" in out


def test_sync_vector_env_binds_the_loop_variable(tmp_path: Path) -> None:
    source = _script(
        """
        import gymnasium as gym

        envs = [gym.make("CartPole-v1", max_episode_steps=10 + i) for i in range(3)]
        """
    )
    result = _act(source, "TL401")
    check = "assert [e.spec.max_episode_steps for e in envs] == [10, 11, 12]\n"
    _run(result + check + STEP_VECTOR_ENV, tmp_path)


def test_sync_vector_env_after_an_appending_loop_runs(tmp_path: Path) -> None:
    result = _act(APPENDED_ENVS, "TL401")
    assert "    vec_workers = gymnasium.vector.SyncVectorEnv([lambda env=env: env for env in workers])\n" in result
    # Hand the inserted vector env out of the function to step it.
    result = result.replace("    return workers\n", "    globals()['vec_envs'] = vec_workers\n    return workers\n")
    step = "envs = workers\n" + STEP_VECTOR_ENV
    assert "vector (3, 4)" in _run(result + step, tmp_path)


def test_sync_vector_env_from_an_env_helper_runs(tmp_path: Path) -> None:
    source = _script(
        """
        import gymnasium as gym


        def make_env(env_id, rank):
            env = gym.make(env_id, max_episode_steps=50)
            env = gym.wrappers.RecordEpisodeStatistics(env)
            env.reset(seed=rank)
            return env


        envs = [make_env("CartPole-v1", rank) for rank in range(3)]
        """
    )
    result = _act(source, "TL401")
    assert (
        'vec_envs = gym.vector.SyncVectorEnv([lambda rank=rank: make_env("CartPole-v1", rank) for rank in range(3)])\n' in result
    )
    assert analyze(result, "train.py", Config(select=("TL401",))) == []
    assert "vector (3, 4)" in _run(result + STEP_VECTOR_ENV, tmp_path)


DQN_TUTORIAL = _script(
    """
    import random
    from collections import deque, namedtuple

    import gymnasium as gym
    import numpy as np
    import torch

    env = gym.make("CartPole-v1")
    Transition = namedtuple("Transition", ("state", "action", "next_state", "reward"))


    class ReplayMemory:
        def __init__(self, capacity):
            self.memory = deque([], maxlen=capacity)

        def push(self, *args):
            self.memory.append(Transition(*args))

        def sample(self, batch_size):
            return random.sample(self.memory, batch_size)


    memory = ReplayMemory(1000)
    state, info = env.reset(seed=0)
    for t in range(32):
        action = env.action_space.sample()
        next_state, reward, terminated, truncated, info = env.step(action)
        memory.push(state, action, next_state, reward)
        state = next_state if not (terminated or truncated) else env.reset()[0]
    batch = Transition(*zip(*memory.sample(8)))
    print(torch.tensor(np.array(batch.state)).shape)
    """
)

#: The same tutorial before deques: a list filled by index as a ring.
RING_TUTORIAL = DQN_TUTORIAL.replace(
    "        self.memory = deque([], maxlen=capacity)\n",
    "        self.capacity = capacity\n        self.memory = []\n        self.position = 0\n",
).replace(
    "        self.memory.append(Transition(*args))\n",
    "        if len(self.memory) < self.capacity:\n"
    "            self.memory.append(None)\n"
    "        self.memory[self.position] = Transition(*args)\n"
    "        self.position = (self.position + 1) % self.capacity\n",
)


SCRIPT_BUFFER = _script(
    """
    import random
    from collections import deque

    import gymnasium as gym
    import numpy as np

    env = gym.make("CartPole-v1")
    buffer = deque(maxlen=500)
    obs, _ = env.reset(seed=0)
    for step in range(40):
        action = env.action_space.sample()
        next_obs, reward, terminated, truncated, _ = env.step(action)
        buffer.append((obs, action, reward, next_obs, terminated))
        obs = next_obs if not (terminated or truncated) else env.reset()[0]
    states, actions, rewards, next_states, dones = map(np.array, zip(*random.sample(buffer, 16)))
    print(states.shape)
    """
)


def _fill_and_sample(rb: str) -> str:
    """Uses the inserted buffer exactly as its comment says."""
    return f"""
obs, info = env.reset(seed=1)
for _ in range(40):
    action = env.action_space.sample()
    next_obs, reward, terminated, truncated, info = env.step(action)
    {rb}.add(obs, next_obs, np.array(action), reward, terminated, [info])
    obs = next_obs if not (terminated or truncated) else env.reset()[0]
batch = {rb}.sample(16)
assert tuple(batch.observations.shape) == (16, 4), batch.observations.shape
assert tuple(batch.actions.shape) == (16, 1), batch.actions.shape
print("replay", tuple(batch.rewards.shape))
"""


@pytest.mark.parametrize(
    ("source", "rb", "inserted", "capacity"),
    [
        (DQN_TUTORIAL, "memory.rb", "self.rb", "capacity"),
        (SCRIPT_BUFFER, "rb", "rb", "500"),
        (RING_TUTORIAL, "memory.rb", "self.rb", "capacity"),
    ],
    ids=["class", "script", "ring"],
)
def test_sb3_replay_buffer_runs(tmp_path: Path, source: str, rb: str, inserted: str, capacity: str) -> None:
    pytest.importorskip("stable_baselines3")
    result = _act(source, "TL403")
    assert "from stable_baselines3.common.buffers import ReplayBuffer" in result
    assert f"{inserted} = ReplayBuffer(\n" in result and f"    {capacity},\n" in result
    assert f"# {inserted}.add(obs, next_obs, np.array(action), reward, terminated, [info])" in result
    assert "replay (16, 1)" in _run(result + _fill_and_sample(rb), tmp_path)
    # A scaffold: the old buffer still stands and is still reported, but no second block is offered.
    again = analyze(result, "train.py", Config(select=("TL403",)))
    assert [f.actions for f in again] == [()]


def test_gymnasium_import_fix_runs(tmp_path: Path) -> None:
    source = _script(
        """
        import gym
        import gym.envs.classic_control
        from gym.spaces import Discrete

        env = gym.make("CartPole-v1")
        obs, info = env.reset(seed=0)
        obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
        assert isinstance(env.action_space, Discrete)
        assert gym.envs.classic_control.CartPoleEnv is not None
        """
    )
    fixed = fix_all(source, "train.py", Config(select=("TL402",)), unsafe=True).source
    assert "import gym\n" not in fixed
    _run(fixed, tmp_path)


def test_gymnasium_import_fix_names_the_package_once_per_statement(tmp_path: Path) -> None:
    source = _script(
        """
        import gym, gym.spaces, gym.wrappers

        env = gym.wrappers.TimeLimit(gym.make("CartPole-v1"), 10)
        assert isinstance(env.action_space, gym.spaces.Discrete)
        """
    )
    fixed = fix_all(source, "train.py", Config(select=("TL402",)), unsafe=True).source
    assert fixed.splitlines()[0] == "import gymnasium as gym"
    _run(fixed, tmp_path)


def test_gymnasium_import_fix_is_withheld_for_removed_wrappers() -> None:
    source = _script(
        """
        import gym

        env = gym.wrappers.FrameStack(gym.make("CartPole-v1"), 4)
        """
    )
    findings = analyze(source, "train.py", Config(select=("TL402",)))
    assert [(f.line, f.fixable) for f in findings] == [(1, False)]
