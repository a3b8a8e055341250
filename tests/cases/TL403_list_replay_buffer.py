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
                # TL403 scaffold: SB3's ReplayBuffer keeps transitions in preallocated arrays. Left to do: store each step with
                # self.rb.add(obs, next_obs, np.array(action), reward, terminated, [info]) instead of self.memory.append(...) (in push),
                # sample with batch = self.rb.sample(batch_size) (batch.observations, batch.actions, batch.rewards,
                # batch.next_observations, batch.dones) instead of random.sample(...) (in sample), then delete self.memory.
                self.rb = ReplayBuffer(
                    capacity,
                    env.observation_space,
                    env.action_space,
                    device="auto",
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
            # TL403 scaffold: SB3's ReplayBuffer keeps transitions in preallocated arrays. Left to do: store each step with
            # rb.add(obs, next_obs, np.array(action), reward, terminated, [info]) instead of buffer.append(...) (in train),
            # sample with batch = rb.sample(batch_size) (batch.observations, batch.actions, batch.rewards,
            # batch.next_observations, batch.dones) instead of np.random.choice(...) (in train), then delete buffer.
            rb = ReplayBuffer(
                cfg.buffer_size,
                env.observation_space,
                env.action_space,
                device="auto",
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
                # TL403 scaffold: SB3's ReplayBuffer keeps transitions in preallocated arrays. Left to do: store each step with
                # self.rb.add(obs, next_obs, np.array(action), reward, terminated, [info]) instead of self.buffer.append(...) (in store),
                # sample with batch = self.rb.sample(batch_size) (batch.observations, batch.actions, batch.rewards,
                # batch.next_observations, batch.dones) instead of random.randint(...) (in batch), then delete self.buffer.
                self.rb = ReplayBuffer(
                    capacity,
                    env.observation_space,
                    env.action_space,
                    device="auto",
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
        # TL403 scaffold: SB3's ReplayBuffer keeps transitions in preallocated arrays. Left to do: store each step with
        # rb.add(obs, next_obs, np.array(action), reward, terminated, [info]) instead of expériences_mémorisées.append(...),
        # sample with batch = rb.sample(batch_size) (batch.observations, batch.actions, batch.rewards,
        # batch.next_observations, batch.dones) instead of random.sample(...), then delete expériences_mémorisées.
        rb = ReplayBuffer(
            50_000,
            env.observation_space,
            env.action_space,
            device="auto",
            handle_timeout_termination=False,
        )
        expériences_mémorisées.append((obs, action, reward, next_obs, done))
        batch = random.sample(expériences_mémorisées, 32)
        """,
    ),
    # minimalRL: a deque that receives the transition put() gets; the file imports only random and collections
    Invalid(
        """
        import collections
        import random

        buffer_limit = 50000


        class ReplayBuffer:
            def __init__(self):
                self.buffer = collections.deque(maxlen=buffer_limit)

            def put(self, transition):
                self.buffer.append(transition)

            def sample(self, n):
                mini_batch = random.sample(self.buffer, n)
                s_lst, a_lst, r_lst, s_prime_lst, done_mask_lst = [], [], [], [], []
                for transition in mini_batch:
                    s, a, r, s_prime, done_mask = transition
                    s_lst.append(s)
                    a_lst.append([a])
                    r_lst.append([r])
                    s_prime_lst.append(s_prime)
                    done_mask_lst.append([done_mask])
                return s_lst, a_lst, r_lst, s_prime_lst, done_mask_lst

            def size(self):
                return len(self.buffer)
        """,
        at=[(9, 23)],
    ),
    # the PyTorch DQN tutorial before deques: a list filled by index as a ring
    Invalid(
        """
        import random
        from collections import namedtuple

        import gym
        import torch

        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        env = gym.make("CartPole-v0").unwrapped
        Transition = namedtuple("Transition", ("state", "action", "next_state", "reward"))


        class ReplayMemory(object):
            def __init__(self, capacity):
                self.capacity = capacity
                self.memory = []
                self.position = 0

            def push(self, *args):
                if len(self.memory) < self.capacity:
                    self.memory.append(None)
                self.memory[self.position] = Transition(*args)
                self.position = (self.position + 1) % self.capacity

            def sample(self, batch_size):
                return random.sample(self.memory, batch_size)

            def __len__(self):
                return len(self.memory)
        """,
        at=[(15, 23)],
        action="""
        import random
        from collections import namedtuple

        import gym
        import torch
        from stable_baselines3.common.buffers import ReplayBuffer

        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        env = gym.make("CartPole-v0").unwrapped
        Transition = namedtuple("Transition", ("state", "action", "next_state", "reward"))


        class ReplayMemory(object):
            def __init__(self, capacity):
                self.capacity = capacity
                self.memory = []
                # TL403 scaffold: SB3's ReplayBuffer keeps transitions in preallocated arrays. Left to do: store each step with
                # self.rb.add(obs, next_obs, np.array(action), reward, terminated, [info]) instead of self.memory[...] = ... (in push),
                # sample with batch = self.rb.sample(batch_size) (batch.observations, batch.actions, batch.rewards,
                # batch.next_observations, batch.dones) instead of random.sample(...) (in sample), then delete self.memory.
                self.rb = ReplayBuffer(
                    capacity,
                    env.observation_space,
                    env.action_space,
                    device=device,
                    handle_timeout_termination=False,
                )
                self.position = 0

            def push(self, *args):
                if len(self.memory) < self.capacity:
                    self.memory.append(None)
                self.memory[self.position] = Transition(*args)
                self.position = (self.position + 1) % self.capacity

            def sample(self, batch_size):
                return random.sample(self.memory, batch_size)

            def __len__(self):
                return len(self.memory)
        """,
    ),
    # OpenAI baselines: a name bound to the transition, appended or written over, random indices
    Invalid(
        """
        import random

        import numpy as np


        class ReplayBuffer(object):
            def __init__(self, size):
                self._storage = []
                self._maxsize = size
                self._next_idx = 0

            def __len__(self):
                return len(self._storage)

            def add(self, obs_t, action, reward, obs_tp1, done):
                data = (obs_t, action, reward, obs_tp1, done)
                if self._next_idx >= len(self._storage):
                    self._storage.append(data)
                else:
                    self._storage[self._next_idx] = data
                self._next_idx = (self._next_idx + 1) % self._maxsize

            def _encode_sample(self, idxes):
                obses_t, actions, rewards, obses_tp1, dones = [], [], [], [], []
                for i in idxes:
                    obs_t, action, reward, obs_tp1, done = self._storage[i]
                    obses_t.append(np.array(obs_t, copy=False))
                    actions.append(np.array(action, copy=False))
                    rewards.append(reward)
                    obses_tp1.append(np.array(obs_tp1, copy=False))
                    dones.append(done)
                return np.array(obses_t), np.array(actions), np.array(rewards), np.array(obses_tp1), np.array(dones)

            def sample(self, batch_size):
                idxes = [random.randint(0, len(self._storage) - 1) for _ in range(batch_size)]
                return self._encode_sample(idxes)
        """,
        at=[(8, 25)],
    ),
    # Udacity's DQN agent: a namedtuple factory on self, an instance bound to a name
    Invalid(
        """
        import random
        from collections import deque, namedtuple

        import numpy as np
        import torch


        class ReplayBuffer:
            def __init__(self, action_size, buffer_size, batch_size, seed):
                self.action_size = action_size
                self.memory = deque(maxlen=buffer_size)
                self.batch_size = batch_size
                self.experience = namedtuple("Experience", field_names=["state", "action", "reward", "next_state", "done"])
                self.seed = random.seed(seed)

            def add(self, state, action, reward, next_state, done):
                e = self.experience(state, action, reward, next_state, done)
                self.memory.append(e)

            def sample(self):
                experiences = random.sample(self.memory, k=self.batch_size)
                states = torch.from_numpy(np.vstack([e.state for e in experiences if e is not None])).float()
                return states
        """,
        at=[(11, 23)],
    ),
    # a dataclass transition, a preallocated ring of slots, sampled with numpy
    Invalid(
        """
        from dataclasses import dataclass

        import numpy as np


        @dataclass(frozen=True)
        class Step:
            obs: np.ndarray
            action: int
            reward: float
            next_obs: np.ndarray
            done: bool


        class Memory:
            def __init__(self, capacity=10_000):
                self.slots = [None] * capacity
                self.steps = []
                self.cursor, self.count = 0, 0

            def remember(self, obs, action, reward, next_obs, done):
                self.slots[self.cursor] = (obs, action, reward, next_obs, done)
                self.steps.append(Step(obs, action, reward, next_obs, done))
                self.cursor = (self.cursor + 1) % len(self.slots)
                self.count = min(self.count + 1, len(self.slots))

            def minibatch(self, n):
                picked = np.random.choice(self.count, n) % len(self.slots)
                recent = [self.steps[i] for i in np.random.randint(0, len(self.steps), size=n)]
                return [self.slots[i] for i in picked], recent
        """,
        at=[(17, 22), (18, 22)],
    ),
    Valid(
        """
        import random

        import torch


        class ImagePool:
            def __init__(self, pool_size):
                self.pool_size = pool_size
                self.images = []

            def add(self, image):
                self.images.append(image.detach())

            def push(self, batch):
                self.images.append(batch)

            def query(self, n):
                return torch.cat(random.sample(self.images, n))
        """,
        why="a GAN's image history pool: one value pushed, but no reinforcement learning anywhere",
    ),
    Valid(
        """
        import random
        from dataclasses import dataclass

        import gymnasium as gym
        import numpy as np


        @dataclass
        class Pair:
            image: np.ndarray
            label: int


        class EpisodeMemory:
            def __init__(self):
                self.episodes = []
                self.states, self.rewards = [], []
                self.pairs = []

            def add_episode(self, episode):
                self.episodes.append(episode)

            def store(self, state, reward):
                self.states.append(state)
                self.rewards.append(reward)

            def add(self, image, label):
                self.pairs.append(Pair(image, label))

            def sample(self, n):
                idx = np.random.choice(len(self.states), n)
                return random.sample(self.episodes, n), idx, random.sample(self.pairs, n)
        """,
        why="episodes for a recurrent agent, per-field lists, and two-field pairs are not transition tuples",
    ),
    # a list filled up to its capacity, indexed by a generator's draw that never names the list
    Invalid(
        """
        import numpy as np


        class Memory:
            def __init__(self, capacity):
                self.memory = []
                self.capacity = capacity
                self.size = 0
                self.rng = np.random.default_rng(0)

            def store(self, state, action, reward, next_state, done):
                if self.size < self.capacity:
                    self.memory.append((state, action, reward, next_state, done))
                self.size = min(self.size + 1, self.capacity)

            def sample(self, batch_size):
                idx = self.rng.integers(0, self.size, size=batch_size)
                return [self.memory[i] for i in idx]
        """,
        at=[(6, 23)],
    ),
    Valid(
        """
        import random

        records = []
        for line in open("people.csv"):
            name, age, city, score = line.strip().split(",")
            records.append((name, age, city, score))
        print(random.sample(records, 10))
        """,
        why="four-field records sampled at random in a module that does no reinforcement learning",
    ),
    Valid(
        """
        import random

        import numpy as np


        class RolloutStorage:
            def __init__(self):
                self.steps = []
                self.actions = [0, 1, 2]

            def add(self, obs, action, reward, done):
                self.steps.append((obs, action, reward, done))

            def explore(self):
                pick = random.randrange(len(self.actions))
                return self.actions[pick]

            def returns(self, gamma):
                out, running = [], 0.0
                for obs, action, reward, done in reversed(self.steps):
                    running = reward + gamma * running * (1.0 - done)
                    out.append(running)
                return np.array(out[::-1])
        """,
        why="the transitions are read in order; the random draw indexes another list",
    ),
]
