"""Two steps, then a long stretch of work that is not training (a stuck upload of the checkpoint)."""

import time

import torch
from torch import nn

if __name__ == "__main__":
    model = nn.Linear(4, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(2):
        model(torch.randn(8, 4)).pow(2).mean().backward()
        optimizer.step()
        optimizer.zero_grad()
    while True:
        time.sleep(0.05)
