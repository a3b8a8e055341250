from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import os

        import numpy as np
        import torch


        def set_seed(seed: int = 42) -> None:
            os.environ["PYTHONHASHSEED"] = str(seed)
            torch.manual_seed(seed)
            torch.cuda.manual_seed_all(seed)
            np.random.seed(seed)
            torch.backends.cudnn.deterministic = True
        """,
        at=[(7, 5)],
        message="Also call random.seed with the same seed",
        fixed="""
        import os

        import numpy as np
        import torch
        import random


        def set_seed(seed: int = 42) -> None:
            os.environ["PYTHONHASHSEED"] = str(seed)
            torch.manual_seed(seed)
            torch.cuda.manual_seed_all(seed)
            np.random.seed(seed)
            random.seed(seed)
            torch.backends.cudnn.deterministic = True
        """,
    ),
    Invalid(
        '''
        """Image classification, written the way many older tutorials still do it."""

        import argparse
        import random

        import numpy as np
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        import torchvision
        import torchvision.transforms as transforms
        from torch.autograd import Variable
        from torch.utils.data import DataLoader, Dataset


        class BasicBlock(nn.Module):
            def __init__(self, channels):
                super().__init__()
                self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
                self.bn1 = nn.BatchNorm2d(channels)
                self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
                self.bn2 = nn.BatchNorm2d(channels)

            def forward(self, x):
                out = F.relu(self.bn1(self.conv1(x)))
                return F.relu(x + self.bn2(self.conv2(out)))


        class FlipDataset(Dataset):
            def __init__(self, images, labels):
                self.images = images
                self.labels = labels

            def __len__(self):
                return len(self.images)

            def __getitem__(self, index):
                image = self.images[index]
                if random.random() < 0.5:
                    image = np.fliplr(image).copy()
                return torch.from_numpy(image), self.labels[index]


        def train(args):
            np.random.seed(args.seed)
            model = torchvision.models.resnet18(num_classes=10).cuda()
            optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=1e-4)
            normalize = transforms.Normalize((0.5,), (0.5,))
            images = np.random.rand(256, 3, 32, 32).astype("float32")
            labels = np.random.randint(0, 10, size=256)
            loader = DataLoader(FlipDataset(images, labels), batch_size=32, shuffle=True)

            for epoch in range(args.epochs):
                for step, (x, y) in enumerate(loader):
                    x, y = Variable(normalize(x)).cuda(), Variable(y).to("cuda:0")
                    logits = model(x)
                    loss = F.cross_entropy(logits, y)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                    if step % 10 == 0:
                        print(f"epoch {epoch} step {step} loss {loss.data.item():.4f}")
            torch.save(model.state_dict(), "model.pt")


        if __name__ == "__main__":
            parser = argparse.ArgumentParser()
            parser.add_argument("--lr", type=float, default=1e-3)
            parser.add_argument("--epochs", type=int, default=2)
            parser.add_argument("--seed", type=int, default=0)
            train(parser.parse_args())
        ''',
        at=[(45, 5)],
        fixed='''
        """Image classification, written the way many older tutorials still do it."""

        import argparse
        import random

        import numpy as np
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        import torchvision
        import torchvision.transforms as transforms
        from torch.autograd import Variable
        from torch.utils.data import DataLoader, Dataset


        class BasicBlock(nn.Module):
            def __init__(self, channels):
                super().__init__()
                self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
                self.bn1 = nn.BatchNorm2d(channels)
                self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
                self.bn2 = nn.BatchNorm2d(channels)

            def forward(self, x):
                out = F.relu(self.bn1(self.conv1(x)))
                return F.relu(x + self.bn2(self.conv2(out)))


        class FlipDataset(Dataset):
            def __init__(self, images, labels):
                self.images = images
                self.labels = labels

            def __len__(self):
                return len(self.images)

            def __getitem__(self, index):
                image = self.images[index]
                if random.random() < 0.5:
                    image = np.fliplr(image).copy()
                return torch.from_numpy(image), self.labels[index]


        def train(args):
            np.random.seed(args.seed)
            random.seed(args.seed)
            torch.manual_seed(args.seed)
            model = torchvision.models.resnet18(num_classes=10).cuda()
            optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=1e-4)
            normalize = transforms.Normalize((0.5,), (0.5,))
            images = np.random.rand(256, 3, 32, 32).astype("float32")
            labels = np.random.randint(0, 10, size=256)
            loader = DataLoader(FlipDataset(images, labels), batch_size=32, shuffle=True)

            for epoch in range(args.epochs):
                for step, (x, y) in enumerate(loader):
                    x, y = Variable(normalize(x)).cuda(), Variable(y).to("cuda:0")
                    logits = model(x)
                    loss = F.cross_entropy(logits, y)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                    if step % 10 == 0:
                        print(f"epoch {epoch} step {step} loss {loss.data.item():.4f}")
            torch.save(model.state_dict(), "model.pt")


        if __name__ == "__main__":
            parser = argparse.ArgumentParser()
            parser.add_argument("--lr", type=float, default=1e-3)
            parser.add_argument("--epochs", type=int, default=2)
            parser.add_argument("--seed", type=int, default=0)
            train(parser.parse_args())
        ''',
    ),
    Invalid(
        """
        import random
        from dataclasses import dataclass

        import gymnasium as gym
        import numpy as np
        import torch
        import tyro


        @dataclass
        class Args:
            seed: int = 1
            total_timesteps: int = 100_000
            torch_deterministic: bool = True


        if __name__ == "__main__":
            args = tyro.cli(Args)
            # seeding
            random.seed(args.seed)
            np.random.seed(args.seed)
            torch.backends.cudnn.deterministic = args.torch_deterministic

            envs = gym.vector.SyncVectorEnv([lambda: gym.make("CartPole-v1") for _ in range(4)])
            obs, _ = envs.reset(seed=args.seed)
            for global_step in range(args.total_timesteps):
                loss = agent.loss(obs)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        """,
        at=[(20, 5)],
        fixed="""
        import random
        from dataclasses import dataclass

        import gymnasium as gym
        import numpy as np
        import torch
        import tyro


        @dataclass
        class Args:
            seed: int = 1
            total_timesteps: int = 100_000
            torch_deterministic: bool = True


        if __name__ == "__main__":
            args = tyro.cli(Args)
            # seeding
            random.seed(args.seed)
            np.random.seed(args.seed)
            torch.manual_seed(args.seed)
            torch.backends.cudnn.deterministic = args.torch_deterministic

            envs = gym.vector.SyncVectorEnv([lambda: gym.make("CartPole-v1") for _ in range(4)])
            obs, _ = envs.reset(seed=args.seed)
            for global_step in range(args.total_timesteps):
                loss = agent.loss(obs)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        """,
    ),
    Invalid(
        """
        import numpy
        import torch


        def fix_seeds(seed):
            torch.manual_seed(seed)
            if torch.cuda.is_available():
                torch.cuda.manual_seed_all(seed)
                torch.backends.cudnn.benchmark = False
        """,
        at=[(5, 5)],
        fixed="""
        import numpy
        import torch
        import random


        def fix_seeds(seed):
            torch.manual_seed(seed)
            random.seed(seed)
            numpy.random.seed(seed)
            if torch.cuda.is_available():
                torch.cuda.manual_seed_all(seed)
                torch.backends.cudnn.benchmark = False
        """,
    ),
    Invalid(
        """
        import torch
        from torch import nn


        class Trainer:
            def __init__(self, cfg, model: nn.Module):
                self.cfg = cfg
                self.model = model
                self._seed()

            def _seed(self):
                torch.manual_seed(self.cfg.seed)

            def fit(self, loader):
                optimizer = torch.optim.AdamW(self.model.parameters(), lr=self.cfg.lr)
                for batch in loader:
                    loss = self.model(batch)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
        """,
        at=[(11, 9)],
        fixed="""
        import torch
        from torch import nn
        import random
        import numpy as np


        class Trainer:
            def __init__(self, cfg, model: nn.Module):
                self.cfg = cfg
                self.model = model
                self._seed()

            def _seed(self):
                torch.manual_seed(self.cfg.seed)
                random.seed(self.cfg.seed)
                np.random.seed(self.cfg.seed)

            def fit(self, loader):
                optimizer = torch.optim.AdamW(self.model.parameters(), lr=self.cfg.lr)
                for batch in loader:
                    loss = self.model(batch)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
        """,
    ),
    Invalid(
        """
        import argparse

        import numpy as np
        import torch

        parser = argparse.ArgumentParser()
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--noise", type=float, default=0.1)
        args = parser.parse_args()
        torch.manual_seed(args.seed)

        x = torch.from_numpy(np.random.uniform(-1, 1, size=(256, 1)).astype(np.float32))
        y = x.pow(3) + args.noise * torch.randn_like(x)
        model = torch.nn.Sequential(torch.nn.Linear(1, 32), torch.nn.Tanh(), torch.nn.Linear(32, 1))
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
        for step in range(500):
            loss = torch.nn.functional.mse_loss(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        """,
        at=[(10, 1)],
        fixed="""
        import argparse

        import numpy as np
        import torch
        import random

        parser = argparse.ArgumentParser()
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--noise", type=float, default=0.1)
        args = parser.parse_args()
        torch.manual_seed(args.seed)
        random.seed(args.seed)
        np.random.seed(args.seed)

        x = torch.from_numpy(np.random.uniform(-1, 1, size=(256, 1)).astype(np.float32))
        y = x.pow(3) + args.noise * torch.randn_like(x)
        model = torch.nn.Sequential(torch.nn.Linear(1, 32), torch.nn.Tanh(), torch.nn.Linear(32, 1))
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
        for step in range(500):
            loss = torch.nn.functional.mse_loss(model(x), y)
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


        def seed_torch(seed):
            torch.manual_seed(seed)
            torch.cuda.manual_seed_all(seed)


        def seed_all(seed):
            seed_torch(seed)
            np.random.seed(seed)
        """,
        at=[(12, 5)],
        fixed="""
        import random

        import numpy as np
        import torch


        def seed_torch(seed):
            torch.manual_seed(seed)
            torch.cuda.manual_seed_all(seed)


        def seed_all(seed):
            seed_torch(seed)
            np.random.seed(seed)
            random.seed(seed)
        """,
    ),
    Invalid(
        """
        import random

        import numpy as np
        import torch


        def main(cfg):
            if cfg.seed is not None:
                random.seed(cfg.seed)
                torch.manual_seed(cfg.seed)
            model = build_model(cfg)
            for batch in loader:
                loss = model(batch)
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()


        if __name__ == "__main__":
            main(load_config())
        """,
        at=[(9, 9)],
        fixed="""
        import random

        import numpy as np
        import torch


        def main(cfg):
            if cfg.seed is not None:
                random.seed(cfg.seed)
                torch.manual_seed(cfg.seed)
                np.random.seed(cfg.seed)
            model = build_model(cfg)
            for batch in loader:
                loss = model(batch)
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()


        if __name__ == "__main__":
            main(load_config())
        """,
    ),
    Valid(
        """
        import random

        import numpy as np
        import torch


        def set_seed(seed):
            random.seed(seed)
            np.random.seed(seed)
            torch.manual_seed(seed)
            torch.cuda.manual_seed_all(seed)
        """,
        why="complete seeding",
    ),
    Valid(
        """
        import argparse

        import lightning as L
        import torch

        if __name__ == "__main__":
            parser = argparse.ArgumentParser()
            parser.add_argument("--seed", type=int, default=7)
            args = parser.parse_args()
            L.seed_everything(args.seed, workers=True)
            torch.cuda.manual_seed_all(args.seed)
            trainer = L.Trainer(max_epochs=3)
        """,
        why="lightning.seed_everything covers all three; the extra CUDA seed is harmless",
    ),
    Valid(
        """
        import random

        import numpy
        import torch
        from torch.utils.data import DataLoader


        def seed_worker(worker_id):
            worker_seed = torch.initial_seed() % 2**32
            numpy.random.seed(worker_seed)
            random.seed(worker_seed)


        g = torch.Generator()
        g.manual_seed(0)
        loader = DataLoader(train_dataset, batch_size=64, num_workers=4, worker_init_fn=seed_worker, generator=g)
        """,
        why="a DataLoader worker-init function (torch already seeds each worker)",
    ),
    Valid(
        """
        import argparse

        import numpy as np
        import torch

        if __name__ == "__main__":
            parser = argparse.ArgumentParser()
            parser.add_argument("--episodes", type=int, default=100)
            args = parser.parse_args()
            for episode in range(args.episodes):
                torch.manual_seed(episode)
                np.random.seed(episode)
                returns = evaluate(policy, env)
        """,
        why="seeds reset inside an algorithm's loop are not the run's seeding",
    ),
    Valid(
        """
        import random

        import gymnasium as gym
        import numpy as np


        class GridWorld(gym.Env):
            def __init__(self, size=8):
                self.size = size

            def seed(self, seed=None):
                random.seed(seed)
                np.random.seed(seed)
                return [seed]
        """,
        why="an environment's seed method seeds that environment, not the run",
    ),
    Invalid(
        """
        import argparse

        import torch
        import torch.nn.functional as F


        def main():
            parser = argparse.ArgumentParser(description="PyTorch MNIST Example")
            parser.add_argument("--seed", type=int, default=1, metavar="S")
            args = parser.parse_args()
            torch.manual_seed(args.seed)
            for epoch in range(1, 15):
                for data, target in train_loader:
                    loss = F.nll_loss(model(data), target)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()


        if __name__ == "__main__":
            main()

        """,
        at=[(11, 5)],
        fixed="""
        import argparse

        import torch
        import torch.nn.functional as F
        import random
        import numpy as np


        def main():
            parser = argparse.ArgumentParser(description="PyTorch MNIST Example")
            parser.add_argument("--seed", type=int, default=1, metavar="S")
            args = parser.parse_args()
            torch.manual_seed(args.seed)
            random.seed(args.seed)
            np.random.seed(args.seed)
            for epoch in range(1, 15):
                for data, target in train_loader:
                    loss = F.nll_loss(model(data), target)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()


        if __name__ == "__main__":
            main()

        """,
    ),  # the contract covers all three RNGs: torch-only seeding of an entry point fires
    Valid(
        """
        import numpy as np
        import torch
        from transformers import Trainer, TrainingArguments

        if __name__ == "__main__":
            np.random.seed(0)
            args = TrainingArguments(output_dir="out", seed=0, num_train_epochs=3)
            Trainer(model=model, args=args, train_dataset=train_dataset).train()
        """,
        why="a Trainer script seeds through TrainingArguments.seed",
    ),
    Valid(
        """
        import numpy as np
        import torch

        torch.manual_seed(0)


        def test_linear_shapes():
            layer = torch.nn.Linear(4, 2)
            assert layer(torch.randn(3, 4)).shape == (3, 2)
            assert np.allclose(layer.weight.shape, (2, 4))
        """,
        why="not an entry point (a test module)",
    ),
    Valid(
        """
        import argparse

        import numpy as np
        import torch

        from project.utils import set_seed

        if __name__ == "__main__":
            parser = argparse.ArgumentParser()
            parser.add_argument("--seed", type=int, default=0)
            args = parser.parse_args()
            set_seed(args.seed)
            torch.cuda.manual_seed_all(args.seed)
        """,
        why="a seeding function from elsewhere cannot be judged",
    ),
    Valid(
        """
        import numpy as np
        import torch


        def seeded_rng(seed):
            return np.random.default_rng(seed)


        def seed_env(env, seed):
            env.reset(seed=seed)
            env.action_space.seed(seed)
            return env
        """,
        why="functions named *seed* that seed no global generator",
    ),
    Invalid(
        """
        import random

        import numpy as np
        import torch


        def set_seed(seed):
            if seed is None:
                pass
            else: torch.manual_seed(seed)
        """,
        at=[(7, 5)],
    ),  # regression: no fix when the seed call follows `else:` (it offered one that did nothing)
    Invalid(
        """
        import argparse

        import gymnasium as gym
        import numpy as np
        import torch
        import torch.nn as nn


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--seed", type=int, default=1)
            parser.add_argument("--total-timesteps", type=int, default=100_000)
            args = parser.parse_args()
            np.random.seed(args.seed)
            torch.manual_seed(args.seed)
            env = gym.make("CartPole-v1")
            obs, _ = env.reset(seed=args.seed)
            policy = nn.Sequential(nn.Linear(4, 64), nn.Tanh(), nn.Linear(64, 2))
            optimizer = torch.optim.Adam(policy.parameters(), lr=2.5e-4)
            for step in range(args.total_timesteps):
                logits = policy(torch.as_tensor(obs, dtype=torch.float32))
                action = torch.distributions.Categorical(logits=logits).sample()
                obs, reward, terminated, truncated, _ = env.step(action.item())
                loss = -reward * torch.log_softmax(logits, -1)[action]
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                if terminated or truncated:
                    obs, _ = env.reset()


        if __name__ == "__main__":
            main()
        """,
        at=[(14, 5)],
        fixed="""
        import argparse

        import gymnasium as gym
        import numpy as np
        import torch
        import torch.nn as nn
        import random


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--seed", type=int, default=1)
            parser.add_argument("--total-timesteps", type=int, default=100_000)
            args = parser.parse_args()
            np.random.seed(args.seed)
            torch.manual_seed(args.seed)
            random.seed(args.seed)
            env = gym.make("CartPole-v1")
            obs, _ = env.reset(seed=args.seed)
            policy = nn.Sequential(nn.Linear(4, 64), nn.Tanh(), nn.Linear(64, 2))
            optimizer = torch.optim.Adam(policy.parameters(), lr=2.5e-4)
            for step in range(args.total_timesteps):
                logits = policy(torch.as_tensor(obs, dtype=torch.float32))
                action = torch.distributions.Categorical(logits=logits).sample()
                obs, reward, terminated, truncated, _ = env.step(action.item())
                loss = -reward * torch.log_softmax(logits, -1)[action]
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                if terminated or truncated:
                    obs, _ = env.reset()


        if __name__ == "__main__":
            main()
        """,
    ),  # torch and numpy seeded in a gym script that never imports random: the fix adds the import
    Valid(
        """
        import argparse
        import random

        import numpy as np
        import torch


        def set_seed(seed):
            torch.manual_seed(seed)
            torch.cuda.manual_seed_all(seed)
            np.random.seed(seed)
            random.seed(seed)


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--seed", type=int, default=1)
            args = parser.parse_args()
            set_seed(args.seed)
            generator = torch.Generator()
            generator.manual_seed(args.seed + 1)
            loader = torch.utils.data.DataLoader(range(100), shuffle=True, generator=generator)
            for epoch in range(3):
                for batch in loader:
                    loss = model(batch).mean()
                    loss.backward()
                    optimizer.step()


        if __name__ == "__main__":
            main()
        """,
        why="a complete seeding function; the DataLoader's own torch.Generator is not the run's seeding",
    ),
]
