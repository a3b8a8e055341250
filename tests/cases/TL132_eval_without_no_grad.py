from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import torch
        import torch.nn as nn


        def evaluate(model: nn.Module, loader, device):
            model.eval()
            correct = total = 0
            for images, labels in loader:
                images, labels = images.to(device), labels.to(device)
                predictions = model(images).argmax(dim=1)
                correct += (predictions == labels).sum().item()
                total += labels.numel()
            return correct / total
        """,
        at=[(8, 5)],
        fixed="""
        import torch
        import torch.nn as nn


        @torch.no_grad()
        def evaluate(model: nn.Module, loader, device):
            model.eval()
            correct = total = 0
            for images, labels in loader:
                images, labels = images.to(device), labels.to(device)
                predictions = model(images).argmax(dim=1)
                correct += (predictions == labels).sum().item()
                total += labels.numel()
            return correct / total
        """,
    ),
    Invalid(
        """
        import torch
        import torch.nn.functional as F


        def main(model, train_loader, test_loader, optimizer, epochs):
            for epoch in range(epochs):
                model.train()
                for x, y in train_loader:
                    optimizer.zero_grad()
                    F.cross_entropy(model(x), y).backward()
                    optimizer.step()

            model.eval()
            # final test accuracy
            hits = 0
            for x, y in test_loader:
                hits += (model(x).argmax(1) == y).sum().item()
            print(hits / len(test_loader.dataset))
        """,
        at=[(16, 5)],
        fixed="""
        import torch
        import torch.nn.functional as F


        def main(model, train_loader, test_loader, optimizer, epochs):
            for epoch in range(epochs):
                model.train()
                for x, y in train_loader:
                    optimizer.zero_grad()
                    F.cross_entropy(model(x), y).backward()
                    optimizer.step()

            model.eval()
            # final test accuracy
            hits = 0
            with torch.no_grad():
                for x, y in test_loader:
                    hits += (model(x).argmax(1) == y).sum().item()
            print(hits / len(test_loader.dataset))
        """,
    ),
    Invalid(
        """
        import torch
        from torch import nn


        class Trainer:
            def __init__(self, model: nn.Module, val_loader):
                self.model = model
                self.val_loader = val_loader
                self.criterion = nn.CrossEntropyLoss()

            def validate(self):
                self.model.eval()
                losses = []
                for inputs, targets in self.val_loader:
                    losses.append(self.criterion(self.model(inputs), targets).item())
                return sum(losses) / len(losses)
        """,
        at=[(14, 9)],
        fixed="""
        import torch
        from torch import nn


        class Trainer:
            def __init__(self, model: nn.Module, val_loader):
                self.model = model
                self.val_loader = val_loader
                self.criterion = nn.CrossEntropyLoss()

            @torch.no_grad()
            def validate(self):
                self.model.eval()
                losses = []
                for inputs, targets in self.val_loader:
                    losses.append(self.criterion(self.model(inputs), targets).item())
                return sum(losses) / len(losses)
        """,
    ),
    Invalid(
        """
        import torch
        import torchvision

        model = torchvision.models.resnet18(num_classes=10)
        model.load_state_dict(torch.load("checkpoint.pt", weights_only=True))
        model.eval()
        correct = 0
        for images, labels in test_loader:
            correct += (model(images).argmax(1) == labels).sum().item()
        print(f"accuracy: {correct / len(test_loader.dataset):.3f}")
        """,
        at=[(8, 1)],
        fixed="""
        import torch
        import torchvision

        model = torchvision.models.resnet18(num_classes=10)
        model.load_state_dict(torch.load("checkpoint.pt", weights_only=True))
        model.eval()
        correct = 0
        with torch.no_grad():
            for images, labels in test_loader:
                correct += (model(images).argmax(1) == labels).sum().item()
        print(f"accuracy: {correct / len(test_loader.dataset):.3f}")
        """,
    ),
    Invalid(
        """
        from torch import nn
        from transformers import AutoModelForSequenceClassification, AutoTokenizer


        def predict(texts, model_dir, batch_size=32):
            tokenizer = AutoTokenizer.from_pretrained(model_dir)
            model = AutoModelForSequenceClassification.from_pretrained(model_dir)
            labels = []
            for start in range(0, len(texts), batch_size):
                batch = tokenizer(texts[start : start + batch_size], padding=True, return_tensors="pt")
                labels += model(**batch).logits.argmax(-1).tolist()
            return labels
        """,
        at=[(9, 5)],
        fixed="""
        from torch import nn
        from transformers import AutoModelForSequenceClassification, AutoTokenizer
        import torch


        @torch.no_grad()
        def predict(texts, model_dir, batch_size=32):
            tokenizer = AutoTokenizer.from_pretrained(model_dir)
            model = AutoModelForSequenceClassification.from_pretrained(model_dir)
            labels = []
            for start in range(0, len(texts), batch_size):
                batch = tokenizer(texts[start : start + batch_size], padding=True, return_tensors="pt")
                labels += model(**batch).logits.argmax(-1).tolist()
            return labels
        """,
    ),
    Invalid(
        """
        import torch
        from tqdm import tqdm


        class Evaluator:
            @staticmethod
            def evaluate(net, loader, device):
                net.eval()
                scores = []
                for batch in tqdm(loader, desc="eval"):
                    with torch.autocast(device_type=device.type, dtype=torch.bfloat16):
                        scores.append(net(batch.to(device)).float().cpu())
                return torch.cat(scores)
        """,
        at=[(10, 9)],
        fixed="""
        import torch
        from tqdm import tqdm


        class Evaluator:
            @staticmethod
            @torch.no_grad()
            def evaluate(net, loader, device):
                net.eval()
                scores = []
                for batch in tqdm(loader, desc="eval"):
                    with torch.autocast(device_type=device.type, dtype=torch.bfloat16):
                        scores.append(net(batch.to(device)).float().cpu())
                return torch.cat(scores)
        """,
    ),
    Invalid(
        """
        import torch as th


        def run_validation(policy, env, episodes: int = 10):
            returns = []
            for episode in range(episodes):
                obs, _ = env.reset(seed=episode)
                done, total = False, 0.0
                while not done:
                    action = policy(th.as_tensor(obs).unsqueeze(0)).argmax().item()
                    obs, reward, terminated, truncated, _ = env.step(action)
                    total += reward
                    done = terminated or truncated
                returns.append(total)
            return sum(returns) / len(returns)
        """,
        at=[(6, 5)],
        fixed="""
        import torch as th


        @th.no_grad()
        def run_validation(policy, env, episodes: int = 10):
            returns = []
            for episode in range(episodes):
                obs, _ = env.reset(seed=episode)
                done, total = False, 0.0
                while not done:
                    action = policy(th.as_tensor(obs).unsqueeze(0)).argmax().item()
                    obs, reward, terminated, truncated, _ = env.step(action)
                    total += reward
                    done = terminated or truncated
                returns.append(total)
            return sum(returns) / len(returns)
        """,
    ),
    Valid(
        """
        import torch


        @torch.no_grad()
        def evaluate(model, loader):
            model.eval()
            return sum((model(x).argmax(1) == y).sum().item() for x, y in loader)


        @torch.inference_mode()
        def predict(model, loader):
            return [model(x) for x in loader]
        """,
        why="decorated",
    ),
    Valid(
        """
        import torch


        def validate(model, loader, criterion):
            model.eval()
            total = 0.0
            with torch.inference_mode():
                for x, y in loader:
                    total += criterion(model(x), y).item()
            return total / len(loader)
        """,
        why="inference_mode around the loop",
    ),
    Valid(
        """
        import torch


        def evaluate(model, loader):
            model.eval()
            correct = 0
            for x, y in loader:
                correct += (model(x).argmax(1) == y).sum().item()
            return correct


        def main(model, loaders):
            with torch.no_grad():
                accuracy = evaluate(model, loaders["val"])
            print(accuracy)
        """,
        why="the module's caller runs it under no_grad",
    ),
    Valid(
        """
        import torch


        def evaluate_saliency(model, loader):
            model.eval()
            maps = []
            for images, labels in loader:
                images.requires_grad_()
                scores = model(images).gather(1, labels[:, None]).sum()
                scores.backward()
                maps.append(images.grad.abs().amax(dim=1))
            return maps
        """,
        why="a saliency map needs gradients",
    ),
    Valid(
        """
        import torch
        import torch.nn.functional as F


        def test_robustness(model, loader, epsilon=8 / 255):
            model.eval()
            correct = 0
            for x, y in loader:
                x_adv = x.clone().requires_grad_(True)
                loss = F.cross_entropy(model(x_adv), y)
                (grad,) = torch.autograd.grad(loss, x_adv)
                x_adv = (x + epsilon * grad.sign()).clamp(0, 1)
                correct += (model(x_adv).argmax(1) == y).sum().item()
            return correct
        """,
        why="adversarial examples need gradients",
    ),
    Valid(
        """
        import torch


        def train_model(model, dataloaders, criterion, optimizer, num_epochs=25):
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
        why="set_grad_enabled decides per phase",
    ),
    Valid(
        """
        import lightning as L
        import torch


        class Classifier(L.LightningModule):
            def __init__(self, backbone):
                super().__init__()
                self.model = backbone

            def validation_step(self, batch, batch_idx):
                crops, labels = batch
                logits = 0
                for crop in crops:
                    logits = logits + self.model(crop)
                self.log("val_acc", (logits.argmax(1) == labels).float().mean())
        """,
        why="Lightning runs validation under no_grad",
    ),
    Valid(
        """
        import pytest
        import torch


        def test_model_output_shapes(model):
            for batch_size in (1, 4):
                assert model(torch.randn(batch_size, 3, 32, 32)).shape == (batch_size, 10)
        """,
        why="a unit test, not an evaluation",
    ),
    Valid(
        """
        import torch
        from contextlib import nullcontext


        def evaluate(model, loader, fast):
            context = torch.no_grad() if fast else nullcontext()
            model.eval()
            with context:
                for x, _ in loader:
                    model(x)
        """,
        why="the gradient context comes through a variable",
    ),
    Valid(
        """
        import torch


        def evaluate_policy(policy, env, episodes):
            returns = []
            for _ in range(episodes):
                obs, _ = env.reset()
                done = False
                while not done:
                    with torch.no_grad():
                        action = policy(torch.as_tensor(obs))
                    obs, reward, terminated, truncated, _ = env.step(action.argmax().item())
                    done = terminated or truncated
            return returns
        """,
        why="the model call itself is under no_grad",
    ),
]
