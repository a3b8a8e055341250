"""Benchmark of the results cache: ``torchlint check`` over the 150,000-line folder of ``run.py``,
first with an empty ``.torchlint_cache``, then again over the unchanged folder, then with one file
changed; and ``--no-cache`` for scale. torchlint runs as an installed copy does, with its modules'
bytecode compiled (``PYTHONDONTWRITEBYTECODE`` is cleared), so a run's start-up is not a
recompilation of the package.

    python bench/cache.py            # the 150,000-line folder
    python bench/cache.py --quick    # a 30,000-line folder
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import TORCHLINT, build, templates  # noqa: E402 - the folder run.py builds

INSTALLED = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=INSTALLED, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sources = templates()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "project"
        folder.mkdir()
        per_file = build(1000, sources)
        files = (30_000 if args.quick else 150_000) // per_file.count("\n") + 1
        for i in range(files):
            (folder / f"train_{i:03}.py").write_text(per_file)
        check = [str(TORCHLINT), "check", "--exit-zero", "."]
        cold, warm, one_changed = [], [], []
        for _ in range(args.repeat):
            shutil.rmtree(folder / ".torchlint_cache", ignore_errors=True)
            cold.append(timed(check, folder))
            warm.append(timed(check, folder))
            (folder / "train_000.py").write_text(per_file + f"\n# edit {len(warm)}\n")
            one_changed.append(timed(check, folder))
        uncached = [timed([*check, "--no-cache"], folder) for _ in range(args.repeat)]
        first, second = statistics.median(cold), statistics.median(warm)
        lines = files * per_file.count("\n")
        print(f"{files} files, {lines:,} lines, {os.cpu_count()} cores; medians of {args.repeat} runs\n")
        print("| run | wall time | speed-up over the first |")
        print("|---|---:|---:|")
        print(f"| first (empty cache) | {first * 1000:.0f} ms | 1.0x |")
        print(f"| second (unchanged files) | {second * 1000:.0f} ms | {first / second:.1f}x |")
        changed = statistics.median(one_changed)
        print(f"| one file changed | {changed * 1000:.0f} ms | {first / changed:.1f}x |")
        print(f"| --no-cache | {statistics.median(uncached) * 1000:.0f} ms | |")


if __name__ == "__main__":
    main()
