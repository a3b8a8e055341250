from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import torch

        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        model = torch.nn.Linear(4, 1).to(device)
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
        for x in loader:
            optimizer.zero_grad()
            model(x.to(device)).pow(2).mean().backward()  # a loss computed on the call, no GradScaler
            optimizer.step()
        """,
        at=[(8, 5)],
        message="dtype=torch.bfloat16",
    ),
    Invalid(
        """
        import torch
        import torch.nn.functional as F

        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        model = Net().to(device)
        optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4)

        for epoch in range(10):
            model.train()
            for images, labels in train_loader:
                images, labels = images.to(device), labels.to(device)
                optimizer.zero_grad(set_to_none=True)
                # forward
                logits = model(images)
                loss = F.cross_entropy(logits, labels, label_smoothing=0.1)  # smoothed
                loss.backward()
                optimizer.step()
        """,
        at=[(16, 9)],
        message="dtype=torch.bfloat16",
        fixed="""
        import torch
        import torch.nn.functional as F

        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        model = Net().to(device)
        optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4)

        for epoch in range(10):
            model.train()
            for images, labels in train_loader:
                images, labels = images.to(device), labels.to(device)
                optimizer.zero_grad(set_to_none=True)
                # forward
                with torch.autocast(device_type=device.type, dtype=torch.bfloat16):
                    logits = model(images)
                    loss = F.cross_entropy(logits, labels, label_smoothing=0.1)  # smoothed
                loss.backward()
                optimizer.step()
        """,
    ),
    Invalid(
        """
        import torch
        from torch import nn


        def train_one_epoch(model, loader, optimizer, scaler, device, accum_steps):
            criterion = nn.CrossEntropyLoss()
            for step, (x, y) in enumerate(loader):
                x = x.to(device, non_blocking=True)
                y = y.to(device, non_blocking=True)
                out = model(x)
                loss = criterion(
                    out,
                    y,
                ) / accum_steps
                scaler.scale(loss).backward()
                if (step + 1) % accum_steps == 0:
                    scaler.step(optimizer)
                    scaler.update()
                    optimizer.zero_grad()
        """,
        at=[(15, 9)],
        message="GradScaler",
        fixed="""
        import torch
        from torch import nn


        def train_one_epoch(model, loader, optimizer, scaler, device, accum_steps):
            criterion = nn.CrossEntropyLoss()
            for step, (x, y) in enumerate(loader):
                x = x.to(device, non_blocking=True)
                y = y.to(device, non_blocking=True)
                with torch.autocast(device_type=torch.device(device).type, dtype=torch.float16):
                    out = model(x)
                    loss = criterion(
                        out,
                        y,
                    ) / accum_steps
                scaler.scale(loss).backward()
                if (step + 1) % accum_steps == 0:
                    scaler.step(optimizer)
                    scaler.update()
                    optimizer.zero_grad()
        """,
    ),
    Invalid(
        """
        import torch
        import torch.nn as nn


        class GANTrainer:
            def __init__(self, generator, discriminator, z_dim=100):
                self.G, self.D, self.z_dim = generator, discriminator, z_dim
                self.bce = nn.BCEWithLogitsLoss()
                self.opt_g = torch.optim.Adam(self.G.parameters(), lr=2e-4, betas=(0.5, 0.999))
                self.opt_d = torch.optim.Adam(self.D.parameters(), lr=2e-4, betas=(0.5, 0.999))

            def step(self, real):
                ones = torch.ones(real.size(0), 1, device=real.device)
                zeros = torch.zeros(real.size(0), 1, device=real.device)
                noise = torch.randn(real.size(0), self.z_dim, device=real.device)
                fake = self.G(noise)
                d_loss = self.bce(self.D(real), ones) + self.bce(self.D(fake.detach()), zeros)
                self.opt_d.zero_grad()
                d_loss.backward()
                self.opt_d.step()

                g_loss = self.bce(self.D(fake), ones)
                self.opt_g.zero_grad()
                g_loss.backward()
                self.opt_g.step()
                return d_loss.item(), g_loss.item()
        """,
        at=[(19, 9), (24, 9)],
        fixed="""
        import torch
        import torch.nn as nn


        class GANTrainer:
            def __init__(self, generator, discriminator, z_dim=100):
                self.G, self.D, self.z_dim = generator, discriminator, z_dim
                self.bce = nn.BCEWithLogitsLoss()
                self.opt_g = torch.optim.Adam(self.G.parameters(), lr=2e-4, betas=(0.5, 0.999))
                self.opt_d = torch.optim.Adam(self.D.parameters(), lr=2e-4, betas=(0.5, 0.999))

            def step(self, real):
                ones = torch.ones(real.size(0), 1, device=real.device)
                zeros = torch.zeros(real.size(0), 1, device=real.device)
                noise = torch.randn(real.size(0), self.z_dim, device=real.device)
                with torch.autocast(device_type="cuda" if torch.cuda.is_available() else "cpu", dtype=torch.bfloat16):
                    fake = self.G(noise)
                    d_loss = self.bce(self.D(real), ones) + self.bce(self.D(fake.detach()), zeros)
                self.opt_d.zero_grad()
                d_loss.backward()
                self.opt_d.step()

                with torch.autocast(device_type="cuda" if torch.cuda.is_available() else "cpu", dtype=torch.bfloat16):
                    g_loss = self.bce(self.D(fake), ones)
                self.opt_g.zero_grad()
                g_loss.backward()
                self.opt_g.step()
                return d_loss.item(), g_loss.item()
        """,
    ),
    Invalid(
        """
        import os

        from torch.optim import AdamW
        from transformers import AutoModelForSequenceClassification

        device = os.environ.get("DEVICE", "cuda")


        def finetune(train_dataloader, epochs=3):
            model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased").to(device)
            optimizer = AdamW(model.parameters(), lr=2e-5)
            for epoch in range(epochs):
                for batch in train_dataloader:
                    batch = {k: v.to(device) for k, v in batch.items()}
                    outputs = model(**batch)
                    loss = outputs.loss
                    loss.backward()
                    optimizer.step()
                    optimizer.zero_grad()
        """,
        at=[(17, 13)],
        fixed="""
        import os

        from torch.optim import AdamW
        from transformers import AutoModelForSequenceClassification
        import torch

        device = os.environ.get("DEVICE", "cuda")


        def finetune(train_dataloader, epochs=3):
            model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased").to(device)
            optimizer = AdamW(model.parameters(), lr=2e-5)
            for epoch in range(epochs):
                for batch in train_dataloader:
                    batch = {k: v.to(device) for k, v in batch.items()}
                    with torch.autocast(device_type=torch.device(device).type, dtype=torch.bfloat16):
                        outputs = model(**batch)
                        loss = outputs.loss
                    loss.backward()
                    optimizer.step()
                    optimizer.zero_grad()
        """,
    ),
    Invalid(
        """
        import torch
        import torch.nn.functional as F


        def fit(model, loader, optimizer, cfg):
            for x, y in loader:
                logits = model(x)
                if cfg.label_smoothing:
                    loss = F.cross_entropy(logits, y, label_smoothing=cfg.label_smoothing)
                else:
                    loss = F.cross_entropy(logits, y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()


        def fit_inline(model, loader, optimizer, criterion):
            for x, y in loader:
                optimizer.zero_grad()
                criterion(model(x), y).backward()
                optimizer.step()
        """,
        at=[(13, 9), (20, 9)],
    ),
    Invalid(
        """
        import torch
        import torch.nn as nn

        criterion = nn.BCELoss()
        for epoch in range(num_epochs):
            for real, _ in dataloader:
                netD.zero_grad()
                output = netD(real.to(device))
                err_real = criterion(output, torch.ones_like(output))
                err_real.backward()
                optimizerD.step()
        """,
        at=[(10, 9)],
    ),
    Invalid(
        """
        import torch

        model = GPT(config)
        optimizer = torch.optim.AdamW(model.parameters(), lr=6e-4)
        for it in range(max_iters):
            for micro_step in range(grad_accum_steps):
                xb, yb = get_batch("train")
                logits, loss = model(xb, yb)
                loss = loss / grad_accum_steps
                loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
        """,
        at=[(10, 9)],
        fixed="""
        import torch

        model = GPT(config)
        optimizer = torch.optim.AdamW(model.parameters(), lr=6e-4)
        for it in range(max_iters):
            for micro_step in range(grad_accum_steps):
                with torch.autocast(device_type="cuda" if torch.cuda.is_available() else "cpu", dtype=torch.bfloat16):
                    xb, yb = get_batch("train")
                    logits, loss = model(xb, yb)
                    loss = loss / grad_accum_steps
                loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
        """,
    ),
    Valid(
        """
        import torch

        device = torch.device("cuda")
        for x, y in loader:
            optimizer.zero_grad()
            with torch.autocast(device_type="cuda", dtype=torch.bfloat16):
                logits = model(x.to(device))
                loss = criterion(logits, y.to(device))
            loss.backward()
            optimizer.step()
        """,
        why="the forward pass and loss already run under torch.autocast",
    ),
    Valid(
        """
        from contextlib import nullcontext

        import torch

        device_type = "cuda" if "cuda" in device else "cpu"
        ptdtype = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[dtype]
        ctx = nullcontext() if device_type == "cpu" else torch.amp.autocast(device_type=device_type, dtype=ptdtype)
        scaler = torch.amp.GradScaler("cuda", enabled=(dtype == "float16"))

        while True:
            for micro_step in range(gradient_accumulation_steps):
                with ctx:
                    logits, loss = model(X, Y)
                    loss = loss / gradient_accumulation_steps
                X, Y = get_batch("train")
                scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            optimizer.zero_grad(set_to_none=True)
        """,
        why="autocast entered through a context variable",
    ),
    Valid(
        """
        import torch
        from torch.cuda.amp import GradScaler, autocast

        scaler = GradScaler()


        def train_step(model, batch, optimizer):
            with autocast():
                loss = model(**batch).loss
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
        """,
        why="the deprecated torch.cuda.amp.autocast still autocasts (TL102 reports it)",
    ),
    Valid(
        """
        import torch
        from accelerate import Accelerator

        accelerator = Accelerator(mixed_precision="bf16", gradient_accumulation_steps=4)
        model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
        for batch in loader:
            with accelerator.accumulate(model):
                outputs = model(**batch)
                loss = outputs.loss
                accelerator.backward(loss)
                optimizer.step()
                optimizer.zero_grad()
        """,
        why="accelerate takes mixed precision from its config",
    ),
    Valid(
        """
        import torch


        def compute_loss(model, batch):
            return model(**batch).loss


        def train(model, loader, optimizer, accelerator):
            for batch in loader:
                with accelerator.autocast():
                    loss = compute_loss(model, batch)
                loss.backward()
                optimizer.step()
        """,
        why="accelerator.autocast() is autocast",
    ),
    Valid(
        """
        import torch


        class Trainer:
            def backward_and_step(self, loss, optimizer):
                loss = loss / self.accum_steps
                loss.backward()
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
                optimizer.step()
                optimizer.zero_grad()

            def scaled_backward(self, batch_loss):
                self.scaler.scale(batch_loss.mean()).backward()
        """,
        why="helpers whose loss arrives as a parameter: the caller owns the forward pass",
    ),
    Valid(
        """
        import torch

        model = PINN().double()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        for epoch in range(20000):
            x = torch.rand(1024, 2, dtype=torch.float64, requires_grad=True)
            residual = pde_residual(model, x)
            loss = (residual ** 2).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        """,
        why="float64 work: autocast would throw away the precision it needs",
    ),
    Valid(
        """
        import torch

        optimizer = torch.optim.LBFGS(model.parameters(), lr=1, max_iter=20, history_size=100)


        def closure():
            optimizer.zero_grad()
            output = model(inputs)
            loss = criterion(output, targets)
            loss.backward()
            return loss


        for step in range(50):
            optimizer.step(closure)
        """,
        why="torch.optim.LBFGS closures",
    ),
    Valid(
        """
        import torch


        @torch.no_grad()
        def evaluate(model, loader, device):
            model.eval()
            correct = 0
            for x, y in loader:
                logits = model(x.to(device))
                correct += (logits.argmax(-1) == y.to(device)).sum().item()
            return correct / len(loader.dataset)
        """,
        why="inference-only code",
    ),
    Valid(
        """
        import torch

        x = torch.ones(2, 2, requires_grad=True)
        y = x * x + 2
        out = y.mean()
        out.backward()
        print(x.grad)
        """,
        why="an autograd demonstration, no optimizer is stepped",
    ),
    Valid(
        """
        import torch


        def train_step(model, batch, optimizer):
            loss = model(**batch).loss
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()


        def main(model, loader, optimizer):
            for batch in loader:
                with torch.autocast(device_type="cuda", dtype=torch.bfloat16):
                    train_step(model, batch, optimizer)
        """,
        why="the step function is called under autocast",
    ),
    Valid(
        """
        import torch
        from torch import nn


        class Model(nn.Module):
            @torch.autocast(device_type="cuda", dtype=torch.bfloat16)
            def forward(self, x):
                return self.head(self.encoder(x))


        for x, y in loader:
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
        """,
        why="the model's forward enters autocast itself",
    ),
    Valid(
        """
        import torch
        from transformers import AutoModelForCausalLM

        model = AutoModelForCausalLM.from_pretrained(name, torch_dtype=torch.bfloat16)
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5)
        for batch in loader:
            loss = model(**batch).loss
            loss.backward()
            optimizer.step()
        """,
        why="the model is already cast to half precision: pure bfloat16 training",
    ),
    Valid(
        """
        import torch


        def train(model, loader, optimizer, amp_ctx):
            for x, y in loader:
                with amp_ctx:
                    loss = model(x, y)
                loss.backward()
                optimizer.step()
        """,
        why="a context manager we cannot see into may be autocast",
    ),
    Invalid(
        """
        import torch
        import torch.nn as nn

        criterion = nn.BCELoss()
        optimizerD = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
        optimizerG = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))
        for epoch in range(opt.niter):
            for i, (real, _) in enumerate(dataloader):
                netD.zero_grad()
                label = torch.full((real.size(0),), 1.0, device=device)
                output = netD(real.to(device))
                errD_real = criterion(output, label)
                errD_real.backward()
                fake = netG(torch.randn(real.size(0), nz, 1, 1, device=device))
                label.fill_(0.0)
                errD_fake = criterion(netD(fake.detach()), label)
                errD_fake.backward()
                optimizerD.step()
                netG.zero_grad()
                label.fill_(1.0)
                errG = criterion(netD(fake), label)
                errG.backward()
                optimizerG.step()
        """,
        at=[(13, 9), (22, 9)],
        message="BCEWithLogitsLoss",
    ),
    Invalid(
        """
        import torch
        import torch.nn.functional as F
        from apex import amp


        def cal_performance(pred, gold):
            loss = F.cross_entropy(pred, gold)
            return loss, pred.argmax(1).eq(gold).sum().item()


        def train_epoch(model, loader, optimizer, use_amp):
            model.train()
            for src, gold in loader:
                optimizer.zero_grad()
                pred = model(src)
                loss, n_correct = cal_performance(pred, gold)
                if use_amp:
                    with amp.scale_loss(loss, optimizer) as scaled_loss:
                        scaled_loss.backward()
                else:
                    loss.backward()
                optimizer.step_and_update_lr()


        def export(model, path):
            model.half()
            torch.save(model.state_dict(), path)
        """,
        at=[(21, 13)],
        fixed="""
        import torch
        import torch.nn.functional as F
        from apex import amp


        def cal_performance(pred, gold):
            loss = F.cross_entropy(pred, gold)
            return loss, pred.argmax(1).eq(gold).sum().item()


        def train_epoch(model, loader, optimizer, use_amp):
            model.train()
            for src, gold in loader:
                optimizer.zero_grad()
                with torch.autocast(device_type="cuda" if torch.cuda.is_available() else "cpu", dtype=torch.bfloat16):
                    pred = model(src)
                    loss, n_correct = cal_performance(pred, gold)
                if use_amp:
                    with amp.scale_loss(loss, optimizer) as scaled_loss:
                        scaled_loss.backward()
                else:
                    loss.backward()
                optimizer.step_and_update_lr()


        def export(model, path):
            model.half()
            torch.save(model.state_dict(), path)
        """,
    ),
    Invalid(
        """
        import torch
        import torch.nn as nn

        criterion = nn.CrossEntropyLoss()
        for x, y in loader:
            outputs = net(x)
            optimizer.zero_grad()
            loss = criterion(outputs, y)
            loss.backward()
            optimizer.step()
        """,
        at=[(9, 5)],
        fixed="""
        import torch
        import torch.nn as nn

        criterion = nn.CrossEntropyLoss()
        for x, y in loader:
            optimizer.zero_grad()
            with torch.autocast(device_type="cuda" if torch.cuda.is_available() else "cpu", dtype=torch.bfloat16):
                outputs = net(x)
                loss = criterion(outputs, y)
            loss.backward()
            optimizer.step()
        """,
    ),
    Valid(
        """
        import torch


        def train(model, loader, optimizer, device):
            model = model.to(device).half()
            for x, y in loader:
                loss = torch.nn.functional.cross_entropy(model(x.to(device).half()), y.to(device))
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        """,
        why="the step's own function casts the model and inputs to half precision",
    ),
    Valid(
        """
        import torch
        from apex import amp

        model, optimizer = amp.initialize(model, optimizer, opt_level="O1")
        for x, y in loader:
            loss = criterion(model(x), y)
            optimizer.zero_grad()
            with amp.scale_loss(loss, optimizer) as scaled_loss:
                scaled_loss.backward()
            optimizer.step()
        """,
        why="apex amp.initialize with only the amp.scale_loss backward",
    ),
]
