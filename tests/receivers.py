"""Real receivers on loopback for delivery tests: an SMTP server (aiosmtpd) and an HTTP server."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session


@dataclass
class Mail:
    """One message as the SMTP server received it."""

    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["subject"])

    def part(self, subtype: str) -> str:
        """The decoded text/plain or text/html part."""
        for part in self.message.walk():
            if part.get_content_type() == f"text/{subtype}":
                return str(part.get_content())
        raise AssertionError(f"no text/{subtype} part in {self.subject!r}")


@dataclass
class SmtpHandler:
    """Stores every accepted message; refuses the next ``refuse`` with a temporary 451."""

    received: list[Mail] = field(default_factory=list)
    refuse: int = 0
    refused: int = 0
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    connected: threading.Event = field(default_factory=threading.Event)

    def wait_for_connection(self, timeout: float) -> bool:
        """Wait until a client has sent a message's data (or the deadline passes)."""
        return self.connected.wait(timeout)

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.connected.set()
        if self.delay:
            await asyncio.sleep(self.delay)  # a slow server, in simulated network time
        with self.lock:
            if self.refuse > 0:
                self.refuse -= 1
                self.refused += 1
                return "451 4.3.0 Mail server temporarily unavailable, try again later"
            raw = envelope.original_content or envelope.content or b""
            message = email.message_from_bytes(
                raw if isinstance(raw, bytes) else raw.encode(), policy=email.policy.default
            )
            assert isinstance(message, EmailMessage)
            self.received.append(Mail(str(envelope.mail_from), [str(r) for r in envelope.rcpt_tos], message))
        return "250 OK"


class Authenticator:
    """Accepts one user and password (AUTH LOGIN/PLAIN over plain SMTP, on loopback only)."""

    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user.encode(), password.encode()

    def __call__(self, server: Any, session: Session, envelope: Envelope, mechanism: str, auth_data: Any) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == self.user
            and auth_data.password == self.password
        )
        return AuthResult(success=ok, handled=False)


def free_port() -> int:
    """A loopback port nobody listens on now (aiosmtpd needs the number before it binds)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpServer:
    """An aiosmtpd server on 127.0.0.1, started and stopped by the tests."""

    def __init__(self, *, user: str | None = None, password: str | None = None) -> None:
        self.handler = SmtpHandler()
        kwargs: dict[str, Any] = {}
        if user and password:
            kwargs = {"authenticator": Authenticator(user, password), "auth_require_tls": False, "auth_required": True}
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=free_port(), **kwargs)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    @property
    def port(self) -> int:
        return int(self.controller.port)

    @property
    def received(self) -> list[Mail]:
        return self.handler.received


@dataclass
class Hit:
    """One request the HTTP receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


class HttpReceiver:
    """A threaded HTTP server on 127.0.0.1 recording every POST; answers ``status``."""

    def __init__(self, status: int = 200) -> None:
        self.hits: list[Hit] = []
        self.status = status
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                receiver.hits.append(Hit(self.path, dict(self.headers.items()), self.rfile.read(length)))
                self.send_response(receiver.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"errcode": 0}')

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> HttpReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])


class BlackHole:
    """A TCP server on loopback that accepts connections and never says a word (an SMTP server
    gone silent), or — with ``drip`` — answers an HTTP request one byte every ``drip`` seconds,
    forever (a webhook that keeps a connection alive without ever finishing)."""

    def __init__(self, drip: float | None = None) -> None:
        self.drip = drip
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)
        self.connections: list[socket.socket] = []
        self.stopped = threading.Event()

    @property
    def port(self) -> int:
        return int(self.server.getsockname()[1])

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.connections.append(connection)
            if self.drip is not None:
                threading.Thread(target=self._drip, args=(connection,), daemon=True).start()

    def _drip(self, connection: socket.socket) -> None:
        chunks = [b"HTTP/1.1 200 OK\r\n", b"X-Slow: "] + [b"a"] * 10_000
        for chunk in chunks:
            if self.stopped.wait(self.drip or 0):
                return
            try:
                connection.sendall(chunk)
            except OSError:
                return

    def __enter__(self) -> BlackHole:
        threading.Thread(target=self._serve, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.server.close()
        for connection in self.connections:
            connection.close()
