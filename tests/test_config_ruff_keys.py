"""The ``[tool.torchlint]`` keys ruff users expect: ``extend-select``, ``per-file-ignores``,
``extend-exclude``, ``fixable`` / ``unfixable``, ``force-exclude``, and the ``profile`` presets."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from torchlint.cli import main
from torchlint.config import Config, from_table, load
from torchlint.engine import analyze
from torchlint.fixing.fixer import fix_all
from torchlint.profiles import PROFILES

#: A small policy network's training step: TL104 (no scheduler) at 6:17, TL101 (no autocast) at
#: 10:9, TL121 (``.data``) at 12:11.
POLICY = textwrap.dedent(
    """\
    import torch
    from torch import nn


    def train(policy: nn.Module, batches, args):
        optimizer = torch.optim.AdamW(policy.parameters(), lr=3e-4)
        for obs, target in batches:
            loss = nn.functional.mse_loss(policy(obs), target)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        print(policy.weight.data)
    """
)
#: TL140 at 3:9 for a project on torch 2.4 (TorchFix's TOR102).
LOAD = 'import torch\n\nstate = torch.load("policy.pt")\n'


def found(source: str, config: Config, path: str = "train.py") -> list[tuple[str, int, int]]:
    return [(f.code, f.line, f.column) for f in analyze(source, path, config)]


def settings(tmp_path: Path, toml: str) -> Config:
    (tmp_path / "pyproject.toml").write_text("[tool.torchlint]\n" + textwrap.dedent(toml))
    config, warnings = load(tmp_path)
    assert warnings == []
    return config


def test_every_key_is_read(tmp_path: Path) -> None:
    config = settings(
        tmp_path,
        """\
        select = ["TL1"]
        extend-select = ["TL402"]
        exclude = ["build/*"]
        extend-exclude = ["legacy.py"]
        force-exclude = true
        fixable = ["ALL"]
        unfixable = ["TL103", "tor102"]
        profile = "rl"
        [tool.torchlint.per-file-ignores]
        "tests/*" = ["TL121", "TOR102"]
        """,
    )
    described = config.describe()
    assert described["select"] == ["TL1", "TL402"]
    assert described["exclude"] == ["build/*", "legacy.py"]
    assert described["force_exclude"] is True
    assert (described["fixable"], described["unfixable"]) == (["ALL"], ["TL103", "TOR102"])
    assert described["profile"] == "rl"
    assert described["per_file_ignores"] == {"tests/*": ["TL121", "TOR102"]}


def test_bad_entries_warn_and_are_dropped() -> None:
    config, warnings = from_table(
        {
            "extend-select": ["TL9"],
            "per-file-ignores": {"tests/*": ["TL121", "XX1"], "docs/*": "TL9"},
            "force-exclude": "yes",
            "profile": "nlp",
            "unfixable": 3,
            "line-length": 90,
        },
        source="pyproject.toml",
    )
    assert warnings == [
        "pyproject.toml: unknown setting 'line-length' ignored (known: select, extend-select, ignore, per-file-ignores, "
        "severity, exclude, extend-exclude, force-exclude, fixable, unfixable, profile, target-torch, max-file-size)",
        "pyproject.toml: extend-select: unknown rule code or prefix 'TL9' (see `torchlint rules`)",
        "pyproject.toml: unfixable must be a list of strings; ignored",
        "pyproject.toml: per-file-ignores 'tests/*': unknown rule code or prefix 'XX1' (see `torchlint rules`)",
        "pyproject.toml: per-file-ignores 'docs/*': unknown rule code or prefix 'TL9' (see `torchlint rules`)",
        "pyproject.toml: force-exclude must be true or false; ignored",
        "pyproject.toml: unknown profile 'nlp' ignored (known: rl, small-model, library)",
    ]
    assert config == Config(source="pyproject.toml", per_file_ignores=(("tests/*", ("TL121",)),))


def test_extend_select_adds_to_the_selection(tmp_path: Path) -> None:
    config = settings(tmp_path, 'select = ["TL101"]\nextend-select = ["TL12"]\n')
    assert found(POLICY, config) == [("TL101", 10, 9), ("TL121", 12, 11)]


def test_per_file_ignores_match_folders_and_names_and_take_aliases(tmp_path: Path) -> None:
    config = settings(
        tmp_path,
        """\
        target-torch = "2.4"
        [tool.torchlint.per-file-ignores]
        "tests/*" = ["TL121", "TOR102"]
        "conftest.py" = ["TL1"]
        """,
    )
    everything = [("TL104", 6, 17), ("TL101", 10, 9), ("TL121", 12, 11)]
    assert found(POLICY, config, str(tmp_path / "train.py")) == everything
    assert found(POLICY, config, str(tmp_path / "tests" / "unit" / "test_policy.py")) == everything[:2]
    assert found(LOAD, config, str(tmp_path / "train.py")) == [("TL140", 3, 9)]
    assert found(LOAD, config, str(tmp_path / "tests" / "test_load.py")) == []
    assert found(POLICY, config, str(tmp_path / "src" / "conftest.py")) == []


def test_unfixable_findings_are_reported_without_their_fix(tmp_path: Path) -> None:
    config = settings(tmp_path, 'fixable = ["TL1"]\nunfixable = ["TL121"]\n')
    findings = analyze(POLICY, "train.py", config)
    assert [(f.code, f.fixable) for f in findings] == [("TL104", True), ("TL101", True), ("TL121", False)]
    result = fix_all(POLICY, "train.py", config, unsafe=True)
    assert "policy.weight.data" in result.source
    assert [f.code for f in result.remaining] == ["TL121"]


def test_fix_leaves_unfixable_code_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.torchlint]\nselect = ["TL121"]\nunfixable = ["TL121"]\n')
    (tmp_path / "train.py").write_text(POLICY)
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--fix", "train.py"]) == 1
    assert (tmp_path / "train.py").read_text() == POLICY


@pytest.fixture
def excluded_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("train.py", "legacy.py", "build/gen.py"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(POLICY)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def checked(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], str]:
    code = main(["check", "--select", "TL121", "--output-format", "concise", *args])
    out, err = capsys.readouterr()
    return code, [line.split(":")[0] for line in out.splitlines() if ": TL121 " in line], err


def test_extend_exclude_adds_to_exclude(excluded_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (excluded_project / "pyproject.toml").write_text('[tool.torchlint]\nexclude = ["build"]\nextend-exclude = ["legacy.py"]\n')
    assert checked(capsys, ".") == (1, ["train.py"], "")
    # Without force-exclude a file named on the command line is checked all the same.
    assert checked(capsys, "legacy.py", "build/gen.py") == (1, ["build/gen.py", "legacy.py"], "")


def test_force_exclude_applies_to_files_named(excluded_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (excluded_project / "pyproject.toml").write_text(
        '[tool.torchlint]\nexclude = ["build"]\nextend-exclude = ["legacy.py"]\nforce-exclude = true\n'
    )
    assert checked(capsys, "legacy.py", "build/gen.py", "train.py") == (1, ["train.py"], "")
    code, files, err = checked(capsys, "legacy.py", "build")
    assert (code, files) == (0, [])
    assert err == "torchlint: warning: no Python files found under legacy.py, build\n"


def test_profile_rl_drops_amp_and_scheduler_advice(tmp_path: Path) -> None:
    assert found(POLICY, settings(tmp_path, 'profile = "rl"\n')) == [("TL121", 12, 11)]


def test_a_code_named_in_full_runs_despite_the_profile(tmp_path: Path) -> None:
    config = settings(tmp_path, 'profile = "rl"\nextend-select = ["TL104"]\n')
    assert found(POLICY, config) == [("TL104", 6, 17), ("TL121", 12, 11)]
    # A prefix is not naming the code: TL1 does not bring TL101 back.
    assert found(POLICY, settings(tmp_path, 'profile = "rl"\nselect = ["TL1"]\n')) == [("TL121", 12, 11)]


@pytest.mark.parametrize(
    ("profile", "dropped"),
    [("rl", {"TL101", "TL104", "TL105"}), ("small-model", {"TL101", "TL104", "TL105", "TL110", "TL111"}),
     ("library", {"TL101", "TL104", "TL105", "TL303", "TL501", "TL502"})],
)
def test_each_profile_drops_exactly_what_it_says(profile: str, dropped: set[str]) -> None:
    from torchlint.registry import all_rules

    config = Config(profile=profile)
    assert {code for code in all_rules() if not config.enabled(code)} == dropped
    assert set(PROFILES[profile].drops) == dropped


def test_profiles_are_documented_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    for profile in PROFILES.values():
        assert f"`{profile.name}`: drops {', '.join(profile.drops)}" in readme


def test_editor_settings_take_extend_select_and_profile() -> None:
    from torchlint.lsp.settings import EditorSettings

    editor, warnings = EditorSettings.parse({"profile": "rl", "extendSelect": ["TL104", "TL9"]})
    assert warnings == ["editor settings: extendSelect: unknown rule code or prefix 'TL9' (see `torchlint rules`)"]
    assert found(POLICY, editor.apply(Config())) == [("TL104", 6, 17), ("TL121", 12, 11)]
    assert EditorSettings.parse({"profile": ""}) == (EditorSettings(), [])
