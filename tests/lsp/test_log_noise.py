"""The server's standard error (the editor's torchlint log) stays quiet in ordinary use."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.lsp.harness import SERVER_COMMAND


def send(server: subprocess.Popen, message: dict) -> None:
    body = json.dumps({"jsonrpc": "2.0", **message}).encode()
    server.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))  # type: ignore[union-attr]
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
