from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import torch


        def build(model, args):
            optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.05)
            scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(
                optimizer, T_max=args.epochs - args.start_epoch, eta_min=1e-6
            )
            return optimizer, scheduler
        """,
        at=[(6, 17)],
        message="LinearLR",
        fixed="""
        import torch


        def build(model, args):
            optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.05)
            warmup_steps = max(1, (args.epochs - args.start_epoch) // 20)
            scheduler = torch.optim.lr_scheduler.SequentialLR(
                optimizer,
                schedulers=[
                    torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.01, total_iters=warmup_steps),
                    torch.optim.lr_scheduler.CosineAnnealingLR(
                        optimizer, T_max=args.epochs - args.start_epoch, eta_min=1e-6
                    ),
                ],
                milestones=[warmup_steps],
            )
            return optimizer, scheduler
        """,
    ),
    Invalid(
        """
        import torch.optim as optim
        from torch.optim.lr_scheduler import CosineAnnealingLR


        class Trainer:
            def __init__(self, model, cfg):
                self.model = model
                self.opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
                # cosine over the whole run
                self.sched = CosineAnnealingLR(self.opt, T_max=cfg.epochs)

            def epoch(self, loader):
                for x, y in loader:
                    self.opt.zero_grad()
                    self.model(x).loss.backward()
                    self.opt.step()
                self.sched.step()
        """,
        at=[(10, 22)],
        fixed="""
        import torch.optim as optim
        from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR


        class Trainer:
            def __init__(self, model, cfg):
                self.model = model
                self.opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
                # cosine over the whole run
                warmup_steps = max(1, cfg.epochs // 20)
                self.sched = SequentialLR(
                    self.opt,
                    schedulers=[
                        LinearLR(self.opt, start_factor=0.01, total_iters=warmup_steps),
                        CosineAnnealingLR(self.opt, T_max=cfg.epochs),
                    ],
                    milestones=[warmup_steps],
                )

            def epoch(self, loader):
                for x, y in loader:
                    self.opt.zero_grad()
                    self.model(x).loss.backward()
                    self.opt.step()
                self.sched.step()
        """,
    ),
    Invalid(
        """
        from torch.optim import lr_scheduler

        opt_g = torch.optim.Adam(netG.parameters(), lr=2e-4)
        opt_d = torch.optim.Adam(netD.parameters(), lr=2e-4)
        sched_g = lr_scheduler.CosineAnnealingWarmRestarts(opt_g, 50, T_mult=2)
        sched_d = lr_scheduler.CosineAnnealingWarmRestarts(
            opt_d,
            T_0=50,
            T_mult=2,
        )
        """,
        at=[(5, 11), (6, 11)],
        fixed="""
        from torch.optim import lr_scheduler

        opt_g = torch.optim.Adam(netG.parameters(), lr=2e-4)
        opt_d = torch.optim.Adam(netD.parameters(), lr=2e-4)
        warmup_steps = 2
        sched_g = lr_scheduler.SequentialLR(
            opt_g,
            schedulers=[
                lr_scheduler.LinearLR(opt_g, start_factor=0.01, total_iters=warmup_steps),
                lr_scheduler.CosineAnnealingWarmRestarts(opt_g, 50, T_mult=2),
            ],
            milestones=[warmup_steps],
        )
        warmup_steps = 2
        sched_d = lr_scheduler.SequentialLR(
            opt_d,
            schedulers=[
                lr_scheduler.LinearLR(opt_d, start_factor=0.01, total_iters=warmup_steps),
                lr_scheduler.CosineAnnealingWarmRestarts(
                    opt_d,
                    T_0=50,
                    T_mult=2,
                ),
            ],
            milestones=[warmup_steps],
        )
        """,
    ),
    Invalid(
        """
        import torch
        from torch.optim.lr_scheduler import CosineAnnealingLR

        SCHEDULES = {
            "cosine": lambda opt, cfg: CosineAnnealingLR(opt, T_max=cfg.max_steps),
        }


        def make_scheduler(optimizer, cfg):
            return CosineAnnealingLR(optimizer, **cfg.scheduler_kwargs)
        """,
        at=[(5, 32), (10, 12)],
    ),
    Invalid(
        """
        import torch

        scheduler = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(optimizer, T_0=10, T_mult=2)
        iters = len(train_loader)
        for epoch in range(epochs):
            for i, (x, y) in enumerate(train_loader):
                train_step(x, y)
                scheduler.step(epoch + i / iters)
        """,
        at=[(3, 13)],
    ),
    Valid(
        """
        import torch
        from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR

        warmup = LinearLR(optimizer, start_factor=0.1, total_iters=5)
        cosine = CosineAnnealingLR(optimizer, T_max=95)
        scheduler = SequentialLR(optimizer, schedulers=[warmup, cosine], milestones=[5])
        """,
        why="a LinearLR warmup chained with SequentialLR",
    ),
    Valid(
        """
        import torch
        from transformers import get_cosine_schedule_with_warmup

        scheduler = get_cosine_schedule_with_warmup(optimizer, 500, num_training_steps)
        fallback = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=num_training_steps)
        """,
        why="get_cosine_schedule_with_warmup",
    ),
    Valid(
        """
        import torch
        from torch.optim import lr_scheduler

        ramp = lr_scheduler.LambdaLR(optimizer, lr_lambda=lambda step: min(1.0, (step + 1) / 500))
        decay = lr_scheduler.CosineAnnealingLR(optimizer, T_max=10_000)
        scheduler = lr_scheduler.ChainedScheduler([ramp, decay])
        """,
        why="a LambdaLR ramp",
    ),
    Valid(
        """
        import torch

        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max_steps - 1000)
        for step in range(max_steps):
            if step < 1000:
                for group in optimizer.param_groups:
                    group["lr"] = base_lr * (step + 1) / 1000
            train_step(step)
            if step >= 1000:
                scheduler.step()
        """,
        why="a hand-written warmup of the learning rate",
    ),
    Valid(
        """
        import torch
        from timm.scheduler import CosineLRScheduler

        scheduler = CosineLRScheduler(optimizer, t_initial=epochs, lr_min=1e-6)
        """,
        why="not a torch cosine schedule",
    ),
    Valid(
        """
        import torch

        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=30, gamma=0.1)
        """,
        why="no cosine schedule",
    ),
]
