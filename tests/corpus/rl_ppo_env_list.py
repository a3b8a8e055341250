"""PPO on several LunarLander environments kept in a Python list and stepped one at a time."""

import argparse

import gymnasium as gym
import numpy as np
import torch
import torch.nn as nn
from torch.distributions import Categorical
from torch.utils.tensorboard import SummaryWriter


class ActorCritic(nn.Module):
    def __init__(self, obs_dim, n_actions, hidden=64):
        super().__init__()
        self.actor = nn.Sequential(nn.Linear(obs_dim, hidden), nn.Tanh(), nn.Linear(hidden, n_actions))
        self.critic = nn.Sequential(nn.Linear(obs_dim, hidden), nn.Tanh(), nn.Linear(hidden, 1))

    def act(self, obs):
        dist = Categorical(logits=self.actor(obs))
        action = dist.sample()
        return action, dist.log_prob(action), self.critic(obs).squeeze(-1)

    def evaluate(self, obs, actions):
        dist = Categorical(logits=self.actor(obs))
        return dist.log_prob(actions), dist.entropy(), self.critic(obs).squeeze(-1)


def compute_returns(rewards, dones, last_value, gamma):
    returns = []
    running = last_value
    for reward, done in zip(rewards[::-1], dones[::-1]):
        running = reward + gamma * running * (1.0 - done)
        returns.append(running)
    returns.reverse()
    return torch.stack(returns)


def collect(envs, observations, policy, horizon):
    buffer = {"obs": [], "actions": [], "logp": [], "values": [], "rewards": [], "dones": []}
    for _ in range(horizon):
        obs_t = torch.as_tensor(np.stack(observations), dtype=torch.float32)
        with torch.no_grad():
            actions, logp, values = policy.act(obs_t)
        rewards, dones = [], []
        for i, env in enumerate(envs):
            obs, reward, terminated, truncated, _ = env.step(actions[i].item())
            if terminated or truncated:
                obs, _ = env.reset()
            observations[i] = obs
            rewards.append(reward)
            dones.append(float(terminated or truncated))
        buffer["obs"].append(obs_t)
        buffer["actions"].append(actions)
        buffer["logp"].append(logp)
        buffer["values"].append(values)
        buffer["rewards"].append(torch.tensor(rewards, dtype=torch.float32))
        buffer["dones"].append(torch.tensor(dones))
    return buffer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--env-id", default="LunarLander-v3")
    parser.add_argument("--num-envs", type=int, default=8)
    parser.add_argument("--horizon", type=int, default=128)
    parser.add_argument("--updates", type=int, default=500)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--clip", type=float, default=0.2)
    parser.add_argument("--gamma", type=float, default=0.99)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    envs = [gym.make(args.env_id) for _ in range(args.num_envs)]
    observations = [env.reset(seed=args.seed + i)[0] for i, env in enumerate(envs)]
    policy = ActorCritic(envs[0].observation_space.shape[0], envs[0].action_space.n)
    optimizer = torch.optim.AdamW(policy.parameters(), lr=3e-4)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda u: min(1.0, (u + 1) / 10) * (1 - u / args.updates))
    writer = SummaryWriter()

    for update in range(args.updates):
        batch = collect(envs, observations, policy, args.horizon)
        with torch.no_grad():
            last_value = policy.critic(torch.as_tensor(np.stack(observations), dtype=torch.float32)).squeeze(-1)
        returns = compute_returns(batch["rewards"], batch["dones"], last_value, args.gamma)
        obs = torch.cat(batch["obs"])
        actions = torch.cat(batch["actions"])
        old_logp = torch.cat(batch["logp"])
        advantages = returns.flatten() - torch.cat(batch["values"])
        for _ in range(args.epochs):
            logp, entropy, values = policy.evaluate(obs, actions)
            ratio = (logp - old_logp).exp()
            clipped = ratio.clamp(1 - args.clip, 1 + args.clip)
            policy_loss = -torch.min(ratio * advantages, clipped * advantages).mean()
            value_loss = (returns.flatten() - values).pow(2).mean()
            loss = policy_loss + 0.5 * value_loss - 0.01 * entropy.mean()
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(policy.parameters(), 0.5)
            optimizer.step()
        scheduler.step()
        writer.add_scalar("charts/mean_return", returns.mean().item(), update)
    for env in envs:
        env.close()


if __name__ == "__main__":
    main()
