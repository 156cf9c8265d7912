"""The one way exports reach the disk: written beside the target and renamed over it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from workflows.errors import UsageError


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, renamed over it at
    the end: readers see the old file or the new one, and a failure leaves neither half."""
    target = path.expanduser()
    temporary: Path | None = None
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        temporary = Path(name)
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
        temporary = None
    except OSError as error:
        raise UsageError("report.unwritable", path=target, reason=error.strerror or error) from None
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
