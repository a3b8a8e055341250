"""What the feature modules see of the language server: the :class:`Session` protocol.

The features (``code_actions``, ``completion``, ``diagnostics``, ``gpu_check``, ``hover``,
``sync``, ``workspace``) take a :class:`Session` and never import ``server.py``, which
imports them; :class:`torchlint.lsp.server.TorchlintServer` is the one implementation.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from concurrent.futures import Executor
from typing import Any, Protocol

from lsprotocol import types as lsp
from pygls.progress import Progress
from pygls.workspace import Workspace

from .analysis import Analyses, AnalysisFailed
from .capabilities import ClientFeatures
from .documents import Documents
from .settings import SettingsStore


class Session(Protocol):
    """One client's connection: its documents, settings, analyses and the way back to it."""

    #: What the client can do; set once, at ``initialize``.
    client: ClientFeatures

    @property
    def documents(self) -> Documents: ...

    @property
    def settings(self) -> SettingsStore: ...

    @property
    def analyses(self) -> Analyses: ...

    @property
    def executor(self) -> Executor:
        """Where the engine runs, off the event loop."""
        ...

    @property
    def ready(self) -> asyncio.Event:
        """Set once the client's settings are known (after ``initialized``)."""
        ...

    @property
    def workspace(self) -> Workspace:
        """pygls' workspace: folders, root and the position encoding agreed on."""
        ...

    @property
    def work_done_progress(self) -> Progress: ...

    @property
    def background_runs(self) -> dict[threading.Event, asyncio.Future]:
        """The GPU checks and smoke runs going: the event that cancels each, and its future."""
        ...

    def bind_loop(self) -> None:
        """Remember the running event loop, so that worker threads can log through it."""
        ...

    def log(self, message: str, kind: lsp.MessageType = lsp.MessageType.Info) -> None:
        """``window/logMessage``, from the event loop or from a worker thread."""
        ...

    def log_failure(self, failure: AnalysisFailed) -> None: ...

    def analyse(self, key: str, delay: float = 0.0) -> None:
        """Analyse a source and push its diagnostics (clients that pull ask for them instead)."""
        ...

    def close(self, key: str) -> None:
        """A document or notebook closed: withdraw its pushed diagnostics and forget its analysis."""
        ...

    def announce_workspace_diagnostics(self) -> None:
        """Answer ``workspace/diagnostic`` from now on; called in ``initialize``, before the capabilities are made."""
        ...

    def settings_changed(self) -> None:
        """Settings or a settings file changed: analyse every open document again."""
        ...

    def debounce(self, key: str) -> float:
        """The debounce of the document or notebook ``key``, in seconds."""
        ...

    # -- messages to the client (pygls' own methods) ----------------------------------

    def text_document_publish_diagnostics(self, params: lsp.PublishDiagnosticsParams) -> None: ...

    async def client_register_capability_async(self, params: lsp.RegistrationParams) -> None: ...

    async def workspace_configuration_async(self, params: lsp.ConfigurationParams) -> Sequence[Any | None]: ...
