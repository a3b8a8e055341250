"""Tabular classification with an MLP: runs on a CPU or a GPU, with a few habits torchlint reports."""

import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset


class NoisyFeatures(Dataset):
    """Synthetic rows with a per-row augmentation, as a real dataset decodes and augments each sample."""

    def __init__(self, rows, features, seed):
        generator = torch.Generator().manual_seed(seed)
        self.x = torch.randn(rows, features, generator=generator)
        self.y = (self.x[:, :4].sum(dim=1) > 0).long()

    def __len__(self):
        return len(self.x)

    def __getitem__(self, index):
        noise = torch.randn(512, self.x.shape[1]).mean(dim=0)
        return self.x[index] + 0.1 * noise, self.y[index]


def evaluate(model, val_loader, device):
    correct = 0
    with torch.no_grad():
        for x, y in val_loader:
            logits = model(x.to(device))
            correct += (logits.argmax(dim=1).cpu() == y).sum().item()
    return correct / len(val_loader.dataset)


def train(args):
    torch.manual_seed(args.seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    train_loader = DataLoader(NoisyFeatures(512, 32, 0), batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(NoisyFeatures(128, 32, 1), batch_size=args.batch_size)
    model = nn.Sequential(
        nn.Linear(32, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(0.2), nn.Linear(256, 2)
    ).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
    for epoch in range(args.epochs):
        model.train()
        for x, y in train_loader:
            x, y = x.to(device), y.to(device)
            loss = F.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: loss {loss.item():.4f}, validation accuracy {evaluate(model, val_loader, device):.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    train(parser.parse_args())
