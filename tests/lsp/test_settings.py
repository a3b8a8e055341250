"""Settings: editor settings over [tool.torchlint] over defaults, per folder, changed live."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as lsp

from tests.lsp.harness import Client, codes, diagnostics, eventually, initialize, open_document, settle
from tests.lsp.test_diagnostics import ADAM

SHOW_SETTINGS = "torchlint.showEffectiveSettings"


def pyproject(folder: Path, table: str) -> Path:
    path = folder / "pyproject.toml"
    path.write_text(f"[project]\nname = 'demo'\n\n[tool.torchlint]\n{table}\n")
    return path


async def severity_of_adam(client: Client, path: Path) -> lsp.DiagnosticSeverity:
    uri = open_document(client, path, ADAM)
    (item,) = await diagnostics(client, uri, until=bool)
    return item.severity


async def test_initialization_options(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path, options={"severity": {"TL103": "error"}})
    assert await severity_of_adam(client, tmp_path / "train.py") == lsp.DiagnosticSeverity.Error


async def test_ignore_from_initialization_options(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path, options={"ignore": ["TL103"]})
    uri = open_document(client, tmp_path / "train.py", ADAM)
    assert await diagnostics(client, uri) == []


async def test_workspace_configuration_wins_over_initialization_options(client: Client, tmp_path: Path) -> None:
    client.set_configuration({"severity": {"TL103": "error"}}, section="torchlint")
    await initialize(client, tmp_path, options={"severity": {"TL103": "info"}})
    assert await severity_of_adam(client, tmp_path / "train.py") == lsp.DiagnosticSeverity.Error


async def test_pyproject_applies_and_editor_settings_win(client: Client, tmp_path: Path) -> None:
    pyproject(tmp_path, '[tool.torchlint.severity]\nTL103 = "info"')
    await initialize(client, tmp_path)
    assert await severity_of_adam(client, tmp_path / "a.py") == lsp.DiagnosticSeverity.Information
    client.set_configuration({"severity": {"TL103": "error"}}, section="torchlint")
    seen = len(client.published)
    client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings=None))
    (item,) = await diagnostics(client, (tmp_path / "a.py").as_uri(), after=seen)
    assert item.severity == lsp.DiagnosticSeverity.Error


async def test_settings_per_workspace_folder(client: Client, tmp_path: Path) -> None:
    quiet, loud = tmp_path / "quiet", tmp_path / "loud"
    quiet.mkdir()
    loud.mkdir()
    client.set_configuration({"ignore": ["TL103"]}, section="torchlint", scope_uri=quiet.as_uri())
    await initialize(client, quiet, loud)
    assert await diagnostics(client, open_document(client, quiet / "train.py", ADAM)) == []
    assert codes(await diagnostics(client, open_document(client, loud / "train.py", ADAM))) == ["TL103"]


async def test_settings_change_reanalyses_open_documents(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    uri = open_document(client, tmp_path / "train.py", ADAM)
    await diagnostics(client, uri, until=bool)
    seen = len(client.published)
    client.set_configuration({"select": ["TL2"]}, section="torchlint")
    client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings=None))
    assert await diagnostics(client, uri, after=seen) == []


async def test_pyproject_change_reanalyses_open_documents(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    await eventually(lambda: client.registrations)
    methods = {registration.method: registration for registration in client.registrations}
    watcher = methods[lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES].register_options["watchers"][0]
    assert watcher["globPattern"] == "**/pyproject.toml"
    assert lsp.WORKSPACE_DID_CHANGE_CONFIGURATION in methods

    uri = open_document(client, tmp_path / "train.py", ADAM)
    await diagnostics(client, uri, until=bool)
    seen = len(client.published)
    path = pyproject(tmp_path, 'ignore = ["TL103"]')
    client.workspace_did_change_watched_files(
        lsp.DidChangeWatchedFilesParams([lsp.FileEvent(path.as_uri(), lsp.FileChangeType.Created)])
    )
    assert await diagnostics(client, uri, after=seen) == []


async def test_syntax_errors_can_be_hidden(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path, options={"showSyntaxErrors": False})
    uri = open_document(client, tmp_path / "train.py", ADAM + "def broken(:\n")
    assert await diagnostics(client, uri) == []


async def test_bad_settings_are_reported_and_skipped(client: Client, tmp_path: Path) -> None:
    options = {"select": ["TL999", "TL1"], "colour": "red", "debounce": "fast", "severity": {"TL103": "loud"}}
    await initialize(client, tmp_path, options=options)
    assert await severity_of_adam(client, tmp_path / "train.py") == lsp.DiagnosticSeverity.Warning
    warnings = "\n".join(m.message for m in client.log_messages if m.type == lsp.MessageType.Warning)
    for fragment in ("'TL999'", "'colour'", "debounce", "loud"):
        assert fragment in warnings


async def test_show_effective_settings(client: Client, tmp_path: Path) -> None:
    path = pyproject(tmp_path, 'exclude = ["generated"]\n[tool.torchlint.severity]\nTL103 = "info"')
    client.set_configuration({"ignore": ["TL2"], "debounce": 40}, section="torchlint")
    await initialize(client, tmp_path)
    uri = open_document(client, tmp_path / "train.py", ADAM)
    await diagnostics(client, uri, until=bool)
    shown = await client.workspace_execute_command_async(lsp.ExecuteCommandParams(SHOW_SETTINGS, [uri]))
    assert shown["workspaceFolder"] == tmp_path.as_uri()
    assert shown["pyproject"] == str(path)
    effective = shown["effective"]
    assert effective["severity"] == {"TL103": "info"}
    assert effective["ignore"] == ["TL2"] and effective["exclude"] == ["generated"]
    assert effective["debounce"] == 40 and effective["showSyntaxErrors"] is True
    assert effective["source"] == f"editor settings over {path}"
    assert "TL103" in shown["enabledRules"] and not any(code.startswith("TL2") for code in shown["enabledRules"])
    assert shown["excluded"] is False


async def test_excluded_files_get_no_diagnostics(client: Client, tmp_path: Path) -> None:
    pyproject(tmp_path, 'exclude = ["generated"]')
    (tmp_path / "generated").mkdir()
    await initialize(client, tmp_path)
    excluded = open_document(client, tmp_path / "generated" / "model.py", ADAM)
    kept = open_document(client, tmp_path / "train.py", ADAM)
    assert codes(await diagnostics(client, kept, until=bool)) == ["TL103"]
    await settle(client)
    assert await diagnostics(client, excluded) == []
