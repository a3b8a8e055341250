from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import torch
        import torch.nn as nn
        from torch import optim
        from torch.utils.data import DataLoader, TensorDataset

        model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 2))
        optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        criterion = nn.CrossEntropyLoss()
        loader = DataLoader(TensorDataset(torch.randn(64, 16), torch.randint(0, 2, (64,))), batch_size=8)

        for epoch in range(10):
            for inputs, targets in loader:
                loss = criterion(model(inputs), targets)
                # backpropagate
                loss.backward()
                optimizer.step()
            print(f"epoch {epoch}: {loss.item():.3f}")
        """,
        at=[(16, 9)],
        message="optimizer.zero_grad(set_to_none=True)",
        fixed="""
        import torch
        import torch.nn as nn
        from torch import optim
        from torch.utils.data import DataLoader, TensorDataset

        model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 2))
        optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        criterion = nn.CrossEntropyLoss()
        loader = DataLoader(TensorDataset(torch.randn(64, 16), torch.randint(0, 2, (64,))), batch_size=8)

        for epoch in range(10):
            for inputs, targets in loader:
                loss = criterion(model(inputs), targets)
                # backpropagate
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
            print(f"epoch {epoch}: {loss.item():.3f}")
        """,
    ),
    Invalid(
        """
        import argparse

        import torch
        import torch.nn.functional as F


        def train_epoch(model, loader, optimizer, device):
            model.train()
            for images, labels in loader:
                images, labels = images.to(device), labels.to(device)
                logits = model(images)
                loss = F.cross_entropy(logits, labels)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()


        def main(args):
            model = torch.hub.load("pytorch/vision", "resnet18", num_classes=10)
            optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
            for epoch in range(args.epochs):
                train_epoch(model, args.loader, optimizer, args.device)


        if __name__ == "__main__":
            parser = argparse.ArgumentParser()
            parser.add_argument("--lr", type=float, default=3e-4)
            main(parser.parse_args())
        """,
        at=[(15, 9)],
        fixed="""
        import argparse

        import torch
        import torch.nn.functional as F


        def train_epoch(model, loader, optimizer, device):
            model.train()
            for images, labels in loader:
                images, labels = images.to(device), labels.to(device)
                logits = model(images)
                loss = F.cross_entropy(logits, labels)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()


        def main(args):
            model = torch.hub.load("pytorch/vision", "resnet18", num_classes=10)
            optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
            for epoch in range(args.epochs):
                train_epoch(model, args.loader, optimizer, args.device)


        if __name__ == "__main__":
            parser = argparse.ArgumentParser()
            parser.add_argument("--lr", type=float, default=3e-4)
            main(parser.parse_args())
        """,
    ),
    Invalid(
        """
        import torch
        import torch.nn as nn
        import torch.optim as optim

        netG = nn.Sequential(nn.Linear(100, 784), nn.Tanh())
        netD = nn.Sequential(nn.Linear(784, 1), nn.Sigmoid())
        criterion = nn.BCELoss()
        optimizerD = optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
        optimizerG = optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))

        for epoch in range(25):
            for real, _ in dataloader:
                netD.zero_grad()
                errD_real = criterion(netD(real), torch.ones(real.size(0), 1))
                errD_real.backward()
                fake = netG(torch.randn(real.size(0), 100))
                errD_fake = criterion(netD(fake.detach()), torch.zeros(real.size(0), 1))
                errD_fake.backward()
                optimizerD.step()

                errG = criterion(netD(fake), torch.ones(real.size(0), 1))
                errG.backward()
                optimizerG.step()
        """,
        at=[(23, 9)],
        message="optimizerG.zero_grad",
        fixed="""
        import torch
        import torch.nn as nn
        import torch.optim as optim

        netG = nn.Sequential(nn.Linear(100, 784), nn.Tanh())
        netD = nn.Sequential(nn.Linear(784, 1), nn.Sigmoid())
        criterion = nn.BCELoss()
        optimizerD = optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
        optimizerG = optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))

        for epoch in range(25):
            for real, _ in dataloader:
                netD.zero_grad()
                errD_real = criterion(netD(real), torch.ones(real.size(0), 1))
                errD_real.backward()
                fake = netG(torch.randn(real.size(0), 100))
                errD_fake = criterion(netD(fake.detach()), torch.zeros(real.size(0), 1))
                errD_fake.backward()
                optimizerD.step()

                errG = criterion(netD(fake), torch.ones(real.size(0), 1))
                optimizerG.zero_grad(set_to_none=True)
                errG.backward()
                optimizerG.step()
        """,
    ),
    Invalid(
        """
        import torch
        from torch import nn


        def train(model: nn.Module, loader, accum_steps: int = 4):
            optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
            optimizer.zero_grad()
            for step, (x, y) in enumerate(loader):
                loss = nn.functional.mse_loss(model(x), y) / accum_steps
                loss.backward()
                if (step + 1) % accum_steps == 0:
                    optimizer.step()
        """,
        at=[(12, 13)],
        message="right after optimizer.step()",
    ),
    Invalid(
        """
        import torch

        gradient_accumulation_steps = 8


        def pretrain(model, optimizer, get_batch, max_iters):
            scaler = torch.amp.GradScaler("cuda")
            for it in range(max_iters):
                for micro_step in range(gradient_accumulation_steps):
                    x, y = get_batch("train")
                    with torch.autocast("cuda", dtype=torch.bfloat16):
                        _, loss = model(x, y)
                    scaler.scale(loss / gradient_accumulation_steps).backward()
                scaler.unscale_(optimizer)
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                scaler.step(optimizer)
                scaler.update()
        """,
        at=[(16, 9)],
        fixed="""
        import torch

        gradient_accumulation_steps = 8


        def pretrain(model, optimizer, get_batch, max_iters):
            scaler = torch.amp.GradScaler("cuda")
            for it in range(max_iters):
                optimizer.zero_grad(set_to_none=True)
                for micro_step in range(gradient_accumulation_steps):
                    x, y = get_batch("train")
                    with torch.autocast("cuda", dtype=torch.bfloat16):
                        _, loss = model(x, y)
                    scaler.scale(loss / gradient_accumulation_steps).backward()
                scaler.unscale_(optimizer)
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                scaler.step(optimizer)
                scaler.update()
        """,
    ),
    Invalid(
        """
        import torch
        import torch.nn as nn


        class Trainer:
            def __init__(self, model: nn.Module, lr: float):
                self.model = model
                self.optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
                self.criterion = nn.CrossEntropyLoss()

            def train_step(self, batch):
                inputs, targets = batch
                loss = self.criterion(self.model(inputs), targets)
                loss.backward()
                self.optimizer.step()
                return loss.item()

            def fit(self, loader, epochs: int):
                for epoch in range(epochs):
                    for batch in loader:
                        self.train_step(batch)
        """,
        at=[(15, 9)],
        message="self.optimizer.zero_grad",
        fixed="""
        import torch
        import torch.nn as nn


        class Trainer:
            def __init__(self, model: nn.Module, lr: float):
                self.model = model
                self.optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
                self.criterion = nn.CrossEntropyLoss()

            def train_step(self, batch):
                inputs, targets = batch
                loss = self.criterion(self.model(inputs), targets)
                self.optimizer.zero_grad(set_to_none=True)
                loss.backward()
                self.optimizer.step()
                return loss.item()

            def fit(self, loader, epochs: int):
                for epoch in range(epochs):
                    for batch in loader:
                        self.train_step(batch)
        """,
    ),
    Invalid(
        """
        import torch
        from torch import nn, optim

        policy = nn.Sequential(nn.Linear(4, 64), nn.Tanh(), nn.Linear(64, 2))
        opt = optim.Adam(policy.parameters(), lr=1e-3)
        opt.zero_grad()  # once, before training: not enough
        for update in range(1000):
            logp = policy(torch.randn(32, 4)).log_softmax(-1)[:, 0]
            loss = -(logp * torch.randn(32)).mean()
            loss.backward(); opt.step()
        """,
        at=[(10, 22)],
        message="opt.zero_grad(set_to_none=True)",
    ),
    Valid(
        """
        import torch
        from torch import nn, optim

        model = nn.Linear(8, 1)
        optimizer = optim.SGD(model.parameters(), lr=0.01)
        for epoch in range(5):
            for x, y in loader:
                optimizer.zero_grad(set_to_none=True)
                loss = nn.functional.mse_loss(model(x), y)
                loss.backward()
                optimizer.step()
        """,
        why="zeroed in the loop",
    ),
    Valid(
        """
        import torch
        from torch import nn


        def train(model: nn.Module, loader, optimizer, accum_steps: int):
            for step, (x, y) in enumerate(loader):
                loss = nn.functional.cross_entropy(model(x), y) / accum_steps
                loss.backward()
                if (step + 1) % accum_steps == 0:
                    optimizer.step()
                    optimizer.zero_grad()
        """,
        why="accumulation: zeroed under the modulo guard, after the step",
    ),
    Valid(
        """
        import torch

        for iteration in range(max_iters):
            optimizer.zero_grad(set_to_none=True)
            for micro_step in range(accumulation_steps):
                loss = model(*next(batches)) / accumulation_steps
                loss.backward()
            optimizer.step()
        """,
        why="accumulation over micro-batches: zeroed in the outer loop",
    ),
    Valid(
        """
        import torch
        import torch.nn as nn


        def reset_gradients(model: nn.Module) -> None:
            for param in model.parameters():
                param.grad = None


        def train(model, loader, optimizer, criterion):
            for inputs, targets in loader:
                reset_gradients(model)
                loss = criterion(model(inputs), targets)
                loss.backward()
                optimizer.step()
        """,
        why="a helper the loop calls zeroes the gradients",
    ),
    Valid(
        """
        import torch
        from torch import optim

        params = torch.zeros(10, requires_grad=True)
        optimizer = optim.LBFGS([params], lr=1.0, max_iter=20)
        for step in range(50):
            def closure():
                optimizer.zero_grad()
                loss = ((params - target) ** 2).sum()
                loss.backward()
                return loss

            optimizer.step(closure)
        """,
        why="LBFGS steps through a closure that zeroes",
    ),
    Valid(
        """
        import lightning as L
        import torch


        class Model(L.LightningModule):
            def __init__(self, net):
                super().__init__()
                self.net = net
                self.automatic_optimization = False

            def training_step(self, batch, batch_idx):
                opt = self.optimizers()
                for chunk in batch.split(8):
                    loss = self.net(chunk).mean()
                    loss.backward()
                    opt.step()

            def configure_optimizers(self):
                return torch.optim.AdamW(self.parameters(), lr=1e-3)
        """,
        why="Lightning code: the framework owns the loop",
    ),
    Valid(
        """
        import torch
        import torch.nn as nn
        import torch.optim as optim

        for epoch in range(niter):
            for i, data in enumerate(dataloader):
                netD.zero_grad()
                errD = criterion(netD(data[0]), real_label)
                errD.backward()
                optimizerD.step()
                netG.zero_grad()
                errG = criterion(netD(netG(noise)), real_label)
                errG.backward()
                optimizerG.step()
        """,
        why="DCGAN style: each model is zeroed with model.zero_grad()",
    ),
    Valid(
        """
        import torch


        def train_step(model, batch, optimizer):
            loss = model(**batch).loss
            loss.backward()
            optimizer.step()
            return loss.detach()


        def fit(model, loader, optimizer, epochs):
            for epoch in range(epochs):
                for batch in loader:
                    optimizer.zero_grad()
                    train_step(model, batch, optimizer)
        """,
        why="the caller's loop zeroes before calling the training step",
    ),
    Valid(
        """
        import torch
        from transformers import Trainer


        class WeightedTrainer(Trainer):
            def training_step(self, model, inputs, num_items_in_batch=None):
                for micro in self.split(inputs):
                    loss = self.compute_loss(model, micro)
                    loss.backward()
                    self.optimizer.step()
                return loss.detach()
        """,
        why="Hugging Face Trainer code: the Trainer zeroes",
    ),
    Valid(
        """
        from torch import nn


        def train(model, loader, optimizer):
            for x, y in loader:
                loss = nn.functional.mse_loss(model(x), y)
                loss.backward()
                optimizer.step()
                for param in model.parameters():
                    param.grad.zero_()
        """,
        why="the gradients are zeroed in place",
    ),
]
