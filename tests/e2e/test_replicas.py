"""Two ``zhibu run`` processes on one PostgreSQL store and one SMTP receiver through a simulated
month, stepped a working morning at a time: every message is delivered exactly once, and both
replicas did some of the work."""

from __future__ import annotations

import os
import signal
import subprocess
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bench.orgs import synthetic_config, with_email_channel
from scheduler.app import open_app
from scheduler.store.models import OutboxRow
from tests.daemon_process import DaemonProcess, SteppedClock, zhibu_executable
from tests.receivers import SmtpServer
from workflows.calendar import work_calendar

ZONE = ZoneInfo("Asia/Shanghai")


def working_mornings(first: date, last: date) -> list[str]:
    """09:00 of every working day in ``[first, last]`` (China's calendar, 调休 included)."""
    workdays = work_calendar("CN")
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [datetime.combine(day, time(9), ZONE).isoformat() for day in days if workdays.is_working_day(day)]


def test_two_replicas_on_postgres_send_each_message_once(tmp_path: Path, pg_url: str) -> None:
    example_config = tmp_path / "zhibu.toml"
    with SmtpServer() as smtp:
        smtp.handler.delay = 0.02
        org = synthetic_config(10, 12, store=pg_url)  # everyone has an email address
        example_config.write_text(
            with_email_channel(org, f"mailto://127.0.0.1:{smtp.port}?from=zhibu@example.org"), encoding="utf-8"
        )
        mornings = working_mornings(date(2026, 3, 2), date(2026, 3, 31))
        clock = SteppedClock(tmp_path, mornings[0])
        env = clock.env
        replicas = [DaemonProcess(example_config, "--interval", "1h", env=env) for _ in range(2)]
        try:
            for replica in replicas:
                assert replica.wait_for_line(lambda line: "zhibu started" in line, timeout=60), replica.output
            # each working morning of March: both replicas tick at it before the clock moves on
            for morning in mornings:
                clock.set(morning)
                stamp = f"INFO tick {datetime.fromisoformat(morning):%Y-%m-%d %H:%M}"
                for replica in replicas:
                    assert replica.wait_for_line(lambda line, stamp=stamp: stamp in line, timeout=180), replica.output
            for replica in replicas:
                replica.signal(signal.SIGTERM)
            for replica in replicas:
                assert replica.wait(timeout=120) == 0, replica.output
        finally:
            for replica in replicas:
                replica.kill()
        subprocess.run(
            # what is still queued goes out on a working morning well after the run (at the running
            # clock's own moment it may be night or the Qingming holiday, when mail waits)
            [zhibu_executable(), "--config", str(example_config), "tick", "-q", "--now", "2026-04-20T10:00+08:00"],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        received = Counter((m.recipients[0], m.subject) for m in smtp.received)

    app = open_app(example_config)
    with app.store.reading() as session:
        rows = [r for r in session.scalars(select(OutboxRow)) if r.channel == "mail"]
    app.store.close()
    assert len(rows) > 100
    assert {r.status for r in rows} == {"sent"}
    assert received == Counter((r.address, r.title) for r in rows)  # each exactly once
    senders = {(r.claimed_by or "").rsplit(":", 1)[-1] for r in rows}
    assert len(senders) >= 2, "both replicas delivered"
