"""A digest morning delivered to a real local SMTP server, beside raw ``smtplib`` sending the same
messages over one connection in the same run."""

from __future__ import annotations

import smtplib
import socket
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.measure import SHANGHAI, Row, timed
from bench.orgs import Size, with_email_channel, write_org

PROVINCE_MESSAGES = 500_000  # a province's morning: one digest per member who has something due


class Sink:
    """A local SMTP server that accepts every message (aiosmtpd, on loopback)."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.count = 0
        self.lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
                with sink.lock:
                    sink.count += 1
                return "250 OK"

        with socket.socket() as probe:  # a free port (the controller checks it can connect to it)
            probe.bind(("127.0.0.1", 0))
            self._port = int(probe.getsockname()[1])
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self._port)

    def __enter__(self) -> Sink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    @property
    def port(self) -> int:
        return self._port


def _compose(config: Path, morning: datetime) -> Any:
    from scheduler.app import open_app
    from scheduler.engine.tick import tick

    app = open_app(config)
    tick(app, morning - timedelta(days=1), send=False)
    tick(app, morning, send=False)
    return app


def bench_delivery(size: Size, work: Path) -> Row:
    """Compose one morning's digests, then deliver them all to a local SMTP server; the baseline
    sends the same messages with smtplib over one connection."""
    from notifiers.channels import Message
    from notifiers.smtp import build
    from scheduler.engine.delivery import deliver
    from scheduler.store.models import OutboxRow

    morning = datetime(2026, 3, 30, 8, 31, tzinfo=SHANGHAI)  # a Monday near a month's and a quarter's end
    with Sink() as sink:
        org = work / "org"
        config = write_org(size, org)
        url = f"mailto://127.0.0.1:{sink.port}?from=zhibu@example.org"
        config.write_text(with_email_channel(config.read_text(encoding="utf-8"), url), encoding="utf-8")
        text = config.read_text(encoding="utf-8").replace("[notify]\n", '[notify]\ndelivery_budget = "1h"\n', 1)
        config.write_text(text, encoding="utf-8")
        app = _compose(config, morning)
        with app.store.reading() as session:
            rows = list(session.query(OutboxRow).filter(OutboxRow.status == "queued"))
            mails = [
                (
                    row.address or "",
                    build(
                        Message(row.title, row.body_text, row.body_html, row.body_markdown),
                        "zhibu@example.org",
                        "zhibu",
                        row.address or "",
                    ),
                )
                for row in rows
            ]

        def raw() -> None:
            with smtplib.SMTP("127.0.0.1", sink.port, timeout=30) as client:
                for address, mail in mails:
                    client.send_message(mail, from_addr="zhibu@example.org", to_addrs=[address])

        baseline, _ = timed(raw)
        received_raw = sink.count
        elapsed, report = timed(lambda: deliver(app, morning))
        received = sink.count - received_raw
        app.store.close()
    count = len(mails)
    zhibu_rate = report.sent / elapsed if elapsed else 0.0
    raw_rate = received_raw / baseline if baseline else 0.0
    province = PROVINCE_MESSAGES / zhibu_rate / 60 if zhibu_rate else float("inf")
    ratio = zhibu_rate / raw_rate if raw_rate else 0.0
    met = "✓" if ratio >= 1 and zhibu_rate >= 100 else "✗"
    return Row(
        "delivery, one digest morning",
        f"{size.name}, {count:,} messages",
        f"{report.sent:,} sent in {elapsed:.1f} s ({zhibu_rate:,.0f}/s; {received:,} received); "
        f"province of {PROVINCE_MESSAGES:,}: ~{province:.0f} min",
        f"raw smtplib, one connection: {received_raw:,} in {baseline:.1f} s ({raw_rate:,.0f}/s)",
        f"{ratio:.1f}× the raw rate",
        f"≥ 1× and ≥ 100/s {met}; city within 5 min; province within 60 min",
        "zhibu: claims in batches, 8 sender threads over reused SMTP connections, a store write per answer",
    )
