from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import torch
        from torch.utils.data import DataLoader, TensorDataset

        features = torch.randn(1024, 16)
        targets = torch.randint(0, 2, (1024,))
        train_set = TensorDataset(features, targets)
        loader = DataLoader(train_set, batch_size=64, shuffle=True)

        for x, y in loader:
            pass
        """,
        at=[(7, 10)],
        message="num_workers",
        fixed="""
        import torch
        from torch.utils.data import DataLoader, TensorDataset
        import os

        features = torch.randn(1024, 16)
        targets = torch.randint(0, 2, (1024,))
        train_set = TensorDataset(features, targets)
        loader = DataLoader(train_set, batch_size=64, shuffle=True, num_workers=os.cpu_count())

        for x, y in loader:
            pass
        """,
    ),
    Invalid(
        """
        import argparse

        import torch
        import torch.utils.data as data


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("-j", "--workers", type=int, default=4)
            parser.add_argument("--batch-size", type=int, default=256)
            args = parser.parse_args()

            train_loader = data.DataLoader(
                train_dataset,
                batch_size=args.batch_size,
                shuffle=True,
                num_workers=args.workers,
                pin_memory=True,
            )
            val_loader = data.DataLoader(
                val_dataset,
                batch_size=args.batch_size,
                shuffle=False,
                num_workers=2,  # the cluster nodes are small
                pin_memory=True,
            )
            return train_loader, val_loader
        """,
        at=[(20, 18)],
        fixed="""
        import argparse

        import torch
        import torch.utils.data as data


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("-j", "--workers", type=int, default=4)
            parser.add_argument("--batch-size", type=int, default=256)
            args = parser.parse_args()

            train_loader = data.DataLoader(
                train_dataset,
                batch_size=args.batch_size,
                shuffle=True,
                num_workers=args.workers,
                pin_memory=True,
            )
            val_loader = data.DataLoader(
                val_dataset,
                batch_size=args.batch_size,
                shuffle=False,
                num_workers=args.workers,  # the cluster nodes are small
                pin_memory=True,
            )
            return train_loader, val_loader
        """,
    ),
    Invalid(
        """
        import lightning as L
        from torch.utils.data import DataLoader as Loader


        class MNISTData(L.LightningDataModule):
            def __init__(self, data_dir: str, batch_size: int = 32, num_workers: int = 4):
                super().__init__()
                self.data_dir = data_dir
                self.batch_size = batch_size
                self.num_workers = num_workers

            def train_dataloader(self):
                return Loader(self.train_set, batch_size=self.batch_size, shuffle=True)

            def val_dataloader(self):
                return Loader(self.val_set, batch_size=self.batch_size, num_workers=0)
        """,
        at=[(13, 16), (16, 16)],
        fixed="""
        import lightning as L
        from torch.utils.data import DataLoader as Loader


        class MNISTData(L.LightningDataModule):
            def __init__(self, data_dir: str, batch_size: int = 32, num_workers: int = 4):
                super().__init__()
                self.data_dir = data_dir
                self.batch_size = batch_size
                self.num_workers = num_workers

            def train_dataloader(self):
                return Loader(self.train_set, batch_size=self.batch_size, shuffle=True, num_workers=self.num_workers)

            def val_dataloader(self):
                return Loader(self.val_set, batch_size=self.batch_size, num_workers=self.num_workers)
        """,
    ),
    Invalid(
        """
        import torch
        from torch.utils.data import DataLoader


        def make_loaders(train_set, test_set, batch_size, num_workers=8):
            def loader(dataset, shuffle):
                return DataLoader(dataset, batch_size, shuffle, None, None, 4)

            return loader(train_set, True), loader(test_set, False)
        """,
        at=[(7, 16)],
        fixed="""
        import torch
        from torch.utils.data import DataLoader


        def make_loaders(train_set, test_set, batch_size, num_workers=8):
            def loader(dataset, shuffle):
                return DataLoader(dataset, batch_size, shuffle, None, None, num_workers)

            return loader(train_set, True), loader(test_set, False)
        """,
    ),
    Invalid(
        # What TL111's fix leaves (pin_memory=True): this fix adds num_workers next to it.
        """
        import torch
        from torch.utils.data import DataLoader


        def build_train(cfg, dataset):
            return DataLoader(dataset, batch_size=cfg.data.batch_size, num_workers=cfg.data.num_workers, pin_memory=True)


        def build_eval(cfg, dataset):
            return DataLoader(
                dataset,
                batch_size=cfg.data.batch_size,
                pin_memory=True,
            )


        def train(cfg):
            model = build_model(cfg).cuda()
        """,
        at=[(10, 12)],
        fixed="""
        import torch
        from torch.utils.data import DataLoader


        def build_train(cfg, dataset):
            return DataLoader(dataset, batch_size=cfg.data.batch_size, num_workers=cfg.data.num_workers, pin_memory=True)


        def build_eval(cfg, dataset):
            return DataLoader(
                dataset,
                batch_size=cfg.data.batch_size,
                pin_memory=True,
                num_workers=cfg.data.num_workers,
            )


        def train(cfg):
            model = build_model(cfg).cuda()
        """,
    ),
    Valid(
        """
        import torch
        from torch.utils.data import DataLoader


        def loaders(cfg, train_set, val_set, test_set, workers):
            n_cpu = max(1, len(os.sched_getaffinity(0)) - 1)
            train = DataLoader(train_set, batch_size=cfg.batch_size, shuffle=True, num_workers=cfg.num_workers)
            val = DataLoader(val_set, batch_size=256, num_workers=workers)
            test = DataLoader(test_set, batch_size=256, num_workers=n_cpu)
            return train, val, test
        """,
        why="the worker count comes from a config, an argument or a variable",
    ),
    Valid(
        """
        import os

        import torch

        loader = torch.utils.data.DataLoader(dataset, batch_size=32, num_workers=os.cpu_count())
        probe = torch.utils.data.DataLoader(dataset, batch_size=1, num_workers=min(4, os.cpu_count() or 1))
        """,
        why="os.cpu_count() adapts to the machine",
    ),
    Valid(
        """
        import torch
        from torch.utils.data import DataLoader


        def main(args):
            use_cuda = torch.cuda.is_available()
            train_kwargs = {"batch_size": args.batch_size}
            if use_cuda:
                train_kwargs.update({"num_workers": 1, "pin_memory": True, "shuffle": True})
            train_loader = DataLoader(dataset1, **train_kwargs)
            return train_loader
        """,
        why="options passed through **kwargs cannot be judged",
    ),
    Valid(
        """
        import torch
        from torch.utils.data import DataLoader

        loader = DataLoader(dataset, batch_size=64, num_workers=0 if args.debug else 8)
        """,
        why="a conditional worker count is a decision, not a default",
    ),
    Valid(
        """
        import functools

        import torch
        from torch.utils.data import DataLoader

        LOADERS = {"torch": DataLoader}
        make_loader = functools.partial(DataLoader, batch_size=32, num_workers=cfg.workers)
        """,
        why="DataLoader referenced but not called",
    ),
    Valid(
        """
        import torch


        class DataLoader:
            def __init__(self, samples, batch_size):
                self.samples = samples
                self.batch_size = batch_size

            def __iter__(self):
                for i in range(0, len(self.samples), self.batch_size):
                    yield torch.stack(self.samples[i : i + self.batch_size])


        batches = DataLoader(samples, batch_size=16)
        """,
        why="a class of the project named DataLoader, not torch's",
    ),
]
