"""The one way exports reach the disk: written beside the target and renamed over it, readable by
its owner only (0600): a 台账 holds names, phones and dues."""

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
        with os.fdopen(fd, "wb") as stream:  # mkstemp made it 0600
            stream.write(data)
        os.replace(temporary, target)
        temporary = None
    except OSError as error:
        raise UsageError("report.unwritable", path=target, reason=error.strerror or error) from None
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
