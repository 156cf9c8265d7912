"""Crash safety with real processes: ``zhibu run`` on a store of thousands of tasks with a slow
SMTP receiver, killed with SIGKILL at random moments and restarted each time, while a secretary
records completions. Afterwards nothing is lost, nothing is doubled, every message arrived, and
duplicates at the receiver are counted (at-least-once; the target is zero)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bench.orgs import synthetic_config, with_email_channel
from scheduler.app import open_app
from scheduler.store.models import CompletionRow, MetaRow, OutboxRow, TaskRow
from tests.daemon_process import DaemonProcess, SteppedClock, zhibu_executable
from tests.receivers import SmtpServer
from workflows.calendar import work_calendar
from workflows.occurrences import occurrences
from workflows.roster import roster_from_config
from workflows.rules import rules_from_config

KILLS = 20
START = datetime(2026, 3, 2, 7, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
STEP = timedelta(hours=12)  # the clock moves this far before each start: 07:00, 19:00, 07:00, …
SEED = 4242


def test_sigkill_at_random_moments_loses_nothing(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    with SmtpServer() as smtp:
        smtp.handler.delay = 0.01
        config = tmp_path / "zhibu.toml"
        config.write_text(
            with_email_channel(synthetic_config(30, 20), f"mailto://127.0.0.1:{smtp.port}?from=zhibu@example.org"),
            encoding="utf-8",
        )
        clock = SteppedClock(tmp_path, START.isoformat())
        env = clock.env
        full_env = {**os.environ, **env}
        completions = [f"zb{b:03d}/党费/2026Q1/zb{b:03d}m{m:03d}" for b in range(1, 31) for m in (4, 5)]
        recorded: list[str] = []
        kills = 0
        while kills < KILLS:
            clock.set((START + kills * STEP).isoformat())
            daemon = DaemonProcess(config, "--interval", "30m", env=env)
            try:
                assert daemon.wait_for_line(lambda line: "zhibu started" in line, timeout=60), daemon.output
                if kills == 0:  # the tasks exist once the first tick has created them
                    assert daemon.wait_for_line(lambda line: "INFO tick" in line, timeout=60), daemon.output
                # a secretary records work while the service runs (and may be killed mid-way)
                for key in completions[len(recorded) : len(recorded) + 3]:
                    done = subprocess.run(
                        [zhibu_executable(), "--config", str(config), "done", key, "--by", "李娜"],
                        capture_output=True,
                        text=True,
                        env=full_env,
                        timeout=120,
                        check=False,
                    )
                    assert done.returncode == 0, done.stderr
                    recorded.append(key)
                # let it work for a random moment, then kill it wherever it is
                daemon.wait_for_line(lambda line: False, timeout=rng.uniform(0.2, 2.0))
            finally:
                daemon.kill()
            kills += 1
        # the end: one warm run on the next working morning, then ticks until the queue is empty
        clock.set((START + kills * STEP).replace(hour=9).isoformat())
        final = DaemonProcess(config, "--interval", "30m", env=env)
        try:
            assert final.wait_for_line(lambda line: "INFO tick" in line, timeout=60)
            final.signal(signal.SIGTERM)
            assert final.wait(timeout=120) == 0
        finally:
            final.kill()
        for _ in range(10):
            app = open_app(config)
            with app.store.reading() as session:
                pending = session.scalar(
                    select(func.count()).select_from(OutboxRow).where(OutboxRow.status.in_(["queued", "sending"]))
                )
            app.store.close()
            if not pending:
                break
            subprocess.run(
                [zhibu_executable(), "--config", str(config), "tick", "-q"],
                capture_output=True,
                text=True,
                env=full_env,
                timeout=300,
                check=True,
            )
        received = [(m.recipients[0], m.subject) for m in smtp.received]

    app = open_app(config)
    with app.store.reading() as session:
        rows = list(session.scalars(select(OutboxRow)))
        done_keys = set(
            session.scalars(
                select(TaskRow.key)
                .join(CompletionRow, CompletionRow.task_id == TaskRow.id)
                .where(CompletionRow.kind == "done")
            )
        )
        stored = {(t.rule_id, t.unit_id, t.person_id, t.period_key) for t in session.scalars(select(TaskRow))}
        task_count = session.scalar(select(func.count()).select_from(TaskRow))
        last_tick = session.get(MetaRow, "tick")
    zone = ZoneInfo("Asia/Shanghai")
    assert last_tick is not None
    last_day = datetime.fromisoformat(last_tick.value["at"]).astimezone(zone).date()
    first_day = date(2026, 3, 2)
    expected = {
        o.natural_key
        for o in occurrences(
            rules_from_config(app.loaded.config),
            roster_from_config(app.loaded),
            zone,
            work_calendar("CN"),
            first_day,
            last_day,
            1,
        )
    }

    # no completion lost
    assert set(recorded) <= done_keys
    # no task missing or doubled
    assert task_count == len(stored) == len(expected)
    assert stored == expected
    # every message delivered, at least once
    assert {row.status for row in rows} == {"sent"}
    sent = Counter((row.address, row.title) for row in rows)
    arrived = Counter(received)
    assert set(sent) <= set(arrived)
    duplicates = sum(count - 1 for count in arrived.values() if count > 1)
    summary = {
        "kills": KILLS,
        "seed": SEED,
        "simulated_days": (last_day - first_day).days + 1,
        "tasks": task_count,
        "completions": len(recorded),
        "messages": len(rows),
        "received": len(received),
        "duplicates": duplicates,
    }
    print("crash test:", json.dumps(summary, ensure_ascii=False))
    (Path(os.environ.get("ZHIBU_RESULTS_DIR", tmp_path)) / "crash-results.json").write_text(
        json.dumps(summary), encoding="utf-8"
    )
    # the run was long enough to matter: a week and more of digests (the count follows the machine's
    # speed: 11 simulated days gave 120 messages, and 90 while two other jobs shared the 2 CPUs)
    assert len(rows) > 60
