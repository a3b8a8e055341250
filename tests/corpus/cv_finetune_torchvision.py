"""Fine-tune an ImageNet ResNet-50 on a folder dataset with mixed precision (older AMP API)."""

import argparse
import logging
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.cuda.amp import GradScaler, autocast
from torch.utils.data import DataLoader
from torchvision import datasets, models
from torchvision import transforms as T

logger = logging.getLogger("finetune")


def build_transforms(image_size):
    train = T.Compose(
        [
            T.RandomResizedCrop(image_size),
            T.RandomHorizontalFlip(),
            T.ColorJitter(0.4, 0.4, 0.4),
            T.ToTensor(),
            T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
        ]
    )
    val = T.Compose(
        [
            T.Resize(int(image_size * 1.14)),
            T.CenterCrop(image_size),
            T.ToTensor(),
            T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
        ]
    )
    return train, val


def build_model(num_classes, freeze_backbone):
    model = models.resnet50(weights=models.ResNet50_Weights.IMAGENET1K_V2)
    if freeze_backbone:
        for param in model.parameters():
            param.requires_grad = False
    model.fc = nn.Linear(model.fc.in_features, num_classes)
    return model


def seed(value):
    torch.manual_seed(value)
    np.random.seed(value)


def train_epoch(model, loader, criterion, optimizer, scheduler, scaler, device):
    model.train()
    running = 0.0
    for images, labels in loader:
        images = images.to(device, non_blocking=True)
        labels = labels.to(device, non_blocking=True)
        optimizer.zero_grad(set_to_none=True)
        with autocast():
            logits = model(images)
            loss = criterion(logits, labels)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        scheduler.step()
        running += loss.item() * images.size(0)
    return running / len(loader.dataset)


@torch.no_grad()
def validate(model, loader, device):
    model.eval()
    correct = 0
    for images, labels in loader:
        logits = model(images.to(device))
        correct += (logits.argmax(1).cpu() == labels).sum().item()
    return correct / len(loader.dataset)


def main(args):
    seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    train_tf, val_tf = build_transforms(args.image_size)
    train_set = datasets.ImageFolder(Path(args.data) / "train", transform=train_tf)
    val_set = datasets.ImageFolder(Path(args.data) / "val", transform=val_tf)
    train_loader = DataLoader(
        train_set, batch_size=args.batch_size, shuffle=True, num_workers=args.workers, pin_memory=True
    )
    val_loader = DataLoader(val_set, batch_size=args.batch_size, num_workers=args.workers, pin_memory=True)

    model = build_model(len(train_set.classes), args.freeze).to(device)
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs * len(train_loader))
    scaler = GradScaler()

    best = 0.0
    for epoch in range(args.epochs):
        start = time.time()
        loss = train_epoch(model, train_loader, criterion, optimizer, scheduler, scaler, device)
        acc = validate(model, val_loader, device)
        logger.info("epoch %d loss %.4f val_acc %.4f (%.0fs)", epoch, loss, acc, time.time() - start)
        if acc > best:
            best = acc
            torch.save({"model": model.state_dict(), "epoch": epoch}, Path(args.out) / "best.pt")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--out", default="outputs")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--image-size", type=int, default=224)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--freeze", action="store_true")
    main(parser.parse_args())
