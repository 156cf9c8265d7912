"""A warm worker: ticks forked from a process that has already imported zhibu and parsed the config.

A tick's own process used to start an interpreter, import SQLAlchemy, pydantic and the rest, and
parse the config and its roster files — about a second of CPU at every tick, most of it for
nothing when nothing changed. ``zhibu run`` now starts one worker (``python -m
scheduler.service.warm``) that imports all of that once and keeps the parsed config; for each
order it checks whether the config's text and the files it reads (roster files, ``url_file``s)
are still the same bytes — a file's size and times first, its SHA-256 only when those moved —
parses again only when something changed, and forks a child that runs the order exactly as a
spawned ticker would (:func:`scheduler.service.ticker.carry_out`) and exits. What a tick
allocates still goes back to the system when it ends, and a tick that crashes fails alone.

The service and the worker talk over a Unix socket pair: an order is a JSON line sent with the
write end of a fresh pipe (SCM_RIGHTS), on which the child writes its result; the worker answers
``{"started": pid}`` when it has forked and ``{"ended": pid, "code": n}`` when it has reaped. The
child is its own session (signals from a terminal reach the service only); the service signals
or kills it by pid. A worker whose service is gone exits, and its children with it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import queue
import select
import signal
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scheduler.service.ticker import EXIT_ORPHANED, Order, Outcome

if TYPE_CHECKING:
    from workflows.config.load import LoadedConfig

START_TIMEOUT = 30.0  # seconds for the worker to fork a child before the order is given up


@dataclass
class Forked:
    """A tick's process forked by the worker: what the service needs to stop it."""

    pid: int

    def send_signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


@dataclass
class WarmWorker:
    """The service's side: starts the worker and runs orders through it."""

    process: subprocess.Popen[bytes] | None = None
    sock: socket.socket | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    events: dict[int, queue.Queue[dict[str, Any]]] = field(default_factory=dict)
    started: queue.Queue[dict[str, Any]] = field(default_factory=queue.Queue)

    def start(self) -> None:
        """Start the worker (it imports in the background; the first order waits for it)."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        command = [sys.executable, "-m", "scheduler.service.warm", "--fd", str(theirs.fileno())]
        self.process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, pass_fds=(theirs.fileno(),), start_new_session=True
        )
        theirs.close()
        self.sock = ours
        threading.Thread(target=self._read, args=(ours,), daemon=True).start()

    def _read(self, sock: socket.socket) -> None:
        with sock.makefile("rb") as lines:
            for line in lines:
                event = json.loads(line)
                if "started" in event:
                    self.started.put(event)
                else:
                    self.events.setdefault(event["ended"], queue.Queue()).put(event)
        self.started.put({"started": None})  # the worker is gone: whoever waits stops waiting

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def run(self, order: Order, children: list[Any] | None = None, budget: float | None = None) -> Outcome | None:
        """Run ``order`` in a forked child; None when the worker cannot take it (then the service
        spawns a ticker as before)."""
        if self.sock is None or not self.alive():
            return None
        read_end, write_end = os.pipe()
        try:
            with self.lock:  # one order at a time on the socket, and its "started" is this one's
                try:
                    socket.send_fds(self.sock, [order.to_line()], [write_end])
                except OSError:
                    return None
                finally:
                    os.close(write_end)
                try:
                    pid = self.started.get(timeout=START_TIMEOUT)["started"]
                except queue.Empty:
                    pid = None
            if pid is None:
                return None
            return self._wait(Forked(pid), read_end, children, budget)
        finally:
            os.close(read_end)

    def _wait(self, child: Forked, read_end: int, children: list[Any] | None, budget: float | None) -> Outcome:
        if children is not None:
            children.append(child)
        ended = self.events.setdefault(child.pid, queue.Queue())
        finished, overran = threading.Event(), threading.Event()
        if budget is not None:

            def kill_when_late() -> None:
                if not finished.wait(budget):
                    overran.set()
                    child.kill()

            threading.Thread(target=kill_when_late, daemon=True).start()
        with os.fdopen(os.dup(read_end), "rb") as report:
            data = report.read()
        try:
            code = int(ended.get(timeout=START_TIMEOUT)["code"])
        except queue.Empty:
            code = -1
        finished.set()
        self.events.pop(child.pid, None)
        if children is not None:
            children.remove(child)
        return Outcome.of(data, code, budget if overran.is_set() else None)

    def close(self) -> None:
        """End the worker (its children, if any, end with it)."""
        if self.sock is not None:
            self.sock.close()
        if self.process is not None:
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class CachedConfig:
    """The parsed config and what it was parsed from."""

    text_hash: str
    loaded: LoadedConfig
    files: dict[Path, tuple[tuple[int, int, int, int], str]]  # path → (stat signature, sha256)


def _signature(path: Path) -> tuple[int, int, int, int]:
    info = path.stat()
    return (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def _digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _inputs(loaded: LoadedConfig) -> list[Path]:
    """The files a parse of the config read besides the config itself."""
    config, base = loaded.config, loaded.directory
    files = [base / name for name in config.roster.files]
    files += [base / Path(c.url_file).expanduser() for c in config.channels.values() if c.url_file]
    return files


class ConfigCache:
    """The last parsed config, reused while its text and the files it read are the same bytes."""

    def __init__(self) -> None:
        self.entry: CachedConfig | None = None

    def _unchanged(self, entry: CachedConfig) -> bool:
        for path, (signature, digest) in entry.files.items():
            try:
                now = _signature(path)
                if now != signature:  # touched: the same bytes all the same?
                    if _digest(path) != digest:
                        return False
                    entry.files[path] = (now, digest)
            except OSError:
                return False
        return True

    def get(self, text: str, path: Path) -> tuple[LoadedConfig | None, bool]:
        """The config parsed from ``text`` (at ``path``) and whether an earlier order had parsed
        it (nothing it was read from changed since); None when it does not parse (the child
        parses it again and reports why, as any tick does)."""
        from scheduler.app import parse_checked
        from workflows.errors import ZhibuError

        text_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
        entry = self.entry
        if entry is not None and entry.text_hash == text_hash and self._unchanged(entry):
            return entry.loaded, True
        self.entry = None
        try:
            loaded = parse_checked(text, path)
            # taken after the parse: a file written during it is seen (by its digest) at the next order
            files = {p: (_signature(p), _digest(p)) for p in _inputs(loaded) if p.exists()}
        except (ZhibuError, OSError):
            return None, False
        self.entry = CachedConfig(text_hash, loaded, files)
        return loaded, False


def _warm_up(loaded: LoadedConfig, order: Order) -> None:
    """Derive here, once per config, what every tick derives from the config alone — the store's
    dialect — so that the children find it built. The holiday calendar is not built here: each
    tick takes its year tables from the store (:func:`scheduler.store.meta.recall_calendar`),
    and the holidays package's ~10 MB of modules stay out of the worker and its children."""
    from sqlalchemy.engine import make_url

    from scheduler.app import store_url

    try:
        make_url(store_url(loaded, order.db_url)).get_dialect()
    except Exception:  # a bad URL is the tick's to report, in its own words
        return


def _child(order: Order, report_fd: int, loaded: LoadedConfig | None, reused: bool, worker: int) -> None:
    """In the forked child: become a ticker for one order, then exit."""
    from scheduler import clock
    from scheduler.service.logs import setup
    from scheduler.service.ticker import carry_out

    started = clock.wall_clock()
    os.setsid()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)

    def exit_when_orphaned() -> None:
        while not stop.wait(1.0):
            if os.getppid() != worker:
                os._exit(EXIT_ORPHANED)

    threading.Thread(target=exit_when_orphaned, daemon=True).start()
    redacting = setup(order.log_format)
    result = carry_out(order, stop, redacting, started, loaded=loaded, reused=reused)
    with os.fdopen(report_fd, "w", encoding="utf-8") as report:
        report.write(json.dumps(result, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0 if result["ok"] else 1)


def _receive(sock: socket.socket, pending: bytearray) -> tuple[bytes, list[int]] | None:
    """The next order line and the descriptors sent with it; None at the end of the socket."""
    fds: list[int] = []
    while b"\n" not in pending:
        data, got, _flags, _address = socket.recv_fds(sock, 1 << 20, 4)
        fds += got
        if not data:
            return None
        pending += data
    line, _, rest = bytes(pending).partition(b"\n")
    pending[:] = rest
    return line, fds


def serve(fd: int) -> int:
    """The worker: import, then fork a child per order until the service closes the socket."""
    import gc

    import scheduler.engine.tick
    import scheduler.service.ticker  # noqa: F401

    sock = socket.socket(fileno=fd)
    cache = ConfigCache()

    def say(event: dict[str, Any]) -> None:
        sock.sendall(json.dumps(event).encode("utf-8") + b"\n")

    def reap() -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            say({"ended": pid, "code": os.waitstatus_to_exitcode(status)})

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the service decides; its children get its signals
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    wake_read, wake_write = os.pipe()  # a child's end wakes the loop (through the C signal handler)
    os.set_blocking(wake_write, False)
    signal.signal(signal.SIGCHLD, lambda _signum, _frame: None)
    signal.set_wakeup_fd(wake_write)
    pending = bytearray()
    while True:
        ready, _, _ = select.select([sock.fileno(), wake_read], [], [])
        if wake_read in ready:
            os.read(wake_read, 4096)
            reap()
        if sock.fileno() not in ready:
            continue
        received = _receive(sock, pending)
        if received is None:
            break
        line, fds = received
        order = Order(**json.loads(line))
        loaded, reused = cache.get(order.config_text, Path(order.config_path))
        if loaded is not None and not reused:
            _warm_up(loaded, order)
        gc.freeze()  # what the worker holds stays out of the children's collections (and unshared pages)
        pid = os.fork()
        if pid == 0:
            signal.set_wakeup_fd(-1)
            for own in (sock.fileno(), wake_read, wake_write):
                os.close(own)
            _child(order, fds[0], loaded, reused, os.getppid())
        gc.unfreeze()
        for extra in fds:
            os.close(extra)
        say({"started": pid})
        reap()
    return 0


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(prog="python -m scheduler.service.warm", description=__doc__)
    parser.add_argument("--fd", type=int, required=True)
    raise SystemExit(serve(parser.parse_args().fd))
