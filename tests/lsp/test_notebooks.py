"""Notebooks through notebook document sync: cells analysed as one module, results mapped back to cells."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as lsp

from tests.lsp.harness import Client, apply_workspace_edit, codes, diagnostics, edited_uris, initialize, settle, span

IMPORTS = "import torch\nfrom torch.optim import Adam\n"
NOTES = "# Training\nThe optimizer below."
TRAIN = "%matplotlib inline\nmodel = torch.nn.Linear(2, 2)\n!nvidia-smi\nopt = Adam(model.parameters())"


class Notebook:
    """A notebook as VS Code syncs it: cells are text documents with their own uris."""

    def __init__(self, client: Client, folder: Path, cells: list[tuple[str, str]]) -> None:
        self.client = client
        path = folder / "train.ipynb"
        self.uri = path.as_uri()
        self.cells = [f"vscode-notebook-cell:{path}#W{index}sZmlsZQ%3D%3D" for index in range(len(cells))]
        self.texts = {uri: text for uri, (_, text) in zip(self.cells, cells, strict=True)}
        self.version = 1
        kinds = {"code": lsp.NotebookCellKind.Code, "markdown": lsp.NotebookCellKind.Markup}
        client.notebook_document_did_open(
            lsp.DidOpenNotebookDocumentParams(
                lsp.NotebookDocument(
                    uri=self.uri,
                    notebook_type="jupyter-notebook",
                    version=1,
                    cells=[lsp.NotebookCell(kinds[kind], uri) for uri, (kind, _) in zip(self.cells, cells, strict=True)],
                ),
                [
                    lsp.TextDocumentItem(uri, "python" if kind == "code" else "markdown", 1, text)
                    for uri, (kind, text) in zip(self.cells, cells, strict=True)
                ],
            )
        )

    def _change(self, cells: lsp.NotebookDocumentCellChanges) -> None:
        self.version += 1
        self.client.notebook_document_did_change(
            lsp.DidChangeNotebookDocumentParams(
                lsp.VersionedNotebookDocumentIdentifier(self.version, self.uri),
                lsp.NotebookDocumentChangeEvent(cells=cells),
            )
        )

    def edit(self, index: int, rng: lsp.Range, text: str) -> None:
        document = lsp.VersionedTextDocumentIdentifier(version=self.version + 1, uri=self.cells[index])
        change = lsp.TextDocumentContentChangePartial(range=rng, text=text)
        self._change(lsp.NotebookDocumentCellChanges(text_content=[lsp.NotebookDocumentCellContentChanges(document, [change])]))

    def delete(self, index: int) -> None:
        structure = lsp.NotebookDocumentCellChangeStructure(
            array=lsp.NotebookCellArrayChange(start=index, delete_count=1),
            did_close=[lsp.TextDocumentIdentifier(self.cells[index])],
        )
        self._change(lsp.NotebookDocumentCellChanges(structure=structure))


async def open_notebook(client: Client, tmp_path: Path, cells: list[tuple[str, str]], **options) -> Notebook:
    result = await initialize(client, tmp_path, notebooks=True, **options)
    assert result.capabilities.notebook_document_sync is not None
    return Notebook(client, tmp_path, cells)


async def test_cells_are_one_module_and_findings_land_in_their_cell(client: Client, tmp_path: Path) -> None:
    notebook = await open_notebook(client, tmp_path, [("code", IMPORTS), ("markdown", NOTES), ("code", TRAIN)])
    first, _, last = notebook.cells
    # `Adam` in the last cell resolves through the import of the first one.
    (item,) = await diagnostics(client, last, until=bool)
    assert item.code == "TL103" and item.range == span(3, 6, 3, 10)
    assert await diagnostics(client, first) == []
    await settle(client)
    assert "TL000" not in {code for p in client.published for code in codes(p.diagnostics)}  # magics are masked
    assert notebook.cells[1] not in {p.uri for p in client.published}


async def test_editing_a_cell_updates_its_diagnostics(client: Client, tmp_path: Path) -> None:
    notebook = await open_notebook(client, tmp_path, [("code", "import torch\n"), ("code", "opt = torch.optim.Adam([])\n")])
    await diagnostics(client, notebook.cells[1], until=bool)
    seen = len(client.published)
    notebook.edit(1, span(0, 22), "W")
    assert await diagnostics(client, notebook.cells[1], after=seen) == []


async def test_quick_fix_edits_every_cell_it_touches(client: Client, tmp_path: Path) -> None:
    notebook = await open_notebook(client, tmp_path, [("code", IMPORTS), ("markdown", NOTES), ("code", TRAIN)])
    first, _, last = notebook.cells
    (item,) = await diagnostics(client, last, until=bool)
    context = lsp.CodeActionContext(diagnostics=[item])
    params = lsp.CodeActionParams(lsp.TextDocumentIdentifier(last), item.range, context)
    actions = await client.text_document_code_action_async(params)
    fix = await client.code_action_resolve_async(actions[0])
    assert fix.title == "torchlint (TL103): Replace Adam with AdamW (unsafe)"
    assert sorted(edited_uris(fix.edit)) == sorted([first, last])
    texts = apply_workspace_edit(notebook.texts, fix.edit)
    assert texts[first] == "import torch\nfrom torch.optim import AdamW\n"
    assert texts[last] == TRAIN.replace("Adam(model.parameters())", "AdamW(model.parameters(), weight_decay=0.0)")  # magics kept


async def test_disable_comment_goes_into_the_cell(client: Client, tmp_path: Path) -> None:
    notebook = await open_notebook(client, tmp_path, [("code", IMPORTS), ("code", TRAIN)])
    (item,) = await diagnostics(client, notebook.cells[1], until=bool)
    context = lsp.CodeActionContext(diagnostics=[item])
    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(lsp.TextDocumentIdentifier(notebook.cells[1]), item.range, context)
    )
    disable = await client.code_action_resolve_async(actions[-1])
    texts = apply_workspace_edit(notebook.texts, disable.edit)
    assert edited_uris(disable.edit) == [notebook.cells[1]]
    assert texts[notebook.cells[1]].splitlines()[3] == "opt = Adam(model.parameters())  # torchlint: disable=TL103"


async def test_deleting_a_cell_clears_its_diagnostics(client: Client, tmp_path: Path) -> None:
    notebook = await open_notebook(client, tmp_path, [("code", "import torch\n"), ("code", "opt = torch.optim.Adam([])\n")])
    await diagnostics(client, notebook.cells[1], until=bool)
    seen = len(client.published)
    notebook.delete(1)
    assert await diagnostics(client, notebook.cells[1], after=seen) == []


async def test_a_syntax_error_stays_in_its_cell(client: Client, tmp_path: Path) -> None:
    notebook = await open_notebook(client, tmp_path, [("code", "import torch\n"), ("code", "for x in y\n    pass\n")])
    (item,) = await diagnostics(client, notebook.cells[1], until=bool)
    assert item.code == "TL000" and item.range.start.line == 0
    assert await diagnostics(client, notebook.cells[0]) == []


async def test_pulled_diagnostics_of_a_cell(client: Client, tmp_path: Path) -> None:
    notebook = await open_notebook(client, tmp_path, [("code", IMPORTS), ("code", TRAIN)], pull=True)
    report = await client.text_document_diagnostic_async(
        lsp.DocumentDiagnosticParams(lsp.TextDocumentIdentifier(notebook.cells[1]))
    )
    assert [(d.code, d.range) for d in report.items] == [("TL103", span(3, 6, 3, 10))]
