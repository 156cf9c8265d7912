"""The service's Unix socket: where people who cannot write the store send their commands.

The socket is 0660 and belongs to the ``[daemon] socket_group`` group, so membership of that group
is what lets an operator in; who they are is read from the kernel for each connection by the
process that serves it (:mod:`scheduler.cli.served`), started here with the connection handed
over as a file descriptor. Light on purpose: it runs inside the service, which imports nothing
heavy.
"""

from __future__ import annotations

import contextlib
import grp
import logging
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger("zhibu")
MAX_WORKERS = 8  # commands served at once; more wait in the listen queue


class Listener:
    """Accepts connections on ``path`` and starts a served command for each."""

    def __init__(self, path: Path, group: str, worker_argv: Callable[[int], list[str]], env: dict[str, str]) -> None:
        self.path, self.group, self.worker_argv, self.env = path, group, worker_argv, env
        self.server: socket.socket | None = None
        self.slots = threading.BoundedSemaphore(MAX_WORKERS)
        self.workers: list[subprocess.Popen[bytes]] = []

    def start(self) -> bool:
        """Bind and listen (False, logged, when the socket's folder does not exist)."""
        if not self.path.parent.is_dir():
            log.info("no socket: %s does not exist; only local users who can write the store record", self.path.parent)
            return False
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # a socket left by a service that was killed
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o117)  # 0660 from the start: no moment where others could connect
        try:
            server.bind(str(self.path))
        finally:
            os.umask(old)
        self._give_to_group()
        server.listen(32)
        self.server = server
        threading.Thread(target=self._accept, name="socket", daemon=True).start()
        log.info("listening on %s (group %s)", self.path, self.group)
        return True

    def _give_to_group(self) -> None:
        try:
            gid = grp.getgrnam(self.group).gr_gid
            if self.path.stat().st_gid != gid:  # under systemd it is the service's own group already
                os.chown(self.path, -1, gid)
        except KeyError:
            log.warning("group %s does not exist: only %s may use %s", self.group, os.getuid(), self.path)
        except PermissionError as error:
            log.warning("cannot give %s to group %s: %s", self.path, self.group, error)
        os.chmod(self.path, 0o660)

    def _accept(self) -> None:
        assert self.server is not None
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return  # closed by stop()
            self.slots.acquire()
            try:
                self._serve(connection)
            finally:
                connection.close()  # the worker holds its own copy

    def _serve(self, connection: socket.socket) -> None:
        descriptor = connection.fileno()
        try:
            worker = subprocess.Popen(
                self.worker_argv(descriptor), pass_fds=(descriptor,), env=self.env, stdin=subprocess.DEVNULL
            )
        except OSError as error:
            self.slots.release()
            log.error("cannot start a process for a socket request: %s", error)
            return
        self.workers.append(worker)
        threading.Thread(target=self._reap, args=(worker,), daemon=True).start()

    def _reap(self, worker: subprocess.Popen[bytes]) -> None:
        try:
            worker.wait()
        finally:
            self.slots.release()
            with contextlib.suppress(ValueError):
                self.workers.remove(worker)

    def stop(self) -> None:
        """Stop accepting; commands in progress finish."""
        if self.server is not None:
            self.server.close()
            self.server = None
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()


def worker_command(config: Path) -> Callable[[int], list[str]]:
    """The command line of the process that serves a connection given as a descriptor."""
    return lambda descriptor: [
        sys.executable,
        "-m",
        "scheduler.cli.served",
        "--fd",
        str(descriptor),
        "--config",
        str(config),
    ]
