"""The project's minimum torch: ``target-torch``, the editor's ``targetTorch``, or the project's
own ``torch`` requirement, and the rules that follow it."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.test_cli import run
from torchlint.config import Config, find_pyproject, from_table, load
from torchlint.engine import analyze
from torchlint.lsp.settings import EditorSettings, SettingsStore
from torchlint.torch_target import minimum_from_requirement, parse_version, project_minimum

LOAD = 'import torch\n\nstate = torch.load("model.pt", map_location="cpu")\n'


@pytest.mark.parametrize(
    ("text", "version"),
    [
        ("2.4", (2, 4)), ("2.1.*", (2, 1)), ("1.13.1", (1, 13, 1)), (" 2 ", (2,)), ("v2.3", (2, 3)),
        ("latest", None), ("2.x", None), ("", None),
    ],
)
def test_parse_version(text: str, version) -> None:
    assert parse_version(text) == version


@pytest.mark.parametrize(
    ("requirement", "minimum"),
    [
        ("torch>=2.4", (2, 4)),
        ("torch==2.1.*", (2, 1)),
        ("torch~=2.3", (2, 3)),
        ("torch >= 2.2, < 3", (2, 2)),
        ("torch>=2.0,>=2.1", (2, 1)),
        ("torch==2.4.0+cu121", (2, 4, 0)),
        ("torch (>=1.13)", (1, 13)),
        ("torch[opt-einsum]>=2.5 ; python_version >= '3.9'", (2, 5)),
        ("Torch>=2.4", (2, 4)),
        ("torch", None),
        ("torch<2.6", None),
        ("torch!=2.5.0", None),
        ("torchvision>=0.19", None),
        ("torch-geometric>=2.4", None),
        ("torch @ https://download.pytorch.org/whl/cpu/torch-2.4.0.whl", None),
        ("# torch>=2.4", None),
    ],
)
def test_minimum_from_requirement(requirement: str, minimum) -> None:
    assert minimum_from_requirement(requirement) == minimum


def test_project_minimum_from_pyproject_then_requirements(tmp_path: Path) -> None:
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "requirements.txt").write_text("numpy\ntorch==2.5.1\n")
    (tmp_path / "requirements-dev.txt").write_text("-r requirements.txt\ntorch>=2.2  # CI's oldest\n")
    pin = project_minimum(tmp_path / "src" / "pkg")
    assert pin is not None and pin.version == (2, 2)
    assert pin.source == f"{tmp_path / 'requirements-dev.txt'} (torch>=2.2  # CI's oldest)"
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["numpy", "torch>=2.3,<3"]\n')
    pin = project_minimum(tmp_path / "src" / "pkg")
    assert pin is not None and pin.version == (2, 3) and pin.source.endswith("pyproject.toml (torch>=2.3,<3)")


def test_project_minimum_stops_at_the_nearest_project(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("torch>=1.12\n")
    (tmp_path / "inner").mkdir()
    (tmp_path / "inner" / "pyproject.toml").write_text('[project]\nname = "inner"\ndependencies = ["torch"]\n')
    assert project_minimum(tmp_path / "inner") is None  # unpinned: no constraint
    (tmp_path / "inner" / "pyproject.toml").write_text("this is [ not toml")
    assert project_minimum(tmp_path / "inner") is None


def test_target_torch_setting_wins_over_the_pin(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("torch>=2.1\n")
    config, warnings = load(tmp_path)
    assert not warnings and config.target_torch == "2.1" and config.target_torch_source.endswith("(torch>=2.1)")
    (tmp_path / "pyproject.toml").write_text('[tool.torchlint]\ntarget-torch = "2.4.0"\n')
    find_pyproject.cache_clear()
    config, warnings = load(tmp_path)
    expected = ("2.4.0", (2, 4, 0), str(tmp_path / "pyproject.toml"))
    assert (config.target_torch, config.torch_version, config.target_torch_source) == expected


@pytest.mark.parametrize("value", ["two point four", 2.4, ["2.4"], ""])
def test_bad_target_torch_warns_and_is_ignored(value) -> None:
    config, warnings = from_table({"target-torch": value}, source="pyproject.toml")
    assert config.target_torch is None
    assert warnings == [f'pyproject.toml: target-torch: expected a torch version such as "2.4", got {value!r}; ignored']


def test_target_torch_decides_tl140() -> None:
    assert [f.code for f in analyze(LOAD, "m.py", Config())] == []
    assert [f.code for f in analyze(LOAD, "m.py", Config(target_torch="2.6"))] == []
    assert [f.code for f in analyze(LOAD, "m.py", Config(target_torch="2.5"))] == ["TL140"]


def test_tl141_messages_say_since_when() -> None:
    source = "import torch\n\nx = torch.solve(b, a)\ny = torch.ger(a, b)\n"
    messages = [f.message for f in analyze(source, "m.py", Config(select=("TL141",), target_torch="2.1"))]
    assert messages[0].startswith("Removed in torch 1.13: use `torch.linalg.solve`")
    assert messages[1].startswith("Deprecated since torch 1.8: use `torch.outer`")


def test_editor_setting_wins_and_bad_values_warn(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.torchlint]\ntarget-torch = "2.6"\n')
    settings, warnings = EditorSettings.parse({"targetTorch": "2.4"})
    assert not warnings and settings.describe()["targetTorch"] == "2.4"
    config = settings.apply(load(tmp_path)[0])
    assert (config.target_torch, config.target_torch_source) == ("2.4", "editor settings")
    assert EditorSettings.parse({"targetTorch": ""})[0].target_torch is None
    settings, warnings = EditorSettings.parse({"targetTorch": "soon"})
    assert settings.target_torch is None
    assert warnings == ["editor settings: targetTorch: expected a torch version such as \"2.4\", got 'soon'; ignored"]


def test_show_effective_settings_in_the_language_server(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("torch~=2.3\n")
    store = SettingsStore()
    effective = store.effective(str(tmp_path / "train.py"))
    described = effective.describe("file:///train.py", str(tmp_path / "train.py"))["effective"]
    assert described["target_torch"] == "2.3"
    assert described["target_torch_source"] == f"{tmp_path / 'requirements.txt'} (torch~=2.3)"


def test_cli_show_settings(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [project]
            name = "trainer"
            dependencies = ["torch>=2.4"]

            [tool.torchlint]
            ignore = ["TL105"]
            """
        )
    )
    (tmp_path / "train.py").write_text(LOAD)
    proc = run("check", "--show-settings", "train.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "  target-torch: 2.4 (from " in proc.stdout and "pyproject.toml (torch>=2.4))" in proc.stdout
    assert "  ignore: [\"TL105\"]" in proc.stdout
    described = json.loads(run("check", "--show-settings", "--format", "json", cwd=tmp_path).stdout)
    assert described["."]["target_torch"] == "2.4"
    assert run("check", "--select", "TL140", cwd=tmp_path).returncode == 1  # the pin makes TL140 fire
    (tmp_path / "pyproject.toml").write_text('[tool.torchlint]\ntarget-torch = "2.6"\n')
    assert run("check", "--select", "TL140", cwd=tmp_path).returncode == 0
    proc = run("check", "--show-settings", cwd=tmp_path)
    assert "  target-torch: 2.6 (from " in proc.stdout
