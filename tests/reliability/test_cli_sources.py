"""What the CLI reads: the size limit as a setting, and sources decoded as Python decodes them.

A Latin-1 file with a ``# -*- coding: latin-1 -*-`` declaration is valid Python (PEP 263) and was
skipped as "not valid UTF-8"; with ``--diff`` a file that could not be read still exited 0.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.test_cli import ADAM, EXE, run

LATIN1 = "# -*- coding: latin-1 -*-\nimport torch\n\nname = 'é'\nx = torch.ones(1)\ny = x.data\n"
LATIN1_FIXED = LATIN1.replace("x.data", "x.detach()").encode("latin-1")


def test_a_file_over_the_configured_limit_is_one_line_and_the_rest_is_checked(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.torchlint]\nmax-file-size = 1000\n")
    (tmp_path / "train.py").write_text(ADAM)
    (tmp_path / "big.py").write_text("# padding\n" * 200)  # 2,000 bytes
    proc = run("check", "--format", "text", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == ["torchlint: error: big.py: larger than the 1 kB limit (2.0 kB); skipped"]
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("train.py:4:13: TL103")
    assert lines[-1] == "1 file not checked (see the errors above)."


def test_a_raised_limit_checks_a_file_past_the_default(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.torchlint]\nmax-file-size = 6_000_000\n")
    (tmp_path / "big.py").write_text(ADAM + ("#" * 99 + "\n") * 55_000)  # 5.5 MB
    proc = run("check", "--format", "text", cwd=tmp_path)
    assert proc.stderr == ""
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[0].startswith("big.py:4:13: TL103")


def test_a_coding_declaration_is_honoured(tmp_path: Path) -> None:
    (tmp_path / "latin1.py").write_bytes(LATIN1.encode("latin-1"))
    proc = run("check", "--format", "text", cwd=tmp_path)
    assert proc.stderr == ""
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[0].startswith("latin1.py:6:5: TL121 [*] Use .detach() instead of .data")


def test_fix_writes_the_file_back_in_its_declared_encoding(tmp_path: Path) -> None:
    (tmp_path / "latin1.py").write_bytes(LATIN1.encode("latin-1"))
    proc = run("check", "--fix", cwd=tmp_path)
    assert (proc.returncode, proc.stderr, proc.stdout) == (0, "", "Fixed 1 finding.\n")
    assert (tmp_path / "latin1.py").read_bytes() == LATIN1_FIXED


def test_fix_of_standard_input_answers_in_its_declared_encoding(tmp_path: Path) -> None:
    proc = subprocess.run(
        [EXE, "check", "-", "--fix"], cwd=tmp_path, input=LATIN1.encode("latin-1"), capture_output=True, timeout=120
    )
    assert (proc.returncode, proc.stderr) == (0, b"Fixed 1 finding.\n")
    assert proc.stdout == LATIN1_FIXED


def test_an_unknown_coding_declaration_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "odd.py").write_bytes(b"# coding: klingon\nimport torch\n")
    proc = run("check", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == ["torchlint: error: odd.py: bad coding declaration (unknown encoding: klingon); skipped"]
    assert proc.stdout.splitlines() == ["1 file not checked (see the errors above)."]


def test_the_bad_byte_after_a_byte_order_mark_is_the_one_named(tmp_path: Path) -> None:
    (tmp_path / "bom.py").write_bytes(b"\xef\xbb\xbfimport torch\nname = '\xe9'\n")
    proc = run("check", cwd=tmp_path)
    assert proc.stderr.splitlines() == ["torchlint: error: bom.py: not valid UTF-8 (byte 0xe9 on line 2); skipped"]


def test_a_file_that_is_not_utf8_is_never_all_checks_passed(tmp_path: Path) -> None:
    (tmp_path / "clean.py").write_text("import torch\n")
    (tmp_path / "latin1.py").write_bytes(b"import torch\nname = '\xe9'\n")
    error = "torchlint: error: latin1.py: not valid UTF-8 (byte 0xe9 on line 2); skipped"
    proc = run("check", cwd=tmp_path)
    assert (proc.returncode, proc.stderr.splitlines()) == (1, [error])
    assert proc.stdout.splitlines() == ["1 file not checked (see the errors above)."]
    proc = run("check", "--diff", cwd=tmp_path)
    assert (proc.returncode, proc.stderr.splitlines(), proc.stdout) == (1, [error, "Would fix 0 findings."], "")
