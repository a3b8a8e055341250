from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import random

        import gym  # the environments
        import numpy as np
        import torch

        env = gym.make("CartPole-v1")
        obs = env.reset()
        for t in range(500):
            obs, reward, done, info = env.step(env.action_space.sample())
            if done:
                obs = env.reset()
        """,
        at=[(3, 1)],
        message="gymnasium",
        fixed="""
        import random

        import gymnasium as gym  # the environments
        import numpy as np
        import torch

        env = gym.make("CartPole-v1")
        obs = env.reset()
        for t in range(500):
            obs, reward, done, info = env.step(env.action_space.sample())
            if done:
                obs = env.reset()
        """,
    ),
    Invalid(
        """
        import numpy as np
        import torch
        from gym import Env, spaces
        from gym.spaces import Box, Discrete


        class GridWorld(Env):
            def __init__(self, size=8):
                self.observation_space = Box(0, size - 1, shape=(2,), dtype=np.int64)
                self.action_space = Discrete(4)
                self.extra = spaces.MultiBinary(4)
        """,
        at=[(3, 1), (4, 1)],
        fixed="""
        import numpy as np
        import torch
        from gymnasium import Env, spaces
        from gymnasium.spaces import Box, Discrete


        class GridWorld(Env):
            def __init__(self, size=8):
                self.observation_space = Box(0, size - 1, shape=(2,), dtype=np.int64)
                self.action_space = Discrete(4)
                self.extra = spaces.MultiBinary(4)
        """,
    ),
    Invalid(
        """
        import os, gym
        import gym.spaces
        import gym.envs.classic_control
        import gym.wrappers as wrappers
        import torch


        def make_env(env_id, seed):
            import gym as legacy_gym

            env = wrappers.TimeLimit(legacy_gym.make(env_id), 200)
            env.seed(seed)
            return env, gym.spaces.flatdim(env.observation_space)
        """,
        at=[(1, 1), (2, 1), (3, 1), (4, 1), (9, 5)],
        fixed="""
        import os, gymnasium as gym
        import gymnasium as gym
        import gymnasium.envs.classic_control, gymnasium as gym
        import gymnasium.wrappers as wrappers
        import torch


        def make_env(env_id, seed):
            import gymnasium as legacy_gym

            env = wrappers.TimeLimit(legacy_gym.make(env_id), 200)
            env.seed(seed)
            return env, gym.spaces.flatdim(env.observation_space)
        """,
    ),
    Invalid(
        """
        import gym
        import torch

        env = gym.make("Pendulum-v1")
        env = gym.wrappers.Monitor(env, "videos", force=True)
        """,
        at=[(1, 1)],
        message="reset() returns (obs, info)",
    ),
    Invalid(
        """
        import torch
        from gym.wrappers import AtariPreprocessing, FrameStack


        def make_atari(env_id):
            import gym

            env = AtariPreprocessing(gym.make(env_id), frame_skip=1)
            return FrameStack(env, 4)
        """,
        at=[(2, 1), (6, 5)],
    ),
    Valid(
        """
        import gymnasium as gym
        import torch
        from gymnasium import spaces
        from gymnasium.wrappers import RecordEpisodeStatistics
        import gymnasium.spaces

        env = RecordEpisodeStatistics(gym.make("CartPole-v1"))
        box = spaces.Box(-1.0, 1.0, shape=(3,))
        """,
        why="gymnasium, however imported",
    ),
    Valid(
        """
        import torch

        try:
            import gymnasium as gym
        except ImportError:  # older clusters still ship gym 0.26
            import gym

        env = gym.make("CartPole-v1")
        """,
        why="gym only as the fallback of a try that imports gymnasium",
    ),
    Valid(
        """
        import gym_super_mario_bros
        import torch
        from gym_minigrid.wrappers import ImgObsWrapper
        from nes_py.wrappers import JoypadSpace

        env = JoypadSpace(gym_super_mario_bros.make("SuperMarioBros-v0"), [["right"]])
        """,
        why="other packages whose names start with gym",
    ),
    Valid(
        """
        import torch

        from . import gym
        from .gym import make_env
        from ..envs.gym import wrappers

        env = make_env("CartPole-v1")
        """,
        why="relative imports of the project's own gym module",
    ),
    Valid(
        """
        import torch

        gym = load_gym_config("configs/gym.yaml")
        print("gym:", gym.name)
        """,
        why="a variable named gym, no import",
    ),
    # two gym imports in one statement become one gymnasium import, not "gymnasium as gym, gymnasium as gym"
    Invalid(
        """
        import gym, gym.spaces
        import gym.spaces, gym.wrappers, numpy as np

        env = gym.wrappers.TimeLimit(gym.make("CartPole-v1"), 100)
        box = gym.spaces.Box(-1.0, 1.0, shape=(2,), dtype=np.float32)
        """,
        at=[(1, 1), (2, 1)],
        fixed="""
        import gymnasium as gym
        import gymnasium as gym, numpy as np

        env = gym.wrappers.TimeLimit(gym.make("CartPole-v1"), 100)
        box = gym.spaces.Box(-1.0, 1.0, shape=(2,), dtype=np.float32)
        """,
    ),
]
