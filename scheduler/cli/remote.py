"""Sending a command to the service when this user cannot write the store.

In a deployment the store and its secrets belong to the service's account; an operator is a
member of the socket's group. ``zhibu`` then sends its arguments (and the bytes of any file they
name) through the socket, prints what comes back and exits with the command's code; the service
reads who is asking from the kernel. Without a service — a laptop, the tests — or for someone
who can write the store, the command runs here. Imports stay light: this runs before click.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

from scheduler.store.urls import chosen_url, sqlite_file
from workflows.config.essentials import DEFAULT_SOCKET, read_essentials

SOCKET_ENV = "ZHIBU_SOCKET"  # where the socket is, for a user who cannot read the config
LOCAL_ONLY = {"init", "--help", "-h", "--version"}
FILE_OPTIONS = {"--attach"}
SERVICE_OWN = {"--config", "-c", "--db"}  # the service's config and store: never taken from a caller
GLOBAL_WITH_VALUE = SERVICE_OWN | {"--lang"}


def _option(args: Sequence[str], names: set[str]) -> str | None:
    for index, arg in enumerate(args):
        name, equals, value = arg.partition("=")
        if name in names:
            return value if equals else (args[index + 1] if index + 1 < len(args) else None)
    return None


def _command_index(args: Sequence[str]) -> int:
    """Where the command's own arguments start (after the global options)."""
    index = 0
    while index < len(args) and args[index].startswith("-"):
        takes_value = args[index] in GLOBAL_WITH_VALUE
        index += 2 if takes_value else 1
    return index


def socket_for(args: Sequence[str]) -> Path | None:
    """The service's socket when this command should go through it, else None."""
    start = _command_index(args)
    if start >= len(args) or args[start] in LOCAL_ONLY or set(args) & {"--help", "-h"}:
        return None
    config = Path(_option(args, {"--config", "-c"}) or os.environ.get("ZHIBU_CONFIG") or "zhibu.toml")
    readable = os.access(config, os.R_OK)
    named = os.environ.get(SOCKET_ENV)
    if readable and not named and not Path(DEFAULT_SOCKET).is_socket() and b"socket" not in config.read_bytes():
        return None  # the usual laptop: no service socket anywhere (and no TOML parsed for it)
    essentials = read_essentials(config) if readable else None
    path = Path(named or (essentials.socket if essentials else "") or DEFAULT_SOCKET)
    if essentials is not None and not path.is_absolute():
        path = essentials.directory / path
    if not path.is_socket():
        return None
    if essentials is None:
        return path  # the config is the service's: only it can act on it
    url = chosen_url(essentials.store_url, essentials.directory, _option(args, {"--db"}))
    database = sqlite_file(url)
    if database is None:
        return None  # another database: its credentials decide
    writable = os.access(database, os.W_OK) if database.exists() else os.access(database.parent, os.W_OK)
    return None if writable else path


def _files(args: list[str]) -> dict[str, dict[str, str]]:
    """The bytes of the files the arguments name, by position (attachments, a roster to import)."""
    from scheduler.service import wire

    sent: dict[str, dict[str, str]] = {}
    start = _command_index(args)
    for index, arg in enumerate(args):
        previous = args[index - 1] if index else ""
        roster = args[start : start + 2] == ["import", "people"] and index == start + 2
        if (previous in FILE_OPTIONS or roster) and Path(arg).is_file():
            sent[str(index)] = {"name": Path(arg).name, "data": wire.encode(Path(arg).read_bytes())}
    return sent


def forward(path: Path, args: list[str]) -> int:
    """Run ``zhibu ARGS`` through the service at ``path``; the command's exit code."""
    from scheduler.service import wire

    start = _command_index(args)
    lang = _option(args[:start], {"--lang"}) or os.environ.get("ZHIBU_LANG")
    request = {"argv": [a for a in _strip_globals(args[:start])] + args[start:], "lang": lang, "files": _files(args)}
    code = 3
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        try:
            connection.connect(str(path))
        except OSError as error:
            print(f"zhibu: 无法连接服务 {path}：{error.strerror} / cannot reach the service", file=sys.stderr)
            return 3
        wire.send(connection, request)
        connection.shutdown(socket.SHUT_WR)
        for frame in wire.frames(connection):
            if "out" in frame:
                sys.stdout.write(frame["out"])
            elif "err" in frame:
                sys.stderr.write(frame["err"])
            elif "file" in frame:
                target = Path(frame["file"]["path"])
                descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(descriptor, "wb") as stream:
                    stream.write(wire.decode(frame["file"]["data"]))
            elif "exit" in frame:
                code = int(frame["exit"])
    sys.stdout.flush()
    return code


def _strip_globals(globals_: Sequence[str]) -> list[str]:
    """The global options the service may take from a caller (the language; never config or store)."""
    kept, skip = [], False
    for arg in globals_:
        if skip:
            skip = False
            continue
        name = arg.partition("=")[0]
        if name in GLOBAL_WITH_VALUE:
            skip = "=" not in arg
            continue
        kept.append(arg)
    return kept
