from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import torch
        import torch.nn.functional as F

        scaler = torch.amp.GradScaler("cuda")
        for epoch in range(epochs):
            for images, labels in loader:
                optimizer.zero_grad(set_to_none=True)
                with torch.autocast("cuda", dtype=torch.float16):
                    loss = F.cross_entropy(model(images), labels)
                scaler.scale(loss).backward()
                # keep the update bounded
                torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
                scaler.step(optimizer)
                scaler.update()
        """,
        at=[(12, 9)],
        message="scaler.unscale_(optimizer)",
        fixed="""
        import torch
        import torch.nn.functional as F

        scaler = torch.amp.GradScaler("cuda")
        for epoch in range(epochs):
            for images, labels in loader:
                optimizer.zero_grad(set_to_none=True)
                with torch.autocast("cuda", dtype=torch.float16):
                    loss = F.cross_entropy(model(images), labels)
                scaler.scale(loss).backward()
                # keep the update bounded
                scaler.unscale_(optimizer)
                torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
                scaler.step(optimizer)
                scaler.update()
        """,
    ),
    Invalid(
        """
        import torch
        from torch import nn
        from torch.nn.utils import clip_grad_norm_


        class AmpTrainer:
            def __init__(self, model: nn.Module, max_grad_norm: float):
                self.model = model
                self.optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
                self.scaler = torch.amp.GradScaler("cuda")
                self.max_grad_norm = max_grad_norm

            def step(self, batch):
                self.optimizer.zero_grad()
                with torch.autocast("cuda", dtype=torch.float16):
                    loss = self.model(**batch).loss
                self.scaler.scale(loss).backward()
                clip_grad_norm_(self.model.parameters(), self.max_grad_norm)
                self.scaler.step(self.optimizer)
                self.scaler.update()
        """,
        at=[(18, 9)],
        message="self.scaler.unscale_(self.optimizer)",
        fixed="""
        import torch
        from torch import nn
        from torch.nn.utils import clip_grad_norm_


        class AmpTrainer:
            def __init__(self, model: nn.Module, max_grad_norm: float):
                self.model = model
                self.optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
                self.scaler = torch.amp.GradScaler("cuda")
                self.max_grad_norm = max_grad_norm

            def step(self, batch):
                self.optimizer.zero_grad()
                with torch.autocast("cuda", dtype=torch.float16):
                    loss = self.model(**batch).loss
                self.scaler.scale(loss).backward()
                self.scaler.unscale_(self.optimizer)
                clip_grad_norm_(self.model.parameters(), self.max_grad_norm)
                self.scaler.step(self.optimizer)
                self.scaler.update()
        """,
    ),
    Invalid(
        """
        import torch
        import torch.nn as nn


        def train_step(model, batch, optimizer, scaler, clip_value):
            optimizer.zero_grad()
            with torch.autocast("cuda", dtype=torch.float16):
                loss = nn.functional.mse_loss(model(batch["x"]), batch["y"])
            scaler.scale(loss).backward()
            nn.utils.clip_grad_value_(model.parameters(), clip_value)
            scaler.step(optimizer)
            scaler.update()
        """,
        at=[(10, 5)],
        fixed="""
        import torch
        import torch.nn as nn


        def train_step(model, batch, optimizer, scaler, clip_value):
            optimizer.zero_grad()
            with torch.autocast("cuda", dtype=torch.float16):
                loss = nn.functional.mse_loss(model(batch["x"]), batch["y"])
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
            nn.utils.clip_grad_value_(model.parameters(), clip_value)
            scaler.step(optimizer)
            scaler.update()
        """,
    ),
    Invalid(
        """
        import torch

        scaler = torch.cuda.amp.GradScaler()
        for it in range(max_iters):
            for micro_step in range(grad_accum_steps):
                with torch.autocast("cuda", dtype=torch.float16):
                    _, loss = model(*get_batch())
                scaler.scale(loss / grad_accum_steps).backward()
            grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            scaler.step(optimizer)
            scaler.update()
            optimizer.zero_grad(set_to_none=True)
        """,
        at=[(9, 17)],
        fixed="""
        import torch

        scaler = torch.cuda.amp.GradScaler()
        for it in range(max_iters):
            for micro_step in range(grad_accum_steps):
                with torch.autocast("cuda", dtype=torch.float16):
                    _, loss = model(*get_batch())
                scaler.scale(loss / grad_accum_steps).backward()
            scaler.unscale_(optimizer)
            grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            scaler.step(optimizer)
            scaler.update()
            optimizer.zero_grad(set_to_none=True)
        """,
    ),
    Invalid(
        """
        import torch


        def train(args, model, loader, optimizer):
            scaler = torch.amp.GradScaler("cuda", enabled=args.fp16)
            for batch in loader:
                optimizer.zero_grad()
                with torch.autocast("cuda", enabled=args.fp16):
                    loss = model(batch)
                scaler.scale(loss).backward()
                if args.max_grad_norm > 0:
                    torch.nn.utils.clip_grad_norm_(model.parameters(), args.max_grad_norm)
                scaler.step(optimizer)
                scaler.update()
        """,
        at=[(12, 13)],
        fixed="""
        import torch


        def train(args, model, loader, optimizer):
            scaler = torch.amp.GradScaler("cuda", enabled=args.fp16)
            for batch in loader:
                optimizer.zero_grad()
                with torch.autocast("cuda", enabled=args.fp16):
                    loss = model(batch)
                scaler.scale(loss).backward()
                if args.max_grad_norm > 0:
                    scaler.unscale_(optimizer)
                    torch.nn.utils.clip_grad_norm_(model.parameters(), args.max_grad_norm)
                scaler.step(optimizer)
                scaler.update()
        """,
    ),
    Invalid(
        """
        import torch

        amp_scaler = torch.amp.GradScaler()
        for x, y in loader:
            opt.zero_grad()
            with torch.autocast("cuda"):
                loss = criterion(model(x), y)
            amp_scaler.scale(loss).backward()
            if clip: torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
            amp_scaler.step(opt)
            amp_scaler.update()
        """,
        at=[(9, 14)],
        message="amp_scaler.unscale_(opt)",
    ),
    Valid(
        """
        import torch

        for x, y in loader:
            optimizer.zero_grad()
            with torch.autocast("cuda", dtype=torch.float16):
                loss = criterion(model(x), y)
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            scaler.step(optimizer)
            scaler.update()
        """,
        why="unscaled before the clip",
    ),
    Valid(
        """
        import torch

        scaler = torch.amp.GradScaler("cuda", enabled=False)
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            scaler.scale(loss).backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            scaler.step(optimizer)
            scaler.update()
        """,
        why="a disabled scaler scales nothing",
    ),
    Valid(
        """
        import torch

        for x, y in loader:
            optimizer.zero_grad()
            with torch.autocast("cuda", dtype=torch.bfloat16):
                loss = criterion(model(x), y)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
        """,
        why="bf16 without a scaler",
    ),
    Valid(
        """
        import torch
        from accelerate import Accelerator

        accelerator = Accelerator(mixed_precision="fp16")
        model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
        for batch in loader:
            optimizer.zero_grad()
            accelerator.backward(model(**batch).loss)
            accelerator.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
        """,
        why="accelerate unscales in its own clip",
    ),
    Valid(
        """
        import torch


        def step(model, loss, optimizer, scaler, clip):
            scaler.scale(loss).backward()
            if clip is not None:
                scaler.unscale_(optimizer)
                torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
            scaler.step(optimizer)
            scaler.update()
        """,
        why="unscaled in the same branch before the clip",
    ),
    Valid(
        """
        import torch

        for x, y in loader:
            optimizer.zero_grad()
            with torch.autocast("cuda", dtype=torch.float16):
                loss = criterion(model(x), y)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            torch.nn.utils.clip_grad_norm_(ema_model.parameters(), 1.0)
        """,
        why="the clip is not between the backward and the step",
    ),
]
