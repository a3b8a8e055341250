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

/** A notebook: a legacy optimizer in the first cell, a Variable in the second. */
export const NOTEBOOK = {
    name: 'explore.ipynb',
    cells: [
        'import torch\n\nmodel = torch.nn.Linear(4, 2)\noptimizer = torch.optim.Adam(model.parameters(), lr=1e-3)\n',
        'x = torch.autograd.Variable(torch.ones(1))\n',
    ],
};

export function notebookJson(cells: string[]): string {
    const cell = (source: string) => ({ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: source.split(/(?<=\n)/) });
    const metadata = { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' }, language_info: { name: 'python' } };
    return JSON.stringify({ cells: cells.map(cell), metadata, nbformat: 4, nbformat_minor: 5 }, null, 1);
}

/** A script that trains on the CPU in a few milliseconds a step: what the smoke run runs. */
export const SMOKE_SCRIPT = `"""A small regression model trained on the CPU."""

import torch
from torch import nn


def main(steps: int = 200) -> None:
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 1))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
    inputs, targets = torch.randn(256, 8), torch.randn(256, 1)
    for step in range(steps):
        start = step % 8 * 32
        loss = nn.functional.mse_loss(model(inputs[start : start + 32]), targets[start : start + 32])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


if __name__ == "__main__":
    main()
`;

export const FILES = {
    legacy: 'train_legacy.py',
    fixOnSave: 'train_fix_on_save.py',
    fixAll: 'train_fix_all.py',
    snippet: 'seeding.py',
    smoke: 'train_smoke.py',
};

/**
 * Every file of the project, written before the editor starts: quick open lists only the files
 * its first scan of the folder found (a notebook written during the run was never listed).
 */
export function writeProject(folder: string): void {
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, FILES.legacy), LEGACY_SCRIPT);
    writeFileSync(join(folder, FILES.fixOnSave), LEGACY_SCRIPT);
    writeFileSync(join(folder, FILES.fixAll), LEGACY_SCRIPT);
    writeFileSync(join(folder, FILES.snippet), 'import random\n\nimport numpy as np\nimport torch\n\n');
    writeFileSync(join(folder, FILES.smoke), SMOKE_SCRIPT);
    writeFileSync(join(folder, NOTEBOOK.name), notebookJson(NOTEBOOK.cells));
}
