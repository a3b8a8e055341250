from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F


        def train_epoch(model, loader, optimizer):
            for x, y in loader:
                optimizer.zero_grad()
                F.cross_entropy(model(x), y).backward()
                optimizer.step()


        @torch.no_grad()
        def evaluate(model, loader):
            model.eval()
            return sum((model(x).argmax(1) == y).sum().item() for x, y in loader)


        def main(train_loader, val_loader, epochs):
            model = nn.Sequential(nn.Linear(32, 64), nn.Dropout(0.3), nn.Linear(64, 10))
            optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
            for epoch in range(epochs):
                train_epoch(model, train_loader, optimizer)
                accuracy = evaluate(model, val_loader)
                print(f"epoch {epoch}: {accuracy}")
        """,
        at=[(23, 9)],
        message="Call model.train() before this step: still in eval mode from evaluate()",
        fixed="""
        import torch
        import torch.nn as nn
        import torch.nn.functional as F


        def train_epoch(model, loader, optimizer):
            for x, y in loader:
                optimizer.zero_grad()
                F.cross_entropy(model(x), y).backward()
                optimizer.step()


        @torch.no_grad()
        def evaluate(model, loader):
            model.eval()
            return sum((model(x).argmax(1) == y).sum().item() for x, y in loader)


        def main(train_loader, val_loader, epochs):
            model = nn.Sequential(nn.Linear(32, 64), nn.Dropout(0.3), nn.Linear(64, 10))
            optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
            for epoch in range(epochs):
                model.train()
                train_epoch(model, train_loader, optimizer)
                accuracy = evaluate(model, val_loader)
                print(f"epoch {epoch}: {accuracy}")
        """,
    ),
    Invalid(
        """
        import torch
        from torch import nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = nn.Sequential(nn.Linear(8, 8), nn.BatchNorm1d(8), nn.Dropout(0.1))
                self.head = nn.Linear(8, 2)

            def forward(self, x):
                return self.head(self.body(x))


        def train_epoch(net, loader, optimizer):
            net.train()
            for x, y in loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(net(x), y).backward()
                optimizer.step()


        def validate(net, loader):
            correct = 0
            with torch.no_grad():
                for x, y in loader:
                    correct += (net(x).argmax(1) == y).sum().item()
            return correct


        def main(loaders):
            net = Net()
            optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
            for epoch in range(30):
                train_epoch(net, loaders["train"], optimizer)
                print(validate(net, loaders["val"]))
        """,
        at=[(26, 9)],
        message="Call net.eval() before evaluating",
        fixed="""
        import torch
        from torch import nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = nn.Sequential(nn.Linear(8, 8), nn.BatchNorm1d(8), nn.Dropout(0.1))
                self.head = nn.Linear(8, 2)

            def forward(self, x):
                return self.head(self.body(x))


        def train_epoch(net, loader, optimizer):
            net.train()
            for x, y in loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(net(x), y).backward()
                optimizer.step()


        def validate(net, loader):
            correct = 0
            net.eval()
            with torch.no_grad():
                for x, y in loader:
                    correct += (net(x).argmax(1) == y).sum().item()
            return correct


        def main(loaders):
            net = Net()
            optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
            for epoch in range(30):
                train_epoch(net, loaders["train"], optimizer)
                print(validate(net, loaders["val"]))
        """,
    ),
    Invalid(
        """
        import torch
        from torch import nn, optim


        class Trainer:
            def __init__(self, model: nn.Module, train_loader, val_loader):
                self.model = model
                self.optimizer = optim.AdamW(model.parameters(), lr=3e-4)
                self.train_loader = train_loader
                self.val_loader = val_loader

            def train_epoch(self):
                self.model.train()
                for x, y in self.train_loader:
                    self.optimizer.zero_grad()
                    nn.functional.cross_entropy(self.model(x), y).backward()
                    self.optimizer.step()

            @torch.no_grad()
            def validate(self):
                total = 0
                for x, y in self.val_loader:
                    total += (self.model(x).argmax(1) == y).sum().item()
                return total

            def fit(self, epochs: int):
                for epoch in range(epochs):
                    self.train_epoch()
                    print(epoch, self.validate())
        """,
        at=[(22, 9)],
        fixed="""
        import torch
        from torch import nn, optim


        class Trainer:
            def __init__(self, model: nn.Module, train_loader, val_loader):
                self.model = model
                self.optimizer = optim.AdamW(model.parameters(), lr=3e-4)
                self.train_loader = train_loader
                self.val_loader = val_loader

            def train_epoch(self):
                self.model.train()
                for x, y in self.train_loader:
                    self.optimizer.zero_grad()
                    nn.functional.cross_entropy(self.model(x), y).backward()
                    self.optimizer.step()

            @torch.no_grad()
            def validate(self):
                total = 0
                self.model.eval()
                for x, y in self.val_loader:
                    total += (self.model(x).argmax(1) == y).sum().item()
                return total

            def fit(self, epochs: int):
                for epoch in range(epochs):
                    self.train_epoch()
                    print(epoch, self.validate())
        """,
    ),
    Invalid(
        """
        import torch
        import torch.nn.functional as F


        def finetune(model, train_loader, val_loader, optimizer, epochs):
            model.eval()
            with torch.no_grad():
                baseline = sum(F.cross_entropy(model(x), y).item() for x, y in val_loader)
            print(f"loss before fine-tuning: {baseline:.3f}")
            for epoch in range(epochs):
                for x, y in train_loader:
                    optimizer.zero_grad()
                    loss = F.cross_entropy(model(x), y)
                    loss.backward()
                    optimizer.step()
        """,
        at=[(14, 13)],
        message="from the eval() on line 6",
        fixed="""
        import torch
        import torch.nn.functional as F


        def finetune(model, train_loader, val_loader, optimizer, epochs):
            model.eval()
            with torch.no_grad():
                baseline = sum(F.cross_entropy(model(x), y).item() for x, y in val_loader)
            print(f"loss before fine-tuning: {baseline:.3f}")
            for epoch in range(epochs):
                model.train()
                for x, y in train_loader:
                    optimizer.zero_grad()
                    loss = F.cross_entropy(model(x), y)
                    loss.backward()
                    optimizer.step()
        """,
    ),
    Invalid(
        """
        import torch
        from torch import nn


        def evaluate(model, loader):
            model.eval()
            with torch.no_grad():
                return [model(x).argmax(1) for x, _ in loader]


        def train(model, loader, val_loader, optimizer, args):
            for epoch in range(args.epochs):
                for step, (x, y) in enumerate(loader):
                    optimizer.zero_grad()
                    loss = nn.functional.cross_entropy(model(x), y)
                    loss.backward()
                    optimizer.step()
                if epoch % args.eval_every == 0:
                    evaluate(model, val_loader)
        """,
        at=[(16, 13)],
        fixed="""
        import torch
        from torch import nn


        def evaluate(model, loader):
            model.eval()
            with torch.no_grad():
                return [model(x).argmax(1) for x, _ in loader]


        def train(model, loader, val_loader, optimizer, args):
            for epoch in range(args.epochs):
                model.train()
                for step, (x, y) in enumerate(loader):
                    optimizer.zero_grad()
                    loss = nn.functional.cross_entropy(model(x), y)
                    loss.backward()
                    optimizer.step()
                if epoch % args.eval_every == 0:
                    evaluate(model, val_loader)
        """,
    ),
    Invalid(
        """
        import torch
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(4, 16), nn.Dropout(0.2), nn.Linear(16, 3))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
        for epoch in range(20):
            for x, y in train_loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
            with torch.no_grad():
                for x, y in test_loader:
                    accuracy = (model(x).argmax(1) == y).float().mean()
        """,
        at=[(12, 9)],
        fixed="""
        import torch
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(4, 16), nn.Dropout(0.2), nn.Linear(16, 3))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
        for epoch in range(20):
            model.train()
            for x, y in train_loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
            model.eval()
            with torch.no_grad():
                for x, y in test_loader:
                    accuracy = (model(x).argmax(1) == y).float().mean()
        """,
    ),
    Invalid(
        """
        import torch
        import torch.nn.functional as F


        def run(model, train_loader, val_loader, optimizer, epochs):
            for epoch in range(epochs):
                for x, y in train_loader:
                    optimizer.zero_grad()
                    F.mse_loss(model(x), y).backward()
                    optimizer.step()
                model.eval()
                with torch.no_grad():
                    val = sum(F.mse_loss(model(x), y).item() for x, y in val_loader)
                print(epoch, val)
        """,
        at=[(9, 13)],
        message="from the eval() on line 11",
        fixed="""
        import torch
        import torch.nn.functional as F


        def run(model, train_loader, val_loader, optimizer, epochs):
            for epoch in range(epochs):
                model.train()
                for x, y in train_loader:
                    optimizer.zero_grad()
                    F.mse_loss(model(x), y).backward()
                    optimizer.step()
                model.eval()
                with torch.no_grad():
                    val = sum(F.mse_loss(model(x), y).item() for x, y in val_loader)
                print(epoch, val)
        """,
    ),
    Valid(
        # A checkpoint saved from the CPU in eval mode, then ``.to(device).train()`` resumes training.
        """
        import torch
        import torch.nn as nn


        def train(transformer, loader, optimizer, device, every):
            for epoch in range(2):
                transformer.train()
                for batch_id, (x, y) in enumerate(loader):
                    optimizer.zero_grad()
                    loss = nn.functional.mse_loss(transformer(x.to(device)), y.to(device))
                    loss.backward()
                    optimizer.step()
                    if (batch_id + 1) % every == 0:
                        transformer.eval().cpu()
                        torch.save(transformer.state_dict(), f"ckpt_{epoch}_{batch_id}.pth")
                        transformer.to(device).train()
        """
    ),
    Valid(
        """
        import torch
        import torch.nn.functional as F


        def evaluate(model, loader):
            model.eval()
            with torch.no_grad():
                return sum(F.cross_entropy(model(x), y).item() for x, y in loader)


        def main(model, loaders, optimizer, epochs):
            for epoch in range(epochs):
                model.train()
                for x, y in loaders["train"]:
                    optimizer.zero_grad()
                    F.cross_entropy(model(x), y).backward()
                    optimizer.step()
                evaluate(model, loaders["val"])
        """,
        why="model.train() at the top of the epoch loop",
    ),
    Valid(
        """
        import torch


        def train_one_epoch(model, loader, optimizer, criterion):
            model.train()
            for x, y in loader:
                optimizer.zero_grad()
                criterion(model(x), y).backward()
                optimizer.step()


        @torch.no_grad()
        def evaluate(model, loader):
            model.eval()
            return [model(x) for x, _ in loader]


        def fit(model, loaders, optimizer, criterion, epochs):
            for epoch in range(epochs):
                train_one_epoch(model, loaders["train"], optimizer, criterion)
                evaluate(model, loaders["val"])
        """,
        why="each function sets its own mode",
    ),
    Valid(
        """
        import torch


        def validate(model, loader):
            with torch.no_grad():
                for x, y in loader:
                    model(x)


        def main(model, loader, optimizer):
            for x, y in loader:
                optimizer.zero_grad()
                model(x).sum().backward()
                optimizer.step()
            model.eval()
            validate(model, loader)
        """,
        why="the caller calls model.eval() before the evaluation",
    ),
    Valid(
        """
        import torch


        def train_model(model, dataloaders, criterion, optimizer, num_epochs):
            for epoch in range(num_epochs):
                for phase in ["train", "val"]:
                    if phase == "train":
                        model.train()
                    else:
                        model.eval()
                    for inputs, labels in dataloaders[phase]:
                        optimizer.zero_grad()
                        with torch.set_grad_enabled(phase == "train"):
                            loss = criterion(model(inputs), labels)
                            if phase == "train":
                                loss.backward()
                                optimizer.step()
        """,
        why="the phase decides the mode",
    ),
    Valid(
        """
        import torch
        import torch.nn.functional as F


        def distill(student, teacher, loader, optimizer, epochs):
            teacher.eval()
            for epoch in range(epochs):
                student.train()
                for x, _ in loader:
                    with torch.no_grad():
                        target = teacher(x).softmax(-1)
                    loss = F.kl_div(student(x).log_softmax(-1), target, reduction="batchmean")
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
        """,
        why="the frozen teacher stays in eval mode on purpose",
    ),
    Valid(
        """
        import torch


        def finetune(model, loader, optimizer):
            for epoch in range(10):
                model.train()
                model.backbone.eval()  # keep the pretrained batch-norm statistics
                for x, y in loader:
                    optimizer.zero_grad()
                    torch.nn.functional.cross_entropy(model(x), y).backward()
                    optimizer.step()
        """,
        why="a submodule in eval mode during training is deliberate",
    ),
    Valid(
        """
        import lightning as L
        import torch


        class Model(L.LightningModule):
            def __init__(self, net):
                super().__init__()
                self.net = net

            def validation_step(self, batch, batch_idx):
                with torch.no_grad():
                    for view in batch:
                        self.net(view)
        """,
        why="Lightning sets eval() and train() itself",
    ),
    Valid(
        """
        import torch
        from utils import evaluate_model


        def train(model, loaders, optimizer, epochs):
            for epoch in range(epochs):
                for x, y in loaders["train"]:
                    optimizer.zero_grad()
                    torch.nn.functional.mse_loss(model(x), y).backward()
                    optimizer.step()
                model.eval()
                evaluate_model(model, loaders["val"])
        """,
        why="an imported helper may set train() again: cannot tell",
    ),
    Valid(
        """
        import torch


        def run_epoch(model, loader, optimizer, training: bool):
            model.train(training)
            with torch.set_grad_enabled(training):
                for x, y in loader:
                    loss = torch.nn.functional.mse_loss(model(x), y)
                    if training:
                        optimizer.zero_grad()
                        loss.backward()
                        optimizer.step()


        def fit(model, loaders, optimizer):
            for epoch in range(5):
                run_epoch(model, loaders["train"], optimizer, True)
                run_epoch(model, loaders["val"], optimizer, False)
        """,
        why="the mode comes from an argument",
    ),
    Valid(
        """
        import torch
        from transformers import Trainer, TrainingArguments

        trainer = Trainer(model=model, args=TrainingArguments(output_dir="out"), train_dataset=train, eval_dataset=val)
        trainer.train()
        metrics = trainer.evaluate()
        model.eval()
        with torch.no_grad():
            for batch in test_loader:
                model(**batch)
        """,
        why="Trainer code; evaluation after model.eval()",
    ),
    Valid(
        """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F


        class DQN(nn.Module):
            def __init__(self, n_obs, n_actions):
                super().__init__()
                self.body = nn.Sequential(nn.Linear(n_obs, 128), nn.ReLU(), nn.Linear(128, n_actions))

            def forward(self, x):
                return self.body(x)


        def optimize(policy_net, target_net, optimizer, batch):
            state, action, reward, next_state = batch
            with torch.no_grad():
                target = reward + 0.99 * target_net(next_state).max(1)[0]
            loss = F.smooth_l1_loss(policy_net(state).gather(1, action).squeeze(1), target)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()


        def main(batches):
            policy_net = DQN(4, 2)
            target_net = DQN(4, 2)
            target_net.load_state_dict(policy_net.state_dict())
            target_net.eval()
            optimizer = torch.optim.AdamW(policy_net.parameters(), lr=1e-3)
            for batch in batches:
                optimize(policy_net, target_net, optimizer, batch)
        """,
        why="a DQN target network: in eval mode for good, no optimizer holds its parameters",
    ),
    Valid(
        """
        import torch
        import torch.nn as nn


        class Policy(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(4, 64)
                self.fc2 = nn.Linear(64, 2)

            def forward(self, x):
                return self.fc2(torch.relu(self.fc1(x)))


        def evaluate(policy, episodes):
            returns = []
            for states in episodes:
                with torch.no_grad():
                    returns.append(policy(states).argmax(1).float().mean())
            return returns


        def main(loader, episodes):
            policy = Policy().to("cpu")
            optimizer = torch.optim.AdamW(policy.parameters())
            for epoch in range(3):
                for x, y in loader:
                    loss = torch.nn.functional.cross_entropy(policy(x), y)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                evaluate(policy, episodes)
        """,
        why="the model has no layer that computes differently in training mode",
    ),
    Invalid(
        """
        import torch
        import torch.nn as nn


        class Policy(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(4, 64)
                self.drop = nn.Dropout(0.2)
                self.fc2 = nn.Linear(64, 2)

            def forward(self, x):
                return self.fc2(self.drop(torch.relu(self.fc1(x))))


        def evaluate(policy, episodes):
            returns = []
            for states in episodes:
                with torch.no_grad():
                    returns.append(policy(states).argmax(1).float().mean())
            return returns


        def main(loader, episodes):
            policy = Policy().to("cpu")
            optimizer = torch.optim.AdamW(policy.parameters())
            for epoch in range(3):
                for x, y in loader:
                    loss = torch.nn.functional.cross_entropy(policy(x), y)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                evaluate(policy, episodes)
        """,
        at=[(18, 5)],
        fixed="""
        import torch
        import torch.nn as nn


        class Policy(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(4, 64)
                self.drop = nn.Dropout(0.2)
                self.fc2 = nn.Linear(64, 2)

            def forward(self, x):
                return self.fc2(self.drop(torch.relu(self.fc1(x))))


        def evaluate(policy, episodes):
            returns = []
            policy.eval()
            for states in episodes:
                with torch.no_grad():
                    returns.append(policy(states).argmax(1).float().mean())
            return returns


        def main(loader, episodes):
            policy = Policy().to("cpu")
            optimizer = torch.optim.AdamW(policy.parameters())
            for epoch in range(3):
                policy.train()
                for x, y in loader:
                    loss = torch.nn.functional.cross_entropy(policy(x), y)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                evaluate(policy, episodes)
        """,
    ),
]
