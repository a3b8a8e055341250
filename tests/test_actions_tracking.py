"""The logging and seeding edits run for real: TL501's SummaryWriter, TL502/TL503's seeding."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from torchlint.config import Config
from torchlint.engine import analyze
from torchlint.fixing.fixer import fix_all, run_action

TRAIN_SCRIPT = """
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset


    def main():
        features = torch.randn(64, 8)
        targets = (features.sum(dim=1) > 0).long()
        loader = DataLoader(TensorDataset(features, targets), batch_size=16, shuffle=True)
        model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2))
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
        for epoch in range(3):
            correct = 0
            for step, (x, y) in enumerate(loader):
                logits = model(x)
                loss = nn.functional.cross_entropy(logits, y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                correct += (logits.argmax(dim=1) == y).sum().item()
                if step % 2 == 0: print(f"epoch {epoch} step {step} loss {loss:.4f}")
            print(f"epoch {epoch} accuracy {correct / len(loader.dataset):.2%}")


    if __name__ == "__main__":
        main()
"""

#: Entry points that seed nothing (TL502) or only torch (TL503); each prints draws from all three.
UNSEEDED_SCRIPTS = {
    "TL502-argparse-seed": (
        "TL502",
        """
        import argparse
        import random

        import numpy as np
        import torch
        from torch import nn


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--seed", type=int, default=3)
            args = parser.parse_args()
            model = nn.Linear(4, 1)
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            for step in range(3):
                loss = model(torch.randn(8, 4)).pow(2).mean()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            print(random.random(), np.random.rand(), torch.rand(1).item(), model.weight.sum().item())


        if __name__ == "__main__":
            main()
        """,
    ),
    "TL502-main-guard": (
        "TL502",
        """
        import torch


        def train():
            model = torch.nn.Linear(4, 1)
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            for step in range(3):
                loss = model(torch.randn(8, 4)).pow(2).mean()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            return model


        if __name__ == "__main__":
            model = train()
            print(torch.rand(1).item(), model.weight.sum().item())
        """,
    ),
    "TL503-seed-function": (
        "TL503",
        """
        import random

        import numpy as np
        import torch


        def set_seed(seed):
            torch.manual_seed(seed)


        if __name__ == "__main__":
            set_seed(5)
            print(random.random(), np.random.rand(), torch.rand(1).item())
        """,
    ),
}


#: Runs scripts one after another in one interpreter (torch is imported once): each is a new run.
RUNNER = """
import json, runpy, sys

for script, args in json.loads(sys.argv[1]):
    sys.argv = [script, *args]
    runpy.run_path(script, run_name="__main__")
"""


def _run(cwd: Path, *runs: tuple[str, list[str]]) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-c", RUNNER, json.dumps(runs)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_summary_writer_action_logs_the_printed_metrics(tmp_path: Path) -> None:
    source = textwrap.dedent(TRAIN_SCRIPT).lstrip()
    finding = next(f for f in analyze(source, "train.py", Config(select=("TL501",))) if f.actions)
    result = run_action(source, finding, finding.actions[0])
    ast.parse(result)
    assert 'writer.add_scalar("train/loss", loss, epoch * len(loader) + step)' in result
    assert 'writer.add_scalar("train/accuracy", correct / len(loader.dataset), epoch)' in result
    (tmp_path / "train.py").write_text(result)

    completed = _run(tmp_path, ("train.py", []))

    assert completed.returncode == 0, completed.stderr
    assert "accuracy" in completed.stdout  # the prints are kept
    events = list(tmp_path.glob("runs/*/events.out.tfevents.*"))
    assert events, f"no TensorBoard events under {tmp_path / 'runs'}"
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    accumulator = EventAccumulator(str(events[0].parent))
    accumulator.Reload()
    assert set(accumulator.Tags()["scalars"]) == {"train/loss", "train/accuracy"}
    assert [event.step for event in accumulator.Scalars("train/accuracy")] == [0, 1, 2]
    assert [event.step for event in accumulator.Scalars("train/loss")] == [0, 2, 4, 6, 8, 10]
    assert not analyze(result, "train.py", Config(select=("TL501",)))


@pytest.mark.parametrize("name", list(UNSEEDED_SCRIPTS))
def test_seeding_fix_makes_runs_repeat(tmp_path: Path, name: str) -> None:
    """Two runs in one interpreter print the same draws only if every generator is reset."""
    code, source = UNSEEDED_SCRIPTS[name]
    source = textwrap.dedent(source).lstrip()
    fixed = fix_all(source, "train.py", Config(select=(code,)), unsafe=True)
    assert fixed.applied and not fixed.remaining
    (tmp_path / "original.py").write_text(source)
    (tmp_path / "fixed.py").write_text(fixed.source)
    other_seed = [("fixed.py", ["--seed", "4"])] if "--seed" in source else []

    completed = _run(tmp_path, ("original.py", []), ("original.py", []), ("fixed.py", []), ("fixed.py", []), *other_seed)

    assert completed.returncode == 0, completed.stderr
    original_1, original_2, fixed_1, fixed_2, *reseeded = completed.stdout.splitlines()
    assert original_1 != original_2  # the script does draw random numbers
    assert fixed_1 == fixed_2
    assert all(line != fixed_1 for line in reseeded)  # the seed comes from --seed


AGENT_SCRIPT = """
    import sys

    import torch
    from torch import nn


    class Agent:
        def __init__(self):
            self.q = nn.Linear(4, 2)
            self.optimizer = torch.optim.SGD(self.q.parameters(), lr=0.01)

        def update(self, obs, target):
            loss = (self.q(obs).max() - target) ** 2
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            return loss.item()


    agent = Agent()
    for episode in range(3):
        total_reward, loss = 0.0, 0.0
        for t in range(4):
            loss = agent.update(torch.randn(4), 1.0)
            total_reward += 1.0
        sys.stdout.write("episode %d reward %.1f loss %.4f\\n" % (episode, total_reward, loss))
"""


def test_summary_writer_action_logs_what_stdout_write_prints_for_a_delegated_update(tmp_path: Path) -> None:
    source = textwrap.dedent(AGENT_SCRIPT).lstrip()
    [finding] = analyze(source, "train.py", Config(select=("TL501",)))
    assert (finding.line, finding.column) == (26, 5)
    result = run_action(source, finding, finding.actions[0])
    assert not analyze(result, "train.py", Config(select=("TL501",)))
    (tmp_path / "train.py").write_text(result)

    completed = _run(tmp_path, ("train.py", []))

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.count("reward 4.0") == 3  # the console lines are kept
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    [events] = tmp_path.glob("runs/*/events.out.tfevents.*")
    accumulator = EventAccumulator(str(events.parent))
    accumulator.Reload()
    assert set(accumulator.Tags()["scalars"]) == {"train/reward", "train/loss"}
    assert [(e.step, e.value) for e in accumulator.Scalars("train/reward")] == [(0, 4.0), (1, 4.0), (2, 4.0)]


def test_seeding_fix_covers_random_that_only_a_project_module_draws_from(tmp_path: Path) -> None:
    """An entry point that imports only torch and numpy still runs code that draws from ``random``."""
    source = textwrap.dedent(
        """
        import argparse

        import numpy as np
        import torch

        from augment import jitter


        if __name__ == "__main__":
            parser = argparse.ArgumentParser()
            parser.add_argument("--seed", type=int, default=7)
            args = parser.parse_args()
            torch.manual_seed(args.seed)
            np.random.seed(args.seed)
            print(jitter(1.0), np.random.rand(), torch.rand(1).item())
        """
    ).lstrip()
    (tmp_path / "augment.py").write_text("import random\n\n\ndef jitter(x):\n    return x + random.gauss(0, 0.1)\n")
    fixed = fix_all(source, "train.py", Config(select=("TL503",)), unsafe=True)
    assert fixed.applied and not fixed.remaining
    assert "import random\n" in fixed.source and "    random.seed(args.seed)\n" in fixed.source
    (tmp_path / "original.py").write_text(source)
    (tmp_path / "fixed.py").write_text(fixed.source)

    completed = _run(tmp_path, ("original.py", []), ("original.py", []), ("fixed.py", []), ("fixed.py", []))

    assert completed.returncode == 0, completed.stderr
    original_1, original_2, fixed_1, fixed_2 = completed.stdout.splitlines()
    assert original_1 != original_2  # numpy and torch repeat, the jitter does not
    assert fixed_1 == fixed_2


#: pytorch/examples' MNIST shape: ``train(..., epoch)`` runs one epoch per call and prints with ``.format``.
EPOCH_FUNCTION_SCRIPT = """
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
                print("Train Epoch: {} [{}] Loss: {:.6f}".format(epoch, batch_idx * len(data), loss.item()))


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
"""

#: Logging configured for the console only: its ``.format`` metric line is printing.
CONSOLE_LOGGING_SCRIPT = """
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
"""


def _logged_scalars(cwd: Path) -> dict[str, list[tuple[int, float]]]:
    """(step, value) of every scalar in the one TensorBoard run under ``cwd/runs``."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    [events] = cwd.glob("runs/*/events.out.tfevents.*")
    accumulator = EventAccumulator(str(events.parent))
    accumulator.Reload()
    return {tag: [(e.step, e.value) for e in accumulator.Scalars(tag)] for tag in accumulator.Tags()["scalars"]}


def _apply_and_run(tmp_path: Path, script: str) -> tuple[str, subprocess.CompletedProcess]:
    source = textwrap.dedent(script).lstrip()
    [finding] = analyze(source, "train.py", Config(select=("TL501",)))
    result = run_action(source, finding, finding.actions[0])
    ast.parse(result)
    assert not analyze(result, "train.py", Config(select=("TL501",)))  # so a second run inserts nothing
    (tmp_path / "train.py").write_text(result)
    return result, _run(tmp_path, ("train.py", []))


def test_summary_writer_action_makes_one_writer_for_a_function_called_per_epoch(tmp_path: Path) -> None:
    result, completed = _apply_and_run(tmp_path, EPOCH_FUNCTION_SCRIPT)

    assert result.count("SummaryWriter()") == 1
    assert "writer = SummaryWriter()\natexit.register(writer.close)\n\n\ndef train(" in result
    assert 'writer.add_scalar("train/loss", loss.item(), epoch * len(train_loader) + batch_idx)' in result
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.count("Train Epoch:") == 4
    [loss] = _logged_scalars(tmp_path).values()  # one run for both epochs, only the loss tag
    assert [step for step, _ in loss] == [4, 6, 8, 10]


def test_summary_writer_action_logs_a_console_logging_metric_line(tmp_path: Path) -> None:
    result, completed = _apply_and_run(tmp_path, CONSOLE_LOGGING_SCRIPT)

    assert 'writer.add_scalar("train/loss", loss.item(), step)' in result
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.count(" loss ") == 4  # the logging lines are kept
    assert [step for step, _ in _logged_scalars(tmp_path)["train/loss"]] == [0, 5, 10, 15]


#: ``Trainer.train(self, epoch)`` runs one epoch per call and ``Trainer.evaluate(self, epoch)`` prints the
#: test accuracy: one writer for the trainer, made in ``__init__``.
EPOCH_METHOD_SCRIPT = """
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
"""

#: The loop delegates the step to ``train_one_epoch`` and prints through ``log_epoch(epoch, ...)``.
LOG_HELPER_SCRIPT = """
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
"""


def test_summary_writer_action_makes_the_writer_in_init_for_a_method_called_per_epoch(tmp_path: Path) -> None:
    result, completed = _apply_and_run(tmp_path, EPOCH_METHOD_SCRIPT)

    assert result.count("SummaryWriter()") == 1
    assert "        self.writer = SummaryWriter()\n        atexit.register(self.writer.close)\n\n    def train(" in result
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.count("Train Epoch:") == 4 and completed.stdout.count("test accuracy") == 2
    scalars = _logged_scalars(tmp_path)  # one run for both epochs and both methods
    assert [step for step, _ in scalars["train/loss"]] == [4, 6, 8, 10]
    assert [step for step, _ in scalars["val/accuracy"]] == [1, 2]


def test_summary_writer_action_logs_what_a_helper_called_per_epoch_prints(tmp_path: Path) -> None:
    source = textwrap.dedent(LOG_HELPER_SCRIPT).lstrip()
    [finding] = analyze(source, "train.py", Config(select=("TL501",)))
    assert (finding.line, finding.column) == (22, 5)  # the print in log_epoch
    result, completed = _apply_and_run(tmp_path, LOG_HELPER_SCRIPT)

    assert 'def log_epoch(epoch, train_loss, lr):\n' in result
    assert '    writer.add_scalar("train/lr", lr, epoch)\n' in result
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.count("train loss") == 3
    scalars = _logged_scalars(tmp_path)
    assert [step for step, _ in scalars["train/loss"]] == [0, 1, 2]
    assert [round(value, 4) for _, value in scalars["train/lr"]] == [0.1, 0.05, 0.025]


#: The MNIST example with its ``test()``, which prints the held-out metrics once per epoch and has no step in reach.
TEST_FUNCTION = """
    @torch.no_grad()
    def test(model, test_loader):
        model.eval()
        test_loss = correct = 0
        for data, target in test_loader:
            output = model(data)
            test_loss += F.cross_entropy(output, target, reduction="sum").item()
            correct += (output.argmax(dim=1) == target).sum().item()
        test_loss /= len(test_loader.dataset)
        print("Test set: Average loss: {:.4f}, Accuracy: {}/{}".format(test_loss, correct, len(test_loader.dataset)))


"""
EPOCH_AND_TEST_SCRIPT = EPOCH_FUNCTION_SCRIPT.replace("    def main():", TEST_FUNCTION.lstrip("\n") + "    def main():").replace(
    "train(args, model, train_loader, optimizer, epoch)\n",
    "train(args, model, train_loader, optimizer, epoch)\n            test(model, train_loader)\n",
)


def test_summary_writer_action_logs_the_test_metrics_of_the_mnist_example(tmp_path: Path) -> None:
    result, completed = _apply_and_run(tmp_path, EPOCH_AND_TEST_SCRIPT)

    assert '    writer.add_scalar("val/loss", test_loss)\n    writer.add_scalar("val/accuracy", correct)\n' in result
    assert completed.returncode == 0, completed.stderr
    scalars = _logged_scalars(tmp_path)
    assert set(scalars) == {"train/loss", "val/loss", "val/accuracy"}
    assert len(scalars["val/loss"]) == len(scalars["val/accuracy"]) == 2  # once per epoch, in wall-time order
