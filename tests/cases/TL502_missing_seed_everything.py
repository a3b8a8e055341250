from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import argparse

        import torch
        import torch.nn as nn
        from torch.utils.data import DataLoader

        from data import ShapesDataset
        from models import SmallCNN


        def parse_args():
            parser = argparse.ArgumentParser(description="train a shape classifier")
            parser.add_argument("--epochs", type=int, default=10)
            parser.add_argument("--lr", type=float, default=3e-4)
            parser.add_argument("--seed", type=int, default=1234)
            return parser.parse_args()


        def main():
            args = parse_args()
            model = SmallCNN()
            loader = DataLoader(ShapesDataset("data/train"), batch_size=64, shuffle=True, num_workers=4)
            optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
            criterion = nn.CrossEntropyLoss()
            for epoch in range(args.epochs):
                for images, labels in loader:
                    loss = criterion(model(images), labels)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()


        if __name__ == "__main__":
            main()
        """,
        at=[(25, 5)],
        message="seed_everything(seed)",
        fixed='''
        import argparse

        import torch
        import torch.nn as nn
        from torch.utils.data import DataLoader

        from data import ShapesDataset
        from models import SmallCNN
        import random
        import numpy as np


        def seed_everything(seed: int) -> None:
            """Seed Python, NumPy and PyTorch (CPU and every GPU) so that runs are reproducible."""
            random.seed(seed)
            np.random.seed(seed)
            torch.manual_seed(seed)
            torch.cuda.manual_seed_all(seed)


        def parse_args():
            parser = argparse.ArgumentParser(description="train a shape classifier")
            parser.add_argument("--epochs", type=int, default=10)
            parser.add_argument("--lr", type=float, default=3e-4)
            parser.add_argument("--seed", type=int, default=1234)
            return parser.parse_args()


        def main():
            args = parse_args()
            seed_everything(args.seed)
            model = SmallCNN()
            loader = DataLoader(ShapesDataset("data/train"), batch_size=64, shuffle=True, num_workers=4)
            optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
            criterion = nn.CrossEntropyLoss()
            for epoch in range(args.epochs):
                for images, labels in loader:
                    loss = criterion(model(images), labels)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()


        if __name__ == "__main__":
            main()
        ''',
    ),
    Invalid(
        '''
        """Train a tiny autoencoder on random features."""
        from dataclasses import dataclass

        import numpy as np
        import torch
        from torch import nn


        @dataclass
        class Config:
            epochs: int = 5
            lr: float = 1e-3


        def train(cfg: Config) -> nn.Module:
            model = nn.Sequential(nn.Linear(32, 8), nn.ReLU(), nn.Linear(8, 32))
            data = torch.from_numpy(np.random.randn(1024, 32).astype(np.float32))
            optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr)
            for epoch in range(cfg.epochs):
                for batch in data.split(64):
                    loss = nn.functional.mse_loss(model(batch), batch)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
            return model


        if __name__ == "__main__":
            # train with the defaults
            train(Config())
        ''',
        at=[(19, 5)],
        fixed='''
        """Train a tiny autoencoder on random features."""
        from dataclasses import dataclass

        import numpy as np
        import torch
        from torch import nn
        import random


        def seed_everything(seed: int) -> None:
            """Seed Python, NumPy and PyTorch (CPU and every GPU) so that runs are reproducible."""
            random.seed(seed)
            np.random.seed(seed)
            torch.manual_seed(seed)
            torch.cuda.manual_seed_all(seed)


        @dataclass
        class Config:
            epochs: int = 5
            lr: float = 1e-3


        def train(cfg: Config) -> nn.Module:
            model = nn.Sequential(nn.Linear(32, 8), nn.ReLU(), nn.Linear(8, 32))
            data = torch.from_numpy(np.random.randn(1024, 32).astype(np.float32))
            optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr)
            for epoch in range(cfg.epochs):
                for batch in data.split(64):
                    loss = nn.functional.mse_loss(model(batch), batch)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
            return model


        if __name__ == "__main__":
            seed_everything(0)
            # train with the defaults
            train(Config())
        ''',
    ),
    Invalid(
        """
        import argparse

        from torch import nn, optim

        parser = argparse.ArgumentParser()
        parser.add_argument("--steps", type=int, default=1000)
        args = parser.parse_args()

        net = nn.Linear(16, 1)
        opt = optim.SGD(net.parameters(), lr=0.01)
        step = 0
        while step < args.steps:
            x = nn.init.normal_(net.weight.new_empty(32, 16))
            loss = net(x).pow(2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
        """,
        at=[(12, 1)],
        fixed='''
        import argparse

        from torch import nn, optim
        import random
        import numpy as np
        import torch


        def seed_everything(seed: int) -> None:
            """Seed Python, NumPy and PyTorch (CPU and every GPU) so that runs are reproducible."""
            random.seed(seed)
            np.random.seed(seed)
            torch.manual_seed(seed)
            torch.cuda.manual_seed_all(seed)


        seed_everything(0)

        parser = argparse.ArgumentParser()
        parser.add_argument("--steps", type=int, default=1000)
        args = parser.parse_args()

        net = nn.Linear(16, 1)
        opt = optim.SGD(net.parameters(), lr=0.01)
        step = 0
        while step < args.steps:
            x = nn.init.normal_(net.weight.new_empty(32, 16))
            loss = net(x).pow(2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
        ''',
    ),
    Invalid(
        """
        import random

        import gymnasium as gym
        import torch


        class DQNAgent:
            def __init__(self, env):
                self.env = env
                self.q = torch.nn.Linear(env.observation_space.shape[0], env.action_space.n)
                self.optimizer = torch.optim.AdamW(self.q.parameters(), lr=1e-3)

            def act(self, obs, epsilon):
                if random.random() < epsilon:
                    return self.env.action_space.sample()
                return self.q(torch.as_tensor(obs)).argmax().item()

            def learn(self, episodes):
                for episode in range(episodes):
                    obs, _ = self.env.reset()
                    done = False
                    while not done:
                        action = self.act(obs, epsilon=0.1)
                        next_obs, reward, terminated, truncated, _ = self.env.step(action)
                        target = reward + 0.99 * self.q(torch.as_tensor(next_obs)).max().detach() * (not terminated)
                        loss = (self.q(torch.as_tensor(obs))[action] - target) ** 2
                        self.optimizer.zero_grad()
                        loss.backward()
                        self.optimizer.step()
                        obs, done = next_obs, terminated or truncated


        if __name__ == "__main__": DQNAgent(gym.make("CartPole-v1")).learn(200)
        """,
        at=[(19, 9)],
        fixed='''
        import random

        import gymnasium as gym
        import torch
        import numpy as np


        def seed_everything(seed: int) -> None:
            """Seed Python, NumPy and PyTorch (CPU and every GPU) so that runs are reproducible."""
            random.seed(seed)
            np.random.seed(seed)
            torch.manual_seed(seed)
            torch.cuda.manual_seed_all(seed)


        class DQNAgent:
            def __init__(self, env):
                self.env = env
                self.q = torch.nn.Linear(env.observation_space.shape[0], env.action_space.n)
                self.optimizer = torch.optim.AdamW(self.q.parameters(), lr=1e-3)

            def act(self, obs, epsilon):
                if random.random() < epsilon:
                    return self.env.action_space.sample()
                return self.q(torch.as_tensor(obs)).argmax().item()

            def learn(self, episodes):
                for episode in range(episodes):
                    obs, _ = self.env.reset()
                    done = False
                    while not done:
                        action = self.act(obs, epsilon=0.1)
                        next_obs, reward, terminated, truncated, _ = self.env.step(action)
                        target = reward + 0.99 * self.q(torch.as_tensor(next_obs)).max().detach() * (not terminated)
                        loss = (self.q(torch.as_tensor(obs))[action] - target) ** 2
                        self.optimizer.zero_grad()
                        loss.backward()
                        self.optimizer.step()
                        obs, done = next_obs, terminated or truncated


        if __name__ == "__main__":
            seed_everything(0)
            DQNAgent(gym.make("CartPole-v1")).learn(200)
        ''',
    ),
    Invalid(
        """
        import torch
        import typer
        from torch.utils.data import DataLoader, TensorDataset

        app = typer.Typer()


        @app.command()
        def train(epochs: int = 3, lr: float = 1e-3):
            features, targets = torch.randn(512, 8), torch.randn(512, 1)
            loader = DataLoader(TensorDataset(features, targets), batch_size=32, shuffle=True, num_workers=2)
            model = torch.nn.Linear(8, 1)
            optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
            for epoch in range(epochs):
                for x, y in loader:
                    loss = torch.nn.functional.mse_loss(model(x), y)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()


        if __name__ == "__main__":
            app()
        """,
        at=[(14, 5)],
        fixed='''
        import torch
        import typer
        from torch.utils.data import DataLoader, TensorDataset
        import random
        import numpy as np


        def seed_everything(seed: int) -> None:
            """Seed Python, NumPy and PyTorch (CPU and every GPU) so that runs are reproducible."""
            random.seed(seed)
            np.random.seed(seed)
            torch.manual_seed(seed)
            torch.cuda.manual_seed_all(seed)


        app = typer.Typer()


        @app.command()
        def train(epochs: int = 3, lr: float = 1e-3):
            features, targets = torch.randn(512, 8), torch.randn(512, 1)
            loader = DataLoader(TensorDataset(features, targets), batch_size=32, shuffle=True, num_workers=2)
            model = torch.nn.Linear(8, 1)
            optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
            for epoch in range(epochs):
                for x, y in loader:
                    loss = torch.nn.functional.mse_loss(model(x), y)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()


        if __name__ == "__main__":
            seed_everything(0)
            app()
        ''',
    ),
    Valid(
        """
        import argparse
        import random

        import numpy as np
        import torch


        def seed_everything(seed):
            random.seed(seed)
            np.random.seed(seed)
            torch.manual_seed(seed)
            torch.cuda.manual_seed_all(seed)


        if __name__ == "__main__":
            parser = argparse.ArgumentParser()
            parser.add_argument("--seed", type=int, default=0)
            args = parser.parse_args()
            seed_everything(args.seed)
            for epoch in range(10):
                for x, y in loader:
                    loss = criterion(model(x), y)
                    loss.backward()
                    optimizer.step()
                    optimizer.zero_grad()
        """,
        why="a seeding function covering all three is called",
    ),
    Valid(
        """
        import lightning as L
        import torch

        if __name__ == "__main__":
            L.seed_everything(42, workers=True)
            fabric = L.Fabric(accelerator="cpu")
            model, optimizer = fabric.setup(model, optimizer)
            for batch in fabric.setup_dataloaders(loader):
                loss = model(batch)
                fabric.backward(loss)
                optimizer.step()
                optimizer.zero_grad()
        """,
        why="lightning.seed_everything",
    ),
    Valid(
        """
        import argparse

        import torch
        from transformers import AutoConfig, AutoModelForCausalLM, set_seed


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--seed", type=int, default=17)
            args = parser.parse_args()
            set_seed(args.seed)
            model = AutoModelForCausalLM.from_config(AutoConfig.for_model("gpt2", n_layer=2))
            optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5)
            for batch in loader:
                loss = model(**batch).loss
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()


        if __name__ == "__main__":
            main()
        """,
        why="transformers.set_seed",
    ),
    Valid(
        """
        import torch
        from accelerate import Accelerator
        from accelerate.utils import set_seed as seed_all

        if __name__ == "__main__":
            seed_all(1234)
            accelerator = Accelerator()
            model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
            for batch in loader:
                with accelerator.accumulate(model):
                    loss = model(**batch).loss
                    accelerator.backward(loss)
                    optimizer.step()
                    optimizer.zero_grad()
        """,
        why="accelerate.utils.set_seed, imported under another name",
    ),
    Valid(
        """
        import torch
        from transformers import AutoModelForSequenceClassification, Trainer, TrainingArguments


        class ChunkedTrainer(Trainer):
            def training_step(self, model, inputs, num_items_in_batch=None):
                model.train()
                total = torch.zeros(())
                for chunk in split_batch(inputs, parts=2):
                    loss = self.compute_loss(model, chunk) / 2
                    loss.backward()
                    total += loss.detach()
                return total


        if __name__ == "__main__":
            args = TrainingArguments(output_dir="out", num_train_epochs=1, per_device_train_batch_size=8)
            model = AutoModelForSequenceClassification.from_pretrained("distilbert-base-uncased", num_labels=2)
            ChunkedTrainer(model=model, args=args, train_dataset=train_dataset).train()
        """,
        why="a Trainer script is seeded through TrainingArguments.seed",
    ),
    Valid(
        """
        import argparse

        import torch


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--seed", type=int, default=1)
            args = parser.parse_args()
            torch.manual_seed(args.seed)
            for epoch in range(1, 15):
                for data, target in train_loader:
                    loss = torch.nn.functional.nll_loss(model(data), target)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()


        if __name__ == "__main__":
            main()
        """,
        why="partial seeding is TL503's",
    ),
    Valid(
        """
        import torch


        def train(model, loader, optimizer, epochs):
            for epoch in range(epochs):
                for x, y in loader:
                    loss = torch.nn.functional.cross_entropy(model(x), y)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
            return model
        """,
        why="a library module: no __main__ guard, no argument parsing",
    ),
    Valid(
        """
        import argparse

        import torch


        def add_training_args(parser: argparse.ArgumentParser) -> None:
            parser.add_argument("--epochs", type=int, default=10)
            parser.add_argument("--lr", type=float, default=1e-3)


        def train(args, model, loader):
            optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
            for epoch in range(args.epochs):
                for x, y in loader:
                    loss = model(x, y)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
        """,
        why="argparse is used, but the training function is only called from elsewhere",
    ),
    Valid(
        """
        import torch
        from torch import nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))

            def forward(self, x):
                return self.body(x.flatten(1))


        def fit(net, loader, optimizer):
            for x, y in loader:
                loss = nn.functional.cross_entropy(net(x), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()


        if __name__ == "__main__":
            print(sum(p.numel() for p in Net().parameters()))
        """,
        why="the __main__ block does not train",
    ),
    Valid(
        """
        import argparse

        import gymnasium as gym
        import numpy as np
        import torch

        parser = argparse.ArgumentParser()
        parser.add_argument("--seed", type=int, default=0)
        args = parser.parse_args()

        env = gym.make("CartPole-v1")
        rng = np.random.default_rng(args.seed)
        obs, _ = env.reset(seed=args.seed)
        for update in range(1000):
            loss = policy_loss(policy, obs, rng)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        """,
        why="something is seeded (env.reset(seed=...), a seeded generator): not 'nothing at all'",
    ),
    Invalid(
        """
        import argparse

        import torch

        parser = argparse.ArgumentParser()
        parser.add_argument("--seed", type=int, default=0)
        if __name__ != "__main__":
            args = None
        else: args = parser.parse_args()
        for step in range(10):
            loss = model(x)
            loss.backward()
        """,
        at=[(10, 1)],
    ),  # regression: no fix when `args = parser.parse_args()` follows `else:` (it added an uncalled function)
    Invalid(
        """
        import argparse

        import torch
        import torch.nn as nn
        from torch.utils.data import DataLoader, random_split

        from data import CIFAR10Folder
        from models import resnet18


        def train_one_epoch(model, loader, optimizer, criterion, device):
            model.train()
            for images, labels in loader:
                images, labels = images.to(device), labels.to(device)
                optimizer.zero_grad()
                loss = criterion(model(images), labels)
                loss.backward()
                optimizer.step()


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--epochs", type=int, default=30)
            parser.add_argument("--seed", type=int, default=0)
            args = parser.parse_args()
            dataset = CIFAR10Folder("data")
            generator = torch.Generator()
            generator.manual_seed(args.seed)
            train_set, val_set = random_split(dataset, [45000, 5000], generator=generator)
            loader = DataLoader(train_set, batch_size=128, shuffle=True, num_workers=4)
            device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
            model = resnet18(num_classes=10).to(device)
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
            criterion = nn.CrossEntropyLoss()
            for epoch in range(args.epochs):
                train_one_epoch(model, loader, optimizer, criterion, device)


        if __name__ == "__main__":
            main()
        """,
        at=[(35, 5)],
        fixed='''
        import argparse

        import torch
        import torch.nn as nn
        from torch.utils.data import DataLoader, random_split

        from data import CIFAR10Folder
        from models import resnet18
        import random
        import numpy as np


        def seed_everything(seed: int) -> None:
            """Seed Python, NumPy and PyTorch (CPU and every GPU) so that runs are reproducible."""
            random.seed(seed)
            np.random.seed(seed)
            torch.manual_seed(seed)
            torch.cuda.manual_seed_all(seed)


        def train_one_epoch(model, loader, optimizer, criterion, device):
            model.train()
            for images, labels in loader:
                images, labels = images.to(device), labels.to(device)
                optimizer.zero_grad()
                loss = criterion(model(images), labels)
                loss.backward()
                optimizer.step()


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--epochs", type=int, default=30)
            parser.add_argument("--seed", type=int, default=0)
            args = parser.parse_args()
            seed_everything(args.seed)
            dataset = CIFAR10Folder("data")
            generator = torch.Generator()
            generator.manual_seed(args.seed)
            train_set, val_set = random_split(dataset, [45000, 5000], generator=generator)
            loader = DataLoader(train_set, batch_size=128, shuffle=True, num_workers=4)
            device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
            model = resnet18(num_classes=10).to(device)
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
            criterion = nn.CrossEntropyLoss()
            for epoch in range(args.epochs):
                train_one_epoch(model, loader, optimizer, criterion, device)


        if __name__ == "__main__":
            main()
        ''',
    ),  # reported at the entry point's epoch loop, not the helper's batch loop; a seeded local torch.Generator is not seeding
    Invalid(
        """
        import torch
        from torch.utils.data import DataLoader

        from dataset import SpeechCommands
        from model import KeywordSpotter


        def train_epoch(model, loader, optimizer):
            for features, labels in loader:
                loss = torch.nn.functional.cross_entropy(model(features), labels)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()


        def train(epochs):
            shuffling = torch.Generator().manual_seed(0)
            loader = DataLoader(SpeechCommands("train"), batch_size=64, shuffle=True, generator=shuffling)
            model = KeywordSpotter()
            optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
            for epoch in range(epochs):
                train_epoch(model, loader, optimizer)
                torch.save(model.state_dict(), f"kws_{epoch}.pt")


        def main():
            train(epochs=20)


        if __name__ == "__main__":
            main()
        """,
        at=[(21, 5)],
        fixed='''
        import torch
        from torch.utils.data import DataLoader

        from dataset import SpeechCommands
        from model import KeywordSpotter
        import random
        import numpy as np


        def seed_everything(seed: int) -> None:
            """Seed Python, NumPy and PyTorch (CPU and every GPU) so that runs are reproducible."""
            random.seed(seed)
            np.random.seed(seed)
            torch.manual_seed(seed)
            torch.cuda.manual_seed_all(seed)


        def train_epoch(model, loader, optimizer):
            for features, labels in loader:
                loss = torch.nn.functional.cross_entropy(model(features), labels)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()


        def train(epochs):
            shuffling = torch.Generator().manual_seed(0)
            loader = DataLoader(SpeechCommands("train"), batch_size=64, shuffle=True, generator=shuffling)
            model = KeywordSpotter()
            optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
            for epoch in range(epochs):
                train_epoch(model, loader, optimizer)
                torch.save(model.state_dict(), f"kws_{epoch}.pt")


        def main():
            train(epochs=20)


        if __name__ == "__main__":
            seed_everything(0)
            main()
        ''',
    ),  # the loop nearest the script's start that leads to training: train()'s, not train_epoch()'s
    Valid(
        """
        import argparse

        import torch
        from torch.utils.data import DataLoader, random_split

        from data import build_dataset
        from models import build_model


        def train_one_epoch(model, loader, optimizer):
            for x, y in loader:
                loss = torch.nn.functional.cross_entropy(model(x), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--seed", type=int, default=42)
            args = parser.parse_args()
            torch.manual_seed(args.seed)
            generator = torch.Generator().manual_seed(args.seed)
            train_set, _ = random_split(build_dataset(), [0.9, 0.1], generator=generator)
            model = build_model()
            optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4)
            for epoch in range(10):
                train_one_epoch(model, DataLoader(train_set, batch_size=32, shuffle=True), optimizer)


        if __name__ == "__main__":
            main()
        """,
        why="torch.manual_seed seeds the run (partial seeding is TL503's); the generator is local",
    ),
    Invalid(
        """
        import argparse
        import math
        import random
        from itertools import count

        import gym
        import torch
        import torch.nn.functional as F

        from dqn import DQN, ReplayMemory, Transition


        def make_env(seed):
            env = gym.make("CartPole-v0").unwrapped
            env.seed(seed)
            return env


        def optimize_model(memory, policy_net, target_net, optimizer, batch_size, gamma):
            if len(memory) < batch_size:
                return None
            batch = Transition(*zip(*memory.sample(batch_size)))
            state_values = policy_net(torch.cat(batch.state)).gather(1, torch.cat(batch.action))
            next_values = target_net(torch.cat(batch.next_state)).max(1)[0].detach()
            loss = F.smooth_l1_loss(state_values, (next_values * gamma + torch.cat(batch.reward)).unsqueeze(1))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            return loss.item()


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--episodes", type=int, default=300)
            args = parser.parse_args()
            env = make_env(1000)
            policy_net, target_net = DQN(4, 2), DQN(4, 2)
            optimizer = torch.optim.RMSprop(policy_net.parameters())
            memory = ReplayMemory(10000)
            for i_episode in range(args.episodes):
                state = torch.tensor([env.reset()], dtype=torch.float32)
                for t in count():
                    eps = 0.05 + 0.85 * math.exp(-t / 200)
                    action = random.randrange(2) if random.random() < eps else policy_net(state).argmax().item()
                    obs, reward, done, _ = env.step(action)
                    next_state = torch.tensor([obs], dtype=torch.float32)
                    memory.push(state, torch.tensor([[action]]), next_state, torch.tensor([reward]))
                    state = next_state
                    optimize_model(memory, policy_net, target_net, optimizer, 128, 0.999)
                    if done:
                        break


        if __name__ == "__main__":
            main()
        """,
        at=[(40, 5)],
        fixed='''
        import argparse
        import math
        import random
        from itertools import count

        import gym
        import torch
        import torch.nn.functional as F

        from dqn import DQN, ReplayMemory, Transition
        import numpy as np


        def seed_everything(seed: int) -> None:
            """Seed Python, NumPy and PyTorch (CPU and every GPU) so that runs are reproducible."""
            random.seed(seed)
            np.random.seed(seed)
            torch.manual_seed(seed)
            torch.cuda.manual_seed_all(seed)


        def make_env(seed):
            env = gym.make("CartPole-v0").unwrapped
            env.seed(seed)
            return env


        def optimize_model(memory, policy_net, target_net, optimizer, batch_size, gamma):
            if len(memory) < batch_size:
                return None
            batch = Transition(*zip(*memory.sample(batch_size)))
            state_values = policy_net(torch.cat(batch.state)).gather(1, torch.cat(batch.action))
            next_values = target_net(torch.cat(batch.next_state)).max(1)[0].detach()
            loss = F.smooth_l1_loss(state_values, (next_values * gamma + torch.cat(batch.reward)).unsqueeze(1))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            return loss.item()


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--episodes", type=int, default=300)
            args = parser.parse_args()
            env = make_env(1000)
            policy_net, target_net = DQN(4, 2), DQN(4, 2)
            optimizer = torch.optim.RMSprop(policy_net.parameters())
            memory = ReplayMemory(10000)
            for i_episode in range(args.episodes):
                state = torch.tensor([env.reset()], dtype=torch.float32)
                for t in count():
                    eps = 0.05 + 0.85 * math.exp(-t / 200)
                    action = random.randrange(2) if random.random() < eps else policy_net(state).argmax().item()
                    obs, reward, done, _ = env.step(action)
                    next_state = torch.tensor([obs], dtype=torch.float32)
                    memory.push(state, torch.tensor([[action]]), next_state, torch.tensor([reward]))
                    state = next_state
                    optimize_model(memory, policy_net, target_net, optimizer, 128, 0.999)
                    if done:
                        break


        if __name__ == "__main__":
            seed_everything(0)
            main()
        ''',
    ),  # the tutorial DQN: main's episode loop delegates the step to optimize_model; env.seed() seeds one env
    Invalid(
        """
        import gymnasium as gym
        import numpy as np
        import torch
        from torch import nn


        class Agent:
            def __init__(self, n_obs, n_actions):
                self.q = nn.Sequential(nn.Linear(n_obs, 64), nn.ReLU(), nn.Linear(64, n_actions))
                self.optimizer = torch.optim.Adam(self.q.parameters(), lr=1e-3)
                self.transitions = []

            def act(self, obs, epsilon):
                if np.random.rand() < epsilon:
                    return np.random.randint(self.q[-1].out_features)
                return self.q(torch.as_tensor(obs)).argmax().item()

            def learn(self, obs, action, reward, next_obs, done):
                target = reward + 0.99 * (1 - done) * self.q(torch.as_tensor(next_obs)).max().detach()
                loss = (self.q(torch.as_tensor(obs))[action] - target) ** 2
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()


        if __name__ == "__main__":
            env = gym.make("CartPole-v1")
            agent = Agent(4, 2)
            for episode in range(500):
                obs, _ = env.reset()
                done = False
                while not done:
                    action = agent.act(obs, epsilon=0.1)
                    next_obs, reward, terminated, truncated, _ = env.step(action)
                    done = terminated or truncated
                    agent.learn(obs, action, reward, next_obs, done)
                    obs = next_obs
        """,
        at=[(29, 5)],
        fixed='''
        import gymnasium as gym
        import numpy as np
        import torch
        from torch import nn
        import random


        def seed_everything(seed: int) -> None:
            """Seed Python, NumPy and PyTorch (CPU and every GPU) so that runs are reproducible."""
            random.seed(seed)
            np.random.seed(seed)
            torch.manual_seed(seed)
            torch.cuda.manual_seed_all(seed)


        class Agent:
            def __init__(self, n_obs, n_actions):
                self.q = nn.Sequential(nn.Linear(n_obs, 64), nn.ReLU(), nn.Linear(64, n_actions))
                self.optimizer = torch.optim.Adam(self.q.parameters(), lr=1e-3)
                self.transitions = []

            def act(self, obs, epsilon):
                if np.random.rand() < epsilon:
                    return np.random.randint(self.q[-1].out_features)
                return self.q(torch.as_tensor(obs)).argmax().item()

            def learn(self, obs, action, reward, next_obs, done):
                target = reward + 0.99 * (1 - done) * self.q(torch.as_tensor(next_obs)).max().detach()
                loss = (self.q(torch.as_tensor(obs))[action] - target) ** 2
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()


        if __name__ == "__main__":
            seed_everything(0)
            env = gym.make("CartPole-v1")
            agent = Agent(4, 2)
            for episode in range(500):
                obs, _ = env.reset()
                done = False
                while not done:
                    action = agent.act(obs, epsilon=0.1)
                    next_obs, reward, terminated, truncated, _ = env.step(action)
                    done = terminated or truncated
                    agent.learn(obs, action, reward, next_obs, done)
                    obs = next_obs
        ''',
    ),  # the __main__ block trains through agent.learn(), a method of the module's Agent
    Valid(
        """
        import argparse
        import math
        import random
        from itertools import count

        import gym
        import torch
        import torch.nn.functional as F

        from dqn import DQN, ReplayMemory, Transition


        def make_env(seed):
            env = gym.make("CartPole-v0").unwrapped
            env.seed(seed)
            return env


        def optimize_model(memory, policy_net, target_net, optimizer, batch_size, gamma):
            if len(memory) < batch_size:
                return None
            batch = Transition(*zip(*memory.sample(batch_size)))
            state_values = policy_net(torch.cat(batch.state)).gather(1, torch.cat(batch.action))
            next_values = target_net(torch.cat(batch.next_state)).max(1)[0].detach()
            loss = F.smooth_l1_loss(state_values, (next_values * gamma + torch.cat(batch.reward)).unsqueeze(1))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            return loss.item()


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--episodes", type=int, default=300)
            args = parser.parse_args()
            torch.manual_seed(0)
            env = make_env(1000)
            policy_net, target_net = DQN(4, 2), DQN(4, 2)
            optimizer = torch.optim.RMSprop(policy_net.parameters())
            memory = ReplayMemory(10000)
            for i_episode in range(args.episodes):
                state = torch.tensor([env.reset()], dtype=torch.float32)
                for t in count():
                    eps = 0.05 + 0.85 * math.exp(-t / 200)
                    action = random.randrange(2) if random.random() < eps else policy_net(state).argmax().item()
                    obs, reward, done, _ = env.step(action)
                    next_state = torch.tensor([obs], dtype=torch.float32)
                    memory.push(state, torch.tensor([[action]]), next_state, torch.tensor([reward]))
                    state = next_state
                    optimize_model(memory, policy_net, target_net, optimizer, 128, 0.999)
                    if done:
                        break


        if __name__ == "__main__":
            main()
        """,
        why="torch is seeded beside env.seed(): partial seeding is TL503's",
    ),
    Valid(
        """
        import gymnasium as gym
        import numpy as np
        import torch
        from torch import nn


        class Agent:
            def __init__(self, n_obs, n_actions):
                self.q = nn.Sequential(nn.Linear(n_obs, 64), nn.ReLU(), nn.Linear(64, n_actions))
                self.optimizer = torch.optim.Adam(self.q.parameters(), lr=1e-3)
                self.transitions = []

            def act(self, obs, epsilon):
                if np.random.rand() < epsilon:
                    return np.random.randint(self.q[-1].out_features)
                return self.q(torch.as_tensor(obs)).argmax().item()

            def learn(self, obs, action, reward, next_obs, done):
                target = reward + 0.99 * (1 - done) * self.q(torch.as_tensor(next_obs)).max().detach()
                loss = (self.q(torch.as_tensor(obs))[action] - target) ** 2
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()


        def run(env, agent, episodes):
            for episode in range(episodes):
                obs, _ = env.reset()
                done = False
                while not done:
                    action = agent.act(obs, epsilon=0.1)
                    next_obs, reward, terminated, truncated, _ = env.step(action)
                    done = terminated or truncated
                    agent.learn(obs, action, reward, next_obs, done)
                    obs = next_obs
        """,
        why="a library module: its loop delegates the step to agent.learn(), but nothing runs it as a script",
    ),
]
