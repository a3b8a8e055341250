"""``torchlint.smokeRun`` over LSP: a real smoke run of a test script with ``$/progress``, the
Markdown the editor shows, and the code lens above the entry point."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from lsprotocol import types as lsp

from tests.lsp.harness import Client, initialize, open_document

pytest.importorskip("torch", reason="the smoke run needs torch (tests/requirements.txt)")
SMOKE_RUN = "torchlint.smokeRun"
SCRIPTS = Path(__file__).resolve().parent.parent / "smoke_scripts"


async def test_runs_a_script_with_progress_and_markdown(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    script = SCRIPTS / "plain_loop.py"
    arguments = {"uri": script.as_uri(), "python": sys.executable, "steps": 2, "timeout": 120, "args": ["ignored"]}
    result = await client.workspace_execute_command_async(lsp.ExecuteCommandParams(SMOKE_RUN, [arguments]))
    report = result["report"]
    assert report["ok"] is True and report["summary"] == "smoke run passed: 2 of 2 steps ran"
    assert report["script"] == str(script) and [step["batch_size"] for step in report["steps"]] == [16, 16]
    assert result["markdown"].startswith("# torchlint smoke run: passed\n\n`plain_loop.py` · 2 of 2 steps ran · cpu · ")
    assert f"  - [plain_loop.py:18]({script.as_uri()}#L18) TL101 " in result["markdown"]
    [(_, values)] = client.progress_reports.items()
    assert isinstance(values[0], lsp.WorkDoneProgressBegin) and values[0].title == "torchlint: smoke run"
    reports = [v.message for v in values if isinstance(v, lsp.WorkDoneProgressReport)]
    assert reports[0] == "starting plain_loop.py" and reports[1].startswith("step 1/2: loss ")
    assert isinstance(values[-1], lsp.WorkDoneProgressEnd) and values[-1].message == "smoke run passed: 2 of 2 steps ran"


async def test_a_failing_script_is_a_report(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    arguments = {"uri": (SCRIPTS / "never_steps.py").as_uri(), "steps": "many", "timeout": -1}
    result = await client.workspace_execute_command_async(lsp.ExecuteCommandParams(SMOKE_RUN, [arguments]))
    assert result["report"]["outcome"] == "no-step" and result["report"]["steps_asked"] == 5
    heading = "# torchlint smoke run: FAILED\n\n`never_steps.py` · the script ended without an optimizer step\n"
    assert result["markdown"].startswith(heading)


async def test_without_a_uri_there_is_nothing_to_run(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    assert await client.workspace_execute_command_async(lsp.ExecuteCommandParams(SMOKE_RUN, [{"steps": 2}])) is None


async def test_code_lens_above_the_entry_point(client: Client, tmp_path: Path) -> None:
    result = await initialize(client, tmp_path)
    assert SMOKE_RUN in result.capabilities.execute_command_provider.commands
    text = 'import torch\n\n\ndef main():\n    pass\n\n\nif __name__ == "__main__":\n    main()\n'
    text += '    if __name__ == "__main__":\n        pass\n'  # not at the top level
    uri = open_document(client, tmp_path / "train.py", text)
    lenses = await client.text_document_code_lens_async(lsp.CodeLensParams(lsp.TextDocumentIdentifier(uri)))
    assert list(lenses) == [
        lsp.CodeLens(
            lsp.Range(lsp.Position(7, 0), lsp.Position(7, 26)),
            lsp.Command("Smoke-run (5 steps)", SMOKE_RUN, arguments=({"uri": uri},)),
        )
    ]
    reversed_uri = open_document(client, tmp_path / "other.py", "if '__main__' == __name__:\n    pass\n")
    [lens] = await client.text_document_code_lens_async(lsp.CodeLensParams(lsp.TextDocumentIdentifier(reversed_uri)))
    assert lens.range == lsp.Range(lsp.Position(0, 0), lsp.Position(0, 26))
    plain = open_document(client, tmp_path / "lib.py", "def f():\n    return 1\n")
    assert not await client.text_document_code_lens_async(lsp.CodeLensParams(lsp.TextDocumentIdentifier(plain)))
