"""zhibu's benchmarks: every figure next to a baseline measured in the same process and run.

    python -m bench                       # everything at the default sizes (about 35 minutes)
    python -m bench --only sweep list     # some of them
    python -m bench --size province                # the province: a month of it (under 10 minutes)
    python -m bench --size province --span quarter # a quarter (about 12 minutes)

Benchmarks (see README, *Performance*):
  materialize  a year of tasks for an org (a month for the province) vs raw sqlite3 executemany
  sweep        one tick's state changes and notices over 100k and 1M stored tasks, same changes
  list         `zhibu list --status overdue` (a whole cold process) vs Taskwarrior `task overdue`
  naive        one APScheduler job per reminder (SQLAlchemyJobStore) vs `zhibu run`, city size
  daemon       `zhibu run` through 2026 on a stepped clock (a tick a day, city size): RSS, CPU/tick, idle CPU
  digests      the daily digests of the org: messages rendered and queued per second

Nothing here asserts: it prints what it measured. Timings are noisy on shared machines, which is
why each row carries its own baseline.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.orgs import SIZES, Size, write_org

REPO = Path(__file__).resolve().parent.parent
SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")
ZHIBU = [sys.executable, "-m", "scheduler.cli"]


@dataclass
class Row:
    """One line of the results table."""

    benchmark: str
    size: str
    zhibu: str
    baseline: str
    ratio: str
    goal: str
    note: str = ""


def rss_mb(pid: int | None = None, field: str = "VmRSS") -> float:
    """Resident set size in MB of ``pid`` (default: this process); ``field="VmHWM"`` gives its peak."""
    path = f"/proc/{pid or os.getpid()}/status"
    for line in Path(path).read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far, with those of the children it has
    waited for (``zhibu run`` ticks in a child process)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / os.sysconf("SC_CLK_TCK")


def tick_figures(line: str) -> tuple[float, float]:
    """The CPU seconds and peak MB of a tick's process, as its ``INFO tick …`` line reports them."""
    found = re.search(r"CPU ([\d.]+) s, peak (\d+) MB", line)
    if not found:
        raise RuntimeError(f"no CPU and peak in the tick line: {line!r}")
    return float(found.group(1)), float(found.group(2))


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def _stored(value: Any) -> Any:
    """A value as SQLAlchemy stores it in SQLite (what the raw baseline must write too)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


# --------------------------------------------------------------------------- 1. materialize


def _occurrences(size: Size, folder: Path, last: date) -> Iterator[Any]:
    """Write the org for ``size`` and yield every occurrence of its rules from 2026-01-01 to ``last``."""
    from workflows.calendar import work_calendar
    from workflows.config.load import load_config
    from workflows.occurrences import occurrences_of
    from workflows.roster import roster_from_config
    from workflows.rules import rules_from_config

    config = write_org(size, folder)
    loaded = load_config(config)
    roster = roster_from_config(loaded.config)
    workdays = work_calendar("CN")

    def every() -> Iterator[Any]:
        for rule in rules_from_config(loaded.config):
            yield from occurrences_of(rule, roster, SHANGHAI, workdays, date(2026, 1, 1), last)

    return every()


def _batches(items: Iterator[Any], size: int = 20_000) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


SPANS = {
    "month": (date(2026, 1, 31), "January 2026"),
    "quarter": (date(2026, 3, 31), "Q1 2026"),
    "year": (date(2026, 12, 31), "2026"),
}


def bench_materialize(size: Size, work: Path, span_name: str | None = None) -> Row:
    from scheduler.engine.inserts import insert_tasks
    from scheduler.store.engine import open_store

    # a province's year is 22 million rows: its default is a month, to stay under 10 minutes
    last, span = SPANS[span_name or ("month" if size.name == "province" else "year")]
    now = datetime(2025, 12, 31, 12, tzinfo=SHANGHAI)
    store = open_store(f"sqlite:///{work / 'zhibu.db'}")
    occurrences = _occurrences(size, work / "org", last)
    rows = 0
    start = time.perf_counter()
    with store.writing() as session:
        for batch in _batches(occurrences):
            rows += insert_tasks(session, batch, now)
    zhibu = time.perf_counter() - start
    store.close()

    # the baseline: the same rows, read back from zhibu's store (not timed), written through raw
    # sqlite3 executemany into an empty store of the same schema, batch by batch (timed)
    raw_store = open_store(f"sqlite:///{work / 'raw.db'}")
    raw_store.close()
    connection = sqlite3.connect(work / "raw.db")
    source = sqlite3.connect(work / "zhibu.db")
    raw = 0.0
    for table in ("schedule", "task"):
        columns = [row[1] for row in source.execute(f"PRAGMA table_info({table})") if row[1] != "id"]
        cursor = source.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY rowid")
        sql = f"INSERT OR IGNORE INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        while batch := cursor.fetchmany(20_000):
            begin = time.perf_counter()
            connection.executemany(sql, batch)
            connection.commit()
            raw += time.perf_counter() - begin
    source.close()
    connection.close()
    return Row(
        "materialize",
        f"{size.name} ({span})",
        f"{zhibu:.1f} s, {rows:,} tasks ({rows / zhibu:,.0f}/s)",
        f"{raw:.1f} s raw executemany",
        f"{zhibu / raw:.1f}×",
        "≤ 3× the raw insert",
        "zhibu: occurrences + reminder plans + insert-or-ignore with RETURNING; raw: the insert only",
    )


# --------------------------------------------------------------------------- 2. sweep


# what the synthetic tasks are called: the catalogue's aliases and titles, people with names
RULES = [
    ("党费", "缴纳党费"),
    ("主题党日", "主题党日"),
    ("支委会", "支部委员会会议"),
    ("党小组会", "党小组会"),
    ("谈心谈话", "谈心谈话"),
    ("党课", "党课"),
    ("组织生活会", "组织生活会"),
    ("中心组学习", "党委理论学习中心组学习"),
]
PEOPLE = 20_000
SURNAMES, GIVEN = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗", "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"


def _name(j: int) -> str:
    return SURNAMES[j % 20] + GIVEN[j // 20 % 20] + GIVEN[j // 400 % 20]


def _key(i: int) -> str:
    return f"u{i % PEOPLE}/{RULES[i % len(RULES)][0]}/2026-05/P{i}"


def _title(i: int) -> str:
    return RULES[i % len(RULES)][1]


def _synthetic_store(path: Path, stored: int, changing: int, tick: datetime) -> None:
    """``stored`` open tasks far from any threshold, ``changing`` of which cross one (become
    overdue, with a reminder due) at ``tick``; written with raw executemany (fast to build)."""
    from scheduler.store.engine import open_store

    open_store(f"sqlite:///{path}").close()
    connection = sqlite3.connect(path)
    later = tick + timedelta(days=200)
    step = {"at": (tick - timedelta(minutes=1)).isoformat(), "name": "escalate:1", "to": ["owner"], "escalation": True}
    connection.execute(
        "INSERT INTO schedule (rule_id, period_key, steps) VALUES (?, ?, ?)", ("bench", "p", json.dumps([step]))
    )
    created = _stored(tick - timedelta(days=30))

    connection.executemany(
        "INSERT INTO person (id, name, unit_id, status, roles, mobile, retired, active, source)"
        " VALUES (?, ?, ?, 'full', '[]', 0, 0, 1, 'bench')",
        ((f"P{j}", _name(j), f"u{j}") for j in range(PEOPLE)),
    )

    def rows() -> Iterator[tuple[Any, ...]]:
        for i in range(stored):
            crossing = i % (stored // changing) == 0 if changing else False
            due = tick - timedelta(minutes=2) if crossing else later + timedelta(minutes=i % 50_000)
            notice = tick - timedelta(minutes=1) if crossing else later
            yield (
                _key(i),
                "bench",
                f"u{i % PEOPLE}",
                str(i),
                "p",
                "2026-01-01",
                "p",
                _title(i),
                created,
                _stored(due - timedelta(days=7)) if not crossing else created,
                _stored(due),
                due.date().isoformat(),
                "due_soon" if crossing else "open",
                1,
                0,
                f"P{i % PEOPLE}",
                0,
                0,
                _stored(notice),
                0,
                0,
                created,
                created,
            )

    connection.executemany(
        "INSERT INTO task (key, rule_id, unit_id, person_id, period_key, period_start, schedule_key, title,"
        " opens_at, due_soon_at, due_at, due_on, state, count_required, count_done, assignee_id, late,"
        " escalation_level, next_notice_at, notice_index, urgent, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows(),
    )
    connection.commit()
    connection.close()


def _raw_update(path: Path, tick: datetime) -> float:
    connection = sqlite3.connect(path)
    start = time.perf_counter()
    connection.execute(
        "UPDATE task SET state = 'overdue' WHERE state IN ('upcoming', 'open', 'due_soon') AND due_at <= ?",
        (_stored(tick),),
    )
    connection.commit()
    elapsed = time.perf_counter() - start
    connection.close()
    return elapsed


def bench_sweep(work: Path, counts: Sequence[int] = (100_000, 1_000_000), changing: int = 1_000) -> list[Row]:
    from scheduler.engine.notices import fire_notices
    from scheduler.engine.sweep import sweep
    from scheduler.store.engine import open_store

    tick = datetime(2026, 6, 1, 9, tzinfo=SHANGHAI)
    results = []
    # once untimed on a small store, so that compiling the statements is not charged to the first size
    _synthetic_store(work / "sweep-warm.db", 2_000, 20, tick)
    warm = open_store(f"sqlite:///{work / 'sweep-warm.db'}")
    with warm.writing() as session:
        sweep(session, tick)
        fire_notices(session, tick, {})
    warm.close()
    for stored in counts:
        path = work / f"sweep-{stored}.db"
        _synthetic_store(path, stored, changing, tick)
        shutil.copy(path, work / "sweep-raw.db")
        store = open_store(f"sqlite:///{path}")
        with store.writing() as session:
            elapsed, (swept, fired) = timed(lambda: (sweep(session, tick), fire_notices(session, tick, {})))
        store.close()
        # the baseline: the same state change as one raw UPDATE through the same index
        raw = _raw_update(work / "sweep-raw.db", tick)
        results.append(
            Row(
                "sweep (one tick)",
                f"{stored:,} stored",
                f"{elapsed * 1000:.0f} ms: {swept.count('overdue')} overdue, {fired.notices} notices",
                f"{raw * 1000:.1f} ms raw UPDATE",
                f"{elapsed / raw:.0f}×",
                "≤ 1 s; grows with changes, not with tasks stored",
            )
        )
    first, last = results[0], results[-1]
    first_ms = float(first.zhibu.split(" ms")[0])
    last_ms = float(last.zhibu.split(" ms")[0])
    last.note = (
        f"{counts[-1] // counts[0]}× the tasks stored, same {changing:,} changes: {last_ms / first_ms:.2f}× the time"
    )
    return results


# --------------------------------------------------------------------------- 3. list vs Taskwarrior


def _ensure_taskwarrior() -> str | None:
    found = shutil.which("task")
    if found:
        return found
    if shutil.which("apt-get") and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-q", "taskwarrior"], check=False, capture_output=True)
    return shutil.which("task")


def _interleaved(commands: Sequence[tuple[Sequence[str], dict[str, str]]], runs: int = 11) -> list[tuple[float, str]]:
    """Each command's median wall time and its output, the commands run in turns so that a busy
    spell of the machine falls on all of them alike."""
    times: list[list[float]] = [[] for _ in commands]
    outputs = [""] * len(commands)
    for _ in range(runs):
        for index, (command, env) in enumerate(commands):
            start = time.perf_counter()
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
            times[index].append(time.perf_counter() - start)
            if done.returncode:
                raise RuntimeError(f"{command[0]} failed:\n{done.stderr[-2000:]}")
            outputs[index] = done.stdout
    return [(statistics.median(spent), output) for spent, output in zip(times, outputs, strict=True)]


def _installed_zhibu(work: Path) -> tuple[list[str], str]:
    """The `zhibu` command as `pip install .` leaves it (modules byte-compiled, no editable-install
    hook at start-up), in a venv of its own that finds the dependencies in this interpreter's
    site-packages; this checkout's modules when that install fails (offline, say)."""
    import site

    venv = work / "installed"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    packages = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], capture_output=True, text=True
    ).stdout.strip()
    (Path(packages) / "_bench_dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(REPO)],
        capture_output=True,
        text=True,
    )
    if installed.returncode == 0:
        return [str(venv / "bin" / "zhibu")], "zhibu installed by pip install ."
    _compiled()
    return ZHIBU, "this checkout's zhibu (pip install . failed)"


def _compiled() -> None:
    """Byte-compile zhibu's modules, as `pip install` does: a checkout on a machine that sets
    PYTHONDONTWRITEBYTECODE would otherwise compile every module again on each cold start."""
    import scheduler
    import workflows

    for package in (scheduler, workflows):
        compileall.compile_dir(Path(package.__file__).parent, quiet=1)


def bench_list(work: Path, tasks: int = 100_000) -> Row:
    task_binary = _ensure_taskwarrior()
    config = work / "zhibu.toml"
    config.write_text(
        '[org]\nname = "基准"\n\n[store]\nurl = "sqlite:///list.db"\n\n'
        '[[units]]\nid = "dw"\nname = "党委"\nkind = "committee"\n',
        encoding="utf-8",
    )
    tick = datetime(2026, 6, 1, 9, tzinfo=SHANGHAI)
    overdue = tasks // 20
    _synthetic_store(work / "list.db", tasks, 0, tick)
    connection = sqlite3.connect(work / "list.db")  # every 20th task is overdue
    connection.execute(
        "UPDATE task SET state = 'overdue', due_at = ?, due_on = '2026-05-01' WHERE id % 20 = 0",
        (_stored(tick - timedelta(days=31)),),
    )
    connection.commit()
    connection.close()
    zhibu, which = _installed_zhibu(work)
    env = {**os.environ, "ZHIBU_CLOCK": "", "PYTHONDONTWRITEBYTECODE": "1"}
    zhibu_command = ([*zhibu, "--config", str(config), "list", "--status", "overdue"], env)
    if task_binary is None:
        ((zhibu_time, listed),) = _interleaved([zhibu_command])
        return Row("list overdue", f"{tasks:,} tasks", f"{zhibu_time:.2f} s", "Taskwarrior not installed", "—", "≥ 10×")
    data = work / "taskdata"
    data.mkdir(exist_ok=True)
    rc = work / "taskrc"
    rc.write_text(f"data.location={data}\nconfirmation=off\nverbose=nothing\ngc=off\nhooks=off\n", encoding="utf-8")
    export = work / "tasks.json"
    with export.open("w", encoding="utf-8") as handle:
        for i in range(1, tasks + 1):
            due = tick - timedelta(days=31) if i % 20 == 0 else tick + timedelta(days=200, minutes=i % 50_000)
            item = {
                "uuid": str(uuid.UUID(int=i)),
                "description": f"{_title(i)} {_key(i)}",
                "status": "pending",
                "entry": "20260101T000000Z",
                "due": due.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"),
                "project": f"u{i % PEOPLE}",
            }
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")
    tw_env = {**os.environ, "TASKRC": str(rc)}
    subprocess.run([task_binary, "import", str(export)], env=tw_env, capture_output=True, check=True)
    tw_env["TZ"] = "UTC"
    faketime = tick.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    tw_command = ([task_binary, f"rc.report.overdue.filter=status:pending due.before:{faketime}", "overdue"], tw_env)
    (zhibu_time, listed), (tw_time, tw_listed) = _interleaved([zhibu_command, tw_command])
    zhibu_lines = len(listed.splitlines()) - 2
    version = subprocess.run([task_binary, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    return Row(
        "list overdue (cold process)",
        f"{tasks:,} tasks, {overdue:,} overdue",
        f"{zhibu_time:.2f} s ({zhibu_lines:,} lines)",
        f"{tw_time:.2f} s Taskwarrior {version} ({len(tw_listed.splitlines()):,} lines)",
        f"{tw_time / zhibu_time:.1f}× faster",
        "≥ 10× faster",
        f"median of 11 runs each, taken in turns; {which}",
    )


def _daemon(org: Path, clock: str, interval: str) -> subprocess.Popen[str]:
    """`zhibu run` on ``org`` with the simulated clock ``clock`` (a ZHIBU_CLOCK value)."""
    return subprocess.Popen(
        [*ZHIBU, "--config", str(org / "zhibu.toml"), "run", "--interval", interval],
        env={**os.environ, "ZHIBU_CLOCK": clock},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _running_clock(start: str, speed: float = 1) -> str:
    """A clock from ``start`` running ``speed`` times real time."""
    return f"{start}@{time.time():.0f}x{speed:.0f}"


def _wait_for_line(process: subprocess.Popen[str], marker: str) -> str:
    """Read the daemon's output until a line containing ``marker`` and return it; fail if it exits first."""
    assert process.stdout is not None
    tail: list[str] = []
    for line in process.stdout:
        if marker in line:
            return line
        tail = [*tail[-20:], line]
    raise RuntimeError(f"zhibu run exited before {marker!r}:\n{''.join(tail)}")


# --------------------------------------------------------------------------- 4. the naive design


def remind(key: str, step: str) -> None:
    """What a naive design's job would call (never run here)."""


def _rss_after(code: str) -> float:
    """The RSS (MB) of a fresh interpreter once ``code`` ran: what a process costs before it holds any data."""
    probe = f"{code}\nimport re\nprint(re.search(r'VmRSS:\\s+(\\d+)', open('/proc/self/status').read()).group(1))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return int(done.stdout.split()[-1]) / 1024


def bench_naive(size: Size, work: Path, sample: int = 20_000) -> Row:
    """One APScheduler job per reminder of a year in a SQLAlchemyJobStore: the time to create
    them (the naive daemon's start-up) and the memory of holding them, measured on ``sample``
    jobs and scaled to the year's count; vs `zhibu run` started on the same org."""
    from apscheduler.jobstores.memory import MemoryJobStore
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    occurrences = _occurrences(size, work / "org", date(2026, 12, 31))
    reminders: list[tuple[str, str, datetime]] = []
    total = 0
    for occurrence in occurrences:
        for step in occurrence.reminders:
            total += 1
            if len(reminders) < sample:
                reminders.append((occurrence.key, step.name, step.at))
    future = datetime(2030, 1, 1, tzinfo=UTC)
    scheduler = BackgroundScheduler(jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{work / 'jobs.db'}")})
    scheduler.start(paused=True)
    start = time.perf_counter()
    for index, (key, step, at) in enumerate(reminders):
        scheduler.add_job(remind, "date", run_date=max(at, future), args=(key, step), id=f"{index}")
    per_job = (time.perf_counter() - start) / len(reminders)
    scheduler.shutdown(wait=False)
    job_bytes = (work / "jobs.db").stat().st_size / len(reminders)
    memory = BackgroundScheduler(jobstores={"default": MemoryJobStore()})
    memory.start(paused=True)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for index, (key, step, at) in enumerate(reminders):
        memory.add_job(remind, "date", run_date=max(at, future), args=(key, step), id=f"{index}")
    per_job_mb = (tracemalloc.get_traced_memory()[0] - before) / len(reminders) / 2**20
    tracemalloc.stop()
    memory.shutdown(wait=False)

    # zhibu run on the same org, from an empty store: until its first tick is done
    org = work / "org"
    for name in ("zhibu.db", "zhibu.db-wal", "zhibu.db-shm"):
        (org / name).unlink(missing_ok=True)
    began = time.perf_counter()
    process = _daemon(org, _running_clock("2026-03-02T08:00+08:00"), "1d")
    first = _wait_for_line(process, "tick 2026-03-02")
    startup = time.perf_counter() - began
    # the service between ticks, and during its busiest tick: itself plus that tick's process
    zhibu_rss = rss_mb(process.pid)
    zhibu_peak = zhibu_rss + tick_figures(first)[1]
    process.terminate()
    process.wait(timeout=60)
    store_mb = (org / "zhibu.db").stat().st_size / 2**20
    naive_startup = per_job * total
    jobs_mb = per_job_mb * total
    # both sides as whole processes: the naive daemon's interpreter with APScheduler and SQLAlchemy
    # imported, plus its jobs, all the time; zhibu's service between ticks, and during a tick the
    # service plus the tick's process (a tick from an empty store is the busiest of a year)
    naive_floor = _rss_after(
        "import apscheduler.schedulers.background, apscheduler.jobstores.memory, apscheduler.jobstores.sqlalchemy"
    )
    naive_mb = naive_floor + jobs_mb
    return Row(
        "naive: a job per reminder",
        f"{size.name}, {total:,} reminders a year",
        f"start {startup:.1f} s; RSS {zhibu_rss:.0f} MB between ticks (the service),"
        f" {zhibu_peak:.0f} MB during the first tick (the service + the tick's process at its peak);"
        f" store {store_mb:.0f} MB",
        f"start {naive_startup / 60:.0f} min ({per_job * 1000:.1f} ms/job), RSS {naive_mb:,.0f} MB all the time"
        f" ({naive_floor:.0f} MB the interpreter and libraries, {jobs_mb:,.0f} MB of jobs in a MemoryJobStore),"
        f" {job_bytes * total / 2**20:,.0f} MB job table",
        f"{naive_startup / startup:.0f}× start; {naive_mb / zhibu_rss:.0f}× between ticks,"
        f" {naive_mb / zhibu_peak:.0f}× during a tick",
        "≥ 50× smaller",
        f"naive figures scaled from {len(reminders):,} jobs; zhibu: first tick from an empty store",
    )


# --------------------------------------------------------------------------- 5. the daemon over a year


def bench_daemon(size: Size, work: Path, days_per_tick: int = 1) -> Row:
    """`zhibu run` through 2026 on a stepped clock: the benchmark writes 09:00 of each day (or every
    ``days_per_tick`` days: after the 08:30 digest, so each tick also composes the day's digests)
    and waits for that tick to finish before moving the clock on. RSS at each tick, CPU per tick,
    then the CPU it uses while waiting (real clock, between two ticks)."""
    org = work / "org"
    write_org(size, org)
    instant = work / "now"
    day = date(2026, 1, 1)
    instant.write_text(f"{day}T09:00+08:00", encoding="utf-8")
    before_year = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = _daemon(org, f"file:{instant}", "1d")
    ticks: list[float] = []
    rss: list[float] = []
    peaks: list[float] = []
    messages = 0
    while day.year == 2026:
        instant.write_text(f"{day}T09:00+08:00", encoding="utf-8")
        line = _wait_for_line(process, f"INFO tick {day} 09:00")
        queued = re.search(r"(\d+) messages queued", line)
        messages += int(queued.group(1)) if queued else 0
        cpu, peak = tick_figures(line)
        ticks.append(cpu)
        peaks.append(peak)
        rss.append(rss_mb(process.pid))
        if len(ticks) == 1 or day.month != (day - timedelta(days=days_per_tick)).month:  # monthly progress
            print(
                f"    {day}: {ticks[-1]:.1f} s CPU, RSS {rss[-1]:.0f} MB, the tick's process {peaks[-1]:.0f} MB at its peak",
                file=sys.stderr,
                flush=True,
            )
        day += timedelta(days=days_per_tick)
    process.terminate()
    process.wait(timeout=60)
    after_year = resource.getrusage(resource.RUSAGE_CHILDREN)  # the service and its ticks, all reaped
    year_cpu = sum(getattr(after_year, f) - getattr(before_year, f) for f in ("ru_utime", "ru_stime"))
    # idle: real clock, a tick every 5 minutes; the CPU used in the 30 s from 5 s after the first
    # tick, then what a tick that finds nothing to do costs (its process's start and config parse)
    idle_org = work / "idle"
    shutil.copytree(org, idle_org)
    idle = _daemon(idle_org, _running_clock("2026-12-31T09:00+08:00"), "5m")
    _wait_for_line(idle, "tick 2026-12-31")
    time.sleep(5)
    before = cpu_seconds(idle.pid)
    time.sleep(30)
    idle_cpu = (cpu_seconds(idle.pid) - before) / 30
    idle.terminate()
    idle.wait(timeout=60)
    empty = _daemon(idle_org, f"file:{instant}", "1d")  # the clock stays at the year's last tick
    last = f"INFO tick {day - timedelta(days=days_per_tick)} 09:00"
    _wait_for_line(empty, last)  # the first tick of a start prints the agenda too: not counted
    before = cpu_seconds(empty.pid)
    for _ in range(5):
        _wait_for_line(empty, last)
    empty_tick = (cpu_seconds(empty.pid) - before) / 5
    empty.terminate()
    empty.wait(timeout=60)
    steady = ticks[1:] or ticks
    return Row(
        "daemon, a simulated year",
        f"{size.name}, {len(ticks)} ticks {days_per_tick} day(s) apart",
        f"the service's RSS {rss[0]:.0f} MB after the first tick, {min(rss):.0f}–{max(rss):.0f} MB over the year;"
        f" a tick's process at its peak: {peaks[0]:.0f} MB the first, median {statistics.median(peaks[1:] or peaks):.0f},"
        f" max {max(peaks[1:] or peaks):.0f} MB; CPU/tick median {statistics.median(steady):.2f} s,"
        f" p95 {_percentile(steady, 95):.2f} s, max {max(steady):.2f} s ({year_cpu:,.0f} s CPU in all, the"
        f" service's own and the ticks'); a tick with nothing to do"
        f" {empty_tick:.2f} s CPU; idle {idle_cpu * 100:.2f}% CPU between ticks",
        f"first tick {ticks[0]:.1f} s CPU (the whole window created)",
        f"the service's RSS last/first tick {rss[-1] / rss[0]:.2f}",
        "RSS flat, idle CPU ≈ 0",
        f"stepped clock (ZHIBU_CLOCK=file:…): each tick finishes before the clock moves on; {messages:,} messages"
        " queued over the year",
    )


def _percentile(values: Sequence[float], percent: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, len(ordered) * percent // 100)]


# --------------------------------------------------------------------------- 6. digests


def bench_digests(size: Size, work: Path) -> Row:
    """Compose the org's digests for one morning (everyone with a due reminder), queued but not
    sent; the baseline renders the same template the same number of times with plain jinja2."""
    from scheduler.app import open_app
    from scheduler.engine.digests import compose_digests
    from scheduler.engine.materialize import sync
    from scheduler.engine.notices import fire_notices
    from scheduler.engine.sweep import sweep
    from scheduler.store.models import OutboxRow

    org = work / "org"
    config = write_org(size, org)
    text = config.read_text(encoding="utf-8")
    channel = (
        '[notify]\nemail_channel = "mail"\n\n[channels.mail]\nurl = "mailto://127.0.0.1:9?from=zhibu@example.org"\n\n'
    )
    config.write_text(text.replace("[[units]]", channel + "[[units]]", 1), encoding="utf-8")
    app = open_app(config)
    morning = datetime(2026, 3, 30, 8, 31, tzinfo=SHANGHAI)  # Monday: a month's and a quarter's end near
    with app.store.writing() as session:
        sync(session, app.loaded, app.rules, app.workdays, morning - timedelta(days=1))
        sweep(session, morning)
        fire_notices(session, morning, app.unit_channels)
    with app.store.writing() as session:
        elapsed, report = timed(lambda: compose_digests(session, app, morning, "zh"))
        rows = session.query(OutboxRow).filter(OutboxRow.kind == "digest").all()
        contexts = [(row.title, row.items) for row in rows]
    from notifiers.render import Item, Section, environment
    from workflows.i18n import t

    template = environment().get_template("zh/digest.html")

    def label(key: str, **params: Any) -> str:
        return t(key, "zh", **params)

    item = Item("zb1/支委会/2026-03", "支部委员会会议", "第1支部", date(2026, 3, 31), "due_soon")
    sections = [Section("week", "本周到期", [item]), Section("today", "今天到期", [item])]
    baseline, _ = timed(
        lambda: [
            template.render(
                org="x", recipient="x", day=date(2026, 3, 30), sections=sections, total=items, lang="zh", t=label
            )
            for _, items in contexts
        ]
    )
    app.store.close()
    rate = report.messages / elapsed if elapsed else 0.0
    return Row(
        "digests, one morning",
        f"{size.name}, {report.recipients:,} recipients",
        f"{report.messages:,} messages in {elapsed:.1f} s ({rate:,.0f}/s)",
        f"{baseline:.2f} s: the HTML template alone, as many times",
        f"{elapsed / baseline:.0f}×",
        "—",
        "zhibu: queries, sections, 4 renderings (subject, text, HTML, markdown) and the outbox insert",
    )


# --------------------------------------------------------------------------- the table


BENCHMARKS = ("materialize", "sweep", "list", "naive", "daemon", "digests")


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    memory = int(Path("/proc/meminfo").read_text().split()[1]) / 2**20
    return f"{os.cpu_count()} CPUs ({cpu}), {memory:.0f} GiB, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(SIZES), help="org size for materialize/naive/daemon/digests")
    parser.add_argument(
        "--only", nargs="*", choices=BENCHMARKS, help="default: all (with --size province: materialize)"
    )
    parser.add_argument(
        "--span", choices=sorted(SPANS), help="what materialize creates (default: a year; a month for the province)"
    )
    parser.add_argument("--keep", type=Path, help="keep the work files in this folder")
    parser.add_argument("--every", type=int, default=1, help="days between the daemon's ticks (default 1)")
    args = parser.parse_args(argv)
    if args.only is None:
        args.only = ["materialize"] if args.size == "province" else list(BENCHMARKS)
    work = args.keep or Path(tempfile.mkdtemp(prefix="zhibu-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    shown = 0
    started = time.perf_counter()

    def folder(name: str) -> Path:
        path = work / name
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        return path

    for name in args.only:
        print(f"… {name}", file=sys.stderr, flush=True)
        if name == "materialize":
            for size in [SIZES[args.size]] if args.size else [SIZES["ju"], SIZES["city"]]:
                rows.append(bench_materialize(size, folder(f"materialize-{size.name}"), args.span))
        elif name == "sweep":
            rows.extend(bench_sweep(folder("sweep")))
        elif name == "list":
            rows.append(bench_list(folder("list")))
        elif name == "naive":
            rows.append(bench_naive(SIZES[args.size or "city"], folder("naive")))
        elif name == "daemon":
            rows.append(bench_daemon(SIZES[args.size or "city"], folder("daemon"), args.every))
        elif name == "digests":
            rows.append(bench_digests(SIZES[args.size or "city"], folder("digests")))
        print(f"  done after {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        for row in rows[shown:]:
            print(f"  | {row.benchmark} | {row.size} | {row.zhibu} | {row.baseline} | {row.ratio} |", file=sys.stderr)
        shown = len(rows)
    print(
        f"Machine: {machine()}; peak RSS of the benchmark process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    print()
    print("| benchmark | size | zhibu | baseline (same run) | ratio | goal |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print(f"| {row.benchmark} | {row.size} | {row.zhibu} | {row.baseline} | {row.ratio} | {row.goal} |")
    notes = [f"- {row.benchmark} ({row.size}): {row.note}" for row in rows if row.note]
    if notes:
        print()
        print("\n".join(notes))
    kept = f"work files kept in {work}" if args.keep else "work files removed"
    print(f"\nTotal {time.perf_counter() - started:.0f} s; {kept}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
