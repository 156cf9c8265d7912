"""A zone with daylight saving time: a reminder due at 02:30 on the night the clocks jump forward
(02:30 does not exist) or back (02:30 happens twice) is neither lost nor doubled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from scheduler.app import open_app
from scheduler.engine.tick import tick
from scheduler.store.models import OutboxRow
from tests.receivers import SmtpServer

BERLIN = ZoneInfo("Europe/Berlin")


def berlin_config(folder: Path, smtp_port: int) -> Path:
    path = folder / "zhibu.toml"
    path.write_text(
        f"""
[org]
name = "Ortsgruppe Berlin"
timezone = "Europe/Berlin"
locale = "en"
calendar = "DE"
deadline_on_rest_day = "keep"

[notify]
digest_time = "02:30"
quiet_hours = ""
rest_days = false
email_channel = "mail"
remind = ["due"]
escalate = []

[channels.mail]
url = "mailto://127.0.0.1:{smtp_port}?from=zhibu@example.org"

[[units]]
id = "ow"
name = "Committee"
kind = "committee"

[[units]]
id = "b1"
name = "Branch 1"
kind = "branch"
parent = "ow"

[[people]]
id = "anna"
name = "Anna"
unit = "b1"
roles = ["secretary"]
email = "anna@example.org"

[rules.sunday_check]
alias = "check"
title = "Sunday check"
every = "week"
due_weekday = 7
""",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("day", "first_tick", "hours", "sent_local"),
    [
        # 02:00 CET jumps to 03:00 CEST: the first tick past 02:30 is at 03:00 CEST
        ("2026-03-29", datetime(2026, 3, 28, 20, 0, tzinfo=UTC), 16, "2026-03-29T03:00:00+02:00"),
        # 03:00 CEST falls back to 02:00 CET: 02:30 comes twice, the digest goes at the first
        ("2026-10-25", datetime(2026, 10, 24, 20, 0, tzinfo=UTC), 16, "2026-10-25T02:30:00+02:00"),
    ],
)
def test_digest_at_0230_on_a_dst_night_arrives_once(
    tmp_path: Path, day: str, first_tick: datetime, hours: int, sent_local: str
) -> None:
    with SmtpServer() as smtp:
        app = open_app(berlin_config(tmp_path, smtp.port))
        moment = first_tick
        while moment <= first_tick + timedelta(hours=hours):
            tick(app, moment)
            moment += timedelta(minutes=15)
        mails = [m for m in smtp.received if day in m.subject]
    assert len(mails) == 1, [m.subject for m in smtp.received]
    assert (
        f"b1/check/{datetime.fromisoformat(day).isocalendar().year}-W{datetime.fromisoformat(day).isocalendar().week:02d}"
        in mails[0].part("plain")
    )
    with app.store.reading() as session:
        [row] = [r for r in session.scalars(select(OutboxRow)) if r.day.isoformat() == day]
    assert row.sent_at is not None
    assert row.sent_at.astimezone(BERLIN).isoformat() == sent_local
