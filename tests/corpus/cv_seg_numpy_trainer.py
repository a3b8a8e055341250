"""Medical-image segmentation in the TransUNet / lane-detection style: numpy and OpenCV augmentation in
the dataset, and a Trainer class whose train(epoch) and validate(epoch) run once per epoch."""

import argparse
import glob
import os
import random

import cv2
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset


def random_rot_flip(image, label):
    k = np.random.randint(0, 4)
    image = np.rot90(image, k)
    label = np.rot90(label, k)
    axis = np.random.randint(0, 2)
    image = np.flip(image, axis=axis).copy()
    label = np.flip(label, axis=axis).copy()
    return image, label


class SliceDataset(Dataset):
    def __init__(self, root, split, size=224):
        self.images = sorted(glob.glob(os.path.join(root, split, "images", "*.png")))
        self.split = split
        self.size = size

    def __len__(self):
        return len(self.images)

    def _augment(self, image, mask):
        if random.random() > 0.5:
            image, mask = random_rot_flip(image, mask)
        if random.random() > 0.5:
            image = cv2.flip(image, 1)
            mask = cv2.flip(mask, 1)
        return image, mask

    def __getitem__(self, idx):
        image = cv2.imread(self.images[idx], cv2.IMREAD_GRAYSCALE)
        mask = cv2.imread(self.images[idx].replace("images", "masks"), cv2.IMREAD_GRAYSCALE)
        image = cv2.resize(image, (self.size, self.size))
        mask = cv2.resize(mask, (self.size, self.size), interpolation=cv2.INTER_NEAREST)
        if self.split == "train":
            image, mask = self._augment(image, mask)
        image = torch.from_numpy(image.astype(np.float32) / 255.0).unsqueeze(0)
        return image, torch.from_numpy((mask > 127).astype(np.int64))


class SmallUNet(nn.Module):
    def __init__(self, classes=2):
        super().__init__()
        self.down = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.middle = nn.Sequential(nn.Conv2d(32, 64, 3, padding=1), nn.ReLU())
        self.up = nn.ConvTranspose2d(64, 32, 2, stride=2)
        self.head = nn.Conv2d(32, classes, 1)

    def forward(self, x):
        return self.head(F.relu(self.up(self.middle(self.down(x)))))


def dice_score(logits, target):
    prediction = logits.argmax(dim=1)
    intersection = ((prediction == 1) & (target == 1)).sum().item()
    return 2 * intersection / max((prediction == 1).sum().item() + (target == 1).sum().item(), 1)


class Trainer:
    def __init__(self, model, train_loader, val_loader, device, lr):
        self.model = model.to(device)
        self.train_loader = train_loader
        self.val_loader = val_loader
        self.device = device
        self.optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=1e-4)
        self.scheduler = torch.optim.lr_scheduler.PolynomialLR(self.optimizer, total_iters=100)

    def train(self, epoch):
        self.model.train()
        for i, (image, mask) in enumerate(self.train_loader):
            image, mask = image.to(self.device), mask.to(self.device)
            loss = F.cross_entropy(self.model(image), mask)
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            if i % 20 == 0:
                print("epoch %d iter %d loss %.4f" % (epoch, i, loss.item()))
        self.scheduler.step()

    @torch.no_grad()
    def validate(self, epoch):
        self.model.eval()
        scores = [dice_score(self.model(image.to(self.device)), mask.to(self.device)) for image, mask in self.val_loader]
        print("epoch %d val dice %.4f" % (epoch, sum(scores) / len(scores)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", default="data/synapse")
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    train_loader = DataLoader(
        SliceDataset(args.root, "train"), batch_size=8, shuffle=True, num_workers=args.workers, pin_memory=True
    )
    val_loader = DataLoader(SliceDataset(args.root, "val"), batch_size=1, num_workers=args.workers, pin_memory=True)
    trainer = Trainer(SmallUNet(), train_loader, val_loader, device, lr=0.01)
    for epoch in range(args.epochs):
        trainer.train(epoch)
        trainer.validate(epoch)
    torch.save(trainer.model.state_dict(), "unet.pt")


if __name__ == "__main__":
    main()
