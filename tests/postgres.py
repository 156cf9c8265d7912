"""A throwaway PostgreSQL server for tests: initdb in a temporary folder, listening on loopback.

When the tests run as root the cluster belongs to ``nobody`` (PostgreSQL refuses to run as
root). The server is real — never a mock; ``.ci/run`` installs it from Debian's packages.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text


def binaries() -> Path | None:
    """The folder holding initdb and pg_ctl, if PostgreSQL is installed."""
    found = shutil.which("initdb")
    if found:
        return Path(os.path.realpath(found)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresServer:
    """initdb + pg_ctl start on 127.0.0.1:PORT; ``database()`` makes a fresh database per test."""

    def __init__(self, folder: Path) -> None:
        found = binaries()
        if found is None:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
        self.bin = found
        self.folder = folder
        self.data = folder / "data"
        self.port = _free_port()
        self.as_nobody = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        command = [*args]
        if self.as_nobody:
            command = ["runuser", "-u", "nobody", "--", *command]
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=120, cwd="/")

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.as_nobody:
            shutil.chown(self.folder, "nobody", "nogroup")
            self.folder.chmod(0o755)
            for parent in self.folder.parents:  # nobody must be able to reach the folder
                if parent == Path("/"):
                    break
                parent.chmod(parent.stat().st_mode | 0o011)
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "zhibu", "--auth=trust", "-E", "UTF8", "--locale=C"
        )
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50"
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.folder / "server.log"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://zhibu@127.0.0.1:{self.port}/{database}"

    def database(self) -> str:
        """Create an empty database and return its URL."""
        name = "zhibu_" + uuid.uuid4().hex[:10]
        engine = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return self.url(name)
