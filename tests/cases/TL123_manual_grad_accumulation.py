from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import torch
        from torch import nn
        from torch.utils.data import DataLoader, TensorDataset

        dataset = TensorDataset(torch.randn(256, 16), torch.randint(0, 4, (256,)))
        train_loader = DataLoader(dataset, batch_size=8, shuffle=True)
        model = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 4))
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
        criterion = nn.CrossEntropyLoss()
        accum_steps = 4

        # training
        for epoch in range(5):
            for step, (x, y) in enumerate(train_loader):
                loss = criterion(model(x), y)
                loss = loss / accum_steps  # average over the micro-batches
                loss.backward()
                if (step + 1) % accum_steps == 0:
                    optimizer.step()
                    optimizer.zero_grad()
            print(f"epoch {epoch}: loss {loss.item() * accum_steps:.4f}")
        """,
        at=[(18, 9)],
        message="gradient_accumulation_steps",
        action="""
        import torch
        from torch import nn
        from torch.utils.data import DataLoader, TensorDataset
        from accelerate import Accelerator

        dataset = TensorDataset(torch.randn(256, 16), torch.randint(0, 4, (256,)))
        train_loader = DataLoader(dataset, batch_size=8, shuffle=True)
        model = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 4))
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
        criterion = nn.CrossEntropyLoss()
        accum_steps = 4

        # training
        # accelerate accumulates gradients over accum_steps batches: it divides the loss and steps on sync.
        accelerator = Accelerator(gradient_accumulation_steps=accum_steps)
        model, optimizer, train_loader = accelerator.prepare(model, optimizer, train_loader)
        for epoch in range(5):
            for step, (x, y) in enumerate(train_loader):
                with accelerator.accumulate(model):
                    loss = criterion(model(x), y)
                    accelerator.backward(loss)
                    optimizer.step()
                    optimizer.zero_grad()
            print(f"epoch {epoch}: loss {loss.item() * accum_steps:.4f}")
        """,
    ),
    Invalid(
        """
        import torch
        import torch.nn.functional as F


        def train(args, model, train_loader, scheduler):
            optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
            global_step = 0
            model.train()
            for epoch in range(args.epochs):
                for step, batch in enumerate(train_loader):
                    with torch.autocast("cuda", dtype=torch.bfloat16):
                        logits = model(batch["input_ids"])
                        loss = F.cross_entropy(logits.flatten(0, 1), batch["labels"].flatten()) / args.gradient_accumulation_steps
                    loss.backward()
                    if step % args.gradient_accumulation_steps == 0 or step == len(train_loader) - 1:
                        torch.nn.utils.clip_grad_norm_(model.parameters(), args.max_grad_norm)
                        optimizer.step()
                        scheduler.step()
                        optimizer.zero_grad()
                        global_step += 1
            return global_step
        """,
        at=[(15, 13)],
        action="""
        import torch
        import torch.nn.functional as F
        from accelerate import Accelerator


        def train(args, model, train_loader, scheduler):
            optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
            global_step = 0
            model.train()
            # accelerate accumulates gradients over args.gradient_accumulation_steps batches: it divides the loss and steps on sync.
            accelerator = Accelerator(gradient_accumulation_steps=args.gradient_accumulation_steps)
            model, optimizer, train_loader = accelerator.prepare(model, optimizer, train_loader)
            for epoch in range(args.epochs):
                for step, batch in enumerate(train_loader):
                    with accelerator.accumulate(model):
                        with torch.autocast("cuda", dtype=torch.bfloat16):
                            logits = model(batch["input_ids"])
                            loss = F.cross_entropy(logits.flatten(0, 1), batch["labels"].flatten())
                        accelerator.backward(loss)
                        if accelerator.sync_gradients:
                            torch.nn.utils.clip_grad_norm_(model.parameters(), args.max_grad_norm)
                            optimizer.step()
                            scheduler.step()
                            optimizer.zero_grad()
                            global_step += 1
            return global_step
        """,
    ),
    Invalid(
        """
        import torch
        from torch import nn


        class Trainer:
            def __init__(self, model: nn.Module, optimizer, accum_iter: int = 8):
                self.model = model
                self.optimizer = optimizer
                self.scaler = torch.amp.GradScaler("cuda")
                self.accum_iter = accum_iter

            def train_epoch(self, loader):
                for it, (images, labels) in enumerate(loader):
                    with torch.autocast("cuda"):
                        loss = nn.functional.cross_entropy(self.model(images), labels)
                    self.scaler.scale(loss / self.accum_iter).backward()
                    if (it + 1) % self.accum_iter == 0:
                        self.scaler.step(self.optimizer)
                        self.scaler.update()
                        self.optimizer.zero_grad(set_to_none=True)
        """,
        at=[(17, 13)],
    ),
    Invalid(
        """
        import torch
        import torch.nn.functional as F


        class Trainer:
            def __init__(self, model, loader, cfg):
                self.model = model
                self.loader = loader
                self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=cfg.lr)
                self.accum_steps = cfg.accum_steps

            def fit(self, epochs):
                for epoch in range(epochs):
                    for step, (x, y) in enumerate(self.loader):
                        loss = F.mse_loss(self.model(x), y)
                        loss /= self.accum_steps
                        loss.backward()
                        if (step + 1) % self.accum_steps == 0:
                            self.optimizer.step()
                            self.optimizer.zero_grad(set_to_none=True)
        """,
        at=[(18, 17)],
        action="""
        import torch
        import torch.nn.functional as F
        from accelerate import Accelerator


        class Trainer:
            def __init__(self, model, loader, cfg):
                self.model = model
                self.loader = loader
                self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=cfg.lr)
                self.accum_steps = cfg.accum_steps

            def fit(self, epochs):
                # accelerate accumulates gradients over self.accum_steps batches: it divides the loss and steps on sync.
                accelerator = Accelerator(gradient_accumulation_steps=self.accum_steps)
                self.model, self.optimizer, self.loader = accelerator.prepare(self.model, self.optimizer, self.loader)
                for epoch in range(epochs):
                    for step, (x, y) in enumerate(self.loader):
                        with accelerator.accumulate(self.model):
                            loss = F.mse_loss(self.model(x), y)
                            accelerator.backward(loss)
                            self.optimizer.step()
                            self.optimizer.zero_grad(set_to_none=True)
        """,
    ),
    Invalid(
        """
        import torch

        gradient_accumulation_steps = 8

        if __name__ == "__main__":
            model = GPT(config).to(device)
            optimizer = torch.optim.AdamW(model.parameters(), lr=6e-4, betas=(0.9, 0.95))
            scaler = torch.amp.GradScaler("cuda", enabled=dtype == "float16")
            X, Y = get_batch("train")
            for it in range(max_iters):
                for micro_step in range(gradient_accumulation_steps):
                    with ctx:
                        logits, loss = model(X, Y)
                        loss = loss / gradient_accumulation_steps
                    X, Y = get_batch("train")
                    scaler.scale(loss).backward()
                scaler.unscale_(optimizer)
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                scaler.step(optimizer)
                scaler.update()
                optimizer.zero_grad(set_to_none=True)
        """,
        at=[(11, 9)],
    ),
    Invalid(
        """
        import torch


        def fit(model, loader, optimizer, epochs=3):
            for epoch in range(epochs):
                for i, (x, y) in enumerate(loader):
                    out = model(x)
                    loss = torch.nn.functional.mse_loss(out, y)
                    (loss / 4).backward()
                    if (i + 1) % 4 != 0:
                        continue
                    optimizer.step()
                    optimizer.zero_grad()
        """,
        at=[(10, 13)],
    ),
    Invalid(
        """
        import torch


        def train_step(model, optimizer, batch, micro_batches):
            inputs, targets = batch
            for chunk_x, chunk_y in zip(inputs.chunk(micro_batches), targets.chunk(micro_batches)):
                loss = model(chunk_x, chunk_y)
                loss.backward()
            optimizer.step()
            optimizer.zero_grad()
        """,
        at=[(6, 5)],
    ),
    Valid(
        """
        import torch
        import torch.nn.functional as F

        for global_step in range(args.total_timesteps):
            actions = select_actions(obs)
            obs, rewards, terminations, truncations, infos = envs.step(actions)
            if global_step > args.learning_starts:
                if global_step % args.train_frequency == 0:
                    data = rb.sample(args.batch_size)
                    with torch.no_grad():
                        target_max, _ = target_network(data.next_observations).max(dim=1)
                        td_target = data.rewards.flatten() + args.gamma * target_max * (1 - data.dones.flatten())
                    old_val = q_network(data.observations).gather(1, data.actions).squeeze()
                    loss = F.mse_loss(td_target, old_val)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                if global_step % args.target_network_frequency == 0:
                    target_network.load_state_dict(q_network.state_dict())
        """,
        why="a DQN train frequency and target-network sync are not accumulation",
    ),
    Valid(
        """
        import torch


        def update(it, batch, actor, critic, actor_optimizer, critic_optimizer, policy_delay=2):
            critic_loss = critic_loss_fn(critic, batch)
            critic_optimizer.zero_grad()
            critic_loss.backward()
            critic_optimizer.step()
            if it % policy_delay == 0:
                actor_loss = -critic(batch.obs, actor(batch.obs)).mean()
                actor_optimizer.zero_grad()
                actor_loss.backward()
                actor_optimizer.step()


        for it in range(max_iters):
            update(it, buffer.sample(256), actor, critic, actor_opt, critic_opt)
        """,
        why="a delayed policy update (TD3) is not accumulation",
    ),
    Valid(
        """
        import torch

        for global_step in range(args.total_timesteps):
            data = rb.sample(args.batch_size)
            qf_loss = qf_loss_fn(data)
            q_optimizer.zero_grad()
            qf_loss.backward()
            q_optimizer.step()
            if global_step % args.policy_frequency == 0:
                for _ in range(args.policy_frequency):
                    actor_loss = actor_loss_fn(data)
                    actor_optimizer.zero_grad()
                    actor_loss.backward()
                    actor_optimizer.step()
        """,
        why="SAC's delayed actor updates step on every backward",
    ),
    Valid(
        """
        from accelerate import Accelerator

        accelerator = Accelerator(gradient_accumulation_steps=args.gradient_accumulation_steps)
        model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
        for step, batch in enumerate(loader):
            with accelerator.accumulate(model):
                loss = model(**batch).loss
                accelerator.backward(loss)
                optimizer.step()
                optimizer.zero_grad()
            if step % args.gradient_accumulation_steps == 0:
                progress_bar.update(1)
        """,
        why="accelerate already accumulates; the modulo only advances a progress bar",
    ),
    Valid(
        """
        import torch

        for epoch in range(args.epochs):
            if epoch % 30 == 0:
                for group in optimizer.param_groups:
                    group["lr"] *= 0.1
            for step, (x, y) in enumerate(loader):
                optimizer.zero_grad()
                loss = criterion(model(x), y)
                loss.backward()
                optimizer.step()
                if step % args.log_interval == 0:
                    print(f"step {step}: {loss.item():.3f}")
            if (epoch + 1) % args.save_every == 0:
                torch.save(model.state_dict(), f"ckpt_{epoch}.pt")
        """,
        why="modulo guards for learning-rate decay, logging and checkpoints",
    ),
    Valid(
        """
        import torch

        for epoch in range(args.epochs):
            for update in range(num_updates):
                for start in range(0, args.batch_size, args.minibatch_size):
                    mb_inds = b_inds[start : start + args.minibatch_size]
                    loss = ppo_loss(mb_inds)
                    optimizer.zero_grad()
                    loss.backward()
                    nn.utils.clip_grad_norm_(agent.parameters(), args.max_grad_norm)
                    optimizer.step()
            for _ in range(n_critic):
                d_loss = critic_loss(netD, netG)
                d_loss.backward()
                optimizer_d.step()
            g_loss = generator_loss(netD, netG)
            g_loss.backward()
            optimizer_g.step()
        """,
        why="PPO minibatch updates and WGAN critic steps step inside their loops",
    ),
    Valid(
        """
        import torch

        for i, (real, _) in enumerate(dataloader):
            optimizer_D.zero_grad()
            d_loss = (adversarial_loss(netD(real), valid) + adversarial_loss(netD(fake), fake_label)) / 2
            d_loss.backward()
            if i % 2 == 0:
                optimizer_D.step()
        """,
        why="gradients are cleared every iteration: skipping updates is not accumulation",
    ),
    Valid(
        """
        import torch

        @torch.no_grad()
        def evaluate(model, batch, num_micro_batches):
            total = 0.0
            for micro_batch in batch.chunk(num_micro_batches):
                total += model(micro_batch).loss.item()
            return total / num_micro_batches
        """,
        why="micro-batched evaluation without backward",
    ),
    Invalid(
        """
        import torch
        from ignite.engine import Engine

        accumulation_steps = 4


        def update(engine, batch):
            model.train()
            x, y = batch
            loss = criterion(model(x), y) / accumulation_steps
            loss.backward()
            if engine.state.iteration % accumulation_steps == 0:
                optimizer.step()
                optimizer.zero_grad()
            return loss.item()


        trainer = Engine(update)
        """,
        at=[(12, 5)],
    ),
    Invalid(
        """
        import torch


        class Learner:
            def training_step(self, batch, step):
                loss = self.loss_fn(self.model(batch["x"]), batch["y"]) / self.n_acc
                loss.backward()
                if (step + 1) % self.n_acc == 0:
                    self.optimizer.step()
                    self.optimizer.zero_grad()
        """,
        at=[(8, 9)],
    ),
    Valid(
        """
        import torch


        def on_batch(engine, batch):
            loss = criterion(model(batch[0]), batch[1])
            loss.backward()
            if engine.state.iteration % train_freq == 0:
                optimizer.step()
                optimizer.zero_grad()
            if engine.state.iteration % log_interval == 0:
                print(loss.item())
        """,
        why="a modulo guard in a callback with no accumulation evidence (a train frequency)",
    ),
]
