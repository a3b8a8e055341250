from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        \"\"\"Train a small CNN on CIFAR-10.\"\"\"
        import torch
        import torch.nn as nn
        import torchvision

        trainset = torchvision.datasets.CIFAR10(root="./data", train=True, download=True)
        trainloader = torch.utils.data.DataLoader(trainset, batch_size=64, shuffle=True)

        net = Net().cuda()
        criterion = nn.CrossEntropyLoss()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
        noise = torch.randn(64, 3, 32, 32, device="cuda:0")

        for epoch in range(10):
            for inputs, labels in trainloader:
                inputs, labels = inputs.cuda(), labels.cuda(non_blocking=True)
                optimizer.zero_grad()
                loss = criterion(net(inputs + 0.01 * noise), labels)
                loss.backward()
                optimizer.step()
        """,
        at=[(9, 7), (12, 43), (16, 26), (16, 41)],
        message="run time",
        action="""
        \"\"\"Train a small CNN on CIFAR-10.\"\"\"
        import torch
        import torch.nn as nn
        import torchvision

        # Choose the device at run time: CUDA when there is a GPU, else the CPU.
        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

        trainset = torchvision.datasets.CIFAR10(root="./data", train=True, download=True)
        trainloader = torch.utils.data.DataLoader(trainset, batch_size=64, shuffle=True)

        net = Net().to(device)
        criterion = nn.CrossEntropyLoss()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
        noise = torch.randn(64, 3, 32, 32, device=device)

        for epoch in range(10):
            for inputs, labels in trainloader:
                inputs, labels = inputs.to(device), labels.to(device, non_blocking=True)
                optimizer.zero_grad()
                loss = criterion(net(inputs + 0.01 * noise), labels)
                loss.backward()
                optimizer.step()
        """,
    ),
    Invalid(
        """
        import torch
        import torch.nn.functional as F


        def evaluate(model, loader, device):
            model.eval()
            correct = 0
            with torch.no_grad():
                for images, targets in loader:
                    images = images.to("cuda", non_blocking=True)
                    targets = targets.cuda(0)
                    mask = torch.ones(len(targets), device="cuda")
                    correct += ((model(images).argmax(1) == targets) * mask).sum().item()
            return correct / len(loader.dataset)


        def train_one_epoch(model, loader, optimizer, device):
            model.train()
            for images, targets in loader:
                images, targets = images.cuda(), targets.cuda()
                loss = F.cross_entropy(model(images), targets)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        """,
        at=[(10, 32), (11, 23), (12, 52), (20, 27), (20, 42)],
        fixed="""
        import torch
        import torch.nn.functional as F


        def evaluate(model, loader, device):
            model.eval()
            correct = 0
            with torch.no_grad():
                for images, targets in loader:
                    images = images.to(device, non_blocking=True)
                    targets = targets.to(device)
                    mask = torch.ones(len(targets), device=device)
                    correct += ((model(images).argmax(1) == targets) * mask).sum().item()
            return correct / len(loader.dataset)


        def train_one_epoch(model, loader, optimizer, device):
            model.train()
            for images, targets in loader:
                images, targets = images.to(device), targets.to(device)
                loss = F.cross_entropy(model(images), targets)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        """,
    ),
    Invalid(
        """
        import torch
        from torch import nn


        class Trainer:
            def __init__(self, model: nn.Module, cfg):
                self.device = torch.device(cfg.device)
                self.model = model.to(self.device)
                self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=cfg.lr)

            def step(self, batch):
                inputs, labels = (t.cuda(non_blocking=True) for t in batch)
                loss = nn.functional.cross_entropy(self.model(inputs), labels)
                self.optimizer.zero_grad(set_to_none=True)
                loss.backward()
                self.optimizer.step()
                return loss.detach()
        """,
        at=[(12, 27)],
        message=".to(device)",
        fixed="""
        import torch
        from torch import nn


        class Trainer:
            def __init__(self, model: nn.Module, cfg):
                self.device = torch.device(cfg.device)
                self.model = model.to(self.device)
                self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=cfg.lr)

            def step(self, batch):
                inputs, labels = (t.to(self.device, non_blocking=True) for t in batch)
                loss = nn.functional.cross_entropy(self.model(inputs), labels)
                self.optimizer.zero_grad(set_to_none=True)
                loss.backward()
                self.optimizer.step()
                return loss.detach()
        """,
    ),
    Invalid(
        """
        import torch
        import torch.distributed as dist

        dist.init_process_group("nccl")
        device = torch.device("cuda:0")
        model = build_model().to(device)
        """,
        at=[(5, 23)],
        message='"cuda:0"',
        action="""
        import torch
        import torch.distributed as dist

        dist.init_process_group("nccl")
        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        model = build_model().to(device)
        """,
    ),
    Invalid(
        """
        import torch


        @torch.no_grad()
        def generate(model, prompt_ids, max_new_tokens=32):
            \"\"\"Greedy decoding.\"\"\"
            # the model lives on the GPU
            model.cuda()
            ids = prompt_ids.to("cuda")
            for _ in range(max_new_tokens):
                next_id = model(ids)[:, -1].argmax(-1, keepdim=True)
                ids = torch.cat([ids, next_id], dim=1)
            return ids
        """,
        at=[(8, 5), (9, 25)],
        action="""
        import torch


        @torch.no_grad()
        def generate(model, prompt_ids, max_new_tokens=32):
            \"\"\"Greedy decoding.\"\"\"
            # Choose the device at run time: CUDA when there is a GPU, else the CPU.
            device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
            # the model lives on the GPU
            model.to(device)
            ids = prompt_ids.to(device)
            for _ in range(max_new_tokens):
                next_id = model(ids)[:, -1].argmax(-1, keepdim=True)
                ids = torch.cat([ids, next_id], dim=1)
            return ids
        """,
    ),
    Invalid(
        """
        import torch

        use_cuda = torch.cuda.is_available()
        device = torch.device("cuda:0" if use_cuda else "cpu")
        aux = torch.device("cuda", 1)
        collate = lambda batch: [t.cuda() for t in batch]
        if use_cuda:
            model.cuda()
        """,
        at=[(4, 23), (5, 20), (6, 26), (8, 5)],
        action="""
        import torch

        use_cuda = torch.cuda.is_available()
        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        aux = torch.device("cuda", 1)
        collate = lambda batch: [t.cuda() for t in batch]
        if use_cuda:
            model.cuda()
        """,
        fixed="""
        import torch

        use_cuda = torch.cuda.is_available()
        device = torch.device("cuda:0" if use_cuda else "cpu")
        aux = torch.device("cuda", 1)
        collate = lambda batch: [t.to(device) for t in batch]
        if use_cuda:
            model.to(device)
        """,
    ),
    Valid(
        """
        import torch

        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        use_cuda = not args.no_cuda and torch.cuda.is_available()
        kwargs = {"device": torch.device("cuda" if use_cuda else "cpu")}
        model = Net().to(device)
        """,
        why="the availability idiom chooses CUDA at run time",
    ),
    Valid(
        """
        import torch


        def log_memory(x, device):
            if device.type == "cuda":
                print(torch.cuda.max_memory_allocated(device))
            if x.device.type != "cuda":
                return None
            return x.device == torch.device("cpu")
        """,
        why="comparisons with a device type",
    ),
    Valid(
        """
        import torch

        scaler = torch.amp.GradScaler("cuda")
        legacy_scaler = torch.amp.GradScaler(device="cuda", enabled=True)
        for x, y in loader:
            with torch.autocast("cuda", dtype=torch.bfloat16):
                loss = model(x, y)
            with torch.amp.autocast(device_type="cuda", dtype=torch.float16):
                loss = loss + model(x, y)
        """,
        why="device_type of autocast and GradScaler is a device type, not a placement",
    ),
    Valid(
        """
        import torch


        def get_device():
            if torch.backends.mps.is_available():
                return torch.device("mps")
            if not torch.cuda.is_available():
                return torch.device("cpu")
            return torch.device("cuda")


        def pick(args):
            if args.cuda:
                return torch.device("cuda")
            return torch.device("cpu")


        if torch.cuda.is_available():
            model.to("cuda")
        """,
        why="a fallback after accelerator detection, or a branch of a device check",
    ),
    Valid(
        """
        import argparse

        import torch

        parser = argparse.ArgumentParser()
        parser.add_argument("--device", default="cuda")
        parser.add_argument("--gpu", type=int, default=0)
        args = parser.parse_args()

        model = Net().to(args.device)
        model.cuda(args.gpu)
        batch = torch.zeros(8, device=args.device)
        """,
        why="the device comes from the command line",
    ),
    Valid(
        """
        import os
        from dataclasses import dataclass

        import torch


        @dataclass
        class TrainConfig:
            device: str = "cuda"
            lr: float = 3e-4


        class Defaults:
            device = torch.device("cuda")


        def train(model, loader, device="cuda", rank=int(os.environ.get("LOCAL_RANK", 0))):
            model.to(device)
            torch.cuda.set_device(rank)
            model.cuda(rank)
            x = torch.zeros(2, device=torch.device("cuda", rank))
            cfg = TrainConfig(device="cuda")
            overrides = dict(device="cuda", lr=1e-3)
        """,
        why="devices from configuration, function parameters or the local rank",
    ),
    Valid(
        """
        import torch
        from numba import cuda

        x = torch.randn(3).to("cpu")
        y = x.to(torch.float16)
        stream = torch.cuda.Stream(device="cuda:0")
        kernel = cuda.jit(lambda a: a)
        if x.is_cuda:
            x = x.cpu()
        """,
        why="CPU moves, dtype casts, CUDA-only APIs and numba's cuda module",
    ),
    Invalid(
        """
        import torch


        def to_gpu(batch): return batch.cuda()
        """,
        # A one-line function has no line to define a device on: reported, with no action.
        at=[(4, 27)],
    ),
]
