"""DQN on CartPole as the PyTorch tutorial wrote it: a ring of Transition namedtuples, RMSprop,
a target network synced every few episodes, and evaluation environments kept in a list."""

import argparse
import math
import random
from collections import namedtuple
from itertools import count

import gym
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

Transition = namedtuple("Transition", ("state", "action", "next_state", "reward"))


class ReplayMemory(object):
    def __init__(self, capacity):
        self.capacity = capacity
        self.memory = []
        self.position = 0

    def push(self, *args):
        """Saves a transition."""
        if len(self.memory) < self.capacity:
            self.memory.append(None)
        self.memory[self.position] = Transition(*args)
        self.position = (self.position + 1) % self.capacity

    def sample(self, batch_size):
        return random.sample(self.memory, batch_size)

    def __len__(self):
        return len(self.memory)


class DQN(nn.Module):
    def __init__(self, n_observations, n_actions):
        super(DQN, self).__init__()
        self.layer1 = nn.Linear(n_observations, 128)
        self.layer2 = nn.Linear(128, 128)
        self.layer3 = nn.Linear(128, n_actions)

    def forward(self, x):
        x = F.relu(self.layer1(x))
        x = F.relu(self.layer2(x))
        return self.layer3(x)


def make_env(seed):
    env = gym.make("CartPole-v0").unwrapped
    env.seed(seed)
    return env


def select_action(state, policy_net, steps_done, n_actions, args, device):
    eps_threshold = args.eps_end + (args.eps_start - args.eps_end) * math.exp(-1.0 * steps_done / args.eps_decay)
    if random.random() > eps_threshold:
        with torch.no_grad():
            return policy_net(state).max(1)[1].view(1, 1)
    return torch.tensor([[random.randrange(n_actions)]], device=device, dtype=torch.long)


def optimize_model(memory, policy_net, target_net, optimizer, args, device):
    if len(memory) < args.batch_size:
        return None
    transitions = memory.sample(args.batch_size)
    batch = Transition(*zip(*transitions))

    non_final_mask = torch.tensor(tuple(map(lambda s: s is not None, batch.next_state)), device=device, dtype=torch.bool)
    non_final_next_states = torch.cat([s for s in batch.next_state if s is not None])
    state_batch = torch.cat(batch.state)
    action_batch = torch.cat(batch.action)
    reward_batch = torch.cat(batch.reward)

    state_action_values = policy_net(state_batch).gather(1, action_batch)
    next_state_values = torch.zeros(args.batch_size, device=device)
    next_state_values[non_final_mask] = target_net(non_final_next_states).max(1)[0].detach()
    expected_state_action_values = (next_state_values * args.gamma) + reward_batch

    loss = F.smooth_l1_loss(state_action_values, expected_state_action_values.unsqueeze(1))
    optimizer.zero_grad()
    loss.backward()
    for param in policy_net.parameters():
        param.grad.data.clamp_(-1, 1)
    optimizer.step()
    return loss.item()


def evaluate(policy_net, envs, device):
    returns = []
    for env in envs:
        state = torch.tensor([env.reset()], dtype=torch.float32, device=device)
        total = 0.0
        for _ in range(500):
            with torch.no_grad():
                action = policy_net(state).max(1)[1].item()
            obs, reward, done, _ = env.step(action)
            total += reward
            if done:
                break
            state = torch.tensor([obs], dtype=torch.float32, device=device)
        returns.append(total)
    return float(np.mean(returns))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--episodes", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--gamma", type=float, default=0.999)
    parser.add_argument("--eps-start", type=float, default=0.9)
    parser.add_argument("--eps-end", type=float, default=0.05)
    parser.add_argument("--eps-decay", type=float, default=200)
    parser.add_argument("--target-update", type=int, default=10)
    args = parser.parse_args()

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    env = gym.make("CartPole-v0").unwrapped
    eval_envs = [make_env(1000 + i) for i in range(5)]
    n_actions = env.action_space.n
    n_observations = env.observation_space.shape[0]

    policy_net = DQN(n_observations, n_actions).to(device)
    target_net = DQN(n_observations, n_actions).to(device)
    target_net.load_state_dict(policy_net.state_dict())
    target_net.eval()

    optimizer = optim.RMSprop(policy_net.parameters())
    memory = ReplayMemory(10000)
    steps_done = 0

    for i_episode in range(args.episodes):
        state = torch.tensor([env.reset()], dtype=torch.float32, device=device)
        for t in count():
            action = select_action(state, policy_net, steps_done, n_actions, args, device)
            steps_done += 1
            obs, reward, done, _ = env.step(action.item())
            reward = torch.tensor([reward], device=device)
            next_state = None if done else torch.tensor([obs], dtype=torch.float32, device=device)
            memory.push(state, action, next_state, reward)
            state = next_state
            loss = optimize_model(memory, policy_net, target_net, optimizer, args, device)
            if done:
                print("episode", i_episode, "duration", t + 1, "loss", loss)
                break
        if i_episode % args.target_update == 0:
            target_net.load_state_dict(policy_net.state_dict())
            print("eval return", evaluate(policy_net, eval_envs, device))

    env.close()


if __name__ == "__main__":
    main()
