from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import torch
        from torch import nn


        def main(args, model, train_loader):
            optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.05)
            scaler = torch.amp.GradScaler("cuda")
            for epoch in range(args.epochs):
                for images, labels in train_loader:
                    with torch.autocast("cuda", dtype=torch.float16):
                        loss = nn.functional.cross_entropy(model(images), labels)
                    scaler.scale(loss).backward()
                    scaler.step(optimizer)
                    scaler.update()
                    optimizer.zero_grad()
        """,
        at=[(6, 17)],
        message="scheduler.step()",
        fixed="""
        import torch
        from torch import nn


        def main(args, model, train_loader):
            optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.05)
            total_steps = args.epochs * len(train_loader)
            warmup_steps = max(1, total_steps // 20)
            scheduler = torch.optim.lr_scheduler.SequentialLR(
                optimizer,
                schedulers=[
                    torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.01, total_iters=warmup_steps),
                    torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_steps - warmup_steps),
                ],
                milestones=[warmup_steps],
            )
            scaler = torch.amp.GradScaler("cuda")
            for epoch in range(args.epochs):
                for images, labels in train_loader:
                    with torch.autocast("cuda", dtype=torch.float16):
                        loss = nn.functional.cross_entropy(model(images), labels)
                    scaler.scale(loss).backward()
                    scaler.step(optimizer)
                    scaler.update()
                    scheduler.step()
                    optimizer.zero_grad()
        """,
    ),
    Invalid(
        """
        import torch.optim as optim


        class Agent:
            def __init__(self, policy, lr=3e-4):
                self.policy = policy
                self.optimizer = optim.Adam(policy.parameters(), lr=lr, eps=1e-5)

            def update(self, batch):
                loss = self.policy.loss(batch)
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()  # one gradient step
                return loss.item()
        """,
        at=[(7, 26)],
        fixed="""
        import torch.optim as optim


        class Agent:
            def __init__(self, policy, lr=3e-4):
                self.policy = policy
                self.optimizer = optim.Adam(policy.parameters(), lr=lr, eps=1e-5)
                total_steps = 10_000  # TODO: the number of optimizer steps in the run
                warmup_steps = max(1, total_steps // 20)
                self.scheduler = optim.lr_scheduler.SequentialLR(
                    self.optimizer,
                    schedulers=[
                        optim.lr_scheduler.LinearLR(self.optimizer, start_factor=0.01, total_iters=warmup_steps),
                        optim.lr_scheduler.CosineAnnealingLR(self.optimizer, T_max=total_steps - warmup_steps),
                    ],
                    milestones=[warmup_steps],
                )

            def update(self, batch):
                loss = self.policy.loss(batch)
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()  # one gradient step
                self.scheduler.step()
                return loss.item()
        """,
    ),
    Invalid(
        """
        import torch
        from torch.optim import SGD

        model = Net().cuda()
        opt = SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
        total_steps = 0
        while total_steps < max_steps:
            for x, y in loader:
                loss = criterion(model(x.cuda()), y.cuda())
                opt.zero_grad()
                loss.backward()
                opt.step()
                total_steps += 1
        """,
        at=[(5, 7)],
        fixed="""
        import torch
        from torch.optim import SGD
        from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR

        model = Net().cuda()
        opt = SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
        num_training_steps = 10_000  # TODO: the number of optimizer steps in the run
        warmup_steps = max(1, num_training_steps // 20)
        scheduler = SequentialLR(
            opt,
            schedulers=[
                LinearLR(opt, start_factor=0.01, total_iters=warmup_steps),
                CosineAnnealingLR(opt, T_max=num_training_steps - warmup_steps),
            ],
            milestones=[warmup_steps],
        )
        total_steps = 0
        while total_steps < max_steps:
            for x, y in loader:
                loss = criterion(model(x.cuda()), y.cuda())
                opt.zero_grad()
                loss.backward()
                opt.step()
                scheduler.step()
                total_steps += 1
        """,
    ),
    Invalid(
        """
        import torch


        def train_one_epoch(model, loader, optimizer, device):
            model.train()
            for x, y in loader:
                loss = model(x.to(device), y.to(device))
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()


        def main(cfg):
            model = build_model(cfg)
            optimizer = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=0.9)
            for epoch in range(cfg.epochs):
                train_one_epoch(model, train_loader, optimizer, cfg.device)
        """,
        at=[(15, 17)],
    ),
    Invalid(
        """
        import torch
        from torch.utils.data import DataLoader

        num_epochs = 25
        dataloader = DataLoader(dataset, batch_size=128, shuffle=True, num_workers=2)
        generator_opt = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
        discriminator_opt = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
        for epoch in range(num_epochs):
            for i, (real, _) in enumerate(dataloader):
                d_loss = discriminator_loss(D, G, real)
                discriminator_opt.zero_grad()
                d_loss.backward()
                discriminator_opt.step()
                g_loss = generator_loss(D, G, real.size(0))
                generator_opt.zero_grad()
                g_loss.backward()
                generator_opt.step()
        """,
        at=[(6, 17), (7, 21)],
        fixed="""
        import torch
        from torch.utils.data import DataLoader

        num_epochs = 25
        dataloader = DataLoader(dataset, batch_size=128, shuffle=True, num_workers=2)
        generator_opt = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
        total_steps = num_epochs * len(dataloader)
        warmup_steps = max(1, total_steps // 20)
        scheduler = torch.optim.lr_scheduler.SequentialLR(
            generator_opt,
            schedulers=[
                torch.optim.lr_scheduler.LinearLR(generator_opt, start_factor=0.01, total_iters=warmup_steps),
                torch.optim.lr_scheduler.CosineAnnealingLR(generator_opt, T_max=total_steps - warmup_steps),
            ],
            milestones=[warmup_steps],
        )
        discriminator_opt = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
        num_training_steps = num_epochs * len(dataloader)
        num_warmup_steps = max(1, num_training_steps // 20)
        lr_scheduler = torch.optim.lr_scheduler.SequentialLR(
            discriminator_opt,
            schedulers=[
                torch.optim.lr_scheduler.LinearLR(discriminator_opt, start_factor=0.01, total_iters=num_warmup_steps),
                torch.optim.lr_scheduler.CosineAnnealingLR(discriminator_opt, T_max=num_training_steps - num_warmup_steps),
            ],
            milestones=[num_warmup_steps],
        )
        for epoch in range(num_epochs):
            for i, (real, _) in enumerate(dataloader):
                d_loss = discriminator_loss(D, G, real)
                discriminator_opt.zero_grad()
                d_loss.backward()
                discriminator_opt.step()
                lr_scheduler.step()
                g_loss = generator_loss(D, G, real.size(0))
                generator_opt.zero_grad()
                g_loss.backward()
                generator_opt.step()
                scheduler.step()
        """,
    ),
    Valid(
        """
        import torch

        optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=30, gamma=0.1)
        for epoch in range(90):
            for x, y in loader:
                loss = criterion(model(x), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            scheduler.step()
        """,
        why="the module builds a scheduler",
    ),
    Valid(
        """
        import torch
        from transformers import get_linear_schedule_with_warmup

        optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5)
        lr_sched = get_linear_schedule_with_warmup(optimizer, num_warmup_steps=100, num_training_steps=total)
        for batch in loader:
            model(**batch).loss.backward()
            optimizer.step()
            lr_sched.step()
            optimizer.zero_grad()
        """,
        why="a transformers schedule",
    ),
    Valid(
        """
        import torch
        from transformers import Trainer

        optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5)
        trainer = Trainer(model=model, args=training_args, train_dataset=ds, optimizers=(optimizer, None))
        trainer.train()
        """,
        why="the optimizer is only passed elsewhere",
    ),
    Valid(
        """
        import lightning as L
        import torch


        class LitModel(L.LightningModule):
            def configure_optimizers(self):
                return torch.optim.AdamW(self.parameters(), lr=1e-3)
        """,
        why="an optimizer returned to the framework that steps it",
    ),
    Valid(
        """
        import torch

        optimizer = model.configure_optimizers(weight_decay, learning_rate, (beta1, beta2), device_type)
        while True:
            loss = model(X, Y)[1]
            loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
        """,
        why="an optimizer built by a factory is not constructed here",
    ),
    Valid(
        """
        import torch

        optimizer = torch.optim.Adam(agent.parameters(), lr=args.learning_rate, eps=1e-5)
        for iteration in range(1, args.num_iterations + 1):
            if args.anneal_lr:
                frac = 1.0 - (iteration - 1.0) / args.num_iterations
                optimizer.param_groups[0]["lr"] = frac * args.learning_rate
            loss = ppo_loss(agent, batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        """,
        why='a hand-written schedule assigning param_group["lr"]',
    ),
    Valid(
        """
        import torch

        optimizer = torch.optim.LBFGS(model.parameters(), lr=1, max_iter=20)


        def closure():
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.backward()
            return loss


        for _ in range(10):
            optimizer.step(closure)
        """,
        why="LBFGS never needs one",
    ),
    Valid(
        """
        import torch
        from mylib.training import fit

        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
        fit(model, loader, optimizer, epochs=10)
        """,
        why="the optimizer is handed to a function of another module",
    ),
    Valid(
        """
        import torch


        def adjust_learning_rate(optimizer, epoch, base_lr):
            for group in optimizer.param_groups:
                group["lr"] = base_lr * (0.1 ** (epoch // 30))


        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for epoch in range(90):
            adjust_learning_rate(optimizer, epoch, 0.1)
            for x, y in loader:
                criterion(model(x), y).backward()
                optimizer.step()
        """,
        why="the classic adjust_learning_rate step decay",
    ),
    Invalid(
        """
        import math

        import torch
        from torch import nn


        def cosine_beta_schedule(timesteps, s=0.008):
            steps = timesteps + 1
            x = torch.linspace(0, timesteps, steps)
            alphas_cumprod = torch.cos(((x / timesteps) + s) / (1 + s) * math.pi * 0.5) ** 2
            betas = 1 - (alphas_cumprod[1:] / alphas_cumprod[:-1])
            return torch.clip(betas, 0.0001, 0.9999)


        betas = cosine_beta_schedule(1000)
        denoiser = nn.Sequential(nn.Linear(32, 128), nn.SiLU(), nn.Linear(128, 32))
        optimizer = torch.optim.AdamW(denoiser.parameters(), lr=2e-4)
        for step in range(100_000):
            x0 = sample_batch()
            t = torch.randint(0, 1000, (x0.size(0),))
            loss = diffusion_loss(denoiser, x0, t, betas)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        """,
        at=[(17, 13)],
    ),
    Invalid(
        """
        import torch
        from diffusers import DDPMScheduler, UNet2DModel

        model = UNet2DModel(sample_size=32)
        noise_scheduler = DDPMScheduler(num_train_timesteps=1000)
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
        for clean in train_dataloader:
            noise = torch.randn_like(clean)
            timesteps = torch.randint(0, 1000, (clean.shape[0],))
            noisy = noise_scheduler.add_noise(clean, noise, timesteps)
            loss = torch.nn.functional.mse_loss(model(noisy, timesteps).sample, noise)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
        """,
        at=[(6, 13)],
    ),
    Invalid(
        """
        import torch
        import torch.optim as optim

        net = DQN(obs_size, n_actions)
        exp_source = ExperienceSourceFirstLast(env, agent, gamma=0.99, steps_count=1)
        optimizer = optim.Adam(net.parameters(), lr=1e-4)
        for batch in exp_source:
            optimizer.zero_grad()
            loss_v = calc_loss(batch, net, tgt_net)
            loss_v.backward()
            optimizer.step()
        """,
        at=[(6, 13)],
        fixed="""
        import torch
        import torch.optim as optim

        net = DQN(obs_size, n_actions)
        exp_source = ExperienceSourceFirstLast(env, agent, gamma=0.99, steps_count=1)
        optimizer = optim.Adam(net.parameters(), lr=1e-4)
        total_steps = 10_000  # TODO: the number of optimizer steps in the run
        warmup_steps = max(1, total_steps // 20)
        scheduler = optim.lr_scheduler.SequentialLR(
            optimizer,
            schedulers=[
                optim.lr_scheduler.LinearLR(optimizer, start_factor=0.01, total_iters=warmup_steps),
                optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_steps - warmup_steps),
            ],
            milestones=[warmup_steps],
        )
        for batch in exp_source:
            optimizer.zero_grad()
            loss_v = calc_loss(batch, net, tgt_net)
            loss_v.backward()
            optimizer.step()
            scheduler.step()
        """,
    ),
    Invalid(
        """
        import torch
        from torch import nn

        netG = Generator()
        netD = Discriminator()
        optimizerD = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
        optimizerG = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))
        schedulerG = torch.optim.lr_scheduler.StepLR(optimizerG, step_size=30, gamma=0.5)
        for epoch in range(100):
            for real in dataloader:
                optimizerD.zero_grad()
                d_loss(netD, netG, real).backward()
                optimizerD.step()
                optimizerG.zero_grad()
                g_loss(netD, netG, real).backward()
                optimizerG.step()
            schedulerG.step()
        """,
        at=[(6, 14)],
    ),
    Valid(
        """
        import torch


        def make_scheduler(optimizer, cfg):
            return torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=cfg.milestones)


        optimizer_g = torch.optim.Adam(netG.parameters(), lr=2e-4)
        optimizer_d = torch.optim.Adam(netD.parameters(), lr=2e-4)
        schedulers = [build(opt, cfg) for opt in (optimizer_g, optimizer_d)]
        for real in loader:
            d_loss(real).backward()
            optimizer_d.step()
            g_loss(real).backward()
            optimizer_g.step()
            for s in schedulers:
                s.step()
        """,
        why="schedules built from the optimizers in a helper, which cannot be told apart",
    ),
]
