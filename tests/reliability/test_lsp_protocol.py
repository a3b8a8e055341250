"""Protocol edge cases: every request is answered, no bad frame makes the server deaf, and
``exit`` ends it with the status LSP asks for.

pygls 2.1 answered nothing to a body that was not JSON (-32700), not a JSON-RPC message
(-32600) or a request whose params did not deserialize (-32602), dropped requests after
``shutdown``, lost every later message after a lower-case ``content-length`` or a wrong length,
and exited 0 on ``exit`` without ``shutdown``. These tests speak bytes to the server process.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest
from lsprotocol import types as lsp

from tests.lsp.harness import SERVER_COMMAND, Client, eventually, full_change, initialize, open_document

TIMEOUT_S = 20.0


class Raw:
    """The server process, written to and read from frame by frame."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(SERVER_COMMAND, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self._buffer = b""

    def send(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def message(self, timeout: float = TIMEOUT_S) -> dict:
        """The next message the server sends (a well-formed frame: the server's side is pygls')."""
        deadline = time.monotonic() + timeout
        while True:
            header, found, rest = self._buffer.partition(b"\r\n\r\n")
            if found:
                length = int(header.split(b"Content-Length: ")[1].split(b"\r\n")[0])
                if len(rest) >= length:
                    self._buffer = rest[length:]
                    return json.loads(rest[:length])
            assert time.monotonic() < deadline, f"no message within {timeout}s (read so far: {self._buffer[:200]!r})"
            assert self.process.stdout is not None
            chunk = os.read(self.process.stdout.fileno(), 65536)
            assert chunk, "the server closed its output"
            self._buffer += chunk

    def response(self, msg_id: int | str | None) -> dict:
        """The response to ``msg_id`` (``None``: to a message without a usable id), skipping notifications."""
        while True:
            message = self.message()
            if "id" in message and "method" not in message:
                assert message["id"] == msg_id, message
                return message

    def request(self, msg_id: int, method: str, params: object = None) -> dict:
        self.send(frame({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params}))
        return self.response(msg_id)

    def initialize(self) -> None:
        assert "capabilities" in self.request(1, "initialize", {"processId": None, "rootUri": None, "capabilities": {}})["result"]
        self.send(frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))

    def exit_status(self) -> int:
        self.send(frame({"jsonrpc": "2.0", "method": "exit"}))
        return self.process.wait(TIMEOUT_S)

    def shut_down_cleanly(self, msg_id: int = 99) -> None:
        """The server still answers and still obeys ``exit``: the proof that it is not deaf."""
        assert self.request(msg_id, "shutdown") == {"jsonrpc": "2.0", "id": msg_id, "result": None}
        assert self.exit_status() == 0

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


def frame(message: object = None, body: bytes | None = None, header: str = "Content-Length", length: int | None = None) -> bytes:
    data = json.dumps(message).encode() if body is None else body
    return f"{header}: {len(data) if length is None else length}\r\n\r\n".encode() + data


@pytest.fixture
def raw():
    server = Raw()
    yield server
    server.close()


HOVER = {"textDocument": {"uri": "file:///nowhere/train.py"}, "position": {"line": 0, "character": 0}}


def test_params_that_do_not_deserialize_get_invalid_params(raw: Raw) -> None:
    raw.initialize()
    answer = raw.request(2, "textDocument/hover", {"textDocument": 5})
    assert answer["error"]["code"] == -32602
    assert answer["error"]["message"] == "Invalid params for 'textDocument/hover'"
    assert raw.request(3, "textDocument/hover", HOVER) == {"jsonrpc": "2.0", "id": 3, "result": None}
    raw.shut_down_cleanly()


BAD_BODIES = [
    (b"{not json", None, -32700),
    (b"\xff\xfe{}", None, -32700),
    (b"[1, 2]", None, -32600),
    (b'"text"', None, -32600),
    (b"42", None, -32600),
    (b'{"id": 7, "method": "shutdown"}', 7, -32600),
    (b'{"jsonrpc": "1.0", "id": 8, "method": "shutdown"}', 8, -32600),
]


@pytest.mark.parametrize(("body", "msg_id", "code"), BAD_BODIES, ids=[body.decode("latin-1") for body, _, _ in BAD_BODIES])
def test_a_body_that_is_no_request_is_answered(raw: Raw, body: bytes, msg_id: int | None, code: int) -> None:
    raw.initialize()
    raw.send(frame(body=body))
    answer = raw.response(msg_id)
    assert answer["jsonrpc"] == "2.0" and "id" in answer and answer["error"]["code"] == code
    raw.shut_down_cleanly()


SHUTDOWN = json.dumps({"jsonrpc": "2.0", "id": 5, "method": "shutdown"}).encode()
READ, DROPPED, NOT_JSON = "read", "dropped", "not JSON"
#: A frame holding ``shutdown`` (id 5), spoilt, and what becomes of it.
FRAMING_ERRORS = {
    "lower-case header": (frame(body=SHUTDOWN, header="content-length"), READ),
    "upper-case header, other headers": (
        b"CONTENT-LENGTH: %d\r\ncontent-type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n%s" % (len(SHUTDOWN), SHUTDOWN),
        READ,
    ),
    "length too short": (frame(body=SHUTDOWN, length=len(SHUTDOWN) - 7), NOT_JSON),
    "length too long": (frame(body=SHUTDOWN, length=len(SHUTDOWN) + 9), READ),
    "length not a number": (b"Content-Length: 12x\r\n\r\n" + SHUTDOWN, DROPPED),
    "no length": (b"Content-Type: text/plain\r\n\r\n" + SHUTDOWN, DROPPED),
    "junk before the header": (b"\x00junk\r\nmore junk " + frame(body=SHUTDOWN), READ),
}


@pytest.mark.parametrize(("data", "outcome"), FRAMING_ERRORS.values(), ids=FRAMING_ERRORS.keys())
def test_a_framing_error_leaves_the_server_listening(raw: Raw, data: bytes, outcome: str) -> None:
    """Whatever became of the bad frame, the next request is answered and ``exit`` obeyed."""
    raw.initialize()
    raw.send(data)
    time.sleep(0.1)
    if outcome == READ:
        assert raw.response(5) == {"jsonrpc": "2.0", "id": 5, "result": None}
        assert raw.request(6, "textDocument/hover", HOVER)["error"]["code"] == -32600  # after shutdown
        assert raw.exit_status() == 0
        return
    if outcome == NOT_JSON:
        assert raw.response(None)["error"]["code"] == -32700
    assert raw.request(6, "textDocument/hover", HOVER) == {"jsonrpc": "2.0", "id": 6, "result": None}
    raw.shut_down_cleanly()


def test_a_length_too_long_ends_at_the_next_message(raw: Raw) -> None:
    """The body is cut where its JSON ends, and the message after it is read whole."""
    raw.initialize()
    hover = json.dumps({"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": HOVER}).encode()
    after = frame({"jsonrpc": "2.0", "id": 3, "method": "textDocument/hover", "params": HOVER})
    raw.send(frame(body=hover, length=len(hover) + 20) + after)
    assert raw.response(2)["result"] is None
    assert raw.response(3)["result"] is None
    raw.shut_down_cleanly()


def test_a_length_too_long_at_the_end_is_read_once_the_body_stops(raw: Raw) -> None:
    raw.initialize()
    raw.send(frame(body=SHUTDOWN, length=len(SHUTDOWN) + 40))
    assert raw.response(5) == {"jsonrpc": "2.0", "id": 5, "result": None}
    assert raw.exit_status() == 0


def test_a_request_after_shutdown_is_refused(raw: Raw) -> None:
    raw.initialize()
    assert raw.request(2, "shutdown")["result"] is None
    answer = raw.request(3, "textDocument/hover", HOVER)
    assert answer["error"]["code"] == -32600
    assert answer["error"]["message"] == "textDocument/hover after shutdown"
    assert raw.exit_status() == 0


def test_exit_without_shutdown_exits_1(raw: Raw) -> None:
    raw.initialize()
    assert raw.exit_status() == 1


def test_exit_after_shutdown_exits_0(raw: Raw) -> None:
    raw.initialize()
    raw.shut_down_cleanly()


async def test_did_change_for_an_unopened_document_is_one_warning(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    ghost = (tmp_path / "ghost.py").as_uri()
    for version in (2, 3, 4):
        full_change(client, ghost, version, "import torch\n")
    other = (tmp_path / "other.py").as_uri()
    full_change(client, other, 2, "x = 1\n")
    uri = open_document(client, tmp_path / "seen.py", "import torch\n")
    await eventually(lambda: any(uri in str(params) for params in client.published))  # all handled by now
    messages = [(m.type, m.message) for m in client.log_messages if "never opened" in m.message or "internal error" in m.message]
    assert messages == [
        (lsp.MessageType.Warning, f"torchlint: didChange for {ghost}, which was never opened (didOpen), ignored"),
        (lsp.MessageType.Warning, f"torchlint: didChange for {other}, which was never opened (didOpen), ignored"),
    ]
