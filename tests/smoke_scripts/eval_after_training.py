"""Trains a few steps, then scores one validation batch under torch.no_grad() without model.eval():
no loop around the evaluation, which comes after the last step."""

import torch
from torch import nn

STEPS = 3


def build_model() -> nn.Module:
    return nn.Sequential(nn.Linear(8, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 2))


if __name__ == "__main__":
    torch.manual_seed(0)
    model = build_model()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    for _ in range(STEPS):
        x, y = torch.randn(16, 8), torch.randint(0, 2, (16,))
        loss = nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    x_val, y_val = torch.randn(64, 8), torch.randint(0, 2, (64,))
    with torch.no_grad():
        accuracy = (model(x_val).argmax(dim=1) == y_val).float().mean().item()
    print(f"validation accuracy {accuracy:.3f}")
