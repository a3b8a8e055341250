from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import torch
        import torchvision
        import torchvision.transforms as transforms

        transform = transforms.Compose([transforms.ToTensor()])
        trainset = torchvision.datasets.CIFAR10(root="./data", train=True, download=True, transform=transform)
        trainloader = torch.utils.data.DataLoader(trainset, batch_size=4, shuffle=True, num_workers=2)

        net = Net()
        net.cuda()
        for inputs, labels in trainloader:
            outputs = net(inputs.cuda())
        """,
        at=[(7, 15)],
        message="pin_memory=True",
        fixed="""
        import torch
        import torchvision
        import torchvision.transforms as transforms

        transform = transforms.Compose([transforms.ToTensor()])
        trainset = torchvision.datasets.CIFAR10(root="./data", train=True, download=True, transform=transform)
        trainloader = torch.utils.data.DataLoader(trainset, batch_size=4, shuffle=True, num_workers=2, pin_memory=True)

        net = Net()
        net.cuda()
        for inputs, labels in trainloader:
            outputs = net(inputs.cuda())
        """,
    ),
    Invalid(
        """
        import torch
        from torch.utils.data import DataLoader

        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


        class Trainer:
            def __init__(self, model, dataset, cfg):
                self.model = model.to(device)
                self.loader = DataLoader(
                    dataset,
                    batch_size=cfg.batch_size,
                    num_workers=cfg.num_workers,
                    pin_memory=False,  # see issue 12
                )
        """,
        at=[(10, 23)],
        fixed="""
        import torch
        from torch.utils.data import DataLoader

        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


        class Trainer:
            def __init__(self, model, dataset, cfg):
                self.model = model.to(device)
                self.loader = DataLoader(
                    dataset,
                    batch_size=cfg.batch_size,
                    num_workers=cfg.num_workers,
                    pin_memory=True,  # see issue 12
                )
        """,
    ),
    Invalid(
        """
        from torch.utils import data


        def loaders(train_set, val_set, test_set, num_workers):
            train = data.DataLoader(train_set, batch_size=128, shuffle=True,
                                    num_workers=num_workers)
            val = data.DataLoader(
                val_set,
                batch_size=256,
                num_workers=num_workers  # no trailing comma
            )
            test = data.DataLoader(test_set, batch_size=256, num_workers=num_workers, pin_memory=True)
            return train, val, test


        model.to("cuda:0")
        """,
        at=[(5, 13), (7, 11)],
        fixed="""
        from torch.utils import data


        def loaders(train_set, val_set, test_set, num_workers):
            train = data.DataLoader(train_set, batch_size=128, shuffle=True,
                                    num_workers=num_workers,
                                    pin_memory=True)
            val = data.DataLoader(
                val_set,
                batch_size=256,
                num_workers=num_workers,  # no trailing comma
                pin_memory=True
            )
            test = data.DataLoader(test_set, batch_size=256, num_workers=num_workers, pin_memory=True)
            return train, val, test


        model.to("cuda:0")
        """,
    ),
    Invalid(
        # What TL110's fix leaves (num_workers set): this fix adds pin_memory next to it.
        """
        import torch
        from torch.utils.data import DataLoader


        def build_eval(cfg, dataset):
            return DataLoader(
                dataset,
                batch_size=cfg.data.batch_size,
                num_workers=cfg.data.num_workers,
            )


        def train(cfg):
            model = build_model(cfg).cuda()
        """,
        at=[(6, 12)],
        fixed="""
        import torch
        from torch.utils.data import DataLoader


        def build_eval(cfg, dataset):
            return DataLoader(
                dataset,
                batch_size=cfg.data.batch_size,
                num_workers=cfg.data.num_workers,
                pin_memory=True,
            )


        def train(cfg):
            model = build_model(cfg).cuda()
        """,
    ),
    Invalid(
        """
        import os

        import torch
        import torch.distributed as dist
        from torch.utils.data import DataLoader, DistributedSampler


        def setup(dataset, batch_size, workers):
            local_rank = int(os.environ["LOCAL_RANK"])
            torch.cuda.set_device(local_rank)
            dist.init_process_group("nccl")
            sampler = DistributedSampler(dataset)
            return DataLoader(dataset, batch_size=batch_size, sampler=sampler, num_workers=workers)
        """,
        at=[(13, 12)],
        fixed="""
        import os

        import torch
        import torch.distributed as dist
        from torch.utils.data import DataLoader, DistributedSampler


        def setup(dataset, batch_size, workers):
            local_rank = int(os.environ["LOCAL_RANK"])
            torch.cuda.set_device(local_rank)
            dist.init_process_group("nccl")
            sampler = DistributedSampler(dataset)
            return DataLoader(dataset, batch_size=batch_size, sampler=sampler, num_workers=workers, pin_memory=True)
        """,
    ),
    Valid(
        """
        import torch
        from torch.utils.data import DataLoader

        loader = DataLoader(train_set, batch_size=64, num_workers=cfg.workers, pin_memory=True)
        model = Net().cuda()
        """,
        why="pin_memory=True already",
    ),
    Valid(
        """
        import torch
        from torch.utils.data import DataLoader

        use_cuda = torch.cuda.is_available()
        device = torch.device("cuda" if use_cuda else "cpu")
        train = DataLoader(train_set, batch_size=64, num_workers=4, pin_memory=use_cuda)
        test = DataLoader(test_set, batch_size=64, num_workers=4, pin_memory=device.type == "cuda")
        """,
        why="pin_memory from a variable or an expression",
    ),
    Valid(
        """
        import torch

        device = torch.device("cuda")
        kwargs = {"num_workers": 1, "pin_memory": True} if device.type == "cuda" else {}
        train_loader = torch.utils.data.DataLoader(train_set, batch_size=64, shuffle=True, **kwargs)
        """,
        why="options passed through **kwargs cannot be judged",
    ),
    Valid(
        """
        import argparse

        import torch
        from torch.utils.data import DataLoader

        parser = argparse.ArgumentParser()
        parser.add_argument("--device", default="cpu")
        args = parser.parse_args()
        device = torch.device(args.device)

        model = Net().to(device)
        loader = DataLoader(train_set, batch_size=32, num_workers=args.workers)
        for x, y in loader:
            loss = model(x.to(device)).sum()
        """,
        why="the module never mentions CUDA (a device from the command line is not a GPU claim)",
    ),
    Valid(
        """
        import torch
        from torch.utils.data import DataLoader

        # Trains on the CPU; the GPU run lives in train_cuda.py.
        model = torch.nn.Linear(16, 1)
        loader = DataLoader(dataset, batch_size=32, num_workers=2)
        """,
        why="CPU-only training: pinning buys nothing",
    ),
]
