"""Notebooks in ``torchlint check``: code cells analysed as one module, findings and fixes in their cells."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from torchlint.cli import main
from torchlint.notebook import Notebook, NotebookError

OUTPUT = {"output_type": "stream", "name": "stdout", "text": ["loss 0.3\n"]}
CELLS = [
    {"cell_type": "markdown", "metadata": {}, "source": ["# Training\n", "With Adam."]},
    {
        "cell_type": "code",
        "execution_count": 1,
        "metadata": {"tags": ["setup"]},
        "outputs": [OUTPUT],
        "source": ["import torch\n", "from torch.optim import Adam"],
    },
    {
        "cell_type": "code",
        "execution_count": 2,
        "metadata": {},
        "outputs": [],
        "source": ["%matplotlib inline\n", "model = torch.nn.Linear(2, 2)\n", "!nvidia-smi\n", "opt = Adam(model.parameters())"],
    },
    {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": ["%%bash\n", "echo Adam("]},
]
METADATA = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


def notebook(cells=CELLS, metadata=METADATA) -> str:
    """A notebook as Jupyter writes it: one-space indentation, non-ASCII kept, a final newline."""
    data = {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "train.ipynb").write_text(notebook())
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_findings_name_the_cell_and_its_line(project: Path, capsys) -> None:
    code, out, err = check(capsys, "train.ipynb")
    assert code == 1 and err == ""
    lines = out.splitlines()
    # `Adam` in cell 3 resolves through cell 2's import; the magics parse; the %%bash cell is not Python.
    assert lines[0].startswith("train.ipynb:cell 3:4:7: TL103 [*] Use torch.optim.AdamW instead of Adam")
    assert lines[1:7] == [
        "  |",
        "2 | model = torch.nn.Linear(2, 2)",
        "3 | !nvidia-smi",
        "4 | opt = Adam(model.parameters())",
        "  |       ^^^^ TL103",
        "  |",
    ]
    assert "Found 1 finding." in lines


def test_json_and_sarif_count_lines_in_the_cell(project: Path, capsys) -> None:
    _, out, _ = check(capsys, "--output-format", "json", "train.ipynb")
    [finding] = json.loads(out)
    assert {k: finding[k] for k in ("path", "cell", "line", "column", "end_line", "end_column", "code")} == {
        "path": "train.ipynb", "cell": 3, "line": 4, "column": 7, "end_line": 4, "end_column": 11, "code": "TL103",
    }
    _, out, _ = check(capsys, "--output-format", "sarif", "train.ipynb")
    [result] = json.loads(out)["runs"][0]["results"]
    assert result["properties"] == {"cell": 3}
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 4, "startColumn": 7, "endLine": 4, "endColumn": 11}


def test_fix_writes_the_cells_and_keeps_outputs_and_metadata(project: Path, capsys) -> None:
    before = (project / "train.ipynb").read_text()
    code, out, _ = check(capsys, "--fix", "--unsafe-fixes", "train.ipynb")
    assert code == 0 and "Fixed 1 finding." in out
    after = (project / "train.ipynb").read_text()
    changed = [(old, new) for old, new in zip(before.splitlines(), after.splitlines(), strict=True) if old != new]
    assert changed == [
        ('    "from torch.optim import Adam"', '    "from torch.optim import AdamW"'),
        ('    "opt = Adam(model.parameters())"', '    "opt = AdamW(model.parameters(), weight_decay=0.0)"'),
    ]
    data = json.loads(after)
    assert data["cells"][1]["outputs"] == [OUTPUT] and data["cells"][1]["metadata"] == {"tags": ["setup"]}
    assert data["cells"][2]["source"][0] == "%matplotlib inline\n" and data["cells"][3] == CELLS[3]
    assert after.endswith("}\n")


def test_diff_shows_each_cell(project: Path, capsys) -> None:
    code, out, _ = check(capsys, "--diff", "--unsafe-fixes", "train.ipynb")
    assert code == 1
    assert out.splitlines() == [
        "--- a/train.ipynb:cell 2",
        "+++ b/train.ipynb:cell 2",
        "@@ -1,2 +1,2 @@",
        " import torch",
        "-from torch.optim import Adam",
        "+from torch.optim import AdamW",
        "--- a/train.ipynb:cell 3",
        "+++ b/train.ipynb:cell 3",
        "@@ -1,4 +1,4 @@",
        " %matplotlib inline",
        " model = torch.nn.Linear(2, 2)",
        " !nvidia-smi",
        "-opt = Adam(model.parameters())",
        "+opt = AdamW(model.parameters(), weight_decay=0.0)",
    ]
    assert (project / "train.ipynb").read_text() == notebook()


def test_a_syntax_error_is_reported_in_its_cell(project: Path, capsys) -> None:
    cells = [CELLS[1], {"cell_type": "code", "metadata": {}, "outputs": [], "source": "x = 1\nfor batch in loader\n    pass"}]
    (project / "train.ipynb").write_text(notebook(cells))
    _, out, _ = check(capsys, "--output-format", "concise", "train.ipynb")
    assert out.splitlines()[0] == "train.ipynb:cell 2:2:20: TL000 Syntax error: expected ':'"


def test_folder_scans_include_notebooks(project: Path, capsys) -> None:
    (project / "pyproject.toml").write_text('[tool.torchlint]\nexclude = ["old/*"]\n')
    (project / "old").mkdir()
    (project / "old" / "train.ipynb").write_text(notebook())
    (project / "model.py").write_text("import torch\nopt = torch.optim.Adam([])\n")
    _, out, _ = check(capsys, "--output-format", "json")
    assert [(f["path"], f.get("cell"), f["line"]) for f in json.loads(out)] == [("model.py", None, 2), ("train.ipynb", 3, 4)]


def test_a_folder_without_python_files_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "notes.txt").write_text("Adam\n")
    monkeypatch.chdir(tmp_path)
    code, out, err = check(capsys, "data")
    assert (code, out) == (0, "")
    assert err == "torchlint: warning: no Python files found under data\n"
    _, out, _ = check(capsys, "--output-format", "json", "data")
    assert json.loads(out) == []


def test_a_broken_notebook_is_an_error_and_another_language_is_skipped(project: Path, capsys) -> None:
    (project / "broken.ipynb").write_text('{"cells": [')
    (project / "r.ipynb").write_text(notebook(metadata={"kernelspec": {"language": "R", "name": "ir"}}))
    code, out, err = check(capsys, "--output-format", "concise")
    assert code == 1
    assert err.splitlines() == [
        "torchlint: error: broken.ipynb: not valid notebook JSON (Expecting value on line 1); skipped",
        "torchlint: warning: r.ipynb: a notebook in r, not Python; skipped",
    ]
    assert out.splitlines()[0].startswith("train.ipynb:cell 3:4:7: TL103")


def test_stdin_notebook_fix_prints_the_notebook(project: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(notebook().encode())))
    code, out, _ = check(capsys, "-", "--stdin-filename", "train.ipynb", "--fix", "--unsafe-fixes")
    assert code == 0
    assert json.loads(out)["cells"][2]["source"][3] == "opt = AdamW(model.parameters(), weight_decay=0.0)"


def test_notebook_module_and_write_back() -> None:
    text = notebook([{"cell_type": "code", "metadata": {}, "outputs": [], "source": "a = 1\n"}, CELLS[2]])
    parsed = Notebook.parse(text)
    assert parsed.module.splitlines() == [
        "a = 1", "#matplotlib inline", "model = torch.nn.Linear(2, 2)", "#nvidia-smi", "opt = Adam(model.parameters())",
    ]
    assert [(cell.number, cell.start, cell.end) for cell in parsed.cells] == [(1, 0, 1), (2, 1, 5)]
    assert parsed.dump(parsed.module) == text
    # A line added to the first cell stays in it; a string source stays a string, its final newline kept.
    dumped = json.loads(parsed.dump("import torch\n" + parsed.module))
    assert dumped["cells"][0]["source"] == "import torch\na = 1\n"
    assert dumped["cells"][1]["source"] == CELLS[2]["source"]
    with pytest.raises(NotebookError, match="nbformat 4"):
        Notebook.parse('{"worksheets": [], "nbformat": 3}')
