"""Computes a loss and its gradients, but never calls the optimizer."""

import torch
from torch import nn

if __name__ == "__main__":
    model = nn.Linear(4, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(3):
        loss = model(torch.randn(8, 4)).pow(2).mean()
        loss.backward()
    print("done without a step")
