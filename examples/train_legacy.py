"""Image classification, written the way many older tutorials still do it."""

import argparse
import random

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
import torchvision.transforms as transforms
from torch.autograd import Variable
from torch.utils.data import DataLoader, Dataset


class BasicBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(x + self.bn2(self.conv2(out)))


class FlipDataset(Dataset):
    def __init__(self, images, labels):
        self.images = images
        self.labels = labels

    def __len__(self):
        return len(self.images)

    def __getitem__(self, index):
        image = self.images[index]
        if random.random() < 0.5:
            image = np.fliplr(image).copy()
        return torch.from_numpy(image), self.labels[index]


def train(args):
    np.random.seed(args.seed)
    model = torchvision.models.resnet18(num_classes=10).cuda()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=1e-4)
    normalize = transforms.Normalize((0.5,), (0.5,))
    images = np.random.rand(256, 3, 32, 32).astype("float32")
    labels = np.random.randint(0, 10, size=256)
    loader = DataLoader(FlipDataset(images, labels), batch_size=32, shuffle=True)

    for epoch in range(args.epochs):
        for step, (x, y) in enumerate(loader):
            x, y = Variable(normalize(x)).cuda(), Variable(y).to("cuda:0")
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if step % 10 == 0:
                print(f"epoch {epoch} step {step} loss {loss.data.item():.4f}")
    torch.save(model.state_dict(), "model.pt")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    train(parser.parse_args())
