"""TL123's accelerate rewrite, run for real: the rewritten script trains exactly like the original.

Each script is trained twice in one interpreter, as written and after the code action, on a
tiny CPU model over a ``TensorDataset``; the rewritten one must exit cleanly with a finite loss and
end with the original's weights and optimizer-step count (accelerate steps on the same batches as
the hand-written counter).
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from torchlint.config import Config
from torchlint.engine import analyze
from torchlint.fixing.fixer import run_action

pytest.importorskip("accelerate")

MODULE_LEVEL = """
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    torch.manual_seed(0)
    features = torch.randn(64, 8)
    targets = features.sum(dim=1, keepdim=True)
    loader = DataLoader(TensorDataset(features, targets), batch_size=4)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-2, momentum=0.9)
    loss_fn = nn.MSELoss()
    accum_steps = 4
    updates = []
    optimizer.register_step_post_hook(lambda *args: updates.append(1))

    for epoch in range(3):
        for step, (x, y) in enumerate(loader):
            loss = loss_fn(model(x), y)
            loss = loss / accum_steps
            loss.backward()
            if (step + 1) % accum_steps == 0:
                optimizer.step()
                optimizer.zero_grad()
    checksum = sum(p.double().sum().item() for p in model.parameters())
    print("RESULT", loss.item(), checksum, len(updates))
"""

IN_A_FUNCTION = """
    import torch
    import torch.nn.functional as F
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset


    def train(epochs=2, gradient_accumulation_steps=4):
        torch.manual_seed(0)
        features = torch.randn(72, 8)
        labels = (features[:, 0] > 0).long()
        train_loader = DataLoader(TensorDataset(features, labels), batch_size=4)
        model = nn.Sequential(nn.Linear(8, 16), nn.Tanh(), nn.Linear(16, 2))
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0 / (1 + step))
        global_step = 0
        for epoch in range(epochs):
            for step, (x, y) in enumerate(train_loader):
                loss = F.cross_entropy(model(x), y) / gradient_accumulation_steps
                loss.backward()
                if (step + 1) % gradient_accumulation_steps == 0 or step + 1 == len(train_loader):
                    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                    optimizer.step()
                    scheduler.step()
                    optimizer.zero_grad()
                    global_step += 1
        checksum = sum(p.double().sum().item() for p in model.parameters())
        return loss.item(), checksum, global_step


    if __name__ == "__main__":
        print("RESULT", *train())
"""

#: Runs each script given on the command line in turn, as ``__main__``.
DRIVER = "import runpy, sys\nfor path in sys.argv[1:]:\n    runpy.run_path(path, run_name='__main__')\n"


def rewrite(source: str) -> str:
    finding = next(f for f in analyze(source, "train.py", Config(select=("TL123",))) if f.actions)
    return run_action(source, finding, finding.actions[0])


def train_both(original: str, rewritten: str, tmp_path: Path) -> list[list[float]]:
    paths = []
    for name, text in (("original.py", original), ("rewritten.py", rewritten)):
        paths.append(tmp_path / name)
        paths[-1].write_text(text)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf"), "CUDA_VISIBLE_DEVICES": ""}
    run = subprocess.run(
        [sys.executable, "-c", DRIVER, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=env,
    )
    assert run.returncode == 0, run.stderr
    results = [line.split()[1:] for line in run.stdout.splitlines() if line.startswith("RESULT")]
    assert len(results) == 2, run.stdout
    return [[float(value) for value in result] for result in results]


@pytest.mark.parametrize("script", [MODULE_LEVEL, IN_A_FUNCTION], ids=["module-level", "in-a-function"])
def test_accelerate_rewrite_trains_like_the_original(script: str, tmp_path: Path) -> None:
    original = textwrap.dedent(script).lstrip()
    rewritten = rewrite(original)
    assert "with accelerator.accumulate(model):" in rewritten
    assert "accelerator.backward(loss)" in rewritten
    (_, *state_before), (loss_after, *state_after) = train_both(original, rewritten, tmp_path)
    assert math.isfinite(loss_after)
    assert state_after == pytest.approx(state_before, rel=1e-6)
