"""pygls' language server protocol, with the repairs pygls 2.1 needs.

* **Documents keep LSP's lines**: the workspace is an :class:`~torchlint.lsp.documents.LspWorkspace`.
* **Notifications leave nothing behind.** ``JsonRPCProtocol._execute_handler`` files the future
  of every generator handler (all of pygls' built-in handlers: ``didOpen``, ``didChange``,
  ``didSave``, ``didClose``, the notebook ones, ``initialized``...) and of every async or
  threaded handler such a generator yields to in ``_request_futures``, keyed by a fresh uuid.
  Only client requests (``_send_handler_result``), cancellations and responses ever take
  entries out, so each notification left a done ``concurrent.futures.Future`` (with its
  condition and lock) there for good: 2-3 KB of memory per keystroke. Here every future filed
  is taken out once it is done.
* **Every request is answered**: a body that is not JSON gets -32700, one that is not a
  JSON-RPC message -32600, a request whose params do not deserialize -32602 (pygls logged
  these and answered nothing), a request after ``shutdown`` -32600 (pygls dropped it).
  Messages are read by :class:`~torchlint.lsp.framing.Frames`, which outlives bad frames.
* **didChange for a document never opened** is the client's mistake: one warning per document,
  not an internal error on every change.
* **A cancel for a request already answered is silent**: VS Code cancels requests whose answer
  it no longer needs (a pull of diagnostics after another keystroke, a hover), often while the
  answer is on its way; pygls logged a warning for each.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Generator
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from typing import Any, BinaryIO
from urllib.parse import unquote

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import RPCRequest
from pygls.protocol.language_server import lsp_method
from pygls.workspace import Workspace

from .documents import LspWorkspace
from .framing import Frames

PARSE_ERROR = lsp.ErrorCodes.ParseError
INVALID_REQUEST = lsp.ErrorCodes.InvalidRequest
INVALID_PARAMS = lsp.ErrorCodes.InvalidParams


@dataclass(frozen=True)
class Rejected:
    """A message that cannot be handled, and the error that answers it (when it has an id)."""

    id: int | str | None
    code: int
    message: str
    #: It is a response to one of the server's requests (never answered, but its future fails).
    response: bool = False


class TorchlintProtocol(LanguageServerProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._warned_unopened: set[str] = set()
        self._exiting = False

    @property
    def workspace(self) -> Workspace:
        """pygls makes a plain workspace at ``initialize``; it is replaced before any document opens."""
        workspace = super().workspace
        if not isinstance(workspace, LspWorkspace):
            self._workspace = workspace = LspWorkspace.adopt(workspace)
        return workspace

    @property
    def shut_down(self) -> bool:
        """Whether the client sent ``shutdown``."""
        return self._shutdown

    def warn(self, message: str) -> None:
        self.notify(lsp.WINDOW_LOG_MESSAGE, lsp.LogMessageParams(lsp.MessageType.Warning, f"torchlint: {message}"))

    # -- reading ---------------------------------------------------------------------------

    async def serve(self, stream: BinaryIO, stop: threading.Event) -> None:
        """Handle the messages on ``stream`` until it ends, ``stop`` is set or the client says ``exit``."""
        frames = Frames(stream, self.warn)
        while not stop.is_set() and (body := await frames.next()) is not None:
            self.receive(body)
            await asyncio.sleep(0)  # let the handlers started run before the next message, as pygls' reader does

    def receive(self, body: bytes) -> None:
        try:
            message = json.loads(body, object_hook=self.structure_message)
        except ValueError as error:  # not UTF-8, or not JSON
            self._reject(Rejected(None, PARSE_ERROR, f"Parse error: {error}"))
            return
        if isinstance(message, Rejected):
            self._reject(message)
        elif getattr(message, "jsonrpc", None) != self.VERSION:
            self._reject(Rejected(_id_of(message), INVALID_REQUEST, "Invalid request: not a JSON-RPC 2.0 message"))
        else:
            try:
                self.handle_message(message)
            except Exception as error:  # noqa: BLE001 - logged as pygls' reader does; the server goes on
                self._server._report_server_error(error, JsonRpcException)

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException:
            msg_id = _id_of(data)
            if "method" in data:
                return Rejected(msg_id, INVALID_PARAMS, f"Invalid params for {data['method']!r}")
            return Rejected(msg_id, INVALID_REQUEST, "Invalid request", response="result" in data or "error" in data)

    def handle_message(self, message: Any) -> None:
        if self._shutdown and isinstance(message, RPCRequest) and message.method != lsp.EXIT:
            self._reject(Rejected(message.id, INVALID_REQUEST, f"{message.method} after shutdown"))
            return
        super().handle_message(message)

    def _reject(self, rejected: Rejected) -> None:
        error = lsp.ResponseError(rejected.code, rejected.message)
        if rejected.response:
            if rejected.id is not None:
                self._handle_response(rejected.id, error=error)
        elif rejected.id is not None:
            self._send_response(rejected.id, error=error)
        elif rejected.code in (PARSE_ERROR, INVALID_REQUEST):  # answered with "id": null, as JSON-RPC says
            self._send_data({"jsonrpc": self.VERSION, "id": None, "error": self._converter.unstructure(error)})
        else:
            self.warn(f"a notification was dropped: {rejected.message}")

    @lsp_method(lsp.SHUTDOWN)
    def lsp_shutdown(self, *args: Any) -> Generator[Any, Any, None]:
        """pygls' ``shutdown``, cancelling the requests still running over a copy of the table: a
        cancelled request's callback takes it out of the table, which pygls was iterating over."""
        if (user_handler := self.fm.features.get(lsp.SHUTDOWN)) is not None:
            yield user_handler, args, None
        current_id = self.msg_id
        for msg_id, future in list(self._request_futures.items()):
            if msg_id != current_id and not future.done():
                future.cancel()
        self._shutdown = True

    @lsp_method(lsp.EXIT)
    def lsp_exit(self, *args: Any) -> Generator[Any, Any, None]:
        self._exiting = True  # pygls closes the output: an answer still on its way would fail
        yield from super().lsp_exit(*args)

    def _send_data(self, data: Any) -> None:
        if not self._exiting:
            super()._send_data(data)

    def _handle_cancel_notification(self, msg_id: Any) -> None:
        if msg_id in self._request_futures:
            super()._handle_cancel_notification(msg_id)

    # -- documents -------------------------------------------------------------------------

    @lsp_method(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: lsp.DidChangeTextDocumentParams) -> Generator[Any, Any, None]:
        uri = params.text_document.uri
        if unquote(uri) not in self.workspace.text_documents:
            if uri not in self._warned_unopened:
                self._warned_unopened.add(uri)
                self.warn(f"didChange for {uri}, which was never opened (didOpen), ignored")
            return
        yield from super().lsp_text_document__did_change(params)

    # -- the request-future table ----------------------------------------------------------

    def _execute_handler(self, msg_id, handler, callback, args=None, kwargs=None) -> None:
        super()._execute_handler(msg_id, handler, callback, args, kwargs)
        future = self._request_futures.get(msg_id)
        if future is not None:
            future.add_done_callback(partial(self._forget_later, msg_id, _running_loop()))

    def _forget_later(self, msg_id: Any, loop: asyncio.AbstractEventLoop | None, future: Future) -> None:
        # On the event loop, never at once: ``shutdown`` cancels the futures while it iterates
        # over ``_request_futures``, and a concurrent future runs its callbacks in ``cancel()``.
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._forget, msg_id, future)
        else:
            self._forget(msg_id, future)

    def _forget(self, msg_id: Any, future: Future) -> None:
        if self._request_futures.get(msg_id) is future:
            del self._request_futures[msg_id]


def _id_of(message: object) -> int | str | None:
    msg_id = message.get("id") if isinstance(message, dict) else getattr(message, "id", None)
    return msg_id if isinstance(msg_id, (int, str)) and not isinstance(msg_id, bool) else None


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
