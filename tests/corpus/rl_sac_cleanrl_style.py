"""SAC in the CleanRL style: vector env, SB3 replay buffer, complete seeding, TensorBoard."""

import argparse
import random
import time

import gymnasium as gym
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from stable_baselines3.common.buffers import ReplayBuffer
from torch.utils.tensorboard import SummaryWriter


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--env-id", default="Pendulum-v1")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--num-envs", type=int, default=4)
    parser.add_argument("--total-timesteps", type=int, default=100_000)
    parser.add_argument("--buffer-size", type=int, default=1_000_000)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--learning-starts", type=int, default=5_000)
    parser.add_argument("--policy-frequency", type=int, default=2)
    parser.add_argument("--target-network-frequency", type=int, default=1)
    parser.add_argument("--gamma", type=float, default=0.99)
    parser.add_argument("--tau", type=float, default=0.005)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    return parser.parse_args()


class SoftQNetwork(nn.Module):
    def __init__(self, obs_dim, act_dim):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(obs_dim + act_dim, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 1))

    def forward(self, obs, act):
        return self.net(torch.cat([obs, act], dim=1))


class Actor(nn.Module):
    def __init__(self, obs_dim, act_dim, action_scale):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(obs_dim, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU())
        self.mean = nn.Linear(256, act_dim)
        self.log_std = nn.Linear(256, act_dim)
        self.register_buffer("action_scale", torch.as_tensor(action_scale, dtype=torch.float32))

    def get_action(self, obs):
        h = self.trunk(obs)
        mean, log_std = self.mean(h), self.log_std(h).clamp(-5, 2)
        normal = torch.distributions.Normal(mean, log_std.exp())
        x = normal.rsample()
        y = torch.tanh(x)
        log_prob = (normal.log_prob(x) - torch.log(self.action_scale * (1 - y.pow(2)) + 1e-6)).sum(1, keepdim=True)
        return y * self.action_scale, log_prob


def main():
    args = parse_args()
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    device = torch.device(args.device)
    writer = SummaryWriter(f"runs/sac_{args.env_id}_{int(time.time())}")

    envs = gym.make_vec(args.env_id, num_envs=args.num_envs, vectorization_mode="sync")
    obs_dim = envs.single_observation_space.shape[0]
    act_dim = envs.single_action_space.shape[0]
    actor = Actor(obs_dim, act_dim, envs.single_action_space.high).to(device)
    qf1, qf2 = SoftQNetwork(obs_dim, act_dim).to(device), SoftQNetwork(obs_dim, act_dim).to(device)
    qf1_target, qf2_target = SoftQNetwork(obs_dim, act_dim).to(device), SoftQNetwork(obs_dim, act_dim).to(device)
    qf1_target.load_state_dict(qf1.state_dict())
    qf2_target.load_state_dict(qf2.state_dict())
    q_optimizer = torch.optim.AdamW(list(qf1.parameters()) + list(qf2.parameters()), lr=1e-3)
    actor_optimizer = torch.optim.AdamW(actor.parameters(), lr=3e-4)
    alpha = 0.2
    rb = ReplayBuffer(
        args.buffer_size,
        envs.single_observation_space,
        envs.single_action_space,
        device,
        n_envs=args.num_envs,
        handle_timeout_termination=False,
    )

    obs, _ = envs.reset(seed=args.seed)
    for global_step in range(args.total_timesteps):
        if global_step < args.learning_starts:
            actions = envs.action_space.sample()
        else:
            with torch.no_grad():
                actions, _ = actor.get_action(torch.as_tensor(obs, dtype=torch.float32, device=device))
            actions = actions.cpu().numpy()
        next_obs, rewards, terminations, truncations, infos = envs.step(actions)
        rb.add(obs, next_obs, actions, rewards, terminations, infos)
        obs = next_obs
        if global_step <= args.learning_starts:
            continue
        data = rb.sample(args.batch_size)
        with torch.no_grad():
            next_actions, next_log_pi = actor.get_action(data.next_observations)
            min_q = torch.min(qf1_target(data.next_observations, next_actions), qf2_target(data.next_observations, next_actions))
            target = data.rewards.flatten() + (1 - data.dones.flatten()) * args.gamma * (min_q - alpha * next_log_pi).view(-1)
        qf_loss = F.mse_loss(qf1(data.observations, data.actions).view(-1), target) + F.mse_loss(qf2(data.observations, data.actions).view(-1), target)
        q_optimizer.zero_grad()
        qf_loss.backward()
        q_optimizer.step()
        if global_step % args.policy_frequency == 0:
            pi, log_pi = actor.get_action(data.observations)
            actor_loss = (alpha * log_pi - torch.min(qf1(data.observations, pi), qf2(data.observations, pi))).mean()
            actor_optimizer.zero_grad()
            actor_loss.backward()
            actor_optimizer.step()
        if global_step % args.target_network_frequency == 0:
            for param, target_param in zip(qf1.parameters(), qf1_target.parameters()):
                target_param.data.copy_(args.tau * param.data + (1 - args.tau) * target_param.data)
        if global_step % 100 == 0:
            writer.add_scalar("losses/qf_loss", qf_loss.item(), global_step)
    envs.close()
    writer.close()


if __name__ == "__main__":
    main()
