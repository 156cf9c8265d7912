"""A cold zhibu list beside Taskwarrior listing the same tasks."""

from __future__ import annotations

import compileall
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from bench.materialize import _stored
from bench.measure import REPO, SHANGHAI, UTC, ZHIBU, Row

# what the synthetic tasks are called: the catalogue's aliases and titles, people with names
from bench.sweep import PEOPLE, _key, _synthetic_store, _title


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
