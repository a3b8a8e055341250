"""Pulled diagnostics: per document with result ids, and for every Python file of the workspace."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as lsp

from tests.lsp.harness import Client, change, codes, eventually, initialize, open_document, settle, span
from tests.lsp.test_diagnostics import ADAM

CLEAN = "import torch\n\nmodel = torch.nn.Linear(4, 2)\n"
WORKSPACE_SCOPE = {"diagnosticsScope": "workspace"}


async def pull(client: Client, uri: str, previous: str | None = None):
    params = lsp.DocumentDiagnosticParams(lsp.TextDocumentIdentifier(uri), previous_result_id=previous)
    return await client.text_document_diagnostic_async(params)


async def test_pull_reports_with_result_ids(client: Client, tmp_path: Path) -> None:
    result = await initialize(client, tmp_path, pull=True)
    provider = result.capabilities.diagnostic_provider
    # The default diagnosticsScope, "openFiles": no workspace diagnostics, the client pulls per document.
    assert provider.workspace_diagnostics is False and provider.identifier == "torchlint"
    uri = open_document(client, tmp_path / "train.py", ADAM)

    first = await pull(client, uri)
    assert first.kind == "full" and codes(first.items) == ["TL103"] and first.result_id
    assert first.items[0].range == span(3, 12, 3, 28)

    again = await pull(client, uri, first.result_id)
    assert again.kind == "unchanged" and again.result_id == first.result_id

    change(client, uri, 2, span(3, 28), "W")
    edited = await pull(client, uri, first.result_id)
    assert edited.kind == "full" and not edited.items and edited.result_id != first.result_id


async def test_a_pulling_client_gets_no_pushed_diagnostics(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path, pull=True)
    uri = open_document(client, tmp_path / "train.py", ADAM)
    assert codes((await pull(client, uri)).items) == ["TL103"]
    await settle(client)
    assert client.published == []


async def test_workspace_diagnostics_cover_every_python_file(client: Client, tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "train.py").write_text(ADAM)
    (tmp_path / "clean.py").write_text(CLEAN)
    (tmp_path / "notes.txt").write_text(ADAM)
    (tmp_path / ".venv" / "lib").mkdir(parents=True)
    (tmp_path / ".venv" / "lib" / "vendored.py").write_text(ADAM)
    result = await initialize(client, tmp_path, pull=True, options=WORKSPACE_SCOPE)
    assert result.capabilities.diagnostic_provider.workspace_diagnostics is True
    # An open document is reported as edited, with its version.
    opened = open_document(client, tmp_path / "clean.py", CLEAN + "opt = torch.optim.Adam([])\n", version=7)

    report = await client.workspace_diagnostic_async(lsp.WorkspaceDiagnosticParams(previous_result_ids=[]))
    by_uri = {item.uri: item for item in report.items}
    train = (tmp_path / "pkg" / "train.py").as_uri()
    assert set(by_uri) == {train, opened}
    assert codes(by_uri[train].items) == ["TL103"] and by_uri[train].version is None
    assert codes(by_uri[opened].items) == ["TL103"] and by_uri[opened].version == 7

    previous = [lsp.PreviousResultId(item.uri, item.result_id) for item in report.items]
    second = await client.workspace_diagnostic_async(lsp.WorkspaceDiagnosticParams(previous_result_ids=previous))
    assert {item.kind for item in second.items} == {"unchanged"}

    (tmp_path / "pkg" / "train.py").write_text(CLEAN + "\n")
    third = await client.workspace_diagnostic_async(lsp.WorkspaceDiagnosticParams(previous_result_ids=previous))
    kinds = {item.uri: item.kind for item in third.items}
    assert kinds == {train: "full", opened: "unchanged"}
    assert [list(item.items) for item in third.items if item.uri == train] == [[]]


async def test_the_workspace_scan_reports_its_progress(client: Client, tmp_path: Path) -> None:
    for index in range(3):
        (tmp_path / f"train_{index}.py").write_text(ADAM)
    await initialize(client, tmp_path, pull=True, options=WORKSPACE_SCOPE)
    report = await client.workspace_diagnostic_async(lsp.WorkspaceDiagnosticParams(previous_result_ids=[]))
    assert sorted(codes(item.items) for item in report.items) == [["TL103"]] * 3
    [(_, values)] = client.progress_reports.items()
    assert values[0].kind == "begin" and values[0].title == "torchlint: checking the workspace"
    assert [(value.message, value.percentage) for value in values[1:-1]] == [
        ("0 of 3 files", 0),
        ("1 of 3 files", 33),
        ("2 of 3 files", 66),
    ]
    assert values[-1].kind == "end" and values[-1].message == "3 files checked"

    # Nothing changed: the next poll answers "unchanged" without a progress report.
    previous = [lsp.PreviousResultId(item.uri, item.result_id) for item in report.items]
    again = await client.workspace_diagnostic_async(lsp.WorkspaceDiagnosticParams(previous_result_ids=previous))
    assert {item.kind for item in again.items} == {"unchanged"} and len(client.progress_reports) == 1


async def test_a_bad_diagnostics_scope_is_reported_and_means_open_files(client: Client, tmp_path: Path) -> None:
    result = await initialize(client, tmp_path, pull=True, options={"diagnosticsScope": "everything"})
    assert result.capabilities.diagnostic_provider.workspace_diagnostics is False
    uri = open_document(client, tmp_path / "train.py", ADAM)
    assert codes((await pull(client, uri)).items) == ["TL103"]
    await eventually(lambda: any("diagnosticsScope" in message.message for message in client.log_messages))
    (warning,) = [message.message for message in client.log_messages if "diagnosticsScope" in message.message]
    assert warning == "torchlint: editor settings: diagnosticsScope must be 'openFiles' or 'workspace'; using 'openFiles'"


async def test_settings_change_asks_the_client_to_pull_again(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path, pull=True)
    uri = open_document(client, tmp_path / "train.py", ADAM)
    first = await pull(client, uri)
    client.set_configuration({"ignore": ["TL103"]}, section="torchlint")
    client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings=None))
    await eventually(lambda: client.diagnostic_refresh_count == 1)
    refreshed = await pull(client, uri, first.result_id)
    assert refreshed.kind == "full" and not refreshed.items
