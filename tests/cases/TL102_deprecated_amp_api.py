from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import torch
        from torch.cuda.amp import GradScaler, autocast

        scaler = GradScaler(enabled=args.amp)


        def train_step(model, images, targets, optimizer):
            with autocast(args.amp):
                loss = model(images, targets)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()


        @autocast()
        def predict(model, images):
            return model(images)
        """,
        at=[(2, 28), (2, 40)],
        message="torch.amp",
        fixed="""
        import torch
        from torch.amp import GradScaler, autocast

        scaler = GradScaler("cuda", enabled=args.amp)


        def train_step(model, images, targets, optimizer):
            with autocast("cuda", enabled=args.amp):
                loss = model(images, targets)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()


        @autocast("cuda")
        def predict(model, images):
            return model(images)
        """,
    ),
    Invalid(
        """
        import torch


        class Trainer:
            def __init__(self, model, cfg):
                self.model = model
                self.scaler = torch.cuda.amp.GradScaler(
                    init_scale=2.0**14,
                    enabled=cfg.fp16,
                )

            def training_step(self, batch):
                with torch.cuda.amp.autocast(dtype=torch.bfloat16, enabled=self.cfg.amp):
                    return self.model(**batch).loss

            def cpu_eval(self, batch):
                with torch.no_grad(), torch.cpu.amp.autocast():
                    return self.model(**batch).logits
        """,
        at=[(7, 23), (13, 14), (17, 31)],
        fixed="""
        import torch


        class Trainer:
            def __init__(self, model, cfg):
                self.model = model
                self.scaler = torch.amp.GradScaler(
                    "cuda",
                    init_scale=2.0**14,
                    enabled=cfg.fp16,
                )

            def training_step(self, batch):
                with torch.amp.autocast("cuda", dtype=torch.bfloat16, enabled=self.cfg.amp):
                    return self.model(**batch).loss

            def cpu_eval(self, batch):
                with torch.no_grad(), torch.amp.autocast("cpu"):
                    return self.model(**batch).logits
        """,
    ),
    Invalid(
        """
        import torch
        from torch.cuda import amp

        cuda = device.type != "cpu"
        scaler = amp.GradScaler(enabled=cuda)
        for epoch in range(start_epoch, epochs):
            for i, (imgs, targets) in pbar:
                with amp.autocast(enabled=cuda):
                    pred = model(imgs)
                    loss, loss_items = compute_loss(pred, targets)
                scaler.scale(loss).backward()
        """,
        at=[(5, 10), (8, 14)],
        fixed="""
        import torch

        cuda = device.type != "cpu"
        scaler = torch.amp.GradScaler("cuda", enabled=cuda)
        for epoch in range(start_epoch, epochs):
            for i, (imgs, targets) in pbar:
                with torch.amp.autocast("cuda", enabled=cuda):
                    pred = model(imgs)
                    loss, loss_items = compute_loss(pred, targets)
                scaler.scale(loss).backward()
        """,
    ),
    Invalid(
        """
        import torch
        from torch.cuda.amp import autocast as amp_autocast, custom_fwd


        class ScaledMatmul(torch.autograd.Function):
            @staticmethod
            @custom_fwd
            def forward(ctx, a, b):
                return a @ b


        def run(model, x):
            with amp_autocast(enabled=True, dtype=torch.float16):
                return model(x)
        """,
        at=[(2, 28)],
        fixed="""
        import torch
        from torch.cuda.amp import custom_fwd
        from torch.amp import autocast as amp_autocast


        class ScaledMatmul(torch.autograd.Function):
            @staticmethod
            @custom_fwd
            def forward(ctx, a, b):
                return a @ b


        def run(model, x):
            with amp_autocast("cuda", enabled=True, dtype=torch.float16):
                return model(x)
        """,
    ),
    Invalid(
        """
        from torch.cpu.amp import autocast


        def evaluate(model, loader):
            for x, _ in loader:
                with autocast(dtype=torch.bfloat16):
                    yield model(x)
        """,
        at=[(1, 27)],
        fixed="""
        from torch.amp import autocast


        def evaluate(model, loader):
            for x, _ in loader:
                with autocast("cpu", dtype=torch.bfloat16):
                    yield model(x)
        """,
    ),
    Invalid(
        """
        import contextlib

        import torch
        from torch.cuda.amp import autocast

        amp_context = autocast if args.amp else contextlib.nullcontext
        legacy = torch.cuda.amp.autocast
        """,
        at=[(4, 28), (7, 10)],
    ),
    Valid(
        """
        import torch

        scaler = torch.amp.GradScaler("cuda")
        with torch.amp.autocast("cuda", dtype=torch.float16):
            loss = model(x).loss
        scaler.scale(loss).backward()
        """,
        why="torch.amp.*",
    ),
    Valid(
        """
        import torch

        with torch.autocast(device_type="cuda", dtype=torch.bfloat16):
            loss = criterion(model(x), y)
        """,
        why="torch.autocast",
    ),
    Valid(
        """
        from torch.amp import GradScaler, autocast

        scaler = GradScaler("cuda")
        with autocast("cuda"):
            out = model(x)
        """,
        why="names imported from torch.amp",
    ),
    Valid(
        """
        import torch

        try:
            from torch.amp import GradScaler
        except ImportError:  # torch < 2.3
            from torch.cuda.amp import GradScaler
        """,
        why="a fallback for old torch versions, next to the current import",
    ),
    Valid(
        """
        import torch
        from apex import amp

        model, optimizer = amp.initialize(model, optimizer, opt_level="O1")
        with amp.scale_loss(loss, optimizer) as scaled_loss:
            scaled_loss.backward()
        """,
        why="apex.amp is not torch.cuda.amp",
    ),
    Valid(
        """
        import torch


        def autocast(enabled=True):
            return torch.autocast("cuda", enabled=enabled)


        with autocast():
            out = model(x)
        """,
        why="a function of the module named autocast",
    ),
]
