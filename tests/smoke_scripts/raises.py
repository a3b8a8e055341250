"""A loop that fails at its second batch, in the user's own code."""

import torch
from torch import nn


def check(batch, index):
    if index == 1:
        raise ValueError(f"batch {index} has the wrong shape: {tuple(batch.shape)}")


def main():
    model = nn.Linear(4, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for index in range(10):
        batch = torch.randn(8, 4)
        check(batch, index)
        loss = model(batch).pow(2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


if __name__ == "__main__":
    main()
