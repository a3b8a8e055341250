from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import torch
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(784, 10)

            def forward(self, x):
                return self.fc(x.flatten(1))


        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        model = Net().to(device)
        for images, labels in loader:
            logits = model.forward(images.to(device))
        """,
        at=[(17, 14)],
        message="model(...)",
        fixed="""
        import torch
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(784, 10)

            def forward(self, x):
                return self.fc(x.flatten(1))


        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        model = Net().to(device)
        for images, labels in loader:
            logits = model(images.to(device))
        """,
    ),
    Invalid(
        """
        from torch import nn


        class Seq2Seq(nn.Module):
            def __init__(self, vocab, hidden):
                super().__init__()
                self.embed = nn.Embedding(vocab, hidden)
                self.encoder = nn.LSTM(hidden, hidden, batch_first=True)
                self.out = nn.Linear(hidden, vocab)

            def forward(self, tokens):
                states, _ = self.encoder.forward(self.embed(tokens))
                return self.out.forward(states)
        """,
        at=[(12, 21), (13, 16)],
        fixed="""
        from torch import nn


        class Seq2Seq(nn.Module):
            def __init__(self, vocab, hidden):
                super().__init__()
                self.embed = nn.Embedding(vocab, hidden)
                self.encoder = nn.LSTM(hidden, hidden, batch_first=True)
                self.out = nn.Linear(hidden, vocab)

            def forward(self, tokens):
                states, _ = self.encoder(self.embed(tokens))
                return self.out(states)
        """,
    ),
    Invalid(
        """
        import torch
        from transformers import AutoModelForSequenceClassification

        model = AutoModelForSequenceClassification.from_pretrained("distilbert-base-uncased", num_labels=2)
        model.train()
        for batch in train_dataloader:
            outputs = model.forward(
                input_ids=batch["input_ids"],
                attention_mask=batch["attention_mask"],
                labels=batch["labels"],
            )
            outputs.loss.backward()
        """,
        at=[(7, 15)],
        fixed="""
        import torch
        from transformers import AutoModelForSequenceClassification

        model = AutoModelForSequenceClassification.from_pretrained("distilbert-base-uncased", num_labels=2)
        model.train()
        for batch in train_dataloader:
            outputs = model(
                input_ids=batch["input_ids"],
                attention_mask=batch["attention_mask"],
                labels=batch["labels"],
            )
            outputs.loss.backward()
        """,
    ),
    Invalid(
        """
        import timm
        import torch


        def extract(images):
            backbone = timm.create_model("resnet50", pretrained=True, num_classes=0)
            backbone.eval()
            with torch.no_grad():
                return backbone.forward(images)
        """,
        at=[(9, 16)],
        fixed="""
        import timm
        import torch


        def extract(images):
            backbone = timm.create_model("resnet50", pretrained=True, num_classes=0)
            backbone.eval()
            with torch.no_grad():
                return backbone(images)
        """,
    ),
    Invalid(
        """
        import torch
        from torch import nn

        model = torch.compile(nn.Sequential(nn.Linear(64, 64), nn.GELU(), nn.Linear(64, 1)))
        prediction = model.forward(torch.randn(8, 64))
        """,
        at=[(5, 14)],
        message="skips hooks and wrappers",
        fixed="""
        import torch
        from torch import nn

        model = torch.compile(nn.Sequential(nn.Linear(64, 64), nn.GELU(), nn.Linear(64, 1)))
        prediction = model(torch.randn(8, 64))
        """,
    ),
    Invalid(
        """
        import torch
        import torch.distributed as dist
        from torch.nn.parallel import DistributedDataParallel as DDP


        def worker(rank, net, loader):
            dist.init_process_group("nccl", rank=rank)
            ddp_model = DDP(net.to(rank), device_ids=[rank])
            for x, y in loader:
                loss = ddp_model.forward(x.to(rank)).sum()
                loss.backward()
        """,
        at=[(10, 16)],
        fixed="""
        import torch
        import torch.distributed as dist
        from torch.nn.parallel import DistributedDataParallel as DDP


        def worker(rank, net, loader):
            dist.init_process_group("nccl", rank=rank)
            ddp_model = DDP(net.to(rank), device_ids=[rank])
            for x, y in loader:
                loss = ddp_model(x.to(rank)).sum()
                loss.backward()
        """,
    ),
    Invalid(
        """
        import torch
        from torchvision import models

        net = models.resnet18(weights=None)
        net = net.cuda()
        features = net.forward(torch.randn(2, 3, 224, 224).cuda())
        """,
        at=[(6, 12)],
        fixed="""
        import torch
        from torchvision import models

        net = models.resnet18(weights=None)
        net = net.cuda()
        features = net(torch.randn(2, 3, 224, 224).cuda())
        """,
    ),
    Valid(
        """
        from torch import nn


        class Residual(nn.Linear):
            def forward(self, x):
                return x + super().forward(x)


        class Scaled(Residual):
            def forward(self, x):
                return 0.5 * Residual.forward(self, x)
        """,
        why="super().forward and Base.forward(self, ...)",
    ),
    Valid(
        """
        import torch
        from torch import nn


        class Recurrent(nn.Module):
            def __init__(self):
                super().__init__()
                self.cell = nn.GRUCell(16, 16)

            def forward(self, x, steps):
                if steps == 0:
                    return x
                return self.forward(self.cell(x), steps - 1)
        """,
        why="self.forward inside its own class",
    ),
    Valid(
        """
        import torch


        def predict(model, batch):
            return model.forward(batch)
        """,
        why="a parameter: not known to be a module",
    ),
    Valid(
        """
        import torch


        class Simulator:
            def forward(self, steps):
                return steps


        sim = Simulator()
        sim.forward(10)
        """,
        why="not an nn.Module",
    ),
    Valid(
        """
        import torch
        from torch import nn


        class Head(nn.Module):
            def __init__(self, use_projection):
                super().__init__()
                self.proj = nn.Linear(8, 8) if use_projection else None
                self.other = nn.Linear(8, 8)

            def forward(self, x):
                if self.proj is not None:
                    x = self.proj.forward(x)
                return x
        """,
        why="self.proj may be None: not certainly a module",
    ),
    Valid(
        """
        import torch
        from torch import nn

        model = nn.Linear(4, 4)
        traced = torch.jit.trace(model.forward, torch.randn(1, 4))
        hooks = model.forward.__name__
        """,
        why="forward referenced, not called",
    ),
]
