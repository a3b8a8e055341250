"""DQN on CartPole with the classic gym API and a deque replay buffer."""

import argparse
import random
from collections import deque

import gym
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class QNetwork(nn.Module):
    def __init__(self, obs_dim, n_actions):
        super().__init__()
        self.fc1 = nn.Linear(obs_dim, 128)
        self.fc2 = nn.Linear(128, 128)
        self.out = nn.Linear(128, n_actions)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.out(x)


def epsilon_at(step, start=1.0, end=0.05, decay=10_000):
    return end + (start - end) * max(0.0, 1 - step / decay)


def select_action(q_net, state, epsilon, n_actions):
    if random.random() < epsilon:
        return random.randrange(n_actions)
    with torch.no_grad():
        q_values = q_net(torch.as_tensor(state, dtype=torch.float32).unsqueeze(0))
    return int(q_values.argmax(dim=1).item())


def soft_update(target, source, tau):
    for target_param, param in zip(target.parameters(), source.parameters()):
        target_param.data.copy_(tau * param.data + (1.0 - tau) * target_param.data)


def train(args):
    env = gym.make("CartPole-v1")
    obs_dim = env.observation_space.shape[0]
    n_actions = env.action_space.n
    q_net = QNetwork(obs_dim, n_actions)
    target_net = QNetwork(obs_dim, n_actions)
    target_net.load_state_dict(q_net.state_dict())
    optimizer = torch.optim.Adam(q_net.parameters(), lr=args.lr)
    memory = deque(maxlen=args.buffer_size)

    state = env.reset()
    episode_reward = 0.0
    rewards = []
    for step in range(args.total_steps):
        action = select_action(q_net, state, epsilon_at(step), n_actions)
        next_state, reward, done, info = env.step(action)
        memory.append((state, action, reward, next_state, done))
        state = next_state
        episode_reward += reward
        if done:
            rewards.append(episode_reward)
            print(f"step {step}: episode reward {episode_reward:.1f}")
            episode_reward = 0.0
            state = env.reset()

        if len(memory) >= args.batch_size and step % args.train_frequency == 0:
            batch = random.sample(memory, args.batch_size)
            states, actions, rewards_b, next_states, dones = map(np.array, zip(*batch))
            states = torch.as_tensor(states, dtype=torch.float32)
            actions = torch.as_tensor(actions).unsqueeze(1)
            rewards_b = torch.as_tensor(rewards_b, dtype=torch.float32)
            next_states = torch.as_tensor(next_states, dtype=torch.float32)
            dones = torch.as_tensor(dones, dtype=torch.float32)
            with torch.no_grad():
                target = rewards_b + args.gamma * target_net(next_states).max(1)[0] * (1 - dones)
            q = q_net(states).gather(1, actions).squeeze(1)
            loss = F.smooth_l1_loss(q, target)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

        if step % args.target_network_frequency == 0:
            soft_update(target_net, q_net, args.tau)
    env.close()
    return rewards


def discounted(rewards, gamma):
    out, running = [], 0.0
    for r in rewards[::-1]:
        running = r + gamma * running
        out.append(running)
    return out[::-1]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--total-steps", type=int, default=50_000)
    parser.add_argument("--buffer-size", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=2.5e-4)
    parser.add_argument("--gamma", type=float, default=0.99)
    parser.add_argument("--tau", type=float, default=1.0)
    parser.add_argument("--train-frequency", type=int, default=4)
    parser.add_argument("--target-network-frequency", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    random.seed(args.seed)
    train(args)
