"""Messages per person over a simulated year of the example config: zhibu's daily digests
against the naive design of one message per reminder event.

    python -m bench.reminders_year [--year 2026] [--config tests/fixtures/small_org.toml]

Ticks four times a day (07:00, 08:30, 13:00, 22:00 Beijing time) through the year on a fresh
SQLite file, with delivery off: what is counted is what would be sent. Every person has an
email address here, so nobody is left out of the count for lack of a channel.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from scheduler.app import open_app
from scheduler.engine.tick import tick
from scheduler.store.models import NoticeRow, OutboxRow

TIMES = ("07:00", "08:30", "13:00", "22:00")


def prepared_config(source: Path, folder: Path) -> Path:
    """The config with an email channel and an address for everyone (delivery stays off)."""
    text = source.read_text(encoding="utf-8")
    text = re.sub(
        r'(tick_interval = "5m".*?\n)',
        '\\1\n[notify]\nemail_channel = "mail"\n\n[channels.mail]\nurl = "mailto://127.0.0.1:1?from=zhibu@example.org"\n',
        text,
        count=1,
        flags=re.S,
    )
    head, *people = text.split("[[people]]\n")
    for index, block in enumerate(people):
        if "\nemail = " not in block.split("\n\n", 1)[0]:
            ident = block.split('"')[1]
            people[index] = block.replace("\n", f'\nemail = "{ident}@example.org"\n', 1)
    path = folder / "zhibu.toml"
    path.write_text("[[people]]\n".join([head, *people]), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--config", type=Path, default=Path("tests/fixtures/small_org.toml"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = open_app(prepared_config(args.config, Path(folder)))
        day = date(args.year, 1, 1)
        while day.year == args.year:
            for clock_time in TIMES:
                tick(app, datetime.fromisoformat(f"{day}T{clock_time}").replace(tzinfo=app.zone), send=False)
            day += timedelta(days=1)
        with app.store.reading() as session:
            digests = [
                (r.recipient, r.day)
                for r in session.scalars(
                    select(OutboxRow).where(OutboxRow.kind == "digest", OutboxRow.channel == "mail")
                )
            ]
            events = [(n.recipient, n.fired_at.astimezone(app.zone).date()) for n in session.scalars(select(NoticeRow))]
        app.store.close()
    people = sorted({r for r, _ in events} | {r for r, _ in digests})
    per_person = Counter(r for r, _ in digests)
    naive_per_person = Counter(r for r, _ in events)
    per_day = Counter(digests)
    naive_per_day = Counter(events)
    active_days: dict[str, set[date]] = defaultdict(set)
    for recipient, day in digests:
        active_days[recipient].add(day)
    print(f"Simulated year {args.year}, {len(people)} people who own or chase work, 4 ticks a day")
    print(f"{'':32} {'zhibu (digests)':>16} {'naive (1/event)':>16}")
    print(f"{'messages in the year, all people':32} {len(digests):>16} {len(events):>16}")
    print(
        f"{'per person per year, mean':32} {statistics.mean(per_person[p] for p in people):>16.1f} {statistics.mean(naive_per_person[p] for p in people):>16.1f}"
    )
    print(
        f"{'per person per year, max':32} {max(per_person[p] for p in people):>16} {max(naive_per_person[p] for p in people):>16}"
    )
    print(f"{'most in one day to one person':32} {max(per_day.values()):>16} {max(naive_per_day.values()):>16}")
    print(f"{'days with a message, mean':32} {statistics.mean(len(active_days[p]) for p in people):>16.1f} {'':>16}")
    print(f"ratio naive/zhibu: {len(events) / max(len(digests), 1):.1f}x fewer messages")


if __name__ == "__main__":
    main()
