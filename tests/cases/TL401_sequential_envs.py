from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import gymnasium as gym
        import numpy as np
        import torch

        env_id = "CartPole-v1"
        num_envs = 8
        envs = [gym.make(env_id) for _ in range(num_envs)]  # one per actor
        obs = np.stack([env.reset(seed=i)[0] for i, env in enumerate(envs)])
        for step in range(128):
            actions = policy(torch.as_tensor(obs)).argmax(-1).numpy()
            for i, env in enumerate(envs):
                next_obs, reward, terminated, truncated, info = env.step(actions[i])
                if terminated or truncated:
                    next_obs, info = env.reset()
                obs[i] = next_obs
        """,
        at=[(7, 9)],
        message="vector env",
        action="""
        import gymnasium as gym
        import numpy as np
        import torch

        env_id = "CartPole-v1"
        num_envs = 8
        # vec_envs.step(actions) steps every environment at once and resets finished episodes itself.
        # envs keeps the single environments until the loops below step vec_envs instead.
        vec_envs = gym.vector.SyncVectorEnv([lambda: gym.make(env_id) for _ in range(num_envs)])
        envs = vec_envs.envs  # one per actor
        obs = np.stack([env.reset(seed=i)[0] for i, env in enumerate(envs)])
        for step in range(128):
            actions = policy(torch.as_tensor(obs)).argmax(-1).numpy()
            for i, env in enumerate(envs):
                next_obs, reward, terminated, truncated, info = env.step(actions[i])
                if terminated or truncated:
                    next_obs, info = env.reset()
                obs[i] = next_obs
        """,
    ),
    Invalid(
        """
        import gym
        import torch
        from gym.wrappers import RecordEpisodeStatistics


        class Runner:
            def __init__(self, cfg, agent):
                self.agent = agent
                # the first worker records videos
                self.envs = [
                    RecordEpisodeStatistics(gym.make(cfg.env_id, render_mode="rgb_array" if i == 0 else None))
                    for i in range(cfg.num_envs)
                ]

            def collect(self, steps):
                for env in self.envs:
                    obs, _ = env.reset()
                    for _ in range(steps):
                        obs, reward, terminated, truncated, _ = env.step(self.agent.act(obs))
        """,
        at=[(11, 37)],
        action="""
        import gym
        import torch
        from gym.wrappers import RecordEpisodeStatistics


        class Runner:
            def __init__(self, cfg, agent):
                self.agent = agent
                # the first worker records videos
                # self.vec_envs.step(actions) steps every environment at once and resets finished episodes itself.
                # self.envs keeps the single environments until the loops below step self.vec_envs instead.
                self.vec_envs = gym.vector.SyncVectorEnv([
                    lambda i=i: RecordEpisodeStatistics(gym.make(cfg.env_id, render_mode="rgb_array" if i == 0 else None))
                    for i in range(cfg.num_envs)
                ])
                self.envs = self.vec_envs.envs

            def collect(self, steps):
                for env in self.envs:
                    obs, _ = env.reset()
                    for _ in range(steps):
                        obs, reward, terminated, truncated, _ = env.step(self.agent.act(obs))
        """,
    ),
    Invalid(
        """
        import argparse

        import gymnasium
        import torch


        def make_workers(args):
            workers = []
            for rank in range(args.num_workers):
                env = gymnasium.make(args.env_id, max_episode_steps=args.max_steps)
                env = gymnasium.wrappers.RecordEpisodeStatistics(env)
                env.reset(seed=args.seed + rank)
                env.action_space.seed(args.seed + rank)
                workers.append(env)
            return workers
        """,
        at=[(10, 15)],
        action="""
        import argparse

        import gymnasium
        import torch


        def make_workers(args):
            workers = []
            for rank in range(args.num_workers):
                env = gymnasium.make(args.env_id, max_episode_steps=args.max_steps)
                env = gymnasium.wrappers.RecordEpisodeStatistics(env)
                env.reset(seed=args.seed + rank)
                env.action_space.seed(args.seed + rank)
                workers.append(env)
            # vec_workers.step(actions) steps every environment at once and resets finished episodes itself.
            vec_workers = gymnasium.vector.SyncVectorEnv([lambda env=env: env for env in workers])
            return workers
        """,
    ),
    Invalid(
        """
        import torch
        from gymnasium import make

        ENV_ID = "LunarLander-v3"
        train_envs = [make(ENV_ID, continuous=True) for _ in range(16)]
        eval_envs = [make(ENV_ID, continuous=True, render_mode="rgb_array") for _ in range(4)]
        """,
        at=[(5, 15), (6, 14)],
        action="""
        import torch
        from gymnasium import make
        import gymnasium

        ENV_ID = "LunarLander-v3"
        # vec_train_envs.step(actions) steps every environment at once and resets finished episodes itself.
        # train_envs keeps the single environments until the loops below step vec_train_envs instead.
        vec_train_envs = gymnasium.vector.SyncVectorEnv([lambda: make(ENV_ID, continuous=True) for _ in range(16)])
        train_envs = vec_train_envs.envs
        eval_envs = [make(ENV_ID, continuous=True, render_mode="rgb_array") for _ in range(4)]
        """,
    ),
    Invalid(
        """
        import gymnasium as gym
        import torch


        def evaluate(policy, env_id, episodes=10):
            returns = []
            envs = []
            for _ in range(episodes):
                envs.append(gym.make(env_id))
            for env in envs:
                obs, _ = env.reset()
                done, total = False, 0.0
                while not done:
                    obs, reward, terminated, truncated, _ = env.step(policy(torch.as_tensor(obs)))
                    total += reward
                    done = terminated or truncated
                returns.append(total)
            return returns


        def rollout_all(policy, env_id):
            return run_parallel(policy, [gym.make(env_id) for _ in range(4)])
        """,
        at=[(9, 21), (22, 34)],
    ),
    Valid(
        """
        import gymnasium as gym
        import torch


        def make_env(env_id, idx, capture_video, run_name):
            def thunk():
                env = gym.make(env_id, render_mode="rgb_array" if capture_video and idx == 0 else None)
                return gym.wrappers.RecordEpisodeStatistics(env)

            return thunk


        envs = gym.vector.SyncVectorEnv([make_env(args.env_id, i, args.capture_video, run_name) for i in range(args.num_envs)])
        """,
        why="CleanRL: a list of env factories handed to SyncVectorEnv",
    ),
    Valid(
        """
        import gymnasium as gym
        from stable_baselines3 import PPO
        from stable_baselines3.common.env_util import make_vec_env
        from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv

        envs = gym.make_vec("CartPole-v1", num_envs=8, vectorization_mode="sync")
        sb3_envs = make_vec_env("CartPole-v1", n_envs=4, vec_env_cls=SubprocVecEnv)
        dummy = DummyVecEnv([lambda: gym.make("CartPole-v1") for _ in range(4)])
        model = PPO("MlpPolicy", sb3_envs)
        """,
        why="gym.make_vec, SB3 make_vec_env and DummyVecEnv over factories",
    ),
    Valid(
        """
        import functools

        import gymnasium
        import torch

        env_fns = [lambda: gymnasium.make("Pendulum-v1") for _ in range(8)]
        partials = [functools.partial(gymnasium.make, "Pendulum-v1", g=9.81) for _ in range(8)]
        envs = gymnasium.vector.AsyncVectorEnv(env_fns)
        """,
        why="lists of environment factories, not environment instances",
    ),
    Valid(
        """
        import gymnasium as gym
        import torch

        TASKS = ["CartPole-v1", "Acrobot-v1", "MountainCar-v0"]
        envs = [gym.make(name) for name in TASKS]
        per_task = []
        for task in cfg.tasks:
            per_task.append(gym.make(task.env_id, max_episode_steps=task.horizon))
        suite = []
        for level in range(cfg.num_levels):
            level_id = f"MiniGrid-DoorKey-{5 + level}x{5 + level}-v0"
            suite.append(gym.make(level_id))
        """,
        why="one environment per task: different ids cannot share a vector env",
    ),
    Valid(
        """
        import gymnasium as gym
        import torch

        envs = [gym.make("CartPole-v1") for _ in range(1)]

        for episode in range(100):
            env = gym.make("CartPole-v1")
            obs, _ = env.reset(seed=episode)
            done = False
            while not done:
                obs, reward, terminated, truncated, _ = env.step(agent.act(obs))
                done = terminated or truncated
            env.close()
        """,
        why="a single environment, and one environment re-created per episode",
    ),
    Valid(
        """
        import gymnasium as gym
        import numpy as np
        import torch


        def score(policy, env_id, trials=5):
            returns = [run_episode(policy, gym.make(env_id)) for _ in range(trials)]
            spaces = [gym.make(env_id).observation_space for _ in range(trials)]
            return np.mean(returns)
        """,
        why="lists of what a function returns for a new environment, not of environments",
    ),
    Valid(
        """
        import gymnasium as gym
        import torch

        envs = [gym.wrappers.RecordEpisodeStatistics(gym.make(cfg.env_id)) for _ in range(cfg.num_envs)]
        vec_env = gym.vector.SyncVectorEnv([lambda env=env: env for env in envs])

        workers = []
        for seed in range(cfg.num_envs):
            workers.append(gym.make(cfg.env_id))
        pool = gym.vector.AsyncVectorEnv([lambda: w for w in workers])
        """,
        why="lists of environments that are handed to a vector wrapper",
    ),
    Valid(
        """
        import gymnasium as gym
        import torch

        envs = gym.vector.AsyncVectorEnv(
            [lambda: gym.make("HalfCheetah-v5") for _ in range(8)],
            shared_memory=True,
        )
        obs, info = envs.reset(seed=0)
        """,
        why="gymnasium.vector.* already steps the environments together",
    ),
    # non-ASCII text before a trailing comment: the statement's end is a character column, not a byte offset
    Invalid(
        """
        import gymnasium as gym

        envs = [gym.make("Forêt-Éléments-v0") for _ in range(4)]  # four copies of one env
        """,
        at=[(3, 9)],
        action="""
        import gymnasium as gym

        # vec_envs.step(actions) steps every environment at once and resets finished episodes itself.
        # envs keeps the single environments until the loops below step vec_envs instead.
        vec_envs = gym.vector.SyncVectorEnv([lambda: gym.make("Forêt-Éléments-v0") for _ in range(4)])
        envs = vec_envs.envs  # four copies of one env
        """,
    ),
    # a helper that returns gym.make(...), called in a comprehension (the classic A2C/PPO repos)
    Invalid(
        """
        import gym
        import numpy as np
        import torch


        def make_env(env_id, seed, rank):
            env = gym.make(env_id)
            env.seed(seed + rank)
            env = gym.wrappers.RecordEpisodeStatistics(env)
            return env


        def main(args):
            envs = [make_env(args.env_name, args.seed, i) for i in range(args.num_processes)]
            obs = np.stack([env.reset() for env in envs])
            for step in range(args.num_steps):
                actions = policy(torch.as_tensor(obs))
                obs = np.stack([env.step(a)[0] for env, a in zip(envs, actions)])
        """,
        at=[(14, 13)],
        action="""
        import gym
        import numpy as np
        import torch


        def make_env(env_id, seed, rank):
            env = gym.make(env_id)
            env.seed(seed + rank)
            env = gym.wrappers.RecordEpisodeStatistics(env)
            return env


        def main(args):
            # vec_envs.step(actions) steps every environment at once and resets finished episodes itself.
            # envs keeps the single environments until the loops below step vec_envs instead.
            vec_envs = gym.vector.SyncVectorEnv([lambda i=i: make_env(args.env_name, args.seed, i) for i in range(args.num_processes)])
            envs = vec_envs.envs
            obs = np.stack([env.reset() for env in envs])
            for step in range(args.num_steps):
                actions = policy(torch.as_tensor(obs))
                obs = np.stack([env.step(a)[0] for env, a in zip(envs, actions)])
        """,
    ),
    # the same helper appended in a loop, and a method helper called through self
    Invalid(
        """
        import gymnasium as gym
        import torch


        def make_env(seed):
            return gym.wrappers.ClipAction(gym.make("Pendulum-v1", g=9.81))


        class Collector:
            def __init__(self, n):
                self.envs = [self._make(i) for i in range(n)]

            def _make(self, index):
                env = gym.make("HalfCheetah-v5")
                env.reset(seed=index)
                return env


        envs = []
        for i in range(8):
            envs.append(make_env(i))
        """,
        at=[(11, 22), (21, 17)],
    ),
    Invalid(
        """
        import gymnasium as gym


        def make_env(seed):
            env = gym.make("CartPole-v1")
            env.reset(seed=seed)
            return env


        envs = []
        for i in range(4):
            envs.append(make_env(i))
        """,
        at=[(12, 17)],
        action="""
        import gymnasium as gym


        def make_env(seed):
            env = gym.make("CartPole-v1")
            env.reset(seed=seed)
            return env


        envs = []
        for i in range(4):
            envs.append(make_env(i))
        # vec_envs.step(actions) steps every environment at once and resets finished episodes itself.
        vec_envs = gym.vector.SyncVectorEnv([lambda env=env: env for env in envs])
        """,
    ),
    Valid(
        """
        import gymnasium as gym
        import torch


        def make_env(env_id, idx):
            def thunk():
                env = gym.make(env_id)
                return gym.wrappers.RecordEpisodeStatistics(env)

            return thunk


        def make_task(name):
            env = gym.make(name)
            return env


        def make_pair(env_id):
            env = gym.make(env_id)
            return env, env.observation_space.shape


        thunks = [make_env("CartPole-v1", i) for i in range(4)]
        per_task = [make_task(name) for name in ["CartPole-v1", "Acrobot-v1"]]
        pairs = [make_pair("CartPole-v1") for _ in range(4)]
        """,
        why="helpers that return a thunk, one env per task id, or a tuple",
    ),
    Valid(
        """
        import gymnasium as gym
        from stable_baselines3.common.vec_env import DummyVecEnv


        def make_env(seed):
            env = gym.make("CartPole-v1")
            env.reset(seed=seed)
            return env


        def make_vec(n):
            env = gym.make("CartPole-v1")
            env = DummyVecEnv([lambda: env])
            return env


        envs = [make_env(i) for i in range(4)]
        vec_env = gym.vector.SyncVectorEnv([lambda env=env: env for env in envs])
        stacks = [make_vec(2) for _ in range(3)]
        single = [make_env(0) for _ in range(1)]
        """,
        why="a helper's envs handed to a vector wrapper; a helper returning a vector env; one copy",
    ),
    Invalid(
        """
        import gymnasium as gym
        import numpy as np
        import torch


        def make_base_env(env_id, seed):
            env = gym.make(env_id)
            env.reset(seed=seed)
            env.action_space.seed(seed)
            return env


        def make_env(seed, capture_video=False):
            env = make_base_env("LunarLander-v3", seed)
            env = gym.wrappers.RecordEpisodeStatistics(env)
            if capture_video:
                env = gym.wrappers.RecordVideo(env, "videos")
            return env


        envs = [make_env(seed) for seed in range(8)]
        obs = np.stack([env.reset()[0] for env in envs])
        for step in range(1000):
            actions = torch.randint(0, 4, (len(envs),)).tolist()
            obs = np.stack([env.step(a)[0] for env, a in zip(envs, actions)])
        """,
        at=[(21, 9)],
        action="""
        import gymnasium as gym
        import numpy as np
        import torch


        def make_base_env(env_id, seed):
            env = gym.make(env_id)
            env.reset(seed=seed)
            env.action_space.seed(seed)
            return env


        def make_env(seed, capture_video=False):
            env = make_base_env("LunarLander-v3", seed)
            env = gym.wrappers.RecordEpisodeStatistics(env)
            if capture_video:
                env = gym.wrappers.RecordVideo(env, "videos")
            return env


        # vec_envs.step(actions) steps every environment at once and resets finished episodes itself.
        # envs keeps the single environments until the loops below step vec_envs instead.
        vec_envs = gym.vector.SyncVectorEnv([lambda seed=seed: make_env(seed) for seed in range(8)])
        envs = vec_envs.envs
        obs = np.stack([env.reset()[0] for env in envs])
        for step in range(1000):
            actions = torch.randint(0, 4, (len(envs),)).tolist()
            obs = np.stack([env.step(a)[0] for env, a in zip(envs, actions)])
        """,
    ),  # a list comprehension over make_env -> make_base_env -> gym.make, the id fixed by make_env
    Invalid(
        """
        import argparse

        import gym
        from baselines.common.atari_wrappers import wrap_deepmind
        from baselines.bench import Monitor


        def make_atari(env_id):
            env = gym.make(env_id)
            return wrap_deepmind(env, frame_stack=True)


        def make_train_env(args, rank):
            env = make_atari(args.env_id)
            env.seed(args.seed + rank)
            return env


        def build_env(args, rank):
            return Monitor(make_train_env(args, rank), None)


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--env-id", default="PongNoFrameskip-v4")
            parser.add_argument("--num-envs", type=int, default=8)
            parser.add_argument("--seed", type=int, default=0)
            args = parser.parse_args()
            envs = []
            for rank in range(args.num_envs):
                envs.append(build_env(args, rank))
            observations = [env.reset() for env in envs]
            return envs, observations
        """,
        at=[(31, 21)],
        action="""
        import argparse

        import gym
        from baselines.common.atari_wrappers import wrap_deepmind
        from baselines.bench import Monitor


        def make_atari(env_id):
            env = gym.make(env_id)
            return wrap_deepmind(env, frame_stack=True)


        def make_train_env(args, rank):
            env = make_atari(args.env_id)
            env.seed(args.seed + rank)
            return env


        def build_env(args, rank):
            return Monitor(make_train_env(args, rank), None)


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--env-id", default="PongNoFrameskip-v4")
            parser.add_argument("--num-envs", type=int, default=8)
            parser.add_argument("--seed", type=int, default=0)
            args = parser.parse_args()
            envs = []
            for rank in range(args.num_envs):
                envs.append(build_env(args, rank))
            # vec_envs.step(actions) steps every environment at once and resets finished episodes itself.
            vec_envs = gym.vector.SyncVectorEnv([lambda env=env: env for env in envs])
            observations = [env.reset() for env in envs]
            return envs, observations
        """,
    ),  # three helpers deep (build_env -> make_train_env -> make_atari -> gym.make), appended in a loop
    Valid(
        """
        import gymnasium as gym

        TASKS = ["CartPole-v1", "Acrobot-v1", "MountainCar-v0"]


        def make_base_env(env_id, seed):
            env = gym.make(env_id)
            env.reset(seed=seed)
            return env


        def make_task_env(name):
            return make_base_env(name, 0)


        def make_env(seed):
            def thunk():
                return make_base_env("CartPole-v1", seed)

            return thunk


        def make_ranked_env(rank):
            env_id = TASKS[rank % len(TASKS)]
            return make_base_env(env_id, rank)


        def make_indexed_env(rank):
            env_id = TASKS[rank]
            return make_base_env(env_id, 0)


        per_task = [make_task_env(name) for name in TASKS]
        thunks = [make_env(i) for i in range(4)]
        ranked = [make_ranked_env(rank) for rank in range(6)]
        indexed = [make_indexed_env(rank) for rank in range(3)]
        vec_env = gym.vector.SyncVectorEnv([make_env(i) for i in range(4)])
        """,
        why="helper chains that make one env per task, return thunks, compute the id per rank, or feed a vector env",
    ),
    Invalid(
        """
        import gymnasium as gym


        def make_base_env(env_id, seed):
            env = gym.make(env_id)
            env.reset(seed=seed)
            return env


        def make_env(args, seed):
            env_id = args.env_id
            return make_base_env(env_id, args.seed + seed)


        def collect(args):
            envs = [make_env(args, i) for i in range(args.num_envs)]
            return [env.reset()[0] for env in envs]
        """,
        at=[(16, 13)],
    ),  # the id goes through a local of the middle helper (env_id = args.env_id), the same for every i
]
