"""The NLP code actions (TL301, TL303) and the TL302 fix, applied to tiny fine-tuning scripts and run.

The scripts build a one-layer BERT from a config and train it on an in-memory dataset, offline,
on the CPU, writing only into the test's temporary folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from torchlint.config import Config
from torchlint.engine import analyze
from torchlint.fixing.fixer import fix_all, run_action

pytest.importorskip("transformers")
pytest.importorskip("accelerate")

#: Each test starts Python with torch and transformers (5-10 s apiece).
pytestmark = pytest.mark.slow


def _script(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def _act(source: str, code: str) -> str:
    """``source`` after the code action of the ``code`` finding."""
    findings = analyze(source, "train.py", Config(select=(code,)))
    assert len(findings) == 1 and findings[0].actions, findings
    result = run_action(source, findings[0], findings[0].actions[0])
    assert result != source
    assert not analyze(result, "train.py", Config(select=(code,)))
    return result


def _run(source: str, tmp_path: Path) -> subprocess.CompletedProcess:
    path = tmp_path / "train.py"
    path.write_text(source)
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "CUDA_VISIBLE_DEVICES": "",
        "TOKENIZERS_PARALLELISM": "false",
        "HF_HOME": str(tmp_path / "hf-home"),
    }
    return subprocess.run(
        [sys.executable, str(path)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180
    )


def _succeeds(source: str, tmp_path: Path) -> str:
    proc = _run(source, tmp_path)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return proc.stdout


#: A tiny BERT classifier and eight labelled "sentences" of token ids, shared by the scripts.
TINY_SETUP = """
import torch
from torch.utils.data import DataLoader, Dataset
from transformers import BertConfig, BertForSequenceClassification


class ToyDataset(Dataset):
    def __init__(self, n=8, length=12):
        generator = torch.Generator().manual_seed(0)
        self.input_ids = torch.randint(5, 100, (n, length), generator=generator)
        self.labels = torch.arange(n) % 2

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {
            "input_ids": self.input_ids[i],
            "attention_mask": torch.ones_like(self.input_ids[i]),
            "labels": self.labels[i],
        }


config = BertConfig(vocab_size=100, hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=37)
"""

MODULE_LEVEL_LOOP = TINY_SETUP + _script(
    """
    model = BertForSequenceClassification(config)
    train_dataset = ToyDataset()
    train_loader = DataLoader(train_dataset, batch_size=4, shuffle=True)
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-4, weight_decay=0.01)

    model.train()
    for epoch in range(1):
        for batch in train_loader:
            outputs = model(**batch)
            loss = outputs.loss
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
    print("loop loss", loss.item())
    """
)

FUNCTION_LOOP = TINY_SETUP + _script(
    """
    def train(model, loader, optimizer, epochs, device):
        model.to(device)
        model.train()
        for epoch in range(epochs):
            for step, batch in enumerate(loader):
                batch = {k: v.to(device) for k, v in batch.items()}
                loss = model(**batch).loss
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
        return loss.item()


    if __name__ == "__main__":
        model = BertForSequenceClassification(config)
        loader = DataLoader(ToyDataset(), batch_size=4)
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        print("loop loss", train(model, loader, optimizer, 2, device))
    """
)


def test_trainer_skeleton_runs_before_a_module_level_loop(tmp_path: Path) -> None:
    result = _act(MODULE_LEVEL_LOOP, "TL301")
    assert "    train_dataset=train_dataset,\n" in result and "    per_device_train_batch_size=4,\n" in result
    out = _succeeds(result + 'print("trainer steps", trainer.state.global_step)\n', tmp_path)
    assert "trainer steps 2" in out and "loop loss" in out  # Trainer ran, then the user's own loop


def test_trainer_skeleton_runs_inside_a_training_function(tmp_path: Path) -> None:
    result = _act(FUNCTION_LOOP, "TL301")
    assert "        train_dataset=loader.dataset,\n" in result
    report = '    print("trainer steps", trainer.state.global_step)\n'
    result = result.replace("    trainer.train()\n", "    trainer.train()\n" + report)
    out = _succeeds(result, tmp_path)
    assert "trainer steps 4" in out and "loop loss" in out  # two epochs of two batches


def test_accelerator_prepare_runs_at_module_level(tmp_path: Path) -> None:
    source = TINY_SETUP + _script(
        """
        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        model = BertForSequenceClassification(config).to(device)
        train_loader = DataLoader(ToyDataset(), batch_size=4, shuffle=True)
        optimizer = torch.optim.AdamW(model.parameters(), lr=5e-4)

        for epoch in range(2):
            model.train()
            for batch in train_loader:
                batch = {k: v.to(device) for k, v in batch.items()}
                loss = model(**batch).loss
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
        print(type(train_loader).__name__, type(optimizer).__name__, device, loss.item())
        """
    )
    result = _act(source, "TL303")
    assert "        accelerator.backward(loss)\n" in result
    out = _succeeds(result, tmp_path)
    assert out.startswith("DataLoaderShard AcceleratedOptimizer cpu")


def test_accelerator_prepare_runs_inside_a_training_function(tmp_path: Path) -> None:
    result = _act(FUNCTION_LOOP, "TL303")
    assert "    model, optimizer, loader = accelerator.prepare(model, optimizer, loader)\n" in result
    assert "    device = accelerator.device\n" in result
    assert "loop loss" in _succeeds(result, tmp_path)


def test_saved_tokenizer_makes_the_checkpoint_loadable(tmp_path: Path) -> None:
    source = _script(
        """
        import os

        import torch
        from transformers import (
            AutoModelForSequenceClassification,
            AutoTokenizer,
            BertConfig,
            BertForSequenceClassification,
            BertTokenizerFast,
        )

        VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "good", "bad", "movie", "plot", "great"]

        tokenizer = BertTokenizerFast(vocab={token: i for i, token in enumerate(VOCAB)})
        config = BertConfig(
            vocab_size=len(VOCAB), hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=37
        )
        model = BertForSequenceClassification(config)
        inputs = tokenizer(["good movie", "bad plot"], return_tensors="pt", padding=True)
        model(**inputs, labels=torch.tensor([1, 0])).loss.backward()

        output_dir = os.path.join("checkpoints", "final")
        model.save_pretrained(output_dir)

        # What whoever uses the checkpoint does.
        reloaded_tokenizer = AutoTokenizer.from_pretrained(output_dir)
        reloaded = AutoModelForSequenceClassification.from_pretrained(output_dir)
        assert len(reloaded_tokenizer) == len(VOCAB), f"the reloaded tokenizer has {len(reloaded_tokenizer)} tokens"
        print(reloaded(**reloaded_tokenizer(["great plot"], return_tensors="pt")).logits.shape)
        """
    )
    # Without the tokenizer files, AutoTokenizer silently builds an empty tokenizer from the config.
    assert "the reloaded tokenizer has 5 tokens" in _run(source, tmp_path).stderr
    fixed = fix_all(source, "train.py", Config(select=("TL302",))).source
    assert "model.save_pretrained(output_dir)\ntokenizer.save_pretrained(output_dir)\n" in fixed
    assert "torch.Size([1, 2])" in _succeeds(fixed, tmp_path)


def test_no_safe_fix_saves_a_tokenizer_that_the_enclosing_function_deletes(tmp_path: Path) -> None:
    source = _script(
        """
        import os

        from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

        VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "good", "bad", "movie", "plot", "great"]


        def main():
            tokenizer = BertTokenizerFast(vocab={token: i for i, token in enumerate(VOCAB)})
            config = BertConfig(
                vocab_size=len(VOCAB), hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=37
            )
            model = BertForSequenceClassification(config)

            def save_hook(output_dir):
                model.save_pretrained(output_dir)

            n_tokens = len(tokenizer)
            del tokenizer  # free memory before training, as diffusers scripts do
            save_hook(os.path.join("checkpoints", "final"))
            print("saved with", n_tokens, "tokens")


        main()
        """
    )
    assert fix_all(source, "train.py", Config(select=("TL302",)), unsafe=True).source == source
    [finding] = analyze(source, "train.py", Config(select=("TL302",)))
    assert finding.fix is None
    assert finding.actions[0].title.endswith("(check that tokenizer is still bound there: the code deletes it)")
    acted = run_action(source, finding, finding.actions[0])
    assert "        model.save_pretrained(output_dir)\n        tokenizer.save_pretrained(output_dir)\n" in acted
    assert "saved with 10 tokens" in _succeeds(source, tmp_path)
    # What a safe fix would have made of it: the hook runs after the del.
    assert "NameError" in _run(acted, tmp_path).stderr


#: The model and its tokenizer come from one helper of the script: ``classifier, tok = load_model(2)``.
HELPER_LOADED = _script(
    """
    import os

    import torch
    from torch.utils.data import DataLoader, Dataset
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification, BertTokenizerFast

    VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "good", "bad", "movie", "plot", "great"]


    def load_model(num_labels):
        tokenizer = BertTokenizerFast(vocab={token: i for i, token in enumerate(VOCAB)})
        config = BertConfig(
            vocab_size=len(VOCAB), hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=37,
            num_labels=num_labels,
        )
        return BertForSequenceClassification(config), tokenizer


    class Reviews(Dataset):
        def __init__(self, tokenizer):
            texts = ["good movie", "bad plot", "great plot", "bad movie"]
            self.encoded = tokenizer(texts, padding="max_length", max_length=6, return_tensors="pt")
            self.labels = torch.tensor([1, 0, 1, 0])

        def __len__(self):
            return len(self.labels)

        def __getitem__(self, i):
            return {**{key: value[i] for key, value in self.encoded.items()}, "labels": self.labels[i]}


    def main():
        classifier, tok = load_model(2)
        loader = DataLoader(Reviews(tok), batch_size=2)
        optimizer = torch.optim.AdamW(classifier.parameters(), lr=1e-3)
        for epoch in range(2):
            for batch in loader:
                loss = classifier(**batch).loss
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
        output_dir = os.path.join("checkpoints", "final")
        classifier.save_pretrained(output_dir)
        reloaded = AutoTokenizer.from_pretrained(output_dir)
        assert len(reloaded) == len(VOCAB), f"the reloaded tokenizer has {len(reloaded)} tokens"
        print("reloaded", reloaded.convert_ids_to_tokens(reloaded("great plot")["input_ids"]))


    main()
    """
)


def test_tokenizer_returned_by_a_helper_is_saved_with_the_model(tmp_path: Path) -> None:
    assert "the reloaded tokenizer has 5 tokens" in _run(HELPER_LOADED, tmp_path).stderr
    fixed = fix_all(HELPER_LOADED, "train.py", Config(select=("TL302",)))
    assert fixed.applied and not fixed.remaining
    assert "    classifier.save_pretrained(output_dir)\n    tok.save_pretrained(output_dir)\n" in fixed.source
    assert "reloaded ['[CLS]', 'great', 'plot', '[SEP]']" in _succeeds(fixed.source, tmp_path)


def test_trainer_skeleton_runs_for_a_model_returned_by_a_helper(tmp_path: Path) -> None:
    result = _act(HELPER_LOADED, "TL301")
    assert "        model=classifier,\n" in result and "        processing_class=tok,\n" in result
    report = '    print("trainer steps", trainer.state.global_step)\n'
    result = result.replace("    trainer.train()\n", "    trainer.train()\n" + report)
    # Saved through the Trainer, the checkpoint holds the tokenizer handed over as processing_class.
    out = _succeeds(result.replace("classifier.save_pretrained(output_dir)", "trainer.save_model(output_dir)"), tmp_path)
    assert "trainer steps 4" in out  # two epochs of two batches
    assert "reloaded ['[CLS]', 'great', 'plot', '[SEP]']" in out
