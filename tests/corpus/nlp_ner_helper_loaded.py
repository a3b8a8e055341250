"""Token classification (NER) fine-tuning in the style of many course repos: one helper loads the
model and its tokenizer, another prints the epoch's metrics, and the loop is written by hand."""

import argparse
import json
import os

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset
from transformers import AutoModelForTokenClassification, AutoTokenizer


class NerDataset(Dataset):
    def __init__(self, path, tokenizer, label2id, max_length=128):
        with open(path) as f:
            self.examples = [json.loads(line) for line in f]
        self.tokenizer = tokenizer
        self.label2id = label2id
        self.max_length = max_length

    def __len__(self):
        return len(self.examples)

    def __getitem__(self, idx):
        example = self.examples[idx]
        encoding = self.tokenizer(
            example["tokens"],
            is_split_into_words=True,
            truncation=True,
            max_length=self.max_length,
            padding="max_length",
            return_tensors="pt",
        )
        labels = [-100] * self.max_length
        for position, word in enumerate(encoding.word_ids()):
            if word is not None:
                labels[position] = self.label2id[example["tags"][word]]
        item = {key: value.squeeze(0) for key, value in encoding.items()}
        item["labels"] = torch.tensor(labels)
        return item


def load_model(name, labels):
    tokenizer = AutoTokenizer.from_pretrained(name)
    model = AutoModelForTokenClassification.from_pretrained(
        name, num_labels=len(labels), id2label=dict(enumerate(labels)), label2id={l: i for i, l in enumerate(labels)}
    )
    return model, tokenizer


def log_epoch(epoch, train_loss, dev_f1):
    print(f"epoch {epoch} | train loss {train_loss:.4f} | dev f1 {dev_f1:.4f}")


@torch.no_grad()
def token_f1(model, loader, device):
    model.eval()
    true_positive = predicted = gold = 0
    for batch in loader:
        batch = {k: v.to(device) for k, v in batch.items()}
        predictions = model(**batch).logits.argmax(dim=-1)
        mask = batch["labels"] != -100
        entity = batch["labels"] > 0
        true_positive += ((predictions == batch["labels"]) & mask & entity).sum().item()
        predicted += ((predictions > 0) & mask).sum().item()
        gold += (entity & mask).sum().item()
    precision = true_positive / max(predicted, 1)
    recall = true_positive / max(gold, 1)
    return 2 * precision * recall / max(precision + recall, 1e-8)


def train_epoch(model, loader, optimizer, device):
    model.train()
    total = 0.0
    for batch in loader:
        batch = {k: v.to(device) for k, v in batch.items()}
        outputs = model(**batch)
        loss = outputs[0]
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        total += loss.item()
    return total / len(loader)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="bert-base-cased")
    parser.add_argument("--data-dir", default="data/conll")
    parser.add_argument("--output-dir", default="outputs/ner")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()

    np.random.seed(args.seed)
    torch.manual_seed(args.seed)

    with open(os.path.join(args.data_dir, "labels.json")) as f:
        labels = json.load(f)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model, tokenizer = load_model(args.model, labels)
    model.to(device)
    label2id = {label: i for i, label in enumerate(labels)}
    train_loader = DataLoader(
        NerDataset(os.path.join(args.data_dir, "train.jsonl"), tokenizer, label2id), batch_size=16, shuffle=True
    )
    dev_loader = DataLoader(NerDataset(os.path.join(args.data_dir, "dev.jsonl"), tokenizer, label2id), batch_size=32)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-5, weight_decay=0.01)

    for epoch in range(args.epochs):
        train_loss = train_epoch(model, train_loader, optimizer, device)
        log_epoch(epoch, train_loss, token_f1(model, dev_loader, device))

    os.makedirs(args.output_dir, exist_ok=True)
    model.save_pretrained(args.output_dir)


if __name__ == "__main__":
    main()
