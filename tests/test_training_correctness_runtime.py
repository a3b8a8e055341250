"""The TL13x fixes change what training does, measured on tiny CPU runs.

Each test runs a small training script as written, and again after torchlint's fix for the rule,
and measures the behaviour the rule claims: gradients that add up without ``zero_grad`` (TL130),
autograd graphs kept alive by a running total (TL131), dropout active in evaluation and training
resumed in eval mode (TL133), and clipping of gradients still multiplied by the loss scale (TL134).
"""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from torchlint.config import Config
from torchlint.fixing.fixer import fix_all

torch = pytest.importorskip("torch")


def fixed(code: str, source: str) -> str:
    """``source`` after every fix of rule ``code`` (unsafe ones included), which must change it."""
    result = fix_all(source, "x.py", Config(select=(code,)), unsafe=True)
    assert result.source != source, f"{code} offered no fix"
    assert not [f for f in result.remaining if f.code == code]
    return result.source


def run(source: str) -> dict[str, Any]:
    """Execute a script in a fresh namespace and return that namespace."""
    namespace: dict[str, Any] = {"__name__": "__torchlint_runtime__"}
    exec(compile(source, "x.py", "exec"), namespace)
    return namespace


def script(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def graph_size(tensor: Any) -> int:
    """How many autograd nodes are reachable from ``tensor`` (0 for a tensor without history)."""
    seen: set[Any] = set()
    pending = [getattr(tensor, "grad_fn", None)]
    while pending:
        node = pending.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        pending.extend(next_node for next_node, _ in node.next_functions)
    return len(seen)


TL130_SCRIPT = script(
    """
    import torch
    from torch import nn, optim

    torch.manual_seed(0)
    model = nn.Linear(8, 1)
    optimizer = optim.SGD(model.parameters(), lr=1e-3)
    inputs, targets = torch.randn(32, 8), torch.randn(32, 1)
    loader = [(inputs, targets)] * 4  # the same full batch: each step's own gradient is nearly the same
    grad_norms = []
    for epoch in range(3):
        for x, y in loader:
            loss = nn.functional.mse_loss(model(x), y)
            loss.backward()
            grad_norms.append(model.weight.grad.norm().item())
            optimizer.step()
    """
)


def test_tl130_without_zero_grad_the_gradients_add_up() -> None:
    after_source = fixed("TL130", TL130_SCRIPT)
    assert "optimizer.zero_grad(set_to_none=True)" in after_source
    before, after = run(TL130_SCRIPT)["grad_norms"], run(after_source)["grad_norms"]
    assert len(before) == len(after) == 12
    # Fixed, each step sees its own gradient: nearly constant (the learning rate is tiny).
    assert max(after) < 1.1 * min(after)
    # Unfixed, step k follows the sum of all k gradients so far: k times as large.
    for step, (unfixed, own) in enumerate(zip(before, after, strict=True), start=1):
        assert unfixed == pytest.approx(step * own, rel=0.1)


TL131_SCRIPT = script(
    """
    import torch
    from torch import nn

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    criterion = nn.MSELoss()
    data = [(torch.randn(4, 8), torch.randn(4, 1)) for _ in range(20)]


    def train_epoch():
        total_loss = torch.zeros(())
        for x, y in data:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            total_loss += loss
        return total_loss


    total = train_epoch()
    """
)


def test_tl131_the_running_total_keeps_every_graph_alive() -> None:
    after_source = fixed("TL131", TL131_SCRIPT)
    assert "total_loss += loss.detach()" in after_source
    before, after = run(TL131_SCRIPT)["total"], run(after_source)["total"]
    # Unfixed, the total references the graph of each of the 20 iterations (several nodes each).
    assert before.requires_grad and graph_size(before) >= 20 * 3
    # Fixed, nothing is kept; the value and the type are the same.
    assert not after.requires_grad and graph_size(after) == 0
    assert type(after) is type(before)
    assert after.item() == pytest.approx(before.item())


TL133_EVALUATION_SCRIPT = script(
    """
    import torch
    from torch import nn

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Dropout(0.5), nn.Linear(32, 2))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    train_data = [(torch.randn(8, 8), torch.randint(0, 2, (8,))) for _ in range(4)]
    val_batches = [torch.randn(8, 8) for _ in range(2)]


    def train_epoch(model, loader):
        for x, y in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()


    def validate(model, batches):
        outputs = []
        with torch.no_grad():
            for batch in batches:
                outputs.append(model(batch))
        return torch.cat(outputs)


    def main():
        for epoch in range(2):
            model.train()
            train_epoch(model, train_data)
        return validate(model, val_batches), validate(model, val_batches)


    first, second = main()
    """
)


def test_tl133_evaluation_in_training_mode_is_random() -> None:
    after_source = fixed("TL133", TL133_EVALUATION_SCRIPT)
    assert "model.eval()" in after_source
    before, after = run(TL133_EVALUATION_SCRIPT), run(after_source)
    # Unfixed, dropout is active: two evaluations of the same model on the same data differ.
    assert not torch.equal(before["first"], before["second"])
    # Fixed, evaluation is deterministic.
    assert torch.equal(after["first"], after["second"])


TL133_TRAINING_SCRIPT = script(
    """
    import torch
    from torch import nn

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Dropout(0.5), nn.Linear(32, 2))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    train_data = [(torch.randn(8, 8), torch.randint(0, 2, (8,))) for _ in range(4)]
    val_inputs = torch.randn(16, 8)
    modes = []


    def train_epoch(model, loader):
        for x, y in loader:
            modes.append(model.training)
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()


    def evaluate(model, inputs):
        model.eval()
        with torch.no_grad():
            return model(inputs).argmax(1)


    def main():
        for epoch in range(3):
            train_epoch(model, train_data)
            evaluate(model, val_inputs)


    main()
    """
)


def test_tl133_training_resumed_in_eval_mode() -> None:
    after_source = fixed("TL133", TL133_TRAINING_SCRIPT)
    assert "model.train()" in after_source
    before, after = run(TL133_TRAINING_SCRIPT)["modes"], run(after_source)["modes"]
    # Unfixed, only the first epoch trains in training mode: 8 of 12 steps run without dropout.
    assert before == [True] * 4 + [False] * 8
    # Fixed, every step trains in training mode.
    assert after == [True] * 12


TL134_SCRIPT = script(
    """
    import torch
    from torch import nn

    torch.manual_seed(0)
    model = nn.Linear(8, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scaler = torch.amp.GradScaler("cpu")
    x, y = torch.randn(16, 8), torch.randn(16, 1)
    start = model.weight.detach().clone()
    clipped_norms = []
    for step in range(3):
        optimizer.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss = nn.functional.mse_loss(model(x), y)
        scaler.scale(loss).backward()
        clipped_norms.append(float(torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)))
        scaler.step(optimizer)
        scaler.update()
    moved = (model.weight.detach() - start).norm().item()
    scale = scaler.get_scale()
    """
)


def _cpu_grad_scaler_works() -> bool:
    try:
        model = torch.nn.Linear(2, 1)
        scaler = torch.amp.GradScaler("cpu")
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss = model(torch.ones(1, 2)).sum()
        scaler.scale(loss).backward()
        scaler.unscale_(torch.optim.SGD(model.parameters(), lr=0.1))
    except (AttributeError, RuntimeError, TypeError, ValueError):
        return False
    return True


def test_tl134_clipping_scaled_gradients_stalls_the_update() -> None:
    if not _cpu_grad_scaler_works():
        pytest.skip("this torch build has no CPU GradScaler with bf16 autocast")
    after_source = fixed("TL134", TL134_SCRIPT)
    assert "scaler.unscale_(optimizer)" in after_source
    before, after = run(TL134_SCRIPT), run(after_source)
    # Unfixed, the clip measures gradients multiplied by the loss scale (65536 on the first step).
    assert before["clipped_norms"][0] == pytest.approx(after["clipped_norms"][0] * before["scale"], rel=1e-3)
    # ... and scales them down to norm 1 before the scaler divides them again: the weights barely move.
    assert after["moved"] > 1000 * before["moved"]
