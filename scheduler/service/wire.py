"""What the CLI and the service say to each other over the service's Unix socket: JSON lines.

The client sends one request — ``{"argv": [...], "lang": …, "files": {index: {"name", "data"}}}``,
with the bytes of the files its arguments name (an attachment, a roster), base64 — and reads
frames until the last: ``{"out": text}``, ``{"err": text}``, ``{"file": {"path", "data"}}`` for an
output file the client writes where it was asked to, and ``{"exit": code}``.

Nothing in a request says who is asking: the service reads that from the kernel (SO_PEERCRED).
"""

from __future__ import annotations

import base64
import json
import socket
import struct
from collections.abc import Iterator
from typing import Any

MAX_REQUEST = 64 << 20  # a roster or a few photos; a request past this is refused


def send(connection: socket.socket, frame: dict[str, Any]) -> None:
    """Write one frame."""
    connection.sendall(json.dumps(frame, ensure_ascii=False).encode() + b"\n")


def frames(connection: socket.socket, limit: int = MAX_REQUEST) -> Iterator[dict[str, Any]]:
    """Read frames until the peer closes; a line past ``limit`` bytes ends the stream."""
    buffer = b""
    while True:
        chunk = connection.recv(1 << 16)
        if not chunk:
            return
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            if line.strip():
                yield json.loads(line)
        if len(buffer) > limit:
            raise ValueError("frame too large")


def peer_uid(connection: socket.socket) -> int:
    """The uid of the process at the other end, as the kernel recorded it when it connected."""
    raw = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", raw)
    return int(uid)


def encode(data: bytes) -> str:
    """Bytes as frame text."""
    return base64.b64encode(data).decode("ascii")


def decode(text: str) -> bytes:
    """Frame text as bytes."""
    return base64.b64decode(text.encode("ascii"), validate=True)
