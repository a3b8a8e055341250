"""One quick step, then a loop that hangs (a stuck data source, a deadlock)."""

import time

import torch
from torch import nn


def wait_for_data():
    while True:
        time.sleep(0.05)


if __name__ == "__main__":
    model = nn.Linear(4, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    model(torch.randn(8, 4)).sum().backward()
    optimizer.step()
    wait_for_data()
