"""Reading LSP messages off a byte stream, so that a bad frame costs that frame only.

pygls 2.1 reads headers with a case-sensitive ``Content-Length: N`` and trusts the length:
``content-length`` (header names are case-insensitive), a length too short or too long, or
junk between messages left its reader waiting for a header that never came, deaf even to
``exit``. :class:`Frames` takes the header case-insensitively, skips a frame without a usable
length, finds the next header after junk, and ends a body that is not one JSON object (it
ran into the next message, or stopped arriving) where its JSON value ends.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import threading
from collections.abc import Callable
from functools import partial
from typing import BinaryIO

_HEADER_END = re.compile(rb"\r?\n\r?\n")
_LENGTH = re.compile(rb"content-length[ \t]*:[ \t]*([^\r\n]*)", re.IGNORECASE)
#: A body that stops arriving before its declared length is taken as it is after this long.
STALL_S = 1.0
#: Junk kept while looking for a header; older junk is dropped.
MAX_JUNK = 1 << 20
_CHUNK = 1 << 16
#: Chunks read ahead of the messages handled: the client waits (on the pipe) beyond that.
_READ_AHEAD = 4


class Frames:
    """The bodies of the messages on ``stream``, read by a thread of its own."""

    def __init__(self, stream: BinaryIO, on_error: Callable[[str], None]) -> None:
        self._stream = stream
        self._on_error = on_error
        self._buffer = bytearray()
        self._chunks: asyncio.Queue[bytes] = asyncio.Queue()
        self._room = threading.Semaphore(_READ_AHEAD)
        self._eof = False
        loop = asyncio.get_running_loop()
        threading.Thread(target=self._read, args=(loop,), name="torchlint-stdin", daemon=True).start()

    def _read(self, loop: asyncio.AbstractEventLoop) -> None:
        # The file descriptor itself where there is one: a daemon thread blocked in a buffered
        # reader holds its lock, and the interpreter aborts on that lock at exit.
        try:
            fd = self._stream.fileno()
            read: Callable[[int], bytes] = partial(os.read, fd)
        except (OSError, AttributeError, io.UnsupportedOperation):
            read = getattr(self._stream, "read1", self._stream.read)
        while True:
            self._room.acquire()
            try:
                chunk = read(_CHUNK)
            except (OSError, ValueError):
                chunk = b""
            try:
                loop.call_soon_threadsafe(self._chunks.put_nowait, chunk)
            except RuntimeError:  # the loop is closed: the server has stopped (exit), nobody reads on
                return
            if not chunk:
                return

    async def _more(self, timeout: float | None = None) -> bool:
        """Append the next chunk to the buffer; False at the end of the stream or after ``timeout``."""
        if self._eof:
            return False
        try:
            chunk = await asyncio.wait_for(self._chunks.get(), timeout)
        except asyncio.TimeoutError:
            return False
        self._room.release()
        if not chunk:
            self._eof = True
            return False
        self._buffer += chunk
        return True

    async def next(self) -> bytes | None:
        """The next message body (perhaps not JSON: the protocol answers that), None at the end."""
        while True:
            end = _HEADER_END.search(self._buffer)
            if end is None:
                if len(self._buffer) > MAX_JUNK:
                    del self._buffer[: len(self._buffer) - MAX_JUNK // 2]
                if not await self._more():
                    return None
                continue
            header = bytes(self._buffer[: end.start()])
            del self._buffer[: end.end()]
            lengths = _LENGTH.findall(header)
            if not lengths:
                self._on_error(f"a message header without Content-Length was skipped: {_shown(header)}")
                continue
            value = lengths[-1].strip()  # the last one: junk before a header is not a header
            if not value.isdigit():
                self._on_error(f"a message with the bad Content-Length {_shown(value)} was skipped")
                continue
            return await self._body(int(value))

    async def _body(self, length: int) -> bytes:
        while len(self._buffer) < length and await self._more(STALL_S):
            pass
        body = bytes(self._buffer[:length])
        del self._buffer[:length]
        if len(body) < length or not body.rstrip().endswith(b"}"):  # a JSON object ends with "}"
            body, rest = _split(body)
            if rest.strip():
                self._on_error(f"a message was shorter than its Content-Length {length}; read up to its end")
                self._buffer[:0] = rest
        return body


def _split(body: bytes) -> tuple[bytes, bytes]:
    """``body`` cut where its JSON value ends (the rest may be the next message's header)."""
    try:
        text = body.decode("utf-8")
        _, end = json.JSONDecoder().raw_decode(text, len(text) - len(text.lstrip()))
    except ValueError:
        return body, b""
    rest = text[end:].encode("utf-8")
    return body[: len(body) - len(rest)], rest


def _shown(data: bytes) -> str:
    return repr(data[:80].decode("utf-8", "replace"))
