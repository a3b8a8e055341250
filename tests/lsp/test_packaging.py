"""The snippets travel inside the wheel, so an installed server finds them as an editable one does."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

from torchlint import snippets

ROOT = Path(__file__).resolve().parents[2]
SKIPPED = shutil.ignore_patterns(".git", ".venv", "venv", "build", "dist", "node_modules", "__pycache__", "*.egg-info", ".*cache")


def test_an_installed_wheel_finds_the_snippets(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, symlinks=True, ignore=SKIPPED)
    wheels = tmp_path / "wheels"
    build = [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels)]
    subprocess.run(build, check=True, capture_output=True, timeout=300)
    (wheel,) = wheels.glob("torchlint-*.whl")

    venv.create(tmp_path / "env", with_pip=True)
    python = tmp_path / "env" / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", wheel], check=True, timeout=300)
    probe = "from torchlint import snippets; print(snippets.folder()); print(len(snippets.load()))"
    out = subprocess.run([python, "-c", probe], cwd=tmp_path, check=True, capture_output=True, text=True, timeout=60)
    folder, count = out.stdout.split()
    assert Path(folder).is_relative_to(tmp_path / "env")
    assert int(count) == len(snippets.load()) > 0
