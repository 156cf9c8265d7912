"""The systemd notify protocol, spoken directly over its socket (no dependency, and a no-op
when not run by systemd): READY=1, STATUS=…, WATCHDOG=1, STOPPING=1, RELOADING=1."""

from __future__ import annotations

import os
import socket


def notify(*assignments: str) -> bool:
    """Send ``KEY=VALUE`` lines to systemd; False when there is no notify socket."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]  # an abstract socket
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.connect(address)
            sock.sendall("\n".join(assignments).encode("utf-8"))
    except OSError:
        return False
    return True


def watchdog_seconds() -> float | None:
    """The watchdog period systemd asked for (WatchdogSec=), if it is meant for this process."""
    usec = os.environ.get("WATCHDOG_USEC")
    pid = os.environ.get("WATCHDOG_PID")
    if not usec or (pid and pid != str(os.getpid())):
        return None
    try:
        return int(usec) / 1_000_000
    except ValueError:
        return None
