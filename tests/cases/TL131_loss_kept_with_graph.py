from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import torch
        import torch.nn as nn


        def train_epoch(model, loader, optimizer, criterion):
            model.train()
            total_loss = 0.0
            for inputs, targets in loader:
                optimizer.zero_grad()
                loss = criterion(model(inputs), targets)
                loss.backward()
                optimizer.step()
                total_loss += loss  # summed for the epoch average
            return total_loss / len(loader)
        """,
        at=[(13, 23)],
        message="loss.detach()",
        fixed="""
        import torch
        import torch.nn as nn


        def train_epoch(model, loader, optimizer, criterion):
            model.train()
            total_loss = 0.0
            for inputs, targets in loader:
                optimizer.zero_grad()
                loss = criterion(model(inputs), targets)
                loss.backward()
                optimizer.step()
                total_loss += loss.detach()  # summed for the epoch average
            return total_loss / len(loader)
        """,
    ),
    Invalid(
        """
        import torch
        import torch.nn.functional as F

        running_loss = 0.0
        for epoch in range(epochs):
            for images, labels in train_loader:
                optimizer.zero_grad(set_to_none=True)
                loss = F.cross_entropy(net(images), labels)
                loss.backward()
                optimizer.step()
                running_loss = running_loss + loss * images.size(0)
        """,
        at=[(11, 39)],
        message="(loss * images.size(0)).detach()",
        fixed="""
        import torch
        import torch.nn.functional as F

        running_loss = 0.0
        for epoch in range(epochs):
            for images, labels in train_loader:
                optimizer.zero_grad(set_to_none=True)
                loss = F.cross_entropy(net(images), labels)
                loss.backward()
                optimizer.step()
                running_loss = running_loss + (loss * images.size(0)).detach()
        """,
    ),
    Invalid(
        """
        import torch
        from torch import nn


        class Trainer:
            def __init__(self, model: nn.Module, optimizer):
                self.model = model
                self.optimizer = optimizer
                self.criterion = nn.MSELoss()
                self.history = []

            def fit(self, loader, epochs):
                for epoch in range(epochs):
                    for x, y in loader:
                        self.optimizer.zero_grad()
                        loss = self.criterion(self.model(x), y)
                        loss.backward()
                        self.optimizer.step()
                        self.history.append(loss)
        """,
        at=[(19, 37)],
        fixed="""
        import torch
        from torch import nn


        class Trainer:
            def __init__(self, model: nn.Module, optimizer):
                self.model = model
                self.optimizer = optimizer
                self.criterion = nn.MSELoss()
                self.history = []

            def fit(self, loader, epochs):
                for epoch in range(epochs):
                    for x, y in loader:
                        self.optimizer.zero_grad()
                        loss = self.criterion(self.model(x), y)
                        loss.backward()
                        self.optimizer.step()
                        self.history.append(loss.detach())
        """,
    ),
    Invalid(
        """
        import torch
        from transformers import AutoModelForSequenceClassification

        model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased", num_labels=2)
        optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5)
        epoch_loss = 0.0
        for batch in train_dataloader:
            outputs = model(**batch)
            outputs.loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            epoch_loss += outputs.loss
        """,
        at=[(12, 19)],
        fixed="""
        import torch
        from transformers import AutoModelForSequenceClassification

        model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased", num_labels=2)
        optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5)
        epoch_loss = 0.0
        for batch in train_dataloader:
            outputs = model(**batch)
            outputs.loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            epoch_loss += outputs.loss.detach()
        """,
    ),
    Invalid(
        """
        import torch
        import torch.nn as nn


        def train(model, loader, optimizer):
            criterion = nn.CrossEntropyLoss()
            all_logits = []
            for x, y in loader:
                logits = model(x)
                loss = criterion(logits, y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                all_logits.append(logits)
            return torch.cat(all_logits)
        """,
        at=[(14, 27)],
        message="all_logits keeps each step's graph alive",
        fixed="""
        import torch
        import torch.nn as nn


        def train(model, loader, optimizer):
            criterion = nn.CrossEntropyLoss()
            all_logits = []
            for x, y in loader:
                logits = model(x)
                loss = criterion(logits, y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                all_logits.append(logits.detach())
            return torch.cat(all_logits)
        """,
    ),
    Invalid(
        """
        import torch


        def train(model, loader, optimizer, scaler, epochs):
            stats = {"loss": 0.0, "steps": 0}
            for epoch in range(epochs):
                for batch in loader:
                    with torch.autocast("cuda", dtype=torch.float16):
                        loss = model(batch).mean()
                    optimizer.zero_grad()
                    scaler.scale(loss).backward()
                    scaler.step(optimizer)
                    scaler.update()
                    stats["loss"] += loss
                    stats["steps"] += 1
            return stats
        """,
        at=[(14, 30)],
        fixed="""
        import torch


        def train(model, loader, optimizer, scaler, epochs):
            stats = {"loss": 0.0, "steps": 0}
            for epoch in range(epochs):
                for batch in loader:
                    with torch.autocast("cuda", dtype=torch.float16):
                        loss = model(batch).mean()
                    optimizer.zero_grad()
                    scaler.scale(loss).backward()
                    scaler.step(optimizer)
                    scaler.update()
                    stats["loss"] += loss.detach()
                    stats["steps"] += 1
            return stats
        """,
    ),
    Invalid(
        """
        import torch
        import torch.nn.functional as F

        for epoch in range(num_epochs):
            epoch_loss = 0
            for step, (src, tgt) in enumerate(loader):
                logits = model(src)
                loss = F.nll_loss(logits.log_softmax(-1), tgt)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                epoch_loss += loss
            print(f"epoch {epoch}: {epoch_loss / (step + 1):.4f}")
        """,
        at=[(12, 23)],
        message="epoch_loss keeps each step's graph alive",
        fixed="""
        import torch
        import torch.nn.functional as F

        for epoch in range(num_epochs):
            epoch_loss = 0
            for step, (src, tgt) in enumerate(loader):
                logits = model(src)
                loss = F.nll_loss(logits.log_softmax(-1), tgt)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                epoch_loss += loss.detach()
            print(f"epoch {epoch}: {epoch_loss / (step + 1):.4f}")
        """,
    ),
    Valid(
        """
        import torch

        total_loss = 0.0
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            total_loss += loss.item()
        """,
        why=".item() takes the number",
    ),
    Valid(
        """
        import torch

        losses = []
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.detach())
        """,
        why=".detach() drops the graph",
    ),
    Valid(
        """
        import torch
        import numpy as np

        history, predictions = [], []
        for x, y in loader:
            optimizer.zero_grad()
            logits = model(x)
            loss = criterion(logits, y)
            loss.backward()
            optimizer.step()
            history.append(float(loss))
            predictions.append(logits.argmax(1).cpu().numpy())
        """,
        why="float(...) and .cpu().numpy() keep no graph",
    ),
    Valid(
        """
        import torch
        import torch.nn.functional as F


        def unrolled_step(model, optimizer, sequence):
            total_loss = 0.0
            for t in range(len(sequence) - 1):
                prediction = model(sequence[t])
                total_loss = total_loss + F.mse_loss(prediction, sequence[t + 1])
            optimizer.zero_grad()
            total_loss.backward()
            optimizer.step()
        """,
        why="deliberate graph accumulation: the total is backpropagated afterwards",
    ),
    Valid(
        """
        import torch

        for epoch in range(epochs):
            for x, y in train_loader:
                optimizer.zero_grad()
                loss = criterion(model(x), y)
                loss.backward()
                optimizer.step()
            val_loss = 0.0
            with torch.no_grad():
                for x, y in val_loader:
                    val_loss += criterion(model(x), y)
        """,
        why="under no_grad there is no graph",
    ),
    Valid(
        """
        import torch


        def train(model, loader, optimizer):
            for batch in loader:
                parts = []
                for chunk in batch.split(4):
                    parts.append(model(chunk))
                loss = torch.cat(parts).pow(2).mean()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        """,
        why="the outputs are collected within one iteration for its loss",
    ),
    Valid(
        """
        import torch

        losses = []
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            loss = loss.item()
            losses.append(loss)
        """,
        why="the name was rebound to the number",
    ),
    Valid(
        """
        import torch


        @torch.no_grad()
        def evaluate(model, loader, criterion):
            total = 0.0
            for x, y in loader:
                total += criterion(model(x), y)
            return total / len(loader)
        """,
        why="evaluation under a no_grad decorator",
    ),
    Valid(
        """
        import torch


        def meta_step(model, tasks, meta_optimizer):
            meta_loss = 0.0
            for support, query in tasks:
                adapted = model.adapt(support)
                loss = adapted.loss(query)
                meta_loss += loss
            meta_optimizer.zero_grad()
            (meta_loss / len(tasks)).backward()
            meta_optimizer.step()
        """,
        why="meta-learning: the summed loss is backpropagated",
    ),
]
