"""Evidence files (minutes, photos): copied into the store's evidence folder, named by their
sha256, and referred to from the completion by that hash — so the record keeps what was shown
even if the original is changed, moved or deleted. Web addresses (http, https) are kept as
references; ``file://`` and other schemes, and paths that do not exist, are refused."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from workflows.errors import UsageError

PREFIX = "sha256:"
WEB = re.compile(r"^https?://", re.IGNORECASE)
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
CHUNK = 1 << 20


def digest_of(path: Path) -> str:
    """The sha256 of a file's bytes, read in chunks."""
    hasher = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(CHUNK):
            hasher.update(block)
    return hasher.hexdigest()


def reference(digest: str, name: str) -> str:
    """How a completion refers to an evidence file: ``sha256:<hex> <original name>``."""
    return f"{PREFIX}{digest} {name}"


def parse_reference(text: str) -> tuple[str, str] | None:
    """(digest, name) of an evidence reference, None for a web address or an older path."""
    if not text.startswith(PREFIX):
        return None
    digest, _, name = text.removeprefix(PREFIX).partition(" ")
    return digest, name


def keep(folder: Path, item: str) -> str:
    """Store ``item`` (a file path or a web address) as evidence; return its reference."""
    if WEB.match(item):
        return item
    if SCHEME.match(item) and not re.match(r"^[A-Za-z]:[\\/]", item):
        raise UsageError("evidence.scheme", item=item)
    source = Path(item).expanduser()
    if not source.is_file():
        raise UsageError("task.attachment_missing", path=item)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    digest = digest_of(source)
    target = folder / digest
    if not target.exists():
        fd, name = tempfile.mkstemp(prefix=".incoming.", dir=folder)  # 0600
        try:
            with os.fdopen(fd, "wb") as out, source.open("rb") as src:
                shutil.copyfileobj(src, out, CHUNK)
            if digest_of(Path(name)) != digest:  # the file changed while it was copied
                raise UsageError("evidence.changed", path=item)
            os.replace(name, target)
        finally:
            Path(name).unlink(missing_ok=True)
    return reference(digest, source.name)


def keep_all(folder: Path, items: Iterable[str]) -> list[str]:
    """Every item kept, in order."""
    return [keep(folder, item) for item in items]


@dataclass(frozen=True)
class Missing:
    """An evidence file a completion refers to that is absent or whose bytes changed."""

    completion_id: int
    digest: str
    name: str
    reason: str  # "missing" | "changed"


def check(folder: Path, records: Iterable[tuple[int, Sequence[str]]]) -> list[Missing]:
    """Every evidence reference of ``records`` (completion id, attachments) checked on disk."""
    problems = []
    for completion_id, attachments in records:
        for text in attachments or ():
            parsed = parse_reference(text)
            if parsed is None:
                continue
            digest, name = parsed
            path = folder / digest
            if not path.is_file():
                problems.append(Missing(completion_id, digest, name, "missing"))
            elif digest_of(path) != digest:
                problems.append(Missing(completion_id, digest, name, "changed"))
    return problems
