"""The server's standard error (the editor's torchlint log) stays quiet in ordinary use, restarts included."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import threading
from pathlib import Path

from tests.lsp.harness import SERVER_COMMAND
from torchlint.lsp.framing import Frames


def frame_bytes(message: dict) -> bytes:
    body = json.dumps({"jsonrpc": "2.0", **message}).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def send(server: subprocess.Popen, message: dict) -> None:
    server.stdin.write(frame_bytes(message))  # type: ignore[union-attr]
    server.stdin.flush()  # type: ignore[union-attr]


def answer(server: subprocess.Popen, msg_id: int) -> dict:
    """The server's messages up to its answer to the request ``msg_id``."""
    while True:
        headers = {}
        while line := server.stdout.readline().strip():  # type: ignore[union-attr]
            name, _, value = line.decode().partition(":")
            headers[name.lower()] = value.strip()
        message = json.loads(server.stdout.read(int(headers["content-length"])))  # type: ignore[union-attr]
        if message.get("id") == msg_id and "method" not in message:
            return message


def test_cancelling_an_answered_request_logs_nothing(tmp_path: Path) -> None:
    # VS Code cancels requests whose answer it no longer needs (a hover, a pull of diagnostics
    # after another keystroke), often once the answer is on its way: pygls warned of each.
    uri = tmp_path.as_uri()
    server = subprocess.Popen(SERVER_COMMAND, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    send(server, {"id": 1, "method": "initialize", "params": {"processId": None, "rootUri": uri, "capabilities": {}}})
    answer(server, 1)
    send(server, {"method": "initialized", "params": {}})
    settings = {"command": "torchlint.showEffectiveSettings", "arguments": [f"{uri}/train.py"]}
    send(server, {"id": 2, "method": "workspace/executeCommand", "params": settings})
    assert answer(server, 2)["result"]["path"] == str(tmp_path / "train.py")
    for answered in (1, 2, 99):
        send(server, {"method": "$/cancelRequest", "params": {"id": answered}})
    send(server, {"id": 3, "method": "shutdown"})
    answer(server, 3)
    send(server, {"method": "exit"})
    _, stderr = server.communicate(timeout=30)
    assert server.returncode == 0
    assert stderr.decode() == ""



def test_the_reader_thread_stops_quietly_once_the_loop_is_closed(monkeypatch) -> None:
    # After ``exit`` the event loop closes while the thread reading standard input may still get
    # the client's last bytes (or the end of input): that printed a traceback on restarts.
    failures: list[threading.ExceptHookArgs] = []
    monkeypatch.setattr(threading, "excepthook", failures.append)
    read_end, write_end = os.pipe()
    loop = asyncio.new_event_loop()

    async def start() -> Frames:
        return Frames(os.fdopen(read_end, "rb", buffering=0), lambda message: None)

    loop.run_until_complete(start())
    (reader,) = [thread for thread in threading.enumerate() if thread.name == "torchlint-stdin"]
    loop.close()
    os.write(write_end, frame_bytes({"method": "exit"}))
    os.close(write_end)
    reader.join(timeout=10)
    assert not reader.is_alive()
    assert failures == []
