"""A loss that turns NaN at the third step (an infinity times zero)."""

import torch
from torch import nn

if __name__ == "__main__":
    torch.manual_seed(0)
    model = nn.Linear(4, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for step in range(10):
        loss = model(torch.randn(8, 4)).pow(2).mean()
        if step == 2:
            loss = loss * torch.log(torch.tensor(0.0)) * 0
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
