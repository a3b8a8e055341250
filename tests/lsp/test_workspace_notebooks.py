"""Notebooks for a client that pulls diagnostics (VS Code): the workspace scan (``diagnosticsScope``
"workspace") reads them as the CLI does, and an open notebook's cells get their findings pushed."""

from __future__ import annotations

import json
from pathlib import Path

from lsprotocol import types as lsp

from tests.lsp.harness import Client, codes, diagnostics, eventually, initialize, span
from tests.lsp.test_notebooks import Notebook

CELLS = [
    "import torch\n\nmodel = torch.nn.Linear(4, 2)\noptimizer = torch.optim.Adam(model.parameters(), lr=1e-3)\n",
    "x = torch.autograd.Variable(torch.ones(1))\n",
]


def notebook_json(sources: list[str], markdown_first: bool = True, language: str = "python") -> str:
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["# Explore\n"]}] if markdown_first else []
    for source in sources:
        lines = source.splitlines(keepends=True)
        cells.append({"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": lines})
    metadata = {"language_info": {"name": language}}
    return json.dumps({"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}, indent=1)


async def scan(client: Client) -> dict[str, lsp.WorkspaceFullDocumentDiagnosticReport]:
    report = await client.workspace_diagnostic_async(lsp.WorkspaceDiagnosticParams(previous_result_ids=[]))
    return {item.uri: item for item in report.items}


async def test_a_closed_notebook_is_reported_on_its_file_by_cell(client: Client, tmp_path: Path) -> None:
    path = tmp_path / "explore.ipynb"
    path.write_text(notebook_json(CELLS))
    await initialize(client, tmp_path, pull=True, notebooks=True, options={"diagnosticsScope": "workspace"})
    report = (await scan(client))[path.as_uri()]
    assert codes(report.items) == ["TL103", "TL120"]
    adam, variable = report.items
    # Cell numbers count every cell, as the CLI's (the markdown cell is cell 1); lines are the cell's.
    assert adam.message.startswith("cell 2: Use torch.optim.AdamW") and adam.range.start == span(3, 12).start
    assert variable.message.startswith("cell 3: ") and variable.range.start == span(0, 4).start


async def test_an_open_notebook_leaves_its_findings_to_its_cells(client: Client, tmp_path: Path) -> None:
    path = tmp_path / "train.ipynb"
    path.write_text(notebook_json(CELLS, markdown_first=False))
    await initialize(client, tmp_path, pull=True, notebooks=True, options={"diagnosticsScope": "workspace"})
    assert codes((await scan(client))[path.as_uri()].items) == ["TL103", "TL120"]
    Notebook(client, tmp_path, [("code", text) for text in CELLS])
    report = (await scan(client))[path.as_uri()]
    assert report.kind == "full" and list(report.items) == []


async def test_a_broken_notebook_is_a_warning(client: Client, tmp_path: Path) -> None:
    (tmp_path / "broken.ipynb").write_text('{"cells": [')
    julia = tmp_path / "julia.ipynb"
    julia.write_text(notebook_json(["x = torch.optim.Adam([])\n"], language="julia"))
    await initialize(client, tmp_path, pull=True, notebooks=True, options={"diagnosticsScope": "workspace"})
    reports = await scan(client)
    assert list(reports) == [julia.as_uri()] and list(reports[julia.as_uri()].items) == []
    await eventually(lambda: any("broken.ipynb: not valid notebook JSON" in m.message for m in client.log_messages))


async def test_an_open_notebooks_cells_get_pushed_diagnostics_from_a_pulling_server(client: Client, tmp_path: Path) -> None:
    # VS Code pulls only for documents opened with didOpen and shown in a tab: never for a cell.
    await initialize(client, tmp_path, pull=True, notebooks=True)
    notebook = Notebook(client, tmp_path, [("code", text) for text in CELLS])
    first, second = notebook.cells
    assert codes(await diagnostics(client, first, until=bool)) == ["TL103"]
    assert codes(await diagnostics(client, second, until=bool)) == ["TL120"]
    assert {published.uri for published in client.published} == {first, second}
