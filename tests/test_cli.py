"""The installed ``torchlint`` executable, run as a subprocess the way CI and pre-commit run it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

EXE = shutil.which("torchlint", path=str(Path(sys.executable).parent)) or "torchlint"

ADAM = textwrap.dedent(
    """\
    import torch

    model = torch.nn.Linear(4, 2)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    """
)
#: ADAM after TL103's fix: AdamW, with Adam's weight decay (none) written out.
ADAMW = ADAM.replace("optim.Adam(", "optim.AdamW(").replace("lr=1e-3)", "lr=1e-3, weight_decay=0.0)")
CLEAN = "import torch\n\nmodel = torch.nn.Linear(4, 2)\n"


def run(*args: str, cwd: Path, stdin: str | bytes | None = None) -> subprocess.CompletedProcess:
    data = stdin.encode() if isinstance(stdin, str) else stdin
    proc = subprocess.run([EXE, *args], cwd=cwd, input=data, capture_output=True, timeout=120)
    proc.stdout = proc.stdout.decode()  # type: ignore[assignment]
    proc.stderr = proc.stderr.decode()  # type: ignore[assignment]
    return proc


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "train.py").write_text(ADAM)
    (tmp_path / "clean.py").write_text(CLEAN)
    return tmp_path


def test_text_format_and_exit_code(project: Path) -> None:
    proc = run("check", cwd=project)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0] == (
        "train.py:4:13: TL103 [*] Use torch.optim.AdamW instead of Adam (weight_decay becomes decoupled: re-check its value)"
    )
    assert "Found 1 finding." in lines
    assert "1 more fixable with `--fix --unsafe-fixes` (they may change behaviour)." in lines


def test_clean_exit_zero(project: Path) -> None:
    proc = run("check", "clean.py", cwd=project)
    assert proc.returncode == 0
    assert proc.stdout.strip() == "All checks passed!"


def test_json_has_exactly_the_contract_keys(project: Path) -> None:
    proc = run("check", "--format", "json", cwd=project)
    assert proc.returncode == 1
    [finding] = json.loads(proc.stdout)
    assert finding == {
        "path": "train.py",
        "line": 4,
        "column": 13,
        "end_line": 4,
        "end_column": 29,
        "code": "TL103",
        "name": "adam-not-adamw",
        "message": finding["message"],
        "severity": "warning",
        "fixable": True,
    }


def test_sarif(project: Path) -> None:
    proc = run("check", "--format", "sarif", cwd=project)
    assert proc.returncode == 1
    log = json.loads(proc.stdout)
    assert log["version"] == "2.1.0"
    [run_] = log["runs"]
    rules = run_["tool"]["driver"]["rules"]
    [result] = run_["results"]
    assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == "TL103"
    assert result["level"] == "warning"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "train.py"
    assert location["region"] == {"startLine": 4, "startColumn": 13, "endLine": 4, "endColumn": 29}
    assert all(r["helpUri"].endswith(f"docs/rules.md#{r['id']}") for r in rules)


def test_fix_applies_unsafe_only_when_asked(project: Path) -> None:
    proc = run("check", "--fix", cwd=project)
    assert proc.returncode == 1
    assert (project / "train.py").read_text() == ADAM
    proc = run("check", "--fix", "--unsafe-fixes", cwd=project)
    assert proc.returncode == 0, proc.stdout
    assert "Fixed 1 finding." in proc.stdout
    assert (project / "train.py").read_text() == ADAMW


def test_fix_command_is_check_fix(project: Path) -> None:
    proc = run("fix", "--unsafe-fixes", "train.py", cwd=project)
    assert proc.returncode == 0
    assert "AdamW" in (project / "train.py").read_text()


def test_diff_prints_and_writes_nothing(project: Path) -> None:
    proc = run("check", "--diff", "--unsafe-fixes", cwd=project)
    assert proc.returncode == 1
    assert "-optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)" in proc.stdout
    assert "+optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.0)" in proc.stdout
    assert (project / "train.py").read_text() == ADAM


def test_fix_keeps_crlf_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "win.py"
    path.write_bytes(b"\xef\xbb\xbf" + ADAM.replace("\n", "\r\n").encode())
    assert run("fix", "--unsafe-fixes", cwd=tmp_path).returncode == 0
    assert path.read_bytes() == b"\xef\xbb\xbf" + ADAMW.replace("\n", "\r\n").encode()


def test_statistics(project: Path) -> None:
    (project / "more.py").write_text(ADAM + "other = torch.optim.Adam(model.parameters())\n")
    proc = run("check", "--statistics", cwd=project)
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[0] == "3\tTL103\t[*] adam-not-adamw"


def test_select_and_ignore_flags(project: Path) -> None:
    assert run("check", "--ignore", "TL103", cwd=project).returncode == 0
    assert run("check", "--select", "TL0", cwd=project).returncode == 0
    assert run("check", "--select", "TL1", cwd=project).returncode == 1


def test_unknown_code_on_command_line_is_a_usage_error(project: Path) -> None:
    proc = run("check", "--select", "TL999", cwd=project)
    assert proc.returncode == 2
    assert "unknown rule code or prefix 'TL999'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_pyproject_settings_and_precedence(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.torchlint]\nignore = ["TL103"]\n[tool.torchlint.severity]\n'
    )
    assert run("check", cwd=project).returncode == 0
    # The command line's selection replaces the file's.
    assert run("check", "--select", "TL103", cwd=project).returncode == 1
    (project / "pyproject.toml").write_text('[tool.torchlint]\nseverity = { TL103 = "error" }\n')
    [finding] = json.loads(run("check", "--format", "json", cwd=project).stdout)
    assert finding["severity"] == "error"


def test_nearest_pyproject_applies_to_subfolders(project: Path) -> None:
    sub = project / "experiments"
    sub.mkdir()
    (sub / "pyproject.toml").write_text('[tool.torchlint]\nignore = ["TL1"]\n')
    (sub / "old.py").write_text(ADAM)
    proc = run("check", "--format", "json", cwd=project)
    assert [f["path"] for f in json.loads(proc.stdout)] == ["train.py"]


def test_bad_settings_warn_and_keep_going(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.torchlint]\nselct = ["TL1"]\nignore = ["TL999"]\nseverity = { TL103 = "loud" }\n'
    )
    proc = run("check", cwd=project)
    assert proc.returncode == 1
    assert "unknown setting 'selct'" in proc.stderr
    assert "TL999" in proc.stderr
    assert "'loud'" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "train.py:4:13: TL103" in proc.stdout


def test_exclude_and_skipped_folders(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.torchlint]\nexclude = ["legacy/*", "scratch.py"]\n')
    for folder in ("legacy", ".git", "node_modules", "env", "pkg/deep"):
        (project / folder).mkdir(parents=True)
        (project / folder / "x.py").write_text(ADAM)
    (project / "env" / "pyvenv.cfg").write_text("home = /usr\n")
    (project / "scratch.py").write_text(ADAM)
    paths = [f["path"] for f in json.loads(run("check", "--format", "json", cwd=project).stdout)]
    assert paths == ["pkg/deep/x.py", "train.py"]


def test_suppression_comments(project: Path) -> None:
    (project / "train.py").write_text(ADAM.replace("lr=1e-3)", "lr=1e-3)  # torchlint: disable=TL103"))
    assert run("check", cwd=project).returncode == 0
    (project / "train.py").write_text("# torchlint: disable-file=TL103\n" + ADAM)
    assert run("check", cwd=project).returncode == 0
    (project / "train.py").write_text(ADAM.replace("lr=1e-3)", "lr=1e-3)  # torchlint: disable=TL101"))
    assert run("check", cwd=project).returncode == 1


def test_syntax_error_does_not_stop_other_files(project: Path) -> None:
    (project / "broken.py").write_text("import torch\n\nfor batch in loader\n    pass\n")
    proc = run("check", "--format", "json", cwd=project)
    findings = json.loads(proc.stdout)
    assert [(f["path"], f["code"], f["line"]) for f in findings] == [
        ("broken.py", "TL000", 3),
        ("train.py", "TL103", 4),
    ]


def test_non_utf8_and_unreadable_files(project: Path) -> None:
    (project / "latin1.py").write_bytes(b"import torch\nname = '\xe9'\n")
    proc = run("check", cwd=project)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        "torchlint: error: latin1.py: not valid UTF-8 (byte 0xe9 on line 2); skipped"
    ]
    assert "train.py:4:13: TL103" in proc.stdout


def test_missing_path(project: Path) -> None:
    proc = run("check", "nowhere.py", cwd=project)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "torchlint: error: no such file or directory: nowhere.py"


def test_stdin(project: Path) -> None:
    proc = run("check", "-", "--stdin-filename", "train.py", cwd=project, stdin=ADAM)
    assert proc.returncode == 1
    assert proc.stdout.startswith("train.py:4:13: TL103")
    proc = run("check", "-", "--fix", "--unsafe-fixes", cwd=project, stdin=ADAM)
    assert proc.stdout == ADAMW


def test_many_files_in_parallel(tmp_path: Path) -> None:
    for i in range(40):
        (tmp_path / f"m{i:02}.py").write_text(ADAM)
    proc = run("check", "--format", "json", cwd=tmp_path)
    assert [f["path"] for f in json.loads(proc.stdout)] == [f"m{i:02}.py" for i in range(40)]


def test_rules_listing_and_documentation(tmp_path: Path) -> None:
    listing = run("rules", cwd=tmp_path)
    assert listing.returncode == 0
    assert any(line.startswith("TL103  adam-not-adamw") for line in listing.stdout.splitlines())
    doc = run("rules", "tl103", cwd=tmp_path)
    assert doc.returncode == 0
    for heading in ("# TL103 adam-not-adamw", "## Why is this bad?", "## Example", "## Use instead", "## Fix"):
        assert heading in doc.stdout
    rules = json.loads(run("rules", "--format", "json", cwd=tmp_path).stdout)
    assert {"TL000", "TL103"} <= {r["code"] for r in rules}
    unknown = run("rules", "TL999", cwd=tmp_path)
    assert unknown.returncode == 2
    assert "unknown rule 'TL999'" in unknown.stderr


FAILING_RULE = """
import sys
from torchlint.cli import main
from torchlint.model import Severity
from torchlint.registry import register
from torchlint.rule import Rule


class Exploding(Rule):
    code, name, severity, message = "TL999", "exploding", Severity.ERROR, "never"
    why = example = use_instead = "-"

    def check(self, ctx):
        raise RuntimeError("boom")


register(Exploding)
sys.exit(main(sys.argv[1:]))
"""


def test_a_failing_rule_is_an_internal_error_that_loses_no_other_finding(project: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", FAILING_RULE, "check", "--format", "json", "train.py"],
        cwd=project, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "torchlint: error: train.py: internal error, please report it: rule TL999 failed: RuntimeError: boom"
    )
    assert [f["code"] for f in json.loads(proc.stdout)] == ["TL103"]


def test_help_is_plain_text(tmp_path: Path) -> None:
    proc = run("--help", cwd=tmp_path)
    assert proc.returncode == 0
    assert "``" not in proc.stdout and "gpu-\n" not in proc.stdout
    assert "Find and fix PyTorch training code" in proc.stdout
