"""A real ``zhibu run`` process for tests: its output collected line by line, a notify socket
bound for it, and waits that poll with deadlines (never a bare sleep)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path


def zhibu_executable() -> str:
    beside = Path(sys.executable).parent / "zhibu"
    found = str(beside) if beside.exists() else shutil.which("zhibu")
    assert found, "the zhibu executable is not installed: pip install -e '.[test]'"
    return found


def ticks_of(pid: int) -> list[int]:
    """The pids of the tick processes of the service ``pid``: forked by its warm worker."""
    workers = [child for child in children_of(pid) if "scheduler.service.warm" in _cmdline(child)]
    return [tick for worker in workers for tick in children_of(worker)]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def children_of(pid: int) -> list[int]:
    """The pids of the live processes whose parent is ``pid`` (read from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it ended while we looked
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_until(condition: Callable[[], bool], timeout: float = 30, step: float = 0.1) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        threading.Event().wait(step)
    return True


class SteppedClock:
    """A clock a test moves by hand (``ZHIBU_CLOCK=file:…``): the service's time is the instant
    last written, whatever the machine's load, so nothing depends on how fast a tick runs."""

    def __init__(self, folder: Path, instant: str) -> None:
        self.path = folder / "now"
        self.set(instant)
        self.env = {"ZHIBU_CLOCK": f"file:{self.path}"}

    def set(self, instant: str) -> None:
        """Move the clock to ``instant`` (ISO 8601 with its offset)."""
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(instant, encoding="utf-8")
        temporary.replace(self.path)


class NotifySocket:
    """A datagram socket standing in for systemd's NOTIFY_SOCKET."""

    def __init__(self, folder: Path) -> None:
        self.path = str(folder / "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.messages: list[str] = []

    def wait_for(self, text: str, timeout: float = 30) -> bool:
        """Receive datagrams until one contains ``text`` or the deadline passes."""
        deadline = time.monotonic() + timeout
        while not any(text in m for m in self.messages):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self.sock.settimeout(remaining)
            try:
                self.messages.append(self.sock.recv(4096).decode())
            except TimeoutError:
                return False
        return True

    def close(self) -> None:
        self.sock.close()


class DaemonProcess:
    """``zhibu --config CONFIG run ARGS`` in the background."""

    def __init__(self, config: Path, *args: str, env: dict[str, str] | None = None, replace_env: bool = False) -> None:
        full_env = dict(env or {}) if replace_env else {**os.environ, **(env or {})}
        full_env.pop("ZHIBU_CONFIG", None)
        self.proc = subprocess.Popen(
            [zhibu_executable(), "--config", str(config), "run", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=full_env,
        )
        self.lines: list[str] = []
        self.changed = threading.Condition()
        self.readers = [
            threading.Thread(target=self._read, args=(stream,), daemon=True)
            for stream in (self.proc.stdout, self.proc.stderr)
        ]
        for reader in self.readers:
            reader.start()

    def _read(self, stream: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            with self.changed:
                self.lines.append(line.rstrip("\n"))
                self.changed.notify_all()

    def wait_for_line(self, predicate: Callable[[str], bool], timeout: float = 60, after: int = 0) -> str | None:
        """The first line (from index ``after``) that matches, waiting up to ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for line in self.lines[after:]:
                    if predicate(line):
                        return line
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self.proc.poll() is not None and not any(r.is_alive() for r in self.readers)):
                    return None
                self.changed.wait(min(remaining, 0.5))

    def count(self, predicate: Callable[[str], bool]) -> int:
        with self.changed:
            return sum(1 for line in self.lines if predicate(line))

    def signal(self, signum: int) -> None:
        self.proc.send_signal(signum)

    def wait(self, timeout: float = 60) -> int:
        code = self.proc.wait(timeout=timeout)
        for reader in self.readers:
            reader.join(timeout=5)
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)
        for reader in self.readers:
            reader.join(timeout=5)

    @property
    def output(self) -> str:
        with self.changed:
            return "\n".join(self.lines)
