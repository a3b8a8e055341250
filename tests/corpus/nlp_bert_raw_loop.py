"""Fine-tune BERT for sentiment classification with a hand-written PyTorch loop."""

import argparse
import os

import torch
from datasets import load_dataset
from torch.utils.data import DataLoader
from tqdm import tqdm
from transformers import AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding


def tokenize_dataset(tokenizer, max_length):
    raw = load_dataset("imdb")

    def encode(batch):
        return tokenizer(batch["text"], truncation=True, max_length=max_length)

    encoded = raw.map(encode, batched=True, remove_columns=["text"])
    encoded = encoded.rename_column("label", "labels")
    encoded.set_format("torch")
    return encoded


def evaluate(model, loader, device):
    model.eval()
    correct = 0
    total = 0
    with torch.no_grad():
        for batch in loader:
            batch = {k: v.to(device) for k, v in batch.items()}
            logits = model(**batch).logits
            predictions = logits.argmax(dim=-1)
            correct += (predictions == batch["labels"]).sum().item()
            total += batch["labels"].size(0)
    return correct / total


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model-name", default="bert-base-uncased")
    parser.add_argument("--output-dir", default="checkpoints/bert-imdb")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=2e-5)
    parser.add_argument("--max-length", type=int, default=256)
    args = parser.parse_args()

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    tokenizer = AutoTokenizer.from_pretrained(args.model_name)
    model = AutoModelForSequenceClassification.from_pretrained(args.model_name, num_labels=2)
    model.to(device)

    data = tokenize_dataset(tokenizer, args.max_length)
    collator = DataCollatorWithPadding(tokenizer)
    train_loader = DataLoader(
        data["train"], batch_size=args.batch_size, shuffle=True, collate_fn=collator, num_workers=4
    )
    eval_loader = DataLoader(data["test"], batch_size=64, collate_fn=collator, num_workers=4)

    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)

    for epoch in range(args.epochs):
        model.train()
        progress = tqdm(train_loader, desc=f"epoch {epoch}")
        for step, batch in enumerate(progress):
            batch = {k: v.to(device) for k, v in batch.items()}
            outputs = model(**batch)
            loss = outputs.loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            optimizer.zero_grad()
            if step % 50 == 0:
                progress.set_postfix(loss=loss.item())
        accuracy = evaluate(model, eval_loader, device)
        print(f"epoch {epoch}: eval accuracy {accuracy:.4f}")

    os.makedirs(args.output_dir, exist_ok=True)
    model.save_pretrained(args.output_dir)
    print("saved model to", args.output_dir)


def predict(texts, model_dir):
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForSequenceClassification.from_pretrained(model_dir)
    model.eval()
    inputs = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
    with torch.no_grad():
        logits = model(**inputs).logits
    return logits.softmax(dim=-1).tolist()


def summarize(results):
    positives = sum(1 for probs in results if probs[1] > 0.5)
    return {"positive": positives, "negative": len(results) - positives}


def report(results):
    counts = summarize(results)
    for label, count in counts.items():
        print(f"{label:>10}: {count}")
    return counts


if __name__ == "__main__":
    main()
