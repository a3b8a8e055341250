"""Does torchlint find everything TorchFix finds? Rule by rule, on the corpus and the examples.

Runs TorchFix (from ``bench/.torchfix-venv``, see ``run.py``) with every check on, maps each of its
codes to the torchlint rule that declares it as an alias, and looks for a finding of that rule on
the same line. torchlint runs as for a project whose minimum torch is 2.0, as TorchFix assumes
(on 2.6+ a missing ``weights_only`` is safe, so TL140 stays silent by default)::

    python bench/torchfix_compare.py [--cases] [PATH ...]

``--cases`` adds every source of ``tests/cases`` (written to a temporary folder), so the
contract's near-misses are compared too. Prints one row per TorchFix code, then each TorchFix
finding that torchlint does not report (read them: TorchFix's false alarms are among them).
"""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from torchlint.config import Config
from torchlint.engine import analyze
from torchlint.registry import resolve_alias

ROOT = Path(__file__).resolve().parent.parent
TORCHFIX = ROOT / "bench" / ".torchfix-venv" / "bin" / "torchfix"
FINDING = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<column>\d+): (?P<code>TOR\d+)\b")


def torchfix_findings(paths: list[Path]) -> list[tuple[Path, int, str]]:
    result = subprocess.run([str(TORCHFIX), "--select", "ALL", *map(str, paths)], capture_output=True, text=True)
    found = []
    for line in result.stdout.splitlines():
        match = FINDING.match(line)
        if match:
            found.append((Path(match["path"]).resolve(), int(match["line"]), match["code"]))
    return found


def torchlint_lines(path: Path, config: Config) -> set[tuple[int, str]]:
    return {(f.line, f.code) for f in analyze(path.read_text(), str(path), config)}


def write_cases(folder: Path) -> None:
    """Each case source of ``tests/cases`` as ``<case file>_<index>_<kind>.py`` in ``folder``."""
    sys.path.insert(0, str(ROOT))
    for path in sorted((ROOT / "tests" / "cases").glob("TL*.py")):
        module = importlib.import_module(f"tests.cases.{path.stem}")
        for index, case in enumerate(module.CASES):
            (folder / f"{path.stem}_{index}_{type(case).__name__.lower()}.py").write_text(case.source)


def main(argv: list[str]) -> int:
    if not TORCHFIX.exists():
        print(f"TorchFix is not installed in {TORCHFIX.parent.parent} (see bench/run.py)")
        return 2
    with tempfile.TemporaryDirectory() as folder:
        paths = [Path(p) for p in argv if p != "--cases"] or [ROOT / "tests" / "corpus", ROOT / "examples"]
        if "--cases" in argv:
            write_cases(Path(folder))
            paths.append(Path(folder))
        return compare(paths)


def compare(paths: list[Path]) -> int:
    files = sorted({f.resolve() for p in paths for f in ([p] if p.is_file() else p.rglob("*.py"))})
    config = Config().override(target_torch="2.0")
    ours = {path: torchlint_lines(path, config) for path in files}
    rows: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses: list[str] = []
    for path, line, code in torchfix_findings(files):
        rule = resolve_alias(code)
        row = rows[code]
        row[0] += 1
        if rule is not None and (line, rule) in ours.get(path, set()):
            row[1] += 1
        elif rule is not None:
            misses.append(f"{path.name}:{line} {code} ({rule})")
    print(f"{len(files)} files\n\n| TorchFix | torchlint | TorchFix findings | found by torchlint |\n|---|---|---:|---:|")
    for code, (theirs, found) in sorted(rows.items()):
        print(f"| {code} | {resolve_alias(code) or 'not covered'} | {theirs} | {found} |")
    for miss in misses:
        print("not reported by torchlint:", miss)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
