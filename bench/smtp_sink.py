"""A local SMTP server that accepts every message, as a real mail server does it: several
processes listening on one port (SO_REUSEPORT), the kernel spreading connections among them.
``python -m bench.smtp_sink PORT`` runs one of them: it serves until SIGTERM, then prints how
many messages it accepted."""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import Any


def main() -> None:
    from aiosmtpd.smtp import SMTP

    port = int(sys.argv[1])
    received = 0

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook
            nonlocal received
            received += 1
            return "250 OK"

    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(
        loop.create_server(lambda: SMTP(Handler(), hostname="127.0.0.1"), "127.0.0.1", port, reuse_port=True)
    )
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    print("ready", flush=True)
    loop.run_forever()
    server.close()
    print(received, flush=True)


if __name__ == "__main__":
    main()
