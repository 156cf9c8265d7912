"""One command sent through the service's socket, run in a process of its own.

The service accepts a connection and starts ``python -m scheduler.cli.served --fd N`` with
that connection as its file descriptor N. The worker asks the kernel who is at the other end
(SO_PEERCRED on that very socket — nothing the caller typed or set), makes that login the
operator, runs the command against the service's config and store, and streams its output and
exit code back. Started by hand, it has no connection whose peer it could choose.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import socket
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scheduler.cli.remote import SERVICE_OWN
from scheduler.service import wire

OUTPUT_OPTIONS = {"-o", "--output"}


class FrameStream(io.TextIOBase):
    """A text stream whose writes go to the client as frames of one kind (``out`` or ``err``)."""

    def __init__(self, connection: socket.socket, kind: str, renamed: dict[str, str] | None = None) -> None:
        self.connection, self.kind, self.renamed = connection, kind, renamed or {}

    def writable(self) -> bool:
        return True

    def write(self, text: str | bytes) -> int:
        if isinstance(text, bytes | bytearray):  # click may write encoded bytes
            text = bytes(text).decode("utf-8", "replace")
        for local, asked in self.renamed.items():  # say the caller's paths, not the service's
            text = text.replace(local, asked)
        if text:
            wire.send(self.connection, {self.kind: text})
        return len(text)

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def isatty(self) -> bool:
        return False


def refused_options(argv: Sequence[str]) -> list[str]:
    """Options a caller may not give through the socket (the service's config and store)."""
    return [arg for arg in argv if arg.split("=", 1)[0] in SERVICE_OWN]


def materialize(argv: list[str], files: dict[str, Any], folder: Path) -> list[str]:
    """The arguments with each file the client sent written into ``folder`` and its path put in
    place of the client's (the service cannot read the caller's files)."""
    result = list(argv)
    for index_text, sent in files.items():
        index = int(index_text)
        name = Path(str(sent.get("name") or "file")).name or "file"
        target = folder / str(index) / name
        target.parent.mkdir()
        target.write_bytes(wire.decode(str(sent["data"])))
        if 0 <= index < len(result):
            result[index] = str(target)
    return result


def redirect_outputs(argv: list[str], folder: Path) -> tuple[list[str], dict[str, str]]:
    """Output files (``-o PATH``) written into ``folder`` instead, and sent back to be written
    where the caller asked: returns the arguments and {local path: the caller's path}."""
    result, outputs = list(argv), {}
    for index, arg in enumerate(result[:-1]):
        if arg in OUTPUT_OPTIONS:
            asked = result[index + 1]
            local = folder / f"out-{index}{Path(asked).suffix}"
            outputs[str(local)] = asked
            result[index + 1] = str(local)
    return result, outputs


def serve(connection: socket.socket, config: Path) -> int:
    """Read the request, run it as the peer, stream the answer; the exit code."""
    from scheduler.actions import operator

    operator.act_as_peer(wire.peer_uid(connection))
    request = next(wire.frames(connection), None)
    if request is None:
        return 2
    argv = [str(arg) for arg in request.get("argv", [])]
    refused = refused_options(argv)
    if refused:
        wire.send(connection, {"err": f"zhibu: {', '.join(refused)}: the service uses its own config and store\n"})
        return 2
    lang = request.get("lang")
    with tempfile.TemporaryDirectory(prefix="zhibu-request-") as temporary:
        folder = Path(temporary)
        argv = materialize(argv, dict(request.get("files") or {}), folder)
        argv, outputs = redirect_outputs(argv, folder)
        command = ["--config", str(config), *(["--lang", lang] if lang else []), *argv]
        code = run_cli(connection, command, outputs)
        for local, asked in outputs.items():
            if Path(local).exists():
                wire.send(connection, {"file": {"path": asked, "data": wire.encode(Path(local).read_bytes())}})
    return code


def run_cli(connection: socket.socket, argv: list[str], renamed: dict[str, str]) -> int:
    """``zhibu ARGV`` in this process, its output going to the client (``renamed`` paths said as
    the caller named them)."""
    from scheduler.cli import main
    from scheduler.cli.translated import speak

    out, err = FrameStream(connection, "out", renamed), FrameStream(connection, "err", renamed)
    speak("en" if "--lang" in argv and argv[argv.index("--lang") + 1] == "en" else "zh")
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main.main(args=argv, prog_name="zhibu", standalone_mode=True)
        except SystemExit as done:
            return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    return 0


def main(arguments: Sequence[str] | None = None) -> int:
    """Serve the connection handed over as ``--fd``."""
    parser = argparse.ArgumentParser(prog="python -m scheduler.cli.served", description=__doc__)
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--config", type=Path, required=True)
    args = parser.parse_args(arguments)
    connection = socket.socket(fileno=args.fd)
    try:
        code = serve(connection, args.config)
        wire.send(connection, {"exit": code})
    except (OSError, ValueError) as error:
        print(f"zhibu worker: {error}", file=sys.stderr)
        return 1
    finally:
        with contextlib.suppress(OSError):
            connection.shutdown(socket.SHUT_RDWR)
        connection.close()
    return 0


if __name__ == "__main__":
    os.umask(0o077)
    raise SystemExit(main())
