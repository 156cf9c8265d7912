"""Logs for a service: stderr lines that journald reads (with syslog priorities when journald
is listening), or JSON lines with ``--log-format json``. Every line passes a redacting filter,
so no channel URL, password or bot key reaches the journal."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterable
from datetime import UTC, datetime

from notifiers.redact import redact_text

LOGGER = "zhibu"
_PRIORITY = {logging.DEBUG: 7, logging.INFO: 6, logging.WARNING: 4, logging.ERROR: 3, logging.CRITICAL: 2}


class Redacting(logging.Filter):
    """Masks the secrets of the configured channel URLs in every record."""

    def __init__(self, urls: Iterable[str] = ()) -> None:
        super().__init__()
        self.urls = list(urls)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_text(record.getMessage(), self.urls)
        record.args = ()
        return True


class SkippedTicks(logging.Filter):
    """Drops APScheduler's "skipped: maximum number of running instances reached": a tick that
    outlasts the interval makes the next wait, by design (one tick at a time), and on a fast
    simulated clock that would be a line every half second."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in record.getMessage()


class JournalFormatter(logging.Formatter):
    """``<6>message`` under journald (it keeps its own timestamps), ``LEVEL message`` otherwise."""

    def __init__(self) -> None:
        super().__init__()
        self.journald = bool(os.environ.get("JOURNAL_STREAM"))

    def format(self, record: logging.LogRecord) -> str:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        if self.journald:
            return f"<{_PRIORITY.get(record.levelno, 6)}>{text}"
        return f"{record.levelname} {text}"


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        # the log's own timestamp is the real wall clock, not the (possibly simulated) task clock
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "msg": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def setup(log_format: str, urls: Iterable[str] = (), level: int = logging.INFO) -> Redacting:
    """Send zhibu's and apprise's logs to stderr in ``log_format`` (``text`` or ``json``)."""
    redacting = Redacting(urls)
    for name, lvl in ((LOGGER, level), ("apprise", logging.WARNING), ("apscheduler", logging.WARNING)):
        # a handler per logger, with its own level: apprise raises its logger to DEBUG while it
        # captures a send's details, and those details belong in the outbox, not the journal
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter() if log_format == "json" else JournalFormatter())
        handler.addFilter(redacting)
        if name == "apscheduler":
            handler.addFilter(SkippedTicks())
        handler.setLevel(lvl)
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(lvl)
        logger.propagate = False
    return redacting
