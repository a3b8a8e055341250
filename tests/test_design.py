"""The architecture's promises: rules found from their code, families apart, no import cycles,
libcst off the detection path, and fixes and actions that the cases exercise."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from tests.cases import Invalid
from tests.test_rules import CASES, only
from torchlint.engine import analyze
from torchlint.registry import all_rules, rule_files

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "server" / "torchlint"
CASE_DIR = ROOT / "tests" / "cases"


def _module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """The package's modules that ``path`` imports, at any level of the file (also under
    ``TYPE_CHECKING`` and inside functions: a cycle there is still a cycle in the design)."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            if base.startswith("torchlint"):
                submodules = {f"{base}.{alias.name}" for alias in node.names} & MODULES.keys()
                # ``from . import server`` depends on the submodule, not on the package's __init__.
                found |= submodules if len(submodules) == len(node.names) else {base, *submodules}
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("torchlint"))
    return found


MODULES = {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _graph() -> dict[str, set[str]]:
    return {name: {target for target in _imports(path) if target in MODULES and target != name} for name, path in MODULES.items()}


def test_every_rule_file_is_named_after_its_rule_and_has_its_case_file() -> None:
    rules = {rule.code: rule for rule in all_rules().values()}
    by_stem = {path.stem: path for path in rule_files()}
    cases = {path.stem for path in CASE_DIR.glob("TL[0-9][0-9][0-9]_*.py")}
    for code, rule in rules.items():
        stem = f"tl{code[2:]}_{rule.name.replace('-', '_')}"
        assert stem in by_stem, f"{code} lives in {sys.modules[rule.__module__].__file__}, not {stem}.py"
        assert rule.__module__.endswith(f".{by_stem[stem].parent.name}.{stem}")
        if code != "TL000":
            assert f"{code}_{rule.name.replace('-', '_')}" in cases, f"tests/cases has no case file for {code}"
    assert len(by_stem) == len(rules)


def test_no_rule_imports_another_family_or_another_rule() -> None:
    for path in rule_files():
        family = f"torchlint.rules.{path.parent.name}"
        for target in _imports(path):
            if target.startswith("torchlint.rules."):
                assert target.startswith(f"{family}._") or target == family, f"{path.name} imports {target}"


def test_the_analysis_layer_knows_nothing_of_rules_fixes_or_the_server() -> None:
    for name, path in MODULES.items():
        if name.startswith("torchlint.analysis"):
            for target in _imports(path):
                assert target.startswith(("torchlint.analysis", "torchlint.model")), f"{name} imports {target}"


def test_no_import_cycles() -> None:
    graph = _graph()
    state: dict[str, int] = defaultdict(int)  # 0 new, 1 on the current path, 2 done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state[target] == 1:
                cycle = path[path.index(target) :] + [target] if target in path else [node, target]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if state[target] == 0:
                visit(target, [*path, target])
        state[node] = 2

    for module in sorted(graph):
        if state[module] == 0:
            visit(module, [module])


def test_detection_never_imports_libcst() -> None:
    """``analyze`` runs on ``ast`` alone: libcst (ten times slower to parse) loads only to fix."""
    sources = [str(path) for path in sorted((ROOT / "tests" / "corpus").glob("*.py")) + sorted((ROOT / "examples").glob("*.py"))]
    probe = (
        "import sys, pathlib\n"
        "from torchlint.engine import analyze\n"
        "total = sum(len(analyze(pathlib.Path(p).read_text(), p)) for p in sys.argv[1:])\n"
        "assert total > 0, 'nothing was found: the probe proves nothing'\n"
        "print(sorted(m for m in sys.modules if m == 'libcst' or m.startswith('libcst.')))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe, *sources], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def _exercised() -> tuple[set[str], set[str]]:
    """Codes whose cases produce a fix with an expected text, and those that produce an action with one."""
    fixes, actions = set(), set()
    for param in CASES:
        code, case = param.values
        if not isinstance(case, Invalid):
            continue
        findings = analyze(case.source, "case.py", only(code, case))
        if case.fixed is not None and any(f.fix for f in findings):
            fixes.add(code)
        if case.action is not None and any(f.actions for f in findings):
            actions.add(code)
    return fixes, actions


def test_fixes_and_actions_are_those_the_cases_exercise() -> None:
    """A rule has a fix (an action) exactly when one of its cases shows the fixed text (the result
    of the action): the claim in the docs cannot drift from the tests."""
    fixes, actions = _exercised()
    rules = all_rules()
    assert {code for code, rule in rules.items() if rule.fixable()} == fixes
    assert {code for code, rule in rules.items() if rule.has_action()} == actions
