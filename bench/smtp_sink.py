"""A local SMTP server in a process of its own that accepts every message: what the delivery
benchmark sends to (``python -m bench.smtp_sink``: prints its port, then on SIGTERM how many
messages it received)."""

from __future__ import annotations

import signal
import socket
import sys
import threading
from typing import Any


def main() -> None:
    from aiosmtpd.controller import Controller

    received = 0
    lock = threading.Lock()

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook
            nonlocal received
            with lock:
                received += 1
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    print(port, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    controller.stop()
    print(received, flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
