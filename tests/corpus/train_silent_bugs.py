"""Tabular classifier trained with AMP: the script runs, and trains silently wrong."""

import argparse
import logging
import os
import random

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

logger = logging.getLogger(__name__)


class MLP(nn.Module):
    def __init__(self, features, hidden, classes, dropout=0.3):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(features, hidden),
            nn.BatchNorm1d(hidden),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(hidden, classes),
        )

    def forward(self, x):
        return self.body(x)


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)


def make_loaders(features, classes, batch_size, device):
    x = torch.FloatTensor(4096, features).normal_()
    y = torch.randint(0, classes, (4096,)).to(device)
    class_weights = torch.tensor([1.0] * classes).to(device)
    train = TensorDataset(x[:3584], y[:3584].cpu())
    valid = TensorDataset(x[3584:], y[3584:].cpu())
    workers = min(4, os.cpu_count() or 1)
    return (
        DataLoader(train, batch_size=batch_size, shuffle=True, num_workers=workers, pin_memory=True),
        DataLoader(valid, batch_size=batch_size, num_workers=workers, pin_memory=True),
        class_weights,
    )


def train_one_epoch(model, loader, optimizer, scheduler, scaler, criterion, device, max_norm):
    total_loss = 0.0
    for inputs, targets in loader:
        inputs, targets = inputs.to(device, non_blocking=True), targets.to(device, non_blocking=True)
        with torch.autocast(device_type=device.type, dtype=torch.bfloat16):
            logits = model.forward(inputs)
            loss = criterion(logits, targets)
        scaler.scale(loss).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        scaler.step(optimizer)
        scaler.update()
        scheduler.step()
        total_loss += loss
    return total_loss / len(loader)


def validate(model, loader, criterion, device):
    correct = seen = 0
    losses = []
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        with torch.autocast(device_type=device.type, dtype=torch.bfloat16):
            logits = model(inputs)
            losses.append(criterion(logits, targets).item())
        correct += (logits.argmax(1) == targets).sum().item()
        seen += targets.numel()
    return sum(losses) / len(losses), correct / seen


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--lr", type=float, default=3e-4)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--resume", default="")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    seed_everything(0)

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    train_loader, valid_loader, class_weights = make_loaders(32, 4, args.batch_size, device)
    model = MLP(32, 256, 4).to(device)
    if args.resume:
        model.load_state_dict(torch.load(args.resume, map_location=device))
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=args.lr, total_steps=args.epochs * len(train_loader), pct_start=0.1
    )
    scaler = torch.amp.GradScaler(device.type)
    criterion = nn.CrossEntropyLoss(weight=class_weights)

    best = 0.0
    for epoch in range(args.epochs):
        model.train()
        train_loss = train_one_epoch(model, train_loader, optimizer, scheduler, scaler, criterion, device, 1.0)
        model.eval()
        valid_loss, accuracy = validate(model, valid_loader, criterion, device)
        logger.info("epoch %d train %.4f valid %.4f acc %.3f", epoch, train_loss, valid_loss, accuracy)
        if accuracy > best:
            best = accuracy
            torch.save(model.state_dict(), "best.pt")


if __name__ == "__main__":
    main()
