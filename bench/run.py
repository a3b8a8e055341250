"""Benchmark: torchlint against ``ast.parse``, libcst and (when installed) TorchFix, in one run.

Builds 1k/5k/20k-line modules and a 150k-line folder from the realistic training scripts of
``examples/`` and ``tests/corpus/``, then prints medians and ratios measured in this run:

    python bench/run.py                 # everything (TorchFix if bench/.torchfix-venv exists)
    python bench/run.py --quick         # fewer repetitions, a 30k-line folder
    python bench/run.py --engine-only   # parse + detection against ast.parse only (CI's log)

TorchFix is looked for in ``bench/.torchfix-venv`` (``python -m venv bench/.torchfix-venv &&
bench/.torchfix-venv/bin/pip install torchfix``), so its libcst never mixes with ours.
"""

from __future__ import annotations

import argparse
import ast
import gc
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import libcst

from torchlint.config import Config
from torchlint.engine import analyze, enabled_rules
from torchlint.fixing.fixer import fix_all

ROOT = Path(__file__).resolve().parent.parent
TORCHFIX = ROOT / "bench" / ".torchfix-venv" / "bin" / "torchfix"
TORCHLINT = Path(sys.executable).parent / "torchlint"


def templates() -> list[str]:
    paths = sorted((ROOT / "examples").glob("*.py")) + sorted((ROOT / "tests" / "corpus").rglob("*.py"))
    return [p.read_text() for p in paths]


def build(lines: int, sources: list[str]) -> str:
    """Whole training scripts, one after another, until the module has ``lines`` lines."""
    parts: list[str] = []
    count = i = 0
    while count < lines:
        text = sources[i % len(sources)]
        parts.append(text)
        count += text.count("\n")
        i += 1
    return "\n".join(parts)


def median_ms(repeat: int, fn, *args, **kwargs) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(*args, **kwargs)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def alternating_medians(repeat: int, first, second) -> tuple[float, float]:
    """Medians of two calls timed turn about, so that a busy moment of the machine weighs on both."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for fn, into in ((first, times[0]), (second, times[1])):
            start = time.perf_counter()
            fn()
            into.append(time.perf_counter() - start)
    return statistics.median(times[0]) * 1000, statistics.median(times[1]) * 1000


def engine_against_parse(source: str, repeat: int) -> tuple[float, float, float]:
    """Medians of ``ast.parse``, ``ast.parse`` with the collector paused, and ``analyze``."""
    parse = median_ms(repeat, ast.parse, source)
    paused = median_ms(repeat, collector_paused, ast.parse, source)
    engine = median_ms(repeat, analyze, source, "bench.py")
    return parse, paused, engine


def collector_paused(fn, *args):
    gc.disable()
    try:
        return fn(*args)
    finally:
        gc.enable()


def wall(cmd: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def engine_ratios(sources: list[str], repeat: int) -> None:
    """Parse + detection with every rule, and without the training-correctness (TL13x) and
    TorchFix (TL14x) families, so that what those families cost is measured in the same run."""
    earlier = Config(ignore=("TL13", "TL14"))
    counts = len(enabled_rules(earlier)), len(enabled_rules(Config()))
    print(
        f"| lines | ast.parse | ast.parse, collector paused | {counts[0]} rules (no TL13x/TL14x) | ratio | ratio to paused"
        f" | all {counts[1]} rules | ratio | ratio to paused |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in (1000, 5000, 20000):
        source = build(size, sources)
        parse, paused = median_ms(repeat, ast.parse, source), median_ms(repeat, collector_paused, ast.parse, source)
        earlier_rules, all_rules = partial(analyze, source, "bench.py", earlier), partial(analyze, source, "bench.py")
        before, everything = alternating_medians(repeat, earlier_rules, all_rules)
        print(
            f"| {source.count(chr(10)):,} | {parse:.1f} ms | {paused:.1f} ms"
            f" | {before:.1f} ms | {before / parse:.2f}x | {before / paused:.2f}x"
            f" | {everything:.1f} ms | {everything / parse:.2f}x | {everything / paused:.2f}x |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--engine-only", action="store_true", help="only parse + detection against ast.parse")
    args = parser.parse_args()
    repeat = 3 if args.quick else 9
    sources = templates()
    print(f"{len(sources)} template scripts, {os.cpu_count()} cores, Python {sys.version.split()[0]}\n")
    if args.engine_only:
        engine_ratios(sources, repeat)
        return

    # The engine pauses the cyclic collector while it works, so ``ast.parse`` is measured both as
    # a user calls it and with the collector paused the same way.
    print(
        "| lines | ast.parse | ast.parse, collector paused | libcst.parse_module | torchlint (parse + detect)"
        " | ratio to ast.parse | ratio to paused ast.parse | all fixes | torchfix (one file) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for size in (1000, 5000, 20000):
            source = build(size, sources)
            n = source.count("\n")
            parse, paused, engine = engine_against_parse(source, repeat)
            cst = median_ms(max(1, repeat // 3), libcst.parse_module, source)
            fixes = median_ms(max(1, repeat // 3) if size <= 5000 else 1, fix_all, source, "bench.py", unsafe=True)
            torchfix = "n/a"
            if TORCHFIX.exists() and size <= 5000:
                path = Path(tmp) / f"single_{size}.py"
                path.write_text(source)
                torchfix = f"{wall([str(TORCHFIX), '-j', '1', str(path)], max(1, repeat // 3)):.0f} ms"
            print(
                f"| {n:,} | {parse:.1f} ms | {paused:.1f} ms | {cst:.0f} ms | {engine:.1f} ms | {engine / parse:.2f}x"
                f" | {engine / paused:.2f}x | {fixes:.0f} ms | {torchfix} |"
            )

        folder_lines = 30_000 if args.quick else 150_000
        folder = Path(tmp) / "project"
        folder.mkdir()
        per_file = build(1000, sources)
        files = folder_lines // per_file.count("\n") + 1
        for i in range(files):
            (folder / f"train_{i:03}.py").write_text(per_file)
        total = files * per_file.count("\n")
        print(f"\nA folder of {files} files, {total:,} lines:\n")
        print("| tool | wall time | ratio |")
        print("|---|---:|---:|")
        ours = wall([str(TORCHLINT), "check", "--exit-zero", "--no-cache", str(folder)], max(1, repeat // 3))
        one_core = wall(
            [sys.executable, "-c", "import sys; from torchlint import cli; cli.PARALLEL_THRESHOLD = 10**9;"
             f" sys.exit(cli.main(['check', '--exit-zero', '--no-cache', {str(folder)!r}]))"],
            max(1, repeat // 3),
        )
        print(f"| torchlint check (all cores) | {ours:.0f} ms | 1.00x |")
        print(f"| torchlint check (one process) | {one_core:.0f} ms | {one_core / ours:.2f}x |")
        if TORCHFIX.exists():
            theirs = wall([str(TORCHFIX), str(folder)], 1)
            print(f"| torchfix (all cores) | {theirs:.0f} ms | {theirs / ours:.1f}x |")
        else:
            print("| torchfix | not installed (see the module docstring) | |")
        if shutil.which("ruff"):
            print(f"| ruff check (for scale) | {wall(['ruff', 'check', '--exit-zero', '-q', str(folder)], 3):.0f} ms | |")


if __name__ == "__main__":
    main()
