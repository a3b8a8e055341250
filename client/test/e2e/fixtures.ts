/** The project the end-to-end test opens, written fresh for every run. */

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A legacy training script: Adam, Variable, hard-coded devices, `.data`, a bare DataLoader. */
export const LEGACY_SCRIPT = `"""A small classifier, trained the way older tutorials do it."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd import Variable
from torch.utils.data import DataLoader, TensorDataset


def train(epochs=2):
    model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 4)).to("cuda:0")
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
    data = TensorDataset(torch.randn(64, 16), torch.randint(0, 4, (64,)))
    loader = DataLoader(data, batch_size=8, shuffle=True)
    for epoch in range(epochs):
        for x, y in loader:
            x, y = Variable(x).to("cuda:0"), Variable(y).to("cuda:0")
            loss = F.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        print(epoch, loss.data.item())
`;

/** Where `torch.optim.Adam` starts in LEGACY_SCRIPT (1-based, as Go to Line takes it). */
export const ADAM = { line: 12, column: 30 };

export const FILES = {
    legacy: 'train_legacy.py',
    fixOnSave: 'train_fix_on_save.py',
    fixAll: 'train_fix_all.py',
    snippet: 'seeding.py',
};

export function writeProject(folder: string): void {
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, FILES.legacy), LEGACY_SCRIPT);
    writeFileSync(join(folder, FILES.fixOnSave), LEGACY_SCRIPT);
    writeFileSync(join(folder, FILES.fixAll), LEGACY_SCRIPT);
    writeFileSync(join(folder, FILES.snippet), 'import random\n\nimport numpy as np\nimport torch\n\n');
}
