"""Validation under torch.no_grad() that forgets model.eval(): dropout stays on."""

import torch
from torch import nn


def evaluate(model, x, y):
    with torch.no_grad():
        return nn.functional.cross_entropy(model(x), y).item()


if __name__ == "__main__":
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 2))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    x_val, y_val = torch.randn(16, 8), torch.randint(0, 2, (16,))
    for step in range(10):
        model.train()
        x, y = torch.randn(4, 8), torch.randint(0, 2, (4,))
        loss = nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        print(f"step {step}: validation loss {evaluate(model, x_val, y_val):.4f}")
