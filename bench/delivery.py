"""A digest morning delivered to a real local SMTP server, beside raw ``smtplib`` sending the same
messages over one connection in the same run."""

from __future__ import annotations

import signal
import smtplib
import socket
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.measure import SHANGHAI, Row, timed
from bench.orgs import Size, with_email_channel, write_org

PROVINCE_MESSAGES = 500_000  # a province's morning: one digest per member who has something due


class Sink:
    """A local SMTP server of a few processes on one port (as a real one is), accepting everything."""

    PROCESSES = 4

    def __enter__(self) -> Sink:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        root = Path(__file__).parent.parent
        command = [sys.executable, "-m", "bench.smtp_sink", str(self.port)]
        self.processes = [
            subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=root) for _ in range(self.PROCESSES)
        ]
        for process in self.processes:
            assert process.stdout is not None
            process.stdout.readline()  # "ready"
        return self

    def received(self) -> int:
        """Stop the servers; how many messages they accepted in all."""
        total = 0
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
            out, _ = process.communicate(timeout=60)
            total += int(out.strip().splitlines()[-1])
        return total

    def __exit__(self, *exc: object) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()


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
    org = work / "org"
    with Sink() as sink:
        config = write_org(size, org)
        url = f"mailto://127.0.0.1:{sink.port}?from=zhibu@example.org"
        config.write_text(with_email_channel(config.read_text(encoding="utf-8"), url), encoding="utf-8")
        text = config.read_text(encoding="utf-8").replace("[notify]\n", '[notify]\ndelivery_budget = "1h"\n', 1)
        config.write_text(text, encoding="utf-8")
        app = _compose(config, morning)
        with app.store.reading() as session:
            rows = [
                (row.address or "", Message(row.title, row.body_text, row.body_html, row.body_markdown))
                for row in session.query(OutboxRow).filter(OutboxRow.status == "queued")
            ]

        def raw() -> None:  # the same messages, built the same way, over one connection
            with smtplib.SMTP("127.0.0.1", sink.port, timeout=30) as client:
                for address, message in rows:
                    mail = build(message, "zhibu@example.org", "zhibu", address)
                    client.send_message(mail, from_addr="zhibu@example.org", to_addrs=[address])

        baseline, _ = timed(raw)
        elapsed, report = timed(lambda: deliver(app, morning))
        app.store.close()
        received = sink.received()
    received_raw = len(rows)
    mails = rows
    count = len(mails)
    zhibu_rate = report.sent / elapsed if elapsed else 0.0
    raw_rate = received_raw / baseline if baseline else 0.0
    province = PROVINCE_MESSAGES / zhibu_rate / 60 if zhibu_rate else float("inf")
    ratio = zhibu_rate / raw_rate if raw_rate else 0.0
    met = "✓" if ratio >= 1 and zhibu_rate >= 100 else "✗"
    return Row(
        "delivery, one digest morning",
        f"{size.name}, {count:,} messages",
        f"{report.sent:,} sent in {elapsed:.1f} s ({zhibu_rate:,.0f}/s; the server received {received - received_raw:,}); "
        f"province of {PROVINCE_MESSAGES:,}: ~{province:.0f} min",
        f"raw smtplib, one connection: {received_raw:,} in {baseline:.1f} s ({raw_rate:,.0f}/s)",
        f"{ratio:.1f}× the raw rate",
        f"≥ 1× and ≥ 100/s {met}; city within 5 min; province within 60 min",
        "zhibu: claims in batches; two helper processes build and send over reused SMTP connections; sent rows marked in batches",
    )
