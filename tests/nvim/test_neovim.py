"""Headless Neovim as a second, independent LSP client: diagnostics, then a quick fix applied."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

NVIM = shutil.which("nvim")
SCRIPT = Path(__file__).with_name("quick_fix.lua")
TRAIN = """\
import torch

model = torch.nn.Linear(4, 2)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)  # base lr
"""

pytestmark = pytest.mark.skipif(NVIM is None, reason="nvim is not installed (apt-get install -y neovim)")


def test_quick_fix_in_neovim(tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    path.write_text(TRAIN)
    result_path = tmp_path / "result.json"
    env = {
        **os.environ,
        "TORCHLINT_SERVER": json.dumps([sys.executable, "-m", "torchlint", "server"]),
        "TORCHLINT_RESULT": str(result_path),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    command = [NVIM, "--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", f"luafile {SCRIPT}", str(path)]
    proc = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result_path.exists(), f"nvim wrote no result (exit {proc.returncode}): {proc.stdout}{proc.stderr}"
    result = json.loads(result_path.read_text())
    assert result.get("error") is None, result

    (diagnostic,) = result["diagnostics"]
    assert diagnostic["code"] == "TL103" and diagnostic["source"] == "torchlint"
    assert (diagnostic["lnum"], diagnostic["col"], diagnostic["end_col"]) == (3, 12, 28)
    assert result["after"] == 0
    assert result["lines"][3] == "optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.0)  # base lr"
