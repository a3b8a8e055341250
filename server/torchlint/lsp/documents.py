"""The open Python documents and notebooks of the workspace, as sources for the engine."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote

from pygls.uris import to_fs_path
from pygls.workspace import TextDocument, Workspace

from .notebooks import notebook_source
from .sources import Source

PYTHON_SUFFIXES = (".py", ".pyi")


def is_python(document: TextDocument) -> bool:
    return document.language_id == "python" or document.uri.endswith(PYTHON_SUFFIXES)


class Documents:
    def __init__(self, workspace: Callable[[], Workspace]) -> None:
        self._workspace = workspace

    def open_document(self, uri: str) -> TextDocument | None:
        return self._workspace().text_documents.get(unquote(uri))

    def key(self, uri: str) -> str | None:
        """The source a document belongs to: its notebook's uri for a cell, else its own."""
        workspace = self._workspace()
        notebook = workspace.get_notebook_document(cell_uri=uri) or workspace.get_notebook_document(notebook_uri=uri)
        if notebook is not None:
            return notebook.uri
        document = self.open_document(uri)
        return uri if document is not None and is_python(document) else None

    def source(self, uri: str) -> Source | None:
        """What the engine analyses for a document, a notebook, or a notebook's cell."""
        workspace = self._workspace()
        notebook = workspace.get_notebook_document(cell_uri=uri) or workspace.get_notebook_document(notebook_uri=uri)
        if notebook is not None:
            return notebook_source(notebook, self.open_document)
        document = self.open_document(uri)
        if document is None or not is_python(document):
            return None
        return Source.document(document.uri, to_fs_path(document.uri), document.version, document.source)

    def keys(self) -> list[str]:
        """Every open Python document outside notebooks, and every open notebook."""
        workspace = self._workspace()
        documents = [
            document.uri
            for document in workspace.text_documents.values()
            if is_python(document) and workspace.get_notebook_document(cell_uri=document.uri) is None
        ]
        return documents + [notebook.uri for notebook in workspace.notebook_documents.values()]

    def sources(self) -> list[Source]:
        return [source for key in self.keys() if (source := self.source(key)) is not None]
