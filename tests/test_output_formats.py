"""``torchlint check --output-format``: every format ruff has, read back the way its consumer reads it."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from torchlint.cli import main

ADAM = "import torch\n\nmodel = torch.nn.Linear(4, 2)\noptimizer = torch.optim.Adam(model.parameters(), lr=1e-3)\n"
MESSAGE = "Use torch.optim.AdamW instead of Adam (weight_decay becomes decoupled: re-check its value)"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "train.py").write_text(ADAM)
    (tmp_path / "clean.py").write_text("import torch\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CI_PROJECT_DIR", raising=False)
    return tmp_path


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_full_is_the_default_with_source_caret_and_help(project: Path, capsys) -> None:
    code, out, _ = check(capsys)
    assert code == 1
    assert out == (
        f"train.py:4:13: TL103 [*] {MESSAGE}\n"
        "  |\n"
        "2 |\n"
        "3 | model = torch.nn.Linear(4, 2)\n"
        "4 | optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)\n"
        "  |             ^^^^^^^^^^^^^^^^ TL103\n"
        "  |\n"
        "  = help: Replace Adam with AdamW (unsafe)\n"
        "\n"
        "Found 1 finding.\n"
        "1 more fixable with `--fix --unsafe-fixes` (they may change behaviour).\n"
    )


def test_full_caret_counts_tabs_and_wide_characters(project: Path, capsys) -> None:
    (project / "train.py").write_text("import torch\nif True:\n\topt = torch.optim.Adam([])\n名前 = torch.optim.Adam([])\n")
    _, out, _ = check(capsys, "train.py")
    blocks = out.split("\n\n")
    assert blocks[0].splitlines()[1:6] == [
        "  |",
        "1 | import torch",
        "2 | if True:",
        "3 |     opt = torch.optim.Adam([])",
        "  |           ^^^^^^^^^^^^^^^^ TL103",
    ]
    assert blocks[1].splitlines()[0].startswith("train.py:4:6: TL103")
    assert blocks[1].splitlines()[4:6] == ["4 | 名前 = torch.optim.Adam([])", "  |        ^^^^^^^^^^^^^^^^ TL103"]


def test_full_at_a_syntax_error_and_gutter_width(project: Path, capsys) -> None:
    (project / "train.py").write_text("import torch\n" + "\n" * 8 + "for x in y\n")
    _, out, _ = check(capsys, "train.py")
    assert out.split("\n\n")[0] == (
        "train.py:10:11: TL000 Syntax error: expected ':'\n"
        "   |\n"
        " 8 |\n"
        " 9 |\n"
        "10 | for x in y\n"
        "   |           ^ TL000\n"
        "   |"
    )


@pytest.mark.parametrize("name", ["concise", "text"])
def test_concise_is_one_line_per_finding(project: Path, capsys, name: str) -> None:
    code, out, _ = check(capsys, "--output-format", name)
    assert code == 1
    assert out.splitlines() == [
        f"train.py:4:13: TL103 [*] {MESSAGE}",
        "Found 1 finding.",
        "1 more fixable with `--fix --unsafe-fixes` (they may change behaviour).",
    ]


#: GitHub's workflow command grammar: ``::command key=value,key=value::message``, values escaped.
WORKFLOW_COMMAND = re.compile(r"^::(?P<command>[a-z]+)(?: (?P<properties>[^:]*))?::(?P<message>.*)$")


def _unescape(value: str) -> str:
    for escaped, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        value = value.replace(escaped, char)
    return value


def parse_workflow_commands(text: str) -> list[tuple[str, dict[str, str], str]]:
    commands = []
    for line in text.splitlines():
        match = WORKFLOW_COMMAND.match(line)
        assert match, line
        pairs = [item.split("=", 1) for item in match["properties"].split(",")]
        commands.append((match["command"], {key: _unescape(value) for key, value in pairs}, _unescape(match["message"])))
    return commands


def test_github_annotations(project: Path, capsys) -> None:
    (project / "run,1:a.py").write_text(
        'import torch\nv = torch.autograd.Variable(torch.ones(3))\nw = torch.zeros(3).to("cuda")\n'
    )
    code, out, _ = check(capsys, "--output-format", "github")
    assert code == 1
    commands = parse_workflow_commands(out)
    assert [(command, props["file"], props["line"], props["title"]) for command, props, _ in commands] == [
        ("error", "run,1:a.py", "2", "torchlint (TL120)"),
        ("notice", "run,1:a.py", "3", "torchlint (TL137)"),
        ("warning", "run,1:a.py", "3", "torchlint (TL122)"),
        ("warning", "train.py", "4", "torchlint (TL103)"),
    ]
    command, props, message = commands[3]
    assert props == {
        "title": "torchlint (TL103)", "file": "train.py", "line": "4", "col": "13", "endLine": "4", "endColumn": "29",
    }
    assert message == f"train.py:4:13: TL103 {MESSAGE}"
    assert out.splitlines()[0].startswith("::error title=torchlint (TL120),file=run%2C1%3Aa.py,line=2,col=5,")


def test_gitlab_code_quality(project: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    sub = project / "src"
    sub.mkdir()
    (sub / "twice.py").write_text(ADAM + "optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)\n")
    monkeypatch.setenv("CI_PROJECT_DIR", str(project.parent))
    _, out, _ = check(capsys, "--output-format", "gitlab", "src")
    first, second = json.loads(out)
    assert first == {
        "description": f"TL103 {MESSAGE}",
        "check_name": "TL103",
        "fingerprint": first["fingerprint"],
        "severity": "major",
        "location": {
            "path": f"{project.name}/src/twice.py",
            "positions": {"begin": {"line": 4, "column": 13}, "end": {"line": 4, "column": 29}},
        },
    }
    assert second["location"]["positions"]["begin"] == {"line": 5, "column": 13}
    assert re.fullmatch(r"[0-9a-f]{64}", first["fingerprint"]) and first["fingerprint"] != second["fingerprint"]
    # A line added above moves the findings but keeps their fingerprints.
    (sub / "twice.py").write_text("# header\n" + (sub / "twice.py").read_text())
    _, out, _ = check(capsys, "--output-format", "gitlab", "src")
    assert [f["fingerprint"] for f in json.loads(out)] == [first["fingerprint"], second["fingerprint"]]


def test_junit_parses_as_xml(project: Path, capsys) -> None:
    code, out, _ = check(capsys, "--output-format", "junit")
    assert code == 1
    root = ET.fromstring(out.encode())
    assert (root.tag, root.get("tests"), root.get("failures")) == ("testsuites", "1", "1")
    [suite] = root
    assert (suite.get("name"), suite.get("tests"), suite.get("failures")) == ("train.py", "1", "1")
    [case] = suite
    assert case.attrib == {"name": "torchlint.TL103", "classname": "train", "line": "4", "column": "13"}
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message") == MESSAGE and failure.get("type") == "TL103"
    assert failure.text == f"line 4, col 13, {MESSAGE}"


def test_junit_without_findings_has_one_passing_case(project: Path, capsys) -> None:
    code, out, _ = check(capsys, "--output-format", "junit", "clean.py")
    assert code == 0
    root = ET.fromstring(out.encode())
    assert root.get("failures") == "0"
    [case] = root.iter("testcase")
    assert case.get("name") == "No errors found" and case.find("failure") is None


def test_junit_through_junitparser(project: Path, capsys) -> None:
    junitparser = pytest.importorskip("junitparser")
    _, out, _ = check(capsys, "--output-format", "junit", "-o", "report.xml")
    xml = junitparser.JUnitXml.fromfile(str(project / "report.xml"))
    [suite] = list(xml)
    [case] = list(suite)
    assert (suite.name, case.name, case.classname) == ("train.py", "torchlint.TL103", "train")
    [result] = case.result
    assert isinstance(result, junitparser.Failure) and result.message == MESSAGE


def test_json_lines_are_the_json_records(project: Path, capsys) -> None:
    (project / "more.py").write_text(ADAM)
    _, lines, _ = check(capsys, "--output-format", "json-lines")
    _, document, _ = check(capsys, "--output-format", "json")
    assert [json.loads(line) for line in lines.splitlines()] == json.loads(document)
    assert [r["path"] for r in json.loads(document)] == ["more.py", "train.py"]
    _, empty, _ = check(capsys, "--output-format", "json-lines", "clean.py")
    assert empty == ""


def test_output_file(project: Path, capsys) -> None:
    code, out, _ = check(capsys, "--output-format", "json", "--output-file", "reports/torchlint.json")
    assert code == 1 and out == ""
    [finding] = json.loads((project / "reports" / "torchlint.json").read_text())
    assert (finding["path"], finding["line"], finding["code"]) == ("train.py", 4, "TL103")
    code, out, _ = check(capsys, "-o", "reports/torchlint.txt", "--output-format", "concise")
    assert out == ""
    assert (project / "reports" / "torchlint.txt").read_text().splitlines()[0] == f"train.py:4:13: TL103 [*] {MESSAGE}"


def test_output_file_that_cannot_be_written_is_a_usage_error(project: Path, capsys) -> None:
    (project / "taken").write_text("")
    code, _, err = check(capsys, "-o", "taken/report.txt")
    assert code == 2
    assert err.startswith("torchlint: error: cannot write the report to taken/report.txt (")


def test_show_fixes_lists_what_fix_changed(project: Path, capsys) -> None:
    (project / "more.py").write_text(ADAM + "other = torch.optim.Adam(model.parameters())\n")
    code, out, _ = check(capsys, "--fix", "--unsafe-fixes", "--show-fixes", "--output-format", "concise")
    assert code == 0
    assert out.splitlines() == [
        "Applied 3 fixes:",
        "- more.py:",
        "    2 × TL103 (adam-not-adamw)",
        "- train.py:",
        "    1 × TL103 (adam-not-adamw)",
        "Fixed 3 findings.",
    ]
    assert "AdamW" in (project / "train.py").read_text()


def test_show_fixes_goes_to_stderr_beside_a_machine_format(project: Path, capsys) -> None:
    code, out, err = check(capsys, "--fix", "--unsafe-fixes", "--show-fixes", "--output-format", "json")
    assert code == 0 and json.loads(out) == []
    assert err.splitlines() == ["Applied 1 fix:", "- train.py:", "    1 × TL103 (adam-not-adamw)"]


def test_show_fixes_with_nothing_fixed(project: Path, capsys) -> None:
    _, out, _ = check(capsys, "--fix", "--show-fixes", "clean.py")
    assert out.splitlines() == ["No fixes applied.", "All checks passed!"]
