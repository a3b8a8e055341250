"""Every snippet expands to code torchlint reports nothing on; the CPU-runnable ones run for real."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from torchlint.engine import analyze
from torchlint.snippets import NAMESPACE, load

SNIPPETS = {snippet.prefix: snippet for snippet in load()}

#: Where each name the snippets use comes from. A snippet is analysed below the imports of the
#: names it uses, so that the rules resolve them as in a real file.
IMPORTS = {
    "random": "import random",
    "gym": "import gymnasium as gym",
    "np": "import numpy as np",
    "timm": "import timm",
    "torch": "import torch",
    "F": "import torch.nn.functional as F",
    "wandb": "import wandb",
    "ReplayBuffer": "from stable_baselines3.common.buffers import ReplayBuffer",
    "nn": "from torch import nn",
    "DataLoader": "from torch.utils.data import DataLoader",
    "Dataset": "from torch.utils.data import Dataset",
    "SummaryWriter": "from torch.utils.tensorboard import SummaryWriter",
    "v2": "from torchvision.transforms import v2",
    "Trainer": "from transformers import Trainer",
    "TrainingArguments": "from transformers import TrainingArguments",
}


def with_imports(body: str) -> str:
    used = {node.id for node in ast.walk(ast.parse(body)) if isinstance(node, ast.Name)}
    lines = sorted({line for name, line in IMPORTS.items() if name in used})
    return "\n".join(lines) + "\n\n\n" + body + "\n"


NAMED_IN_RULES = {
    "tl-amp-step", "tl-adamw-cosine", "tl-timm-backbone", "tl-vector-env", "tl-seed-everything",
    "tl-dataloader", "tl-hf-trainer", "tl-replay-buffer", "tl-tensorboard", "tl-wandb",
    "tl-imports", "tl-device", "tl-module", "tl-dataset", "tl-train-loop", "tl-freeze", "tl-timm-classifier",
}


def test_the_catalog_snippets_exist_with_descriptions() -> None:
    assert set(SNIPPETS) >= NAMED_IN_RULES
    for snippet in SNIPPETS.values():
        assert snippet.prefix.startswith(NAMESPACE)
        assert snippet.description and snippet.description != snippet.name


@pytest.mark.parametrize("prefix", sorted(SNIPPETS))
def test_expansion_parses_and_is_clean(prefix: str) -> None:
    source = with_imports(SNIPPETS[prefix].expand())
    assert [f"{f.line}:{f.column} {f.code} {f.message}" for f in analyze(source, f"{prefix}.py")] == []


#: For each snippet that runs on the CPU build of torch: what must exist before it, and what
#: checks its effect after it.
RUNNABLE = {
    "tl-amp-step": (
        """
        device = torch.device("cpu")
        amp_dtype = torch.bfloat16
        model = nn.Linear(8, 2)
        loss_fn = nn.CrossEntropyLoss()
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
        scheduler = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.5, total_iters=4)
        scaler = torch.amp.GradScaler("cpu", enabled=False)
        inputs, targets = torch.randn(16, 8), torch.randint(0, 2, (16,))
        before = model.weight.detach().clone()
        """,
        """
        assert torch.isfinite(loss) and not torch.equal(before, model.weight)
        """,
    ),
    "tl-adamw-cosine": (
        "model = nn.Linear(4, 1)\n",
        """
        lrs = []
        for _ in range(total_steps):
            optimizer.step()
            scheduler.step()
            lrs.append(scheduler.get_last_lr()[0])
        peak = max(lrs)
        assert lrs[0] < peak and abs(peak - 3e-4) < 1e-9 and lrs[-1] < 1e-5
        """,
    ),
    "tl-seed-everything": (
        "",
        """
        first = (random.random(), np.random.rand(), torch.rand(1).item())
        seed_everything(42)
        assert first == (random.random(), np.random.rand(), torch.rand(1).item())
        """,
    ),
    "tl-dataloader": (
        """
        from types import SimpleNamespace
        from torch.utils.data import TensorDataset
        config = SimpleNamespace(batch_size=4, num_workers=2)
        train_dataset = TensorDataset(torch.arange(10.0))
        """,
        """
        assert sorted(torch.cat([b for (b,) in train_loader]).tolist()) == list(range(10))
        """,
    ),
    "tl-vector-env": (
        "",
        """
        assert observations.shape == (8, 4)
        observations, rewards, terminations, truncations, infos = envs.step(envs.action_space.sample())
        assert rewards.shape == (8,)
        """,
    ),
    "tl-replay-buffer": (
        "envs = gym.make_vec('CartPole-v1', num_envs=2, vectorization_mode='sync')\n",
        """
        obs, _ = envs.reset(seed=0)
        for _ in range(8):
            actions = envs.action_space.sample()
            next_obs, rewards, terminations, truncations, infos = envs.step(actions)
            replay_buffer.add(obs, next_obs, actions, rewards, terminations, infos)
            obs = next_obs
        assert replay_buffer.sample(4).observations.shape == (4, 4)
        """,
    ),
    "tl-tensorboard": (
        "import os\nloss = torch.tensor(0.5)\nglobal_step = 3\n",
        """
        writer.close()
        assert any(name.startswith("events.out.tfevents") for name in os.listdir("runs/experiment"))
        """,
    ),
}


@pytest.mark.parametrize("prefix", sorted(RUNNABLE))
def test_runs_for_real_on_cpu(prefix: str, tmp_path: Path) -> None:
    before, after = RUNNABLE[prefix]
    code = "\n".join([textwrap.dedent(before), SNIPPETS[prefix].expand(), textwrap.dedent(after), "print('ok')"])
    script = with_imports(code)
    (tmp_path / "snippet.py").write_text(script)
    proc = subprocess.run(
        [sys.executable, "snippet.py"], cwd=tmp_path, capture_output=True, text=True, timeout=240
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().endswith("ok")
