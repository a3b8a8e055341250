"""Fine-tune a sequence classifier with the Hugging Face Trainer: nothing for torchlint to say."""

import argparse
from dataclasses import dataclass

import numpy as np
from datasets import load_dataset
from transformers import (
    AutoModelForSequenceClassification,
    AutoTokenizer,
    DataCollatorWithPadding,
    Trainer,
    TrainingArguments,
)


@dataclass
class Config:
    model_name: str = "distilbert-base-uncased"
    dataset: str = "glue"
    subset: str = "sst2"
    output_dir: str = "outputs/sst2"
    epochs: int = 3
    batch_size: int = 32
    lr: float = 3e-5
    seed: int = 42


def load_config() -> Config:
    parser = argparse.ArgumentParser()
    for field_name, default in vars(Config()).items():
        parser.add_argument(f"--{field_name.replace('_', '-')}", type=type(default), default=default)
    return Config(**vars(parser.parse_args()))


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    predictions = np.argmax(logits, axis=-1)
    return {"accuracy": float((predictions == labels).mean())}


def build_datasets(tokenizer, config: Config):
    raw = load_dataset(config.dataset, config.subset)

    def encode(batch):
        return tokenizer(batch["sentence"], truncation=True, max_length=128)

    encoded = raw.map(encode, batched=True)
    return encoded["train"], encoded["validation"]


def main() -> None:
    config = load_config()
    tokenizer = AutoTokenizer.from_pretrained(config.model_name)
    model = AutoModelForSequenceClassification.from_pretrained(config.model_name, num_labels=2)
    train_dataset, eval_dataset = build_datasets(tokenizer, config)

    args = TrainingArguments(
        output_dir=config.output_dir,
        per_device_train_batch_size=config.batch_size,
        per_device_eval_batch_size=config.batch_size * 2,
        learning_rate=config.lr,
        num_train_epochs=config.epochs,
        warmup_ratio=0.1,
        lr_scheduler_type="cosine",
        weight_decay=0.01,
        bf16=True,
        eval_strategy="epoch",
        save_strategy="epoch",
        load_best_model_at_end=True,
        metric_for_best_model="accuracy",
        report_to="tensorboard",
        seed=config.seed,
        dataloader_num_workers=4,
    )
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=train_dataset,
        eval_dataset=eval_dataset,
        data_collator=DataCollatorWithPadding(tokenizer),
        processing_class=tokenizer,
        compute_metrics=compute_metrics,
    )
    trainer.train()
    metrics = trainer.evaluate()
    trainer.log_metrics("eval", metrics)
    trainer.save_metrics("eval", metrics)
    trainer.save_model(config.output_dir)


def smoke_test(model_dir: str) -> list[int]:
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForSequenceClassification.from_pretrained(model_dir)
    batch = tokenizer(["a great movie", "a dull movie"], return_tensors="pt", padding=True)
    return model(**batch).logits.argmax(-1).tolist()


def describe(config: Config) -> str:
    lines = [f"{key}: {value}" for key, value in vars(config).items()]
    return "\n".join(lines)


def check_config(config: Config) -> None:
    if config.batch_size <= 0:
        raise ValueError("batch size must be positive")
    if not 0 < config.lr < 1:
        raise ValueError("learning rate out of range")
    if config.epochs <= 0:
        raise ValueError("epochs must be positive")


def versions() -> dict:
    import transformers

    return {"transformers": transformers.__version__, "numpy": np.__version__}


if __name__ == "__main__":
    main()
