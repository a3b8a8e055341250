from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import torch
        import torch.nn.functional as F
        from torch.optim.lr_scheduler import CosineAnnealingLR


        def fit(model, loader, cfg):
            optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr)
            scheduler = CosineAnnealingLR(optimizer, T_max=cfg.epochs)
            model.train()
            for epoch in range(cfg.epochs):
                for images, labels in loader:
                    loss = F.cross_entropy(model(images), labels)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                scheduler.step()
                print(f"epoch {epoch}: loss {loss.item():.4f} lr {scheduler.get_last_lr()[0]:.2e}")
            return model
        """,
        at=[(17, 9)],
        action="""
        import torch
        import torch.nn.functional as F
        from torch.optim.lr_scheduler import CosineAnnealingLR
        from torch.utils.tensorboard import SummaryWriter


        def fit(model, loader, cfg):
            optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr)
            scheduler = CosineAnnealingLR(optimizer, T_max=cfg.epochs)
            model.train()
            # Log metrics to TensorBoard (view them with `tensorboard --logdir runs`).
            writer = SummaryWriter()
            for epoch in range(cfg.epochs):
                for images, labels in loader:
                    loss = F.cross_entropy(model(images), labels)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                scheduler.step()
                print(f"epoch {epoch}: loss {loss.item():.4f} lr {scheduler.get_last_lr()[0]:.2e}")
                writer.add_scalar("train/loss", loss.item(), epoch)
                writer.add_scalar("train/lr", scheduler.get_last_lr()[0], epoch)
            writer.close()
            return model
        """,
    ),
    Invalid(
        """
        import torch
        from accelerate import Accelerator


        def main():
            accelerator = Accelerator(mixed_precision="bf16")
            model, optimizer, loader = accelerator.prepare(build_model(), build_optimizer(), build_loader())
            global_step = 0
            for epoch in range(3):
                for batch in loader:
                    outputs = model(**batch)
                    accelerator.backward(outputs.loss)
                    optimizer.step()
                    optimizer.zero_grad()
                    global_step += 1
                    if global_step % 50 == 0:
                        accelerator.print(f"[{epoch + 1}/3] step {global_step} loss {outputs.loss.item():.4f}")
            accelerator.wait_for_everyone()


        if __name__ == "__main__":
            main()
        """,
        at=[(17, 17)],
        action="""
        import torch
        from accelerate import Accelerator
        from torch.utils.tensorboard import SummaryWriter


        def main():
            accelerator = Accelerator(mixed_precision="bf16")
            model, optimizer, loader = accelerator.prepare(build_model(), build_optimizer(), build_loader())
            global_step = 0
            # Log metrics to TensorBoard (view them with `tensorboard --logdir runs`).
            writer = SummaryWriter()
            for epoch in range(3):
                for batch in loader:
                    outputs = model(**batch)
                    accelerator.backward(outputs.loss)
                    optimizer.step()
                    optimizer.zero_grad()
                    global_step += 1
                    if global_step % 50 == 0:
                        accelerator.print(f"[{epoch + 1}/3] step {global_step} loss {outputs.loss.item():.4f}")
                        writer.add_scalar("train/loss", outputs.loss.item(), global_step)
            writer.close()
            accelerator.wait_for_everyone()


        if __name__ == "__main__":
            main()
        """,
    ),
    Invalid(
        """
        import gymnasium as gym
        import torch
        from torch.distributions import Categorical

        env = gym.make("CartPole-v1")
        policy = torch.nn.Sequential(torch.nn.Linear(4, 64), torch.nn.Tanh(), torch.nn.Linear(64, 2))
        optimizer = torch.optim.AdamW(policy.parameters(), lr=1e-2)

        for episode in range(500):
            obs, _ = env.reset()
            log_probs, rewards, done = [], [], False
            while not done:
                probs = torch.softmax(policy(torch.as_tensor(obs)), dim=-1)
                action = Categorical(probs).sample()
                log_probs.append(torch.log(probs[action]))
                obs, reward, terminated, truncated, _ = env.step(action.item())
                rewards.append(reward)
                done = terminated or truncated
            loss = -torch.stack(log_probs).sum() * sum(rewards)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if episode % 10 == 0:
                print("episode", episode, "reward", sum(rewards))
        """,
        at=[(24, 9)],
        action="""
        import gymnasium as gym
        import torch
        from torch.distributions import Categorical
        from torch.utils.tensorboard import SummaryWriter

        env = gym.make("CartPole-v1")
        policy = torch.nn.Sequential(torch.nn.Linear(4, 64), torch.nn.Tanh(), torch.nn.Linear(64, 2))
        optimizer = torch.optim.AdamW(policy.parameters(), lr=1e-2)

        # Log metrics to TensorBoard (view them with `tensorboard --logdir runs`).
        writer = SummaryWriter()
        for episode in range(500):
            obs, _ = env.reset()
            log_probs, rewards, done = [], [], False
            while not done:
                probs = torch.softmax(policy(torch.as_tensor(obs)), dim=-1)
                action = Categorical(probs).sample()
                log_probs.append(torch.log(probs[action]))
                obs, reward, terminated, truncated, _ = env.step(action.item())
                rewards.append(reward)
                done = terminated or truncated
            loss = -torch.stack(log_probs).sum() * sum(rewards)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if episode % 10 == 0:
                print("episode", episode, "reward", sum(rewards))
                writer.add_scalar("train/reward", sum(rewards), episode)
        writer.close()
        """,
    ),
    Invalid(
        """
        import logging

        import torch
        from tqdm.auto import tqdm

        logger = logging.getLogger(__name__)


        class Trainer:
            def __init__(self, model, optimizer, loader):
                self.model = model
                self.optimizer = optimizer
                self.loader = loader

            def train_epoch(self, epoch):
                pbar = tqdm(self.loader, desc=f"epoch {epoch}")
                for inputs, targets in pbar:
                    loss = torch.nn.functional.mse_loss(self.model(inputs), targets)
                    loss.backward()
                    self.optimizer.step()
                    self.optimizer.zero_grad()
                    pbar.set_postfix(loss=loss.item())
                logger.info("saving checkpoint for epoch %d", epoch)
                torch.save(self.model.state_dict(), f"ckpt_{epoch}.pt")
        """,
        at=[(22, 13)],
    ),
    Invalid(
        """
        import imageio
        import torch
        from torch import nn


        def train_one_epoch(model, loader, optimizer, criterion):
            model.train()
            total = 0.0
            for x, y in loader:
                optimizer.zero_grad()
                loss = criterion(model(x), y)
                loss.backward()
                optimizer.step()
                total += loss.item()
            return total / len(loader)


        @torch.no_grad()
        def evaluate(model, loader):
            model.eval()
            correct = sum((model(x).argmax(1) == y).sum().item() for x, y in loader)
            return correct / len(loader.dataset)


        def run(model, train_loader, val_loader, epochs=10):
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
            criterion = nn.CrossEntropyLoss()
            writer = imageio.get_writer("samples.gif")
            for epoch in range(epochs):
                train_loss = train_one_epoch(model, train_loader, optimizer, criterion)
                val_acc = evaluate(model, val_loader)
                print("epoch %d train_loss %.4f val_acc %.3f" % (epoch, train_loss, val_acc))
                writer.append_data(render(model))
            writer.close()
        """,
        at=[(32, 9)],
        action="""
        import imageio
        import torch
        from torch import nn
        from torch.utils.tensorboard import SummaryWriter


        def train_one_epoch(model, loader, optimizer, criterion):
            model.train()
            total = 0.0
            for x, y in loader:
                optimizer.zero_grad()
                loss = criterion(model(x), y)
                loss.backward()
                optimizer.step()
                total += loss.item()
            return total / len(loader)


        @torch.no_grad()
        def evaluate(model, loader):
            model.eval()
            correct = sum((model(x).argmax(1) == y).sum().item() for x, y in loader)
            return correct / len(loader.dataset)


        def run(model, train_loader, val_loader, epochs=10):
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
            criterion = nn.CrossEntropyLoss()
            writer = imageio.get_writer("samples.gif")
            # Log metrics to TensorBoard (view them with `tensorboard --logdir runs`).
            tb_writer = SummaryWriter()
            for epoch in range(epochs):
                train_loss = train_one_epoch(model, train_loader, optimizer, criterion)
                val_acc = evaluate(model, val_loader)
                print("epoch %d train_loss %.4f val_acc %.3f" % (epoch, train_loss, val_acc))
                tb_writer.add_scalar("train/loss", train_loss, epoch)
                tb_writer.add_scalar("val/acc", val_acc, epoch)
                writer.append_data(render(model))
            tb_writer.close()
            writer.close()
        """,
    ),
    Invalid(
        """
        import torch


        def train(model, loader, optimizer, epochs):
            epoch = 0
            while epoch < epochs:
                for step, (x, y) in enumerate(loader):
                    loss = torch.nn.functional.cross_entropy(model(x), y)
                    loss.backward()
                    optimizer.step()
                    optimizer.zero_grad()
                    if step % 100 == 0: print(f"step {step} loss {loss:.3f}")  # progress
                epoch += 1
        """,
        at=[(12, 33)],
        action="""
        import torch
        from torch.utils.tensorboard import SummaryWriter


        def train(model, loader, optimizer, epochs):
            epoch = 0
            # Log metrics to TensorBoard (view them with `tensorboard --logdir runs`).
            writer = SummaryWriter()
            while epoch < epochs:
                for step, (x, y) in enumerate(loader):
                    loss = torch.nn.functional.cross_entropy(model(x), y)
                    loss.backward()
                    optimizer.step()
                    optimizer.zero_grad()
                    if step % 100 == 0:  # progress
                        print(f"step {step} loss {loss:.3f}")
                        writer.add_scalar("train/loss", loss, epoch * len(loader) + step)
                epoch += 1
            writer.close()
        """,
    ),
    Valid(
        """
        import torch
        import wandb


        def train(model, loader, optimizer, epochs):
            wandb.init(project="cifar10")
            for epoch in range(epochs):
                for x, y in loader:
                    loss = torch.nn.functional.cross_entropy(model(x), y)
                    loss.backward()
                    optimizer.step()
                    optimizer.zero_grad()
                print(f"epoch {epoch} loss {loss.item():.4f}")
                wandb.log({"train/loss": loss.item(), "epoch": epoch})
        """,
        why="the module also logs to wandb",
    ),
    Valid(
        """
        import torch
        from torch.utils.tensorboard import SummaryWriter

        writer = SummaryWriter("runs/mnist")
        for epoch in range(10):
            for step, (x, y) in enumerate(train_loader):
                loss = criterion(model(x), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                if step % 100 == 0:
                    print(f"epoch {epoch} step {step} loss {loss.item():.4f}")
                    writer.add_scalar("loss", loss.item(), epoch * len(train_loader) + step)
        """,
        why="the module also logs to TensorBoard",
    ),
    Valid(
        """
        import lightning as L
        import torch

        fabric = L.Fabric(accelerator="cpu", loggers=L.fabric.loggers.CSVLogger("logs"))
        model, optimizer = fabric.setup(model, optimizer)
        for epoch in range(5):
            for batch in loader:
                loss = model.training_step(batch)
                fabric.backward(loss)
                optimizer.step()
                optimizer.zero_grad()
            fabric.print(f"epoch {epoch} loss {loss.item():.3f}")
            fabric.log("train_loss", loss.item(), step=epoch)
        """,
        why="fabric.log: a .log(...) call on any object is logging",
    ),
    Valid(
        """
        import torch
        from accelerate import Accelerator

        accelerator = Accelerator(log_with="all")
        accelerator.init_trackers("glue")
        for epoch in range(3):
            for step, batch in enumerate(loader):
                loss = model(**batch).loss
                accelerator.backward(loss)
                optimizer.step()
                optimizer.zero_grad()
                accelerator.print(f"step {step} loss {loss.item():.4f}")
            accelerator.log({"train_loss": loss.item()}, step=epoch)
        accelerator.end_training()
        """,
        why="accelerator.log sends the metrics to the configured trackers",
    ),
    Valid(
        """
        import logging

        import torch

        logger = logging.getLogger(__name__)


        def train(model, loader, optimizer, epochs):
            for epoch in range(epochs):
                running = 0.0
                for x, y in loader:
                    loss = torch.nn.functional.mse_loss(model(x), y)
                    loss.backward()
                    optimizer.step()
                    optimizer.zero_grad()
                    running += loss.item()
                print(f"epoch {epoch} done")
                logger.info("epoch %d train loss %.4f", epoch, running / len(loader))
        """,
        why="a library module that configures no logging: where its lines go is its importer's choice",
    ),
    Valid(
        """
        import mlflow
        import torch

        with mlflow.start_run():
            for epoch in range(20):
                for x, y in loader:
                    loss = criterion(model(x), y)
                    loss.backward()
                    optimizer.step()
                    optimizer.zero_grad()
                print(f"epoch {epoch}: loss={loss.item():.4f}")
                mlflow.log_metric("loss", loss.item(), step=epoch)
        """,
        why="mlflow",
    ),
    Valid(
        """
        import tensorboardX
        import torch

        tb = tensorboardX.SummaryWriter()
        for it, (x, y) in enumerate(loader):
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            print("iter", it, "loss", loss.item())
            tb.add_scalars("loss", {"train": loss.item()}, it)
        """,
        why="tensorboardX",
    ),
    Valid(
        """
        import pytorch_lightning as pl
        import torch
        from pytorch_lightning.loggers import CSVLogger


        def pretrain(model, loader, optimizer):
            for x, _ in loader:
                loss = model.reconstruction_loss(x)
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
                print(f"pretrain loss {loss.item():.3f}")


        trainer = pl.Trainer(max_epochs=10, logger=CSVLogger("logs"))
        """,
        why="a Lightning logger is imported",
    ),
    Valid(
        """
        import time

        import torch


        def train(model, loader, optimizer, epochs):
            for epoch in range(epochs):
                start = time.time()
                for x, y in loader:
                    loss = torch.nn.functional.cross_entropy(model(x), y)
                    loss.backward()
                    optimizer.step()
                    optimizer.zero_grad()
                print(f"epoch {epoch} finished in {time.time() - start:.1f}s")
                print("saving checkpoint")
                torch.save(model.state_dict(), f"epoch_{epoch}.pt")
        """,
        why="the loop prints no metric",
    ),
    Valid(
        """
        import torch


        @torch.no_grad()
        def evaluate(model, loader):
            correct = total = 0
            for x, y in loader:
                correct += (model(x).argmax(dim=1) == y).sum().item()
                total += y.numel()
                print(f"running accuracy {correct / total:.2%}")
            return correct / total


        if __name__ == "__main__":
            model = torch.load("model.pt", weights_only=False)
            accuracy = evaluate(model, test_loader)
            print(f"test accuracy {accuracy:.2%}")
        """,
        why="metrics printed outside any training loop (evaluation only)",
    ),
    Valid(
        """
        import torch

        with open("metrics.csv", "w") as log_file:
            print("epoch,loss", file=log_file)
            for epoch in range(10):
                for x, y in loader:
                    loss = criterion(model(x), y)
                    loss.backward()
                    optimizer.step()
                    optimizer.zero_grad()
                print(f"{epoch},{loss.item():.4f}", file=log_file)
        """,
        why="printed to a metrics file, not the console",
    ),
    Invalid(
        """
        import torch

        for epoch in range(3):
            i = 0
            while i < 10:
                loss = model(x)
                loss.backward()
                print(f"loss {loss}")
                i += 1
        """,
        at=[(8, 9)],
        action="""
        import torch
        from torch.utils.tensorboard import SummaryWriter

        # Log metrics to TensorBoard (view them with `tensorboard --logdir runs`).
        writer = SummaryWriter()
        for epoch in range(3):
            i = 0
            while i < 10:
                loss = model(x)
                loss.backward()
                print(f"loss {loss}")
                writer.add_scalar("train/loss", loss, i)
                i += 1
        writer.close()
        """,
    ),  # regression: an inner `while` loop with a counter has no plain size (the check used to crash)
    Invalid(
        """
        import random
        import sys

        import gymnasium as gym
        import numpy as np
        import torch
        import torch.nn as nn


        class DQNAgent:
            def __init__(self, n_obs, n_actions, lr=1e-3):
                self.q = nn.Sequential(nn.Linear(n_obs, 128), nn.ReLU(), nn.Linear(128, n_actions))
                self.optimizer = torch.optim.Adam(self.q.parameters(), lr=lr)

            def act(self, obs, epsilon):
                if random.random() < epsilon:
                    return random.randrange(2)
                return int(self.q(torch.as_tensor(obs)).argmax())

            def update(self, obs, action, target):
                loss = (self.q(torch.as_tensor(obs))[action] - target) ** 2
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
                return loss.item()


        env = gym.make("CartPole-v1")
        agent = DQNAgent(4, 2)
        for episode in range(500):
            obs, _ = env.reset()
            done, total_reward, loss = False, 0.0, 0.0
            while not done:
                action = agent.act(obs, epsilon=0.1)
                next_obs, reward, terminated, truncated, _ = env.step(action)
                done = terminated or truncated
                loss = agent.update(obs, action, reward + 0.99 * float(np.max(next_obs)) * (not done))
                total_reward += reward
                obs = next_obs
            sys.stdout.write("episode %d reward %.1f loss %.4f\\n" % (episode, total_reward, loss))
        """,
        at=[(40, 5)],
        action="""
        import random
        import sys

        import gymnasium as gym
        import numpy as np
        import torch
        import torch.nn as nn
        from torch.utils.tensorboard import SummaryWriter


        class DQNAgent:
            def __init__(self, n_obs, n_actions, lr=1e-3):
                self.q = nn.Sequential(nn.Linear(n_obs, 128), nn.ReLU(), nn.Linear(128, n_actions))
                self.optimizer = torch.optim.Adam(self.q.parameters(), lr=lr)

            def act(self, obs, epsilon):
                if random.random() < epsilon:
                    return random.randrange(2)
                return int(self.q(torch.as_tensor(obs)).argmax())

            def update(self, obs, action, target):
                loss = (self.q(torch.as_tensor(obs))[action] - target) ** 2
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
                return loss.item()


        env = gym.make("CartPole-v1")
        agent = DQNAgent(4, 2)
        # Log metrics to TensorBoard (view them with `tensorboard --logdir runs`).
        writer = SummaryWriter()
        for episode in range(500):
            obs, _ = env.reset()
            done, total_reward, loss = False, 0.0, 0.0
            while not done:
                action = agent.act(obs, epsilon=0.1)
                next_obs, reward, terminated, truncated, _ = env.step(action)
                done = terminated or truncated
                loss = agent.update(obs, action, reward + 0.99 * float(np.max(next_obs)) * (not done))
                total_reward += reward
                obs = next_obs
            sys.stdout.write("episode %d reward %.1f loss %.4f\\n" % (episode, total_reward, loss))
            writer.add_scalar("train/reward", total_reward, episode)
            writer.add_scalar("train/loss", loss, episode)
        writer.close()
        """,
    ),  # sys.stdout.write of the metrics; the gradient step is delegated to agent.update()
    Invalid(
        """
        import torch
        import torch.nn.functional as F


        def train_step(model, optimizer, batch):
            x, y = batch
            loss = F.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            return loss.item()


        def fit(model, optimizer, loader, epochs):
            for epoch in range(epochs):
                running = 0.0
                for batch in loader:
                    running += train_step(model, optimizer, batch)
                print("epoch {} loss {:.4f}".format(epoch, running / len(loader)))
        """,
        at=[(19, 9)],
        action="""
        import torch
        import torch.nn.functional as F
        from torch.utils.tensorboard import SummaryWriter


        def train_step(model, optimizer, batch):
            x, y = batch
            loss = F.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            return loss.item()


        def fit(model, optimizer, loader, epochs):
            # Log metrics to TensorBoard (view them with `tensorboard --logdir runs`).
            writer = SummaryWriter()
            for epoch in range(epochs):
                running = 0.0
                for batch in loader:
                    running += train_step(model, optimizer, batch)
                print("epoch {} loss {:.4f}".format(epoch, running / len(loader)))
                writer.add_scalar("train/loss", running / len(loader), epoch)
            writer.close()
        """,
    ),  # the gradient step is delegated to a helper without a loop of its own
    Valid(
        """
        import torch


        class AverageMeter:
            def __init__(self):
                self.total, self.count = 0.0, 0

            def update(self, value, n=1):
                self.total += value * n
                self.count += n


        class Learner:
            def __init__(self, model, optimizer):
                self.model, self.optimizer = model, optimizer

            def update(self, x, y):
                loss = torch.nn.functional.mse_loss(self.model(x), y)
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()


        def evaluate(model, loader):
            meter = AverageMeter()
            with torch.no_grad():
                for x, y in loader:
                    mse = torch.nn.functional.mse_loss(model(x), y).item()
                    meter.update(mse, len(x))
                    print(f"val mse {mse:.4f}")
            return meter.total / meter.count
        """,
        why="an evaluation loop: meter.update() is the meter's, not the learner's gradient step",
    ),
    Valid(
        """
        import torch


        def train(model, optimizer, loader, log_path):
            with open(log_path, "w") as log:
                for step, (x, y) in enumerate(loader):
                    loss = torch.nn.functional.cross_entropy(model(x), y)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                    log.write(f"{step},loss,{loss.item():.4f}\\n")
        """,
        why='metrics written to a log file, not to the console',
    ),
    Invalid(
        """
        import logging
        import sys

        import torch
        from torch import nn

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stdout)


        def main():
            model = nn.Linear(4, 1)
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            for step in range(20):
                loss = model(torch.randn(8, 4)).pow(2).mean()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                if step % 5 == 0:
                    logging.info("step {} loss {:.4f}".format(step, loss.item()))


        if __name__ == "__main__":
            main()
        """,
        at=[(19, 13)],
        action="""
        import logging
        import sys

        import torch
        from torch import nn
        from torch.utils.tensorboard import SummaryWriter

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stdout)


        def main():
            model = nn.Linear(4, 1)
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            # Log metrics to TensorBoard (view them with `tensorboard --logdir runs`).
            writer = SummaryWriter()
            for step in range(20):
                loss = model(torch.randn(8, 4)).pow(2).mean()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                if step % 5 == 0:
                    logging.info("step {} loss {:.4f}".format(step, loss.item()))
                    writer.add_scalar("train/loss", loss.item(), step)
            writer.close()


        if __name__ == "__main__":
            main()
        """,
    ),  # logging.basicConfig to stdout is console output: the .format metric line is printing
    Invalid(
        """
        import logging

        import torch


        class Trainer:
            def __init__(self, model, optimizer, log_dir):
                self.model, self.optimizer = model, optimizer
                self.log = logging.getLogger("trainer")
                handler = logging.StreamHandler()
                handler.setFormatter(logging.Formatter("%(message)s"))
                self.log.addHandler(handler)

            def fit(self, loader, epochs):
                for epoch in range(epochs):
                    for x, y in loader:
                        loss = torch.nn.functional.cross_entropy(self.model(x), y)
                        self.optimizer.zero_grad()
                        loss.backward()
                        self.optimizer.step()
                    self.log.info("epoch " + str(epoch) + " loss " + str(loss.item()))
        """,
        at=[(21, 13)],
        action="""
        import logging

        import torch
        import atexit
        from torch.utils.tensorboard import SummaryWriter


        class Trainer:
            def __init__(self, model, optimizer, log_dir):
                self.model, self.optimizer = model, optimizer
                self.log = logging.getLogger("trainer")
                handler = logging.StreamHandler()
                handler.setFormatter(logging.Formatter("%(message)s"))
                self.log.addHandler(handler)
                # Log metrics to TensorBoard (view them with `tensorboard --logdir runs`).
                self.writer = SummaryWriter()
                atexit.register(self.writer.close)

            def fit(self, loader, epochs):
                for epoch in range(epochs):
                    for x, y in loader:
                        loss = torch.nn.functional.cross_entropy(self.model(x), y)
                        self.optimizer.zero_grad()
                        loss.backward()
                        self.optimizer.step()
                    self.log.info("epoch " + str(epoch) + " loss " + str(loss.item()))
                    self.writer.add_scalar("train/loss", loss.item(), epoch)
        """,
    ),  # a StreamHandler only: the concatenated metric line is printing
    Invalid(
        """
        import torch
        from loguru import logger
        from torch import nn


        def train(model, optimizer, steps):
            for step in range(steps):
                loss = model(torch.randn(8, 4)).pow(2).mean()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                logger.info(f"step {step} loss {loss.item():.4f}")


        if __name__ == "__main__":
            net = nn.Linear(4, 1)
            train(net, torch.optim.SGD(net.parameters(), lr=0.1), 10)
        """,
        at=[(12, 9)],
        action="""
        import torch
        from loguru import logger
        from torch import nn
        from torch.utils.tensorboard import SummaryWriter


        def train(model, optimizer, steps):
            # Log metrics to TensorBoard (view them with `tensorboard --logdir runs`).
            writer = SummaryWriter()
            for step in range(steps):
                loss = model(torch.randn(8, 4)).pow(2).mean()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                logger.info(f"step {step} loss {loss.item():.4f}")
                writer.add_scalar("train/loss", loss.item(), step)
            writer.close()


        if __name__ == "__main__":
            net = nn.Linear(4, 1)
            train(net, torch.optim.SGD(net.parameters(), lr=0.1), 10)
        """,
    ),  # an entry point using loguru's default sink (stderr): the metric line is printing
    Valid(
        """
        import logging

        import torch

        logging.basicConfig(filename="train.log", level=logging.INFO)
        logger = logging.getLogger(__name__)


        def train(model, loader, optimizer, epochs):
            for epoch in range(epochs):
                for x, y in loader:
                    loss = torch.nn.functional.mse_loss(model(x), y)
                    loss.backward()
                    optimizer.step()
                    optimizer.zero_grad()
                logger.info("epoch %d loss %.4f", epoch, loss.item())
        """,
        why="logging.basicConfig(filename=...) keeps the metric lines in a file",
    ),
    Valid(
        """
        import logging
        from logging.handlers import RotatingFileHandler

        import torch

        logger = logging.getLogger(__name__)
        logger.addHandler(RotatingFileHandler("train.log", maxBytes=1_000_000))


        def train(model, loader, optimizer, epochs):
            for epoch in range(epochs):
                for x, y in loader:
                    loss = torch.nn.functional.mse_loss(model(x), y)
                    loss.backward()
                    optimizer.step()
                    optimizer.zero_grad()
                logger.info(f"epoch {epoch} loss {loss.item():.4f}")
        """,
        why="a RotatingFileHandler keeps the metric lines in a file",
    ),
    Valid(
        """
        import torch
        from loguru import logger

        logger.add("logs/train_{time}.log", rotation="10 MB")


        def train(model, loader, optimizer, epochs):
            for epoch in range(epochs):
                for x, y in loader:
                    loss = torch.nn.functional.mse_loss(model(x), y)
                    loss.backward()
                    optimizer.step()
                    optimizer.zero_grad()
                logger.info("epoch {} loss {:.4f}", epoch, loss.item())
        """,
        why="loguru's logger.add(path) keeps the metric lines in a file",
    ),
    Invalid(
        """
        import argparse

        import torch
        import torch.nn.functional as F
        from torch import nn
        from torch.utils.data import DataLoader, TensorDataset


        def train(args, model, train_loader, optimizer, epoch):
            model.train()
            for batch_idx, (data, target) in enumerate(train_loader):
                optimizer.zero_grad()
                output = model(data)
                loss = F.cross_entropy(output, target)
                loss.backward()
                optimizer.step()
                if batch_idx % args.log_interval == 0:
                    print("Train Epoch: {} [{}/{}] Loss: {:.6f}".format(epoch, batch_idx * len(data), len(train_loader.dataset), loss.item()))


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--epochs", type=int, default=2)
            parser.add_argument("--log-interval", type=int, default=2)
            args = parser.parse_args()
            features = torch.randn(64, 8)
            targets = (features.sum(dim=1) > 0).long()
            train_loader = DataLoader(TensorDataset(features, targets), batch_size=16)
            model = nn.Linear(8, 2)
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            for epoch in range(1, args.epochs + 1):
                train(args, model, train_loader, optimizer, epoch)


        if __name__ == "__main__":
            main()
        """,
        at=[(18, 13)],
        action="""
        import argparse

        import torch
        import torch.nn.functional as F
        from torch import nn
        from torch.utils.data import DataLoader, TensorDataset
        import atexit
        from torch.utils.tensorboard import SummaryWriter


        # Log metrics to TensorBoard (view them with `tensorboard --logdir runs`).
        writer = SummaryWriter()
        atexit.register(writer.close)


        def train(args, model, train_loader, optimizer, epoch):
            model.train()
            for batch_idx, (data, target) in enumerate(train_loader):
                optimizer.zero_grad()
                output = model(data)
                loss = F.cross_entropy(output, target)
                loss.backward()
                optimizer.step()
                if batch_idx % args.log_interval == 0:
                    print("Train Epoch: {} [{}/{}] Loss: {:.6f}".format(epoch, batch_idx * len(data), len(train_loader.dataset), loss.item()))
                    writer.add_scalar("train/loss", loss.item(), epoch * len(train_loader) + batch_idx)


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--epochs", type=int, default=2)
            parser.add_argument("--log-interval", type=int, default=2)
            args = parser.parse_args()
            features = torch.randn(64, 8)
            targets = (features.sum(dim=1) > 0).long()
            train_loader = DataLoader(TensorDataset(features, targets), batch_size=16)
            model = nn.Linear(8, 2)
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            for epoch in range(1, args.epochs + 1):
                train(args, model, train_loader, optimizer, epoch)


        if __name__ == "__main__":
            main()
        """,
    ),  # train(..., epoch) is called once per epoch: one module-level writer, closed at exit
    Valid(
        """
        import torch

        from utils.logger import setup_logger


        def train(model, loader, optimizer, epochs, output_dir):
            logger = setup_logger("train", output_dir)
            for epoch in range(epochs):
                for x, y in loader:
                    loss = torch.nn.functional.mse_loss(model(x), y)
                    loss.backward()
                    optimizer.step()
                    optimizer.zero_grad()
                logger.info(f"epoch {epoch} loss {loss.item():.4f}")
        """,
        why="a project helper sets the logger up (often with a file handler): cannot be judged",
    ),
    Invalid(
        """
        import argparse
        import logging

        import torch

        logger = logging.getLogger(__name__)


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--epochs", type=int, default=3)
            args = parser.parse_args()
            model = torch.nn.Linear(4, 1)
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            for epoch in range(args.epochs):
                loss = model(torch.randn(8, 4)).pow(2).mean()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                logger.warning("epoch %d loss %.4f", epoch, loss.item())
        """,
        at=[(20, 9)],
        action="""
        import argparse
        import logging

        import torch
        from torch.utils.tensorboard import SummaryWriter

        logger = logging.getLogger(__name__)


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--epochs", type=int, default=3)
            args = parser.parse_args()
            model = torch.nn.Linear(4, 1)
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            # Log metrics to TensorBoard (view them with `tensorboard --logdir runs`).
            writer = SummaryWriter()
            for epoch in range(args.epochs):
                loss = model(torch.randn(8, 4)).pow(2).mean()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                logger.warning("epoch %d loss %.4f", epoch, loss.item())
                writer.add_scalar("train/loss", loss.item(), epoch)
            writer.close()
        """,
    ),  # an entry point that configures no logging: the logger prints to the console (stderr)
    Invalid(
        """
        import argparse

        import torch
        import torch.nn.functional as F
        from torch import nn
        from torch.utils.data import DataLoader, TensorDataset


        class Trainer:
            def __init__(self, model, train_loader, test_loader, lr):
                self.model = model
                self.train_loader = train_loader
                self.test_loader = test_loader
                self.optimizer = torch.optim.SGD(model.parameters(), lr=lr)

            def train(self, epoch):
                self.model.train()
                for batch_idx, (data, target) in enumerate(self.train_loader):
                    self.optimizer.zero_grad()
                    loss = F.cross_entropy(self.model(data), target)
                    loss.backward()
                    self.optimizer.step()
                    if batch_idx % 2 == 0:
                        print("Train Epoch: {} [{}] Loss: {:.6f}".format(epoch, batch_idx, loss.item()))

            @torch.no_grad()
            def evaluate(self, epoch):
                self.model.eval()
                correct = 0
                for data, target in self.test_loader:
                    correct += (self.model(data).argmax(dim=1) == target).sum().item()
                print(f"Epoch {epoch} test accuracy: {correct / len(self.test_loader.dataset):.2%}")


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--epochs", type=int, default=2)
            args = parser.parse_args()
            features = torch.randn(64, 8)
            targets = (features.sum(dim=1) > 0).long()
            train_loader = DataLoader(TensorDataset(features, targets), batch_size=16)
            test_loader = DataLoader(TensorDataset(features[:32], targets[:32]), batch_size=16)
            trainer = Trainer(nn.Linear(8, 2), train_loader, test_loader, lr=0.1)
            for epoch in range(1, args.epochs + 1):
                trainer.train(epoch)
                trainer.evaluate(epoch)


        if __name__ == "__main__":
            main()
        """,
        at=[(24, 17)],
        action="""
        import argparse

        import torch
        import torch.nn.functional as F
        from torch import nn
        from torch.utils.data import DataLoader, TensorDataset
        import atexit
        from torch.utils.tensorboard import SummaryWriter


        class Trainer:
            def __init__(self, model, train_loader, test_loader, lr):
                self.model = model
                self.train_loader = train_loader
                self.test_loader = test_loader
                self.optimizer = torch.optim.SGD(model.parameters(), lr=lr)
                # Log metrics to TensorBoard (view them with `tensorboard --logdir runs`).
                self.writer = SummaryWriter()
                atexit.register(self.writer.close)

            def train(self, epoch):
                self.model.train()
                for batch_idx, (data, target) in enumerate(self.train_loader):
                    self.optimizer.zero_grad()
                    loss = F.cross_entropy(self.model(data), target)
                    loss.backward()
                    self.optimizer.step()
                    if batch_idx % 2 == 0:
                        print("Train Epoch: {} [{}] Loss: {:.6f}".format(epoch, batch_idx, loss.item()))
                        self.writer.add_scalar("train/loss", loss.item(), epoch * len(self.train_loader) + batch_idx)

            @torch.no_grad()
            def evaluate(self, epoch):
                self.model.eval()
                correct = 0
                for data, target in self.test_loader:
                    correct += (self.model(data).argmax(dim=1) == target).sum().item()
                print(f"Epoch {epoch} test accuracy: {correct / len(self.test_loader.dataset):.2%}")
                self.writer.add_scalar("val/accuracy", correct / len(self.test_loader.dataset), epoch)


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--epochs", type=int, default=2)
            args = parser.parse_args()
            features = torch.randn(64, 8)
            targets = (features.sum(dim=1) > 0).long()
            train_loader = DataLoader(TensorDataset(features, targets), batch_size=16)
            test_loader = DataLoader(TensorDataset(features[:32], targets[:32]), batch_size=16)
            trainer = Trainer(nn.Linear(8, 2), train_loader, test_loader, lr=0.1)
            for epoch in range(1, args.epochs + 1):
                trainer.train(epoch)
                trainer.evaluate(epoch)


        if __name__ == "__main__":
            main()
        """,
    ),  # Trainer.train(self, epoch) runs once per epoch: the writer is made once, in __init__, for both methods
    Invalid(
        """
        import argparse

        import torch
        import torch.nn.functional as F
        from torch import nn
        from torch.utils.data import DataLoader, TensorDataset


        def train_one_epoch(model, loader, optimizer):
            model.train()
            total = 0.0
            for x, y in loader:
                loss = F.cross_entropy(model(x), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total += loss.item()
            return total / len(loader)


        def log_epoch(epoch, train_loss, lr):
            print(f"epoch {epoch:3d} | train loss {train_loss:.4f} | lr {lr:.2e}")


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--epochs", type=int, default=3)
            args = parser.parse_args()
            features = torch.randn(64, 8)
            loader = DataLoader(TensorDataset(features, (features.sum(dim=1) > 0).long()), batch_size=16)
            model = nn.Linear(8, 2)
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
            for epoch in range(args.epochs):
                train_loss = train_one_epoch(model, loader, optimizer)
                log_epoch(epoch, train_loss, optimizer.param_groups[0]["lr"])
                scheduler.step()


        if __name__ == "__main__":
            main()
        """,
        at=[(22, 5)],
        action="""
        import argparse

        import torch
        import torch.nn.functional as F
        from torch import nn
        from torch.utils.data import DataLoader, TensorDataset
        import atexit
        from torch.utils.tensorboard import SummaryWriter


        def train_one_epoch(model, loader, optimizer):
            model.train()
            total = 0.0
            for x, y in loader:
                loss = F.cross_entropy(model(x), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total += loss.item()
            return total / len(loader)


        # Log metrics to TensorBoard (view them with `tensorboard --logdir runs`).
        writer = SummaryWriter()
        atexit.register(writer.close)


        def log_epoch(epoch, train_loss, lr):
            print(f"epoch {epoch:3d} | train loss {train_loss:.4f} | lr {lr:.2e}")
            writer.add_scalar("train/loss", train_loss, epoch)
            writer.add_scalar("train/lr", lr, epoch)


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--epochs", type=int, default=3)
            args = parser.parse_args()
            features = torch.randn(64, 8)
            loader = DataLoader(TensorDataset(features, (features.sum(dim=1) > 0).long()), batch_size=16)
            model = nn.Linear(8, 2)
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
            for epoch in range(args.epochs):
                train_loss = train_one_epoch(model, loader, optimizer)
                log_epoch(epoch, train_loss, optimizer.param_groups[0]["lr"])
                scheduler.step()


        if __name__ == "__main__":
            main()
        """,
    ),  # the epoch loop delegates the step and prints through log_epoch(epoch, ...): logged there, by epoch
    Valid(
        """
        import torch
        from torch import nn


        def report(name, accuracy):
            print(f"{name}: accuracy {accuracy:.2%}")


        def log_epoch(epoch, seconds):
            print(f"finished epoch {epoch} in {seconds:.1f}s")


        @torch.no_grad()
        def evaluate(model, loader):
            correct = sum((model(x).argmax(dim=1) == y).sum().item() for x, y in loader)
            return correct / len(loader.dataset)


        def compare(checkpoints, loader):
            for name in checkpoints:
                model = torch.load(name, weights_only=False)
                report(name, evaluate(model, loader))


        def train(model, loader, optimizer, epochs, clock):
            for epoch in range(epochs):
                start = clock()
                for x, y in loader:
                    loss = nn.functional.cross_entropy(model(x), y)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                log_epoch(epoch, clock() - start)
        """,
        why="a helper that prints accuracy for an evaluation loop, and one that prints no metric for a training loop",
    ),
    Invalid(
        """
        import torch
        from torch import nn


        class Recipes:
            def __init__(self, lr):
                self.lr = lr

            @staticmethod
            def run(model, loader, optimizer, epochs):
                for epoch in range(epochs):
                    for x, y in loader:
                        loss = nn.functional.mse_loss(model(x), y)
                        optimizer.zero_grad()
                        loss.backward()
                        optimizer.step()
                    print(f"epoch {epoch} loss {loss.item():.4f}")
        """,
        at=[(17, 13)],
        action="""
        import torch
        from torch import nn
        import atexit
        from torch.utils.tensorboard import SummaryWriter


        # Log metrics to TensorBoard (view them with `tensorboard --logdir runs`).
        writer = SummaryWriter()
        atexit.register(writer.close)


        class Recipes:
            def __init__(self, lr):
                self.lr = lr

            @staticmethod
            def run(model, loader, optimizer, epochs):
                for epoch in range(epochs):
                    for x, y in loader:
                        loss = nn.functional.mse_loss(model(x), y)
                        optimizer.zero_grad()
                        loss.backward()
                        optimizer.step()
                    print(f"epoch {epoch} loss {loss.item():.4f}")
                    writer.add_scalar("train/loss", loss.item(), epoch)
        """,
    ),  # a static method has no self: its writer is made at module level
    Valid(
        """
        import torch as th
        from torch.nn import functional as F
        from stable_baselines3.common.on_policy_algorithm import OnPolicyAlgorithm


        class SimplePG(OnPolicyAlgorithm):
            def train(self):
                losses = []
                for epoch in range(self.n_epochs):
                    for rollout_data in self.rollout_buffer.get(self.batch_size):
                        _, log_prob, _ = self.policy.evaluate_actions(rollout_data.observations, rollout_data.actions)
                        loss = -(rollout_data.advantages * log_prob).mean()
                        if self.verbose >= 1 and loss.item() > 1e3:
                            print(f"Stopping at epoch {epoch}: loss {loss.item():.2f}")
                            break
                        self.policy.optimizer.zero_grad()
                        loss.backward()
                        self.policy.optimizer.step()
                        losses.append(loss.item())
                self.logger.record("train/policy_loss", sum(losses) / len(losses))
        """,
        why="stable-baselines3 logs its metrics with self.logger.record(key, value)",
    ),
]
