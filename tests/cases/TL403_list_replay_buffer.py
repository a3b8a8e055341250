from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import random
        from collections import deque, namedtuple

        import gymnasium as gym
        import torch

        env = gym.make("CartPole-v1")
        Transition = namedtuple("Transition", ("state", "action", "next_state", "reward"))


        class ReplayMemory(object):
            def __init__(self, capacity):
                self.memory = deque([], maxlen=capacity)

            def push(self, *args):
                \"\"\"Save a transition\"\"\"
                self.memory.append(Transition(*args))

            def sample(self, batch_size):
                return random.sample(self.memory, batch_size)

            def __len__(self):
                return len(self.memory)
        """,
        at=[(13, 23)],
        message="ReplayBuffer",
        action="""
        import random
        from collections import deque, namedtuple

        import gymnasium as gym
        import torch
        from stable_baselines3.common.buffers import ReplayBuffer

        env = gym.make("CartPole-v1")
        Transition = namedtuple("Transition", ("state", "action", "next_state", "reward"))


        class ReplayMemory(object):
            def __init__(self, capacity):
                self.memory = deque([], maxlen=capacity)
                # SB3's ReplayBuffer keeps transitions in preallocated arrays and samples them uniformly:
                # self.rb.add(obs, next_obs, np.array(action), reward, terminated, [info]) after each step,
                # then batch = self.rb.sample(batch_size) (batch.observations, batch.actions, batch.rewards, ...).
                self.rb = ReplayBuffer(
                    capacity,
                    env.observation_space,
                    env.action_space,
                    device="cpu",
                    handle_timeout_termination=False,
                )

            def push(self, *args):
                \"\"\"Save a transition\"\"\"
                self.memory.append(Transition(*args))

            def sample(self, batch_size):
                return random.sample(self.memory, batch_size)

            def __len__(self):
                return len(self.memory)
        """,
    ),
    Invalid(
        """
        import collections

        import gymnasium as gym
        import numpy as np
        import torch


        def train(cfg, q_net, optimizer):
            env = gym.wrappers.RecordEpisodeStatistics(gym.make(cfg.env_id))
            buffer = collections.deque(maxlen=cfg.buffer_size)  # (s, a, r, s', done)
            obs, _ = env.reset(seed=cfg.seed)
            for step in range(cfg.total_steps):
                action = q_net.act(obs)
                next_obs, reward, terminated, truncated, _ = env.step(action)
                buffer.append((obs, action, reward, next_obs, terminated))
                obs = next_obs if not (terminated or truncated) else env.reset()[0]
                if len(buffer) >= cfg.batch_size:
                    idx = np.random.choice(len(buffer), cfg.batch_size, replace=False)
                    s, a, r, s2, d = map(np.array, zip(*[buffer[i] for i in idx]))
                    loss = q_net.td_loss(s, a, r, s2, d)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
        """,
        at=[(10, 14)],
        action="""
        import collections

        import gymnasium as gym
        import numpy as np
        import torch
        from stable_baselines3.common.buffers import ReplayBuffer


        def train(cfg, q_net, optimizer):
            env = gym.wrappers.RecordEpisodeStatistics(gym.make(cfg.env_id))
            buffer = collections.deque(maxlen=cfg.buffer_size)  # (s, a, r, s', done)
            # SB3's ReplayBuffer keeps transitions in preallocated arrays and samples them uniformly:
            # rb.add(obs, next_obs, np.array(action), reward, terminated, [info]) after each step,
            # then batch = rb.sample(batch_size) (batch.observations, batch.actions, batch.rewards, ...).
            rb = ReplayBuffer(
                cfg.buffer_size,
                env.observation_space,
                env.action_space,
                device="cpu",
                handle_timeout_termination=False,
            )
            obs, _ = env.reset(seed=cfg.seed)
            for step in range(cfg.total_steps):
                action = q_net.act(obs)
                next_obs, reward, terminated, truncated, _ = env.step(action)
                buffer.append((obs, action, reward, next_obs, terminated))
                obs = next_obs if not (terminated or truncated) else env.reset()[0]
                if len(buffer) >= cfg.batch_size:
                    idx = np.random.choice(len(buffer), cfg.batch_size, replace=False)
                    s, a, r, s2, d = map(np.array, zip(*[buffer[i] for i in idx]))
                    loss = q_net.td_loss(s, a, r, s2, d)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
        """,
    ),
    Invalid(
        """
        import random

        import numpy as np
        import torch


        class Memory:
            def __init__(self, env, capacity=50_000):
                self.capacity = capacity
                self.buffer = []

            def store(self, state, action, reward, next_state, done):
                if len(self.buffer) >= self.capacity:
                    self.buffer.pop(0)
                self.buffer.append([state, action, reward, next_state, done])

            def batch(self, n):
                picks = [self.buffer[random.randint(0, len(self.buffer) - 1)] for _ in range(n)]
                return [torch.tensor(np.array(x)) for x in zip(*picks)]
        """,
        at=[(10, 23)],
        action="""
        import random

        import numpy as np
        import torch
        from stable_baselines3.common.buffers import ReplayBuffer


        class Memory:
            def __init__(self, env, capacity=50_000):
                self.capacity = capacity
                self.buffer = []
                # SB3's ReplayBuffer keeps transitions in preallocated arrays and samples them uniformly:
                # self.rb.add(obs, next_obs, np.array(action), reward, terminated, [info]) after each step,
                # then batch = self.rb.sample(batch_size) (batch.observations, batch.actions, batch.rewards, ...).
                self.rb = ReplayBuffer(
                    100_000,
                    env.observation_space,
                    env.action_space,
                    device="cpu",
                    handle_timeout_termination=False,
                )

            def store(self, state, action, reward, next_state, done):
                if len(self.buffer) >= self.capacity:
                    self.buffer.pop(0)
                self.buffer.append([state, action, reward, next_state, done])

            def batch(self, n):
                picks = [self.buffer[random.randint(0, len(self.buffer) - 1)] for _ in range(n)]
                return [torch.tensor(np.array(x)) for x in zip(*picks)]
        """,
    ),
    Invalid(
        """
        import torch
        from collections import deque

        replay: deque = deque(maxlen=10_000)


        def remember(s, a, r, s2, done):
            replay.append((s, a, r, s2, done))


        def sample_batch(batch_size):
            idx = torch.randint(len(replay), (batch_size,))
            return [replay[i] for i in idx.tolist()]
        """,
        at=[(4, 17)],
    ),
    Invalid(
        """
        import numpy as np
        import torch


        class Agent:
            def __init__(self, seed):
                self.rng = np.random.default_rng(seed)
                self.storage = list()
                self.old_storage = list()

            def observe(self, obs, action, reward, next_obs, terminated):
                self.storage.append((obs, action, reward, next_obs, terminated))

            def minibatch(self, size):
                rows = self.rng.integers(0, len(self.storage), size=size)
                return [self.storage[i] for i in rows]
        """,
        at=[(8, 24)],
    ),
    Invalid(
        """
        import random

        import torch

        memory = []
        for episode in range(500):
            state = env.reset()
            for t in range(200):
                action = select_action(state)
                next_state, reward, done, _ = env.step(action)
                memory.append((state, action, reward, next_state, done))
                state = next_state
                if len(memory) > 128:
                    batch = random.choices(memory, k=128)
                    optimize(batch)
                if done:
                    break
        """,
        at=[(5, 10)],
    ),
    Valid(
        """
        import gymnasium as gym
        import numpy as np
        import torch
        from stable_baselines3.common.buffers import ReplayBuffer

        envs = gym.vector.SyncVectorEnv([lambda: gym.make("CartPole-v1")])
        rb = ReplayBuffer(
            10_000,
            envs.single_observation_space,
            envs.single_action_space,
            "cpu",
            handle_timeout_termination=False,
        )
        rb.add(obs, next_obs, actions, rewards, terminations, infos)
        data = rb.sample(128)
        """,
        why="CleanRL with SB3's ReplayBuffer",
    ),
    Valid(
        """
        import torch


        class TensorReplay:
            def __init__(self, capacity, obs_dim, device):
                self.obs = torch.zeros((capacity, obs_dim), device=device)
                self.actions = torch.zeros(capacity, dtype=torch.long, device=device)
                self.rewards = torch.zeros(capacity, device=device)
                self.ptr, self.size, self.capacity = 0, 0, capacity

            def add(self, obs, action, reward):
                self.obs[self.ptr], self.actions[self.ptr], self.rewards[self.ptr] = obs, action, reward
                self.ptr = (self.ptr + 1) % self.capacity
                self.size = min(self.size + 1, self.capacity)

            def sample(self, batch_size):
                idx = torch.randint(0, self.size, (batch_size,), device=self.obs.device)
                return self.obs[idx], self.actions[idx], self.rewards[idx]
        """,
        why="a preallocated tensor ring buffer indexed by a pointer",
    ),
    Valid(
        """
        import numpy as np
        import torch
        from collections import deque


        class PrioritizedReplay:
            def __init__(self, capacity, alpha=0.6):
                self.buffer = deque(maxlen=capacity)
                self.priorities = deque(maxlen=capacity)
                self.alpha = alpha

            def push(self, s, a, r, s2, done):
                self.buffer.append((s, a, r, s2, done))
                self.priorities.append(max(self.priorities, default=1.0))

            def sample(self, batch_size, beta=0.4):
                probs = np.array(self.priorities) ** self.alpha
                probs /= probs.sum()
                idx = np.random.choice(len(self.buffer), batch_size, p=probs)
                weights = (len(self.buffer) * probs[idx]) ** (-beta)
                return [self.buffer[i] for i in idx], idx, weights / weights.max()
        """,
        why="prioritized replay: SB3 has no equivalent",
    ),
    Valid(
        """
        import random

        import torch


        class SumTreeMemory:
            def __init__(self, capacity):
                self.tree = SumTree(capacity)
                self.data = []

            def add(self, error, sample):
                self.data.append((sample[0], sample[1], sample[2], sample[3]))
                self.tree.add(error, len(self.data) - 1)

            def sample(self, n):
                segment = self.tree.total() / n
                return [self.tree.get(random.uniform(segment * i, segment * (i + 1))) for i in range(n)]
        """,
        why="a sum-tree (prioritized) memory",
    ),
    Valid(
        """
        import random

        import numpy as np
        import torch


        def reinforce_update(policy, optimizer, env, gamma=0.99):
            trajectory = []
            obs, _ = env.reset()
            done = False
            while not done:
                action, log_prob = policy.act(obs)
                obs, reward, terminated, truncated, _ = env.step(action)
                trajectory.append((obs, action, reward, log_prob))
                done = terminated or truncated
            returns, g = [], 0.0
            for _, _, reward, _ in reversed(trajectory):
                g = reward + gamma * g
                returns.append(g)
            returns.reverse()
            loss = -sum(lp * g for (_, _, _, lp), g in zip(trajectory, returns))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            seed = random.randint(0, 2**31 - 1)
            return np.random.choice(len(returns))
        """,
        why="an on-policy trajectory read in order; the rewards list is reversed, not sampled",
    ),
    Valid(
        """
        import random

        import numpy as np
        import torch


        def ppo_epochs(rollout, minibatch_size, epochs=4):
            batch = []
            for obs, action, logp, adv, ret in rollout:
                batch.append((obs, action, logp, adv, ret))
            for _ in range(epochs):
                random.shuffle(batch)
                order = np.random.permutation(len(batch))
                for start in range(0, len(batch), minibatch_size):
                    yield [batch[i] for i in order[start : start + minibatch_size]]
        """,
        why="PPO minibatches: a rollout shuffled each epoch, not a replay buffer",
    ),
    Valid(
        """
        import random

        import torch

        pairs = []
        for image, label in loader:
            pairs.append((image, label))
        subset = random.sample(pairs, 64)

        recent = []
        recent.append((obs, action, reward, next_obs, done))
        window = recent[-32:]
        """,
        why="(input, label) pairs, and transitions read as a recent window",
    ),
    # non-ASCII names before a trailing comment: the statement's end is a character column, not a byte offset
    Invalid(
        """
        import random
        from collections import deque

        import gymnasium as gym

        env = gym.make("CartPole-v1")
        expériences_mémorisées = deque(maxlen=50_000)  # transitions
        expériences_mémorisées.append((obs, action, reward, next_obs, done))
        batch = random.sample(expériences_mémorisées, 32)
        """,
        at=[(7, 26)],
        action="""
        import random
        from collections import deque

        import gymnasium as gym
        from stable_baselines3.common.buffers import ReplayBuffer

        env = gym.make("CartPole-v1")
        expériences_mémorisées = deque(maxlen=50_000)  # transitions
        # SB3's ReplayBuffer keeps transitions in preallocated arrays and samples them uniformly:
        # rb.add(obs, next_obs, np.array(action), reward, terminated, [info]) after each step,
        # then batch = rb.sample(batch_size) (batch.observations, batch.actions, batch.rewards, ...).
        rb = ReplayBuffer(
            50_000,
            env.observation_space,
            env.action_space,
            device="cpu",
            handle_timeout_termination=False,
        )
        expériences_mémorisées.append((obs, action, reward, next_obs, done))
        batch = random.sample(expériences_mémorisées, 32)
        """,
    ),
]
