"""The snippet files, the expansion of VS Code snippet syntax, and the training snippets run for real."""

from __future__ import annotations

import ast
import json

import pytest

from torchlint import snippets
from torchlint.engine import analyze

TRAINING = ("tl-amp-step", "tl-adamw-cosine")


def by_prefix() -> dict[str, snippets.Snippet]:
    return {snippet.prefix: snippet for snippet in snippets.load()}


def test_snippet_files_are_vs_code_snippet_json() -> None:
    files = sorted(snippets.folder().glob(f"*{snippets.SUFFIX}"))
    assert files, f"no snippets found in {snippets.folder()}"
    for path in files:
        for name, entry in json.loads(path.read_text(encoding="utf-8")).items():
            assert set(entry) == {"prefix", "body", "description"}, (path.name, name)
            assert isinstance(entry["body"], list) and all(isinstance(line, str) for line in entry["body"])
            assert entry["description"].strip(), (path.name, name)


def test_prefixes_share_one_namespace_and_are_unique() -> None:
    prefixes = [snippet.prefix for snippet in snippets.load()]
    assert all(prefix.startswith(snippets.NAMESPACE) for prefix in prefixes)
    assert len(prefixes) == len(set(prefixes))


@pytest.mark.parametrize(
    ("body", "expanded"),
    [
        ("${1:model}.to(${2:device})$0", "model.to(device)"),
        ("${1:x} = $1 + ${2:1}", "x = x + 1"),
        ("f(${1:a, ${2:b}})", "f(a, b)"),
        ("dtype=${1|torch.bfloat16,torch.float16|}", "dtype=torch.bfloat16"),
        ("cost = \\$5 ${1:n}\\}", "cost = $5 n}"),
        ("path = '${TM_FILENAME}' ${CLIPBOARD:fallback}", "path = '' fallback"),
        ("${1/(.*)/${1:/upcase}/}", ""),
        ("price in $", "price in $"),
    ],
)
def test_expand_fills_each_placeholder_with_its_default(body: str, expanded: str) -> None:
    assert snippets.expand(body) == expanded


@pytest.mark.parametrize("prefix", TRAINING)
def test_training_snippets_parse_and_are_clean(prefix: str) -> None:
    code = by_prefix()[prefix].expand()
    ast.parse(code)
    assert analyze(code, f"{prefix}.py") == []
    assert analyze(f"import torch\n\n{code}", f"{prefix}.py") == []


def test_training_snippets_train_a_tiny_model_on_cpu() -> None:
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    scope = {
        "torch": torch,
        "model": torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.GELU(), torch.nn.Linear(16, 2)),
        "device": torch.device("cpu"),
        "amp_dtype": torch.bfloat16,
        "inputs": torch.randn(32, 8),
        "targets": torch.randint(0, 2, (32,)),
        "loss_fn": torch.nn.functional.cross_entropy,
        "scaler": torch.amp.GradScaler("cpu", enabled=False),  # float16 only
    }
    exec(by_prefix()["tl-adamw-cosine"].expand().replace("500", "3").replace("10_000", "12"), scope)
    step = compile(by_prefix()["tl-amp-step"].expand(), "tl-amp-step", "exec")
    losses, rates = [], []
    for _ in range(12):
        exec(step, scope)
        losses.append(scope["loss"].item())
        rates.append(scope["scheduler"].get_last_lr()[0])
    assert all(torch.isfinite(torch.tensor(losses)))
    assert losses[-1] < losses[0]
    peak = rates.index(max(rates))
    assert 0 < peak < len(rates) - 1 and rates[-1] < rates[peak]  # warms up, then decays
