"""The general rules' edits run for real, each in a subprocess on a tiny CPU model.

TL121: a script rewritten by its code action (writes through ``.data``) or its fix (reads) no
longer reports TL121 and prints exactly what the original printed. TL101 (autocast) and TL104 (a
warmup + cosine schedule per optimizer): the fixed script no longer reports the rule and trains to
a finite loss (autocast and a schedule change the numbers, so only that they run is compared).
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap

import pytest

from torchlint.config import Config
from torchlint.engine import analyze
from torchlint.fixing.fixer import fix_all, run_action

pytest.importorskip("torch")

ONLY_TL121 = Config(select=("TL121",))

#: A GAN-style script with two optimizers and ``zero_grad()`` between the forward pass and the loss.
TWO_STEPS = """
    import math

    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    torch.manual_seed(0)
    loader = DataLoader(TensorDataset(torch.randn(32, 4), torch.randn(32, 1)), batch_size=8)
    critic = nn.Linear(4, 1)
    actor = nn.Linear(4, 4)
    critic_opt = torch.optim.AdamW(critic.parameters(), lr=1e-2)
    actor_opt = torch.optim.AdamW(actor.parameters(), lr=1e-2)
    for epoch in range(2):
        for x, y in loader:
            value = critic(x)
            critic_opt.zero_grad()
            critic_loss = nn.functional.mse_loss(value, y)
            critic_loss.backward()
            critic_opt.step()
            actor_loss = -critic(actor(x)).mean()
            actor_opt.zero_grad()
            actor_loss.backward()
            actor_opt.step()
    assert math.isfinite(critic_loss.item()) and math.isfinite(actor_loss.item())
    print("RESULT", actor_opt.param_groups[0]["lr"] != 1e-2, critic_opt.param_groups[0]["lr"] != 1e-2)
"""

#: A DQN-style soft update and a WGAN weight clip, as classic repositories write them.
WRITES = """
    import torch
    from torch import nn

    torch.manual_seed(0)
    net = nn.Linear(4, 2)
    target = nn.Linear(4, 2)
    critic = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))


    def soft_update(target, source, tau):
        for target_param, param in zip(target.parameters(), source.parameters()):
            target_param.data.copy_(tau * param.data + (1.0 - tau) * target_param.data)


    for step in range(3):
        soft_update(target, net, 0.1)
        for p in critic.parameters():
            p.data = p.data.clamp(-0.01, 0.01)
    checksum = sum(p.double().sum().item() for m in (target, critic) for p in m.parameters())
    print("RESULT", round(checksum, 12))
"""

#: Reads of a loss, of predictions and of a lambda over parameters, in a training loop.
READS = """
    import torch
    import torch.nn.functional as F
    from torch import nn

    torch.manual_seed(0)
    model = nn.Linear(4, 3)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(16, 4), torch.randint(0, 3, (16,))
    total = correct = 0.0
    for step in range(3):
        out = model(x)
        loss = F.cross_entropy(out, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.data.item()
        correct += (out.data.argmax(1) == y).sum().item()
    size = sum(map(lambda p: p.data.numel(), model.parameters()))
    print("RESULT", round(total, 12), correct, size)
"""


def _run(source: str) -> str:
    done = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _apply_actions(source: str) -> str:
    """``source`` after the code action of each TL121 finding that offers one, one at a time."""
    while True:
        finding = next((f for f in analyze(source, "script.py", ONLY_TL121) if f.actions), None)
        if finding is None:
            return source
        source = run_action(source, finding, finding.actions[0])


def test_write_actions_leave_no_finding_and_train_the_same() -> None:
    original = textwrap.dedent(WRITES)
    rewritten = _apply_actions(original)
    ast.parse(rewritten)
    assert rewritten.count("with torch.no_grad():") == 2
    assert ".data" not in rewritten
    assert analyze(rewritten, "script.py", ONLY_TL121) == []
    assert _run(rewritten) == _run(original)


def test_read_fixes_leave_no_finding_and_compute_the_same() -> None:
    original = textwrap.dedent(READS)
    fixed = fix_all(original, "script.py", ONLY_TL121).source
    ast.parse(fixed)
    assert fixed.count(".detach()") == 3
    assert analyze(fixed, "script.py", ONLY_TL121) == []
    assert _run(fixed) == _run(original)


@pytest.mark.parametrize("code", ["TL101", "TL104"])
def test_fixes_of_two_training_steps_run(code: str) -> None:
    original = textwrap.dedent(TWO_STEPS)
    only = Config(select=(code,))
    assert len(analyze(original, "script.py", only)) == 2
    fixed = fix_all(original, "script.py", only, unsafe=True).source
    ast.parse(fixed)
    assert analyze(fixed, "script.py", only) == []
    if code == "TL101":
        assert fixed.count("with torch.autocast(") == 2
        assert "    critic_opt.zero_grad()\n        with torch.autocast(" in fixed  # zero_grad stays out of autocast
        assert _run(fixed) == "RESULT False False\n"
    else:
        assert fixed.count("SequentialLR(") == 2
        assert _run(fixed) == "RESULT True True\n"  # each optimizer's learning rate now moves
