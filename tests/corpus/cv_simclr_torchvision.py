"""SimCLR pretraining on STL-style image folders, then a linear probe (2020-era research code)."""

import argparse
import glob
import os
import random

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
import torchvision.transforms as transforms
from PIL import Image
from torch.utils.data import DataLoader, Dataset


def load_rgb(path):
    return np.asarray(Image.open(path).convert("RGB"), dtype=np.uint8)


def jitter(img, strength=0.4):
    """Colour jitter by hand: brightness and contrast only."""
    img = img.astype(np.float32)
    img = img * (1 + strength * (np.random.rand() - 0.5))
    img = (img - img.mean()) * (1 + strength * (np.random.rand() - 0.5)) + img.mean()
    return np.clip(img, 0, 255).astype(np.uint8)


def random_view(img, size=96):
    """One augmented view: a random crop, a flip half of the time, a random quarter turn."""
    h, w = img.shape[:2]
    top, left = np.random.randint(0, h - size + 1), np.random.randint(0, w - size + 1)
    view = img[top : top + size, left : left + size]
    if random.random() < 0.5:
        view = view[:, ::-1]
    view = np.rot90(view, k=np.random.randint(4))
    return jitter(view)


class ContrastivePairs(Dataset):
    """Two augmented views of every unlabeled image."""

    def __init__(self, root):
        self.paths = sorted(glob.glob(os.path.join(root, "unlabeled", "*.png")))
        self.to_tensor = transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.5] * 3, [0.5] * 3)])

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, index):
        img = load_rgb(self.paths[index])
        first, second = random_view(img), random_view(img)
        return self.to_tensor(first.copy()), self.to_tensor(second.copy())


class LabeledImages(Dataset):
    def __init__(self, root, split, train):
        self.samples = [(p, int(os.path.basename(os.path.dirname(p)))) for p in sorted(glob.glob(os.path.join(root, split, "*", "*.png")))]
        self.train = train
        self.to_tensor = transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.5] * 3, [0.5] * 3)])

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, index):
        path, label = self.samples[index]
        image = load_rgb(path)
        if self.train and np.random.rand() > 0.5:
            image = np.fliplr(image)
        return self.to_tensor(image.copy()), label


class SimCLR(nn.Module):
    def __init__(self, projection_dim=128):
        super().__init__()
        self.encoder = torchvision.models.resnet18(weights=None)
        self.encoder.fc = nn.Identity()
        self.projector = nn.Sequential(nn.Linear(512, 512), nn.ReLU(inplace=True), nn.Linear(512, projection_dim))

    def forward(self, x):
        return self.projector(self.encoder(x))


def nt_xent(z1, z2, temperature=0.5):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    similarity = z @ z.t() / temperature
    n = z1.size(0)
    similarity.fill_diagonal_(float("-inf"))
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)]).to(z.device)
    return F.cross_entropy(similarity, targets)


def pretrain(args, device):
    model = SimCLR(args.projection_dim).to(device)
    loader = DataLoader(ContrastivePairs(args.data), batch_size=args.batch_size, shuffle=True, drop_last=True, num_workers=4)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-4, weight_decay=1e-6)
    for epoch in range(args.epochs):
        model.train()
        total = 0.0
        for step, (x1, x2) in enumerate(loader):
            x1, x2 = x1.to(device), x2.to(device)
            loss = nt_xent(model(x1), model(x2), args.temperature)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item()
            if step % 50 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.4f}")
        print(f"epoch {epoch} mean loss {total / len(loader):.4f}")
    return model


def linear_probe(args, encoder, device):
    features = nn.Sequential(*list(torchvision.models.resnet18(weights=None).children())[:-1])
    features.load_state_dict(encoder.state_dict(), strict=False)
    features.to(device).eval()
    classifier = nn.Linear(512, 10).to(device)
    optimizer = torch.optim.SGD(classifier.parameters(), lr=0.1, momentum=0.9)
    loader = DataLoader(LabeledImages(args.data, "train", train=True), batch_size=256, shuffle=True)
    for epoch in range(args.probe_epochs):
        correct = seen = 0
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            with torch.no_grad():
                h = features(images).flatten(1)
            logits = classifier(h)
            loss = F.cross_entropy(logits, labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            correct += (logits.argmax(1) == labels).sum().item()
            seen += labels.size(0)
        print("probe epoch %d accuracy %.3f" % (epoch, correct / seen))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="./stl10")
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--probe-epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--projection-dim", type=int, default=128)
    parser.add_argument("--temperature", type=float, default=0.5)
    args = parser.parse_args()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model = pretrain(args, device)
    linear_probe(args, model.encoder, device)
    torch.save(model.encoder.state_dict(), "simclr_resnet18.pt")
