"""The nightly re-derive runs only when something it depends on changed, and says why."""

from __future__ import annotations

import logging
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from scheduler.app import open_app
from scheduler.engine.tick import tick
from tests.conftest import beijing, edit_config


def nightly(config: Path, at: str, caplog: pytest.LogCaptureFixture) -> str:
    """Run the night's tick at ``at``; the line it logged about the re-derive."""
    caplog.clear()
    app = open_app(config)
    with caplog.at_level(logging.INFO, logger="zhibu"):
        tick(app, beijing(at), nightly=True, send=False)
    app.store.close()
    return next(r.getMessage() for r in caplog.records if r.getMessage().startswith("nightly re-derive"))


def test_the_nightly_re_derive_runs_only_when_an_input_changed(
    example_config: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = open_app(example_config)
    tick(app, beijing("2026-03-02 09:00"), send=False)
    app.store.close()
    assert nightly(example_config, "2026-03-03 01:07", caplog) == "nightly re-derive: runs (changed: first)"
    assert nightly(example_config, "2026-03-04 01:07", caplog).startswith("nightly re-derive: skipped")
    # the config changed: a rule's due day
    edit_config(example_config, r"due_day = 15", "due_day = 14")
    assert nightly(example_config, "2026-03-05 01:07", caplog) == "nightly re-derive: runs (changed: config)"
    assert nightly(example_config, "2026-03-06 01:07", caplog).startswith("nightly re-derive: skipped")
    # a holiday declared for a year (the calendar it derives from)
    text = example_config.read_text(encoding="utf-8")
    example_config.write_text(text + '\n[calendar]\nholidays = ["2027-01-01"]\n', encoding="utf-8")
    assert nightly(example_config, "2026-03-07 01:07", caplog) == "nightly re-derive: runs (changed: config, calendar)"
    # a task written into the store between two ticks, not by a tick
    with sqlite3.connect(example_config.parent / "zhibu.db") as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(task)") if row[1] != "id"]
        picked = [f"{c} || '/x'" if c in ("key", "period_key") else c for c in columns]
        db.execute(f"INSERT INTO task ({', '.join(columns)}) SELECT {', '.join(picked)} FROM task LIMIT 1")
    said = nightly(example_config, "2026-03-08 01:07", caplog)
    assert said == "nightly re-derive: runs (changed: tasks written between ticks)", said
    assert nightly(example_config, "2026-03-09 01:07", caplog).startswith("nightly re-derive: skipped")


def test_a_tick_keeps_the_calendar_years_and_the_next_needs_no_holidays_package(example_config: Path) -> None:
    """The year tables a tick computed are kept in the store, with the package's version; a later
    tick's process and a command (``status``) take them from there and import none of the holidays
    package; the kept tables give the same working days (调休 and the Spring Festival of 2026 included)."""
    import json
    import subprocess
    import sys

    from workflows.calendar import WorkCalendar, YearDays, holidays_version

    env = {"ZHIBU_SIMULATE": "1", "PATH": "/usr/bin:/bin", "HOME": str(example_config.parent)}
    first = [sys.executable, "-m", "scheduler.cli", "--config", str(example_config), "tick", "--now"]
    subprocess.run([*first, "2026-03-02T09:00+08:00", "-q"], env=env, check=True, capture_output=True)
    with sqlite3.connect(example_config.parent / "zhibu.db") as db:
        (value,) = db.execute("SELECT value FROM meta WHERE key = 'calendar:CN'").fetchone()
    kept = json.loads(value)
    assert kept["holidays"] == holidays_version()
    assert set(kept["years"]) == {"2026"}  # what March's window reaches
    computed = WorkCalendar("CN")
    assert YearDays.from_json(kept["years"]["2026"]) == computed.year(2026)
    assert date(2026, 2, 14) not in computed.year(2026).rest  # a Saturday worked (调休)
    assert date(2026, 2, 17) in computed.year(2026).rest  # the Spring Festival
    assert _holidays_imported(example_config, env, ["tick", "--now", "2026-03-03T09:00+08:00", "-q"]) == "[]"


def test_a_command_takes_the_calendar_years_from_the_store(example_config: Path) -> None:
    """In November ``status`` asks whether next year's arrangement is published: it reads the
    year tables the tick kept (this year's and next year's), not the holidays package."""
    import subprocess
    import sys

    env = {"ZHIBU_SIMULATE": "1", "PATH": "/usr/bin:/bin", "HOME": str(example_config.parent)}
    first = [sys.executable, "-m", "scheduler.cli", "--config", str(example_config), "tick", "--now"]
    subprocess.run([*first, "2026-11-02T09:00+08:00", "-q"], env=env, check=True, capture_output=True)
    assert _holidays_imported(example_config, env, ["status", "--now", "2026-11-02T10:00+08:00"]) == "[]"


def _holidays_imported(example_config: Path, env: dict[str, str], command: list[str]) -> str:
    """Run ``zhibu COMMAND`` in a fresh interpreter: the holidays modules it imported, as printed."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from scheduler.cli import main\n"
        "try:\n"
        f"    main(['--config', {str(example_config)!r}, *{command!r}], standalone_mode=False)\n"
        "finally:  # a command may end in SystemExit (status: 1, the service is not running)\n"
        "    print(sorted({m.split('.')[0] for m in sys.modules if m.startswith('holidays')}))\n"
    )
    later = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert "Traceback" not in later.stderr, later.stderr
    return later.stdout.strip().splitlines()[-1]
