"""TorchFix's codes work wherever a torchlint code does: settings, the command line, the editor
settings and suppression comments (``# torchlint: disable=TOR102``, ``# noqa: TOR102``)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.test_cli import run
from torchlint.config import Config, ConfigError, from_table
from torchlint.engine import analyze
from torchlint.lsp.settings import EditorSettings
from torchlint.model import Severity
from torchlint.registry import aliases, resolve_alias

#: The catalog's mapping of TorchFix codes (RULES.md, TL14x).
TORCHFIX = {
    "TL140": ("TOR102",),
    "TL141": ("TOR001", "TOR004", "TOR101", "TOR103"),
    "TL142": ("TOR003",),
    "TL143": ("TOR002",),
    "TL144": ("TOR201",),
    "TL145": ("TOR104", "TOR105"),
    "TL146": ("TOR106", "TOR107", "TOR108"),
    "TL147": ("TOR402",),
    "TL110": ("TOR401",),
    "TL203": ("TOR202",),
}

SOURCE = textwrap.dedent(
    """\
    import torch

    state = torch.load("a.pt", weights_only=False)
    optimizer.zero_grad(set_to_none=False)
    x = torch.ger(a, b)
    """
)


def codes(source: str, config: Config | None = None) -> list[str]:
    return [f.code for f in analyze(source, "m.py", config)]


def test_rules_declare_the_catalog_aliases() -> None:
    declared = {code: names for code, names in aliases().items() if names}
    for code, names in TORCHFIX.items():
        assert declared.get(code) == names, code
    every = [name for names in declared.values() for name in names]
    assert len(every) == len(set(every)), "an alias names two rules"
    assert resolve_alias("TOR102") == "TL140" and resolve_alias("TL140") == "TL140" and resolve_alias("TOR999") is None


@pytest.mark.parametrize(
    ("select", "ignore", "expected"),
    [
        (("TOR102",), (), ["TL140"]),
        (("TOR4",), (), ["TL147"]),  # a prefix of aliases: TOR402 (and TOR401, TL110's)
        (("TOR1",), (), ["TL140", "TL141"]),
        (("TL14",), ("TOR101",), ["TL140", "TL147"]),
        (("ALL",), ("TOR",), []),
        (("TOR",), ("TL141",), ["TL140", "TL147"]),
        (("TOR102", "TOR402"), ("TL1",), ["TL140", "TL147"]),  # the longer selector wins
    ],
)
def test_selectors_accept_aliases_and_their_prefixes(select, ignore, expected) -> None:
    config = Config().override(select=select, ignore=ignore)
    assert sorted(set(codes(SOURCE, config)) - {"TL104", "TL130"}) == expected


def test_unknown_alias_is_an_error_and_a_warning() -> None:
    with pytest.raises(ConfigError, match="TOR999"):
        Config().override(select=["TOR999"])
    config, warnings = from_table({"ignore": ["TOR102", "TOR999"]}, source="pyproject.toml")
    assert config.ignore == ("TOR102",)
    assert warnings == ["pyproject.toml: ignore: unknown rule code or prefix 'TOR999' (see `torchlint rules`)"]


def test_severity_by_alias() -> None:
    config, warnings = from_table({"severity": {"TOR102": "error"}}, source="pyproject.toml")
    assert not warnings and config.severity == {"TL140": Severity.ERROR}
    [finding] = analyze(SOURCE, "m.py", config.override(select=["TL140"]))
    assert finding.severity is Severity.ERROR


def test_editor_settings_accept_aliases() -> None:
    settings, warnings = EditorSettings.parse({"select": ["TOR1"], "ignore": ["TOR101"]})
    assert not warnings
    assert codes(SOURCE, settings.apply(Config())) == ["TL140"]


@pytest.mark.parametrize(
    ("comment", "silenced"),
    [
        ("# torchlint: disable=TOR102", True),
        ("# torchlint: disable=TL140", True),
        ("# noqa: TOR102", True),
        ("# noqa: TL140", True),
        ("# noqa:TL140", True),
        ("# NOQA: tor102", True),
        ("# noqa: E501, TOR102", True),
        ("# noqa: TL141 TOR102 - trusted checkpoint", True),
        ("# noqa: TOR101", False),  # another rule's alias
        ("# noqa: TL141", False),
        ("# noqa: E501", False),  # another linter's code
        ("# noqa", False),  # a bare noqa is for other linters: torchlint never read it
        ("# torchlint: disable", True),
    ],
)
def test_suppression_comments_accept_aliases_and_noqa(comment: str, silenced: bool) -> None:
    source = f'import torch\n\nstate = torch.load("a.pt", weights_only=False)  {comment}\n'
    assert codes(source, Config(select=("TL140",))) == ([] if silenced else ["TL140"])


def test_file_suppression_by_alias() -> None:
    source = "# torchlint: disable-file=TOR101\n" + SOURCE
    assert "TL141" not in codes(source)


def test_noqa_on_the_line_of_the_finding_in_a_long_call() -> None:
    source = 'import torch\n\nstate = torch.load(  # noqa: TOR102\n    "a.pt",\n    weights_only=False,\n)\n'
    assert codes(source, Config(select=("TL140",))) == []
    assert codes(source.replace("  # noqa: TOR102", ""), Config(select=("TL140",))) == ["TL140"]


def test_tl144_defers_to_tl202_on_the_same_call() -> None:
    source = (
        "import torchvision\n\nm = torchvision.models.resnet50(pretrained=True)\n"
        "d = torchvision.models.detection.fcos_resnet50_fpn(pretrained=True)\n"
    )
    both = [(f.code, f.line) for f in analyze(source, "m.py", Config(select=("TL144", "TL202")))]
    assert both == [("TL202", 3), ("TL144", 4)]
    alone = [(f.code, f.line) for f in analyze(source, "m.py", Config(select=("TL144",)))]
    assert alone == [("TL144", 3), ("TL144", 4)]


# -- the command line ---------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "train.py").write_text(SOURCE)
    return tmp_path


def test_cli_select_and_ignore_by_alias(project: Path) -> None:
    proc = run("check", "--select", "TOR102,TOR402", "--format", "json", cwd=project)
    assert [f["code"] for f in json.loads(proc.stdout)] == ["TL140", "TL147"]
    proc = run("check", "--select", "TL14", "--ignore", "TOR1", "--format", "json", cwd=project)
    assert [f["code"] for f in json.loads(proc.stdout)] == ["TL147"]
    assert run("check", "--select", "TOR999", cwd=project).returncode == 2


def test_pyproject_ignore_by_alias(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.torchlint]\nselect = ["TL14"]\nignore = ["TOR4", "TOR1"]\n')
    proc = run("check", cwd=project)
    assert proc.returncode == 0, proc.stdout


def test_rules_listing_shows_aliases(tmp_path: Path) -> None:
    listing = run("rules", cwd=tmp_path).stdout.splitlines()
    [line] = [line for line in listing if line.startswith("TL141")]
    assert line.endswith("(also TOR001, TOR004, TOR101, TOR103)")
    rules = {r["code"]: r for r in json.loads(run("rules", "--format", "json", cwd=tmp_path).stdout)}
    assert rules["TL140"]["aliases"] == ["TOR102"] and rules["TL103"]["aliases"] == []
    doc = run("rules", "TOR102", cwd=tmp_path)
    assert doc.returncode == 0 and doc.stdout.startswith("# TL140 unsafe-torch-load")
