"""``zhibu run`` as a real process: readiness, status and watchdog over a notify socket, warm and
cold stops, SIGHUP reloads, JSON logs without secrets, and the shipped systemd unit."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import REPO, edit_config
from tests.daemon_process import (
    DaemonProcess,
    NotifySocket,
    SteppedClock,
    alive,
    children_of,
    ticks_of,
    wait_until,
    zhibu_executable,
)
from tests.receivers import SmtpServer


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[NotifySocket]:
    sock = NotifySocket(tmp_path)
    yield sock
    sock.close()


def simulated(folder: Path, instant: str) -> dict[str, str]:
    """The environment of a service whose clock stands at ``instant`` until the test moves it."""
    return SteppedClock(folder, instant).env


def with_mail(config: Path, smtp: SmtpServer) -> None:
    """Send the example's email through the test's SMTP server."""
    edit_config(
        config,
        r'(tick_interval = "5m".*?\n)',
        f'\\1\n[notify]\nemail_channel = "mail"\n\n[channels.mail]\nurl = "mailto://127.0.0.1:{smtp.port}?from=zhibu@example.org"\n',
    )


def test_ready_status_watchdog_and_warm_stop(example_config: Path, notify_socket: NotifySocket) -> None:
    env = {
        "NOTIFY_SOCKET": notify_socket.path,
        "WATCHDOG_USEC": "2000000",
        **simulated(example_config.parent, "2026-03-02T08:00+08:00"),
    }
    daemon = DaemonProcess(example_config, "--interval", "1m", env=env)
    try:
        assert notify_socket.wait_for("READY=1"), daemon.output
        assert notify_socket.wait_for("STATUS=next tick at"), daemon.output
        assert notify_socket.wait_for("WATCHDOG=1"), daemon.output
        assert daemon.wait_for_line(lambda line: "INFO tick 2026-03-02" in line)
        daemon.signal(signal.SIGTERM)
        assert daemon.wait(timeout=30) == 0
    finally:
        daemon.kill()
    assert "zhibu stopped" in daemon.output
    assert notify_socket.wait_for("STOPPING=1", timeout=1)
    assert "新建 56 项" in daemon.output  # the first tick printed its agenda


@contextmanager
def sending_slowly(config: Path) -> Iterator[tuple[DaemonProcess, SmtpServer]]:
    """A service whose tick is sending the 08:30 digests to an SMTP server that takes 20 s to
    accept each message: yielded once the first send is under way."""
    with SmtpServer() as smtp:
        smtp.handler.delay = 20.0
        with_mail(config, smtp)
        daemon = DaemonProcess(config, "--interval", "1m", env=simulated(config.parent, "2026-03-02T08:31+08:00"))
        try:
            assert daemon.wait_for_line(lambda line: "zhibu started" in line)
            assert smtp.handler.wait_for_connection(timeout=60), daemon.output
            yield daemon, smtp
        finally:
            daemon.kill()


def test_second_signal_stops_at_once_while_a_send_hangs(example_config: Path) -> None:
    with sending_slowly(example_config) as (daemon, _smtp):
        started = time.monotonic()
        daemon.signal(signal.SIGTERM)
        assert daemon.wait_for_line(lambda line: "stopping after the message in progress" in line, timeout=10)
        daemon.signal(signal.SIGTERM)
        assert daemon.wait(timeout=10) == 1
        assert time.monotonic() - started < 10


def test_a_tick_killed_mid_send_fails_alone_and_the_next_tick_runs(example_config: Path) -> None:
    """Each tick is a process of its own: killing it (as the kernel would for memory) is one
    failed tick, logged, and the service carries on with the next."""
    with sending_slowly(example_config) as (daemon, smtp):
        ticking = ticks_of(daemon.proc.pid)
        assert len(ticking) == 1, ticking
        smtp.handler.delay = 0.0
        os.kill(ticking[0], signal.SIGKILL)
        failed = daemon.wait_for_line(lambda line: "failed: its process ended with signal 9" in line, timeout=30)
        assert failed is not None, daemon.output
        mark = daemon.lines.index(failed)
        assert daemon.wait_for_line(lambda line: "INFO tick 2026-03-02" in line, after=mark), daemon.output
        assert daemon.proc.poll() is None
        daemon.signal(signal.SIGTERM)
        assert daemon.wait(timeout=60) == 0, daemon.output
        assert smtp.received, "the next ticks sent what the killed one had claimed or queued"


def test_a_tick_ends_with_the_service_killed_under_it(example_config: Path) -> None:
    """SIGKILL to the service (a crash) takes the tick in progress with it at once, as when the
    whole service was one process: no orphan goes on sending beside the next service."""
    with sending_slowly(example_config) as (daemon, _smtp):
        ticking = ticks_of(daemon.proc.pid)
        assert len(ticking) == 1, ticking
        workers = children_of(daemon.proc.pid)
        daemon.proc.send_signal(signal.SIGKILL)
        assert wait_until(lambda: not alive(ticking[0]), timeout=10), "the tick outlived its service"
        assert wait_until(lambda: not any(alive(w) for w in workers), timeout=10), "the warm worker outlived it"


def test_the_service_holds_none_of_the_libraries_a_tick_uses() -> None:
    """What stays resident between ticks is the timer: the store, config and channel libraries
    are loaded by each tick's process only."""
    probe = (
        "import sys, scheduler.service.daemon\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & "
        "{'sqlalchemy', 'pydantic', 'apprise', 'holidays', 'jinja2', 'click', 'openpyxl', 'alembic'})\n"
        "print(','.join(heavy))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO)
    assert done.stdout.strip() == ""


def test_sighup_keeps_the_old_config_when_the_new_is_invalid(example_config: Path) -> None:
    daemon = DaemonProcess(
        example_config, "--interval", "1m", env=simulated(example_config.parent, "2026-03-02T08:00+08:00")
    )
    try:
        assert daemon.wait_for_line(lambda line: "INFO tick" in line)
        good = example_config.read_text(encoding="utf-8")
        edit_config(example_config, r'every = "quarter"', 'every = "fortnight"')
        daemon.signal(signal.SIGHUP)
        refused = daemon.wait_for_line(lambda line: "config reload refused" in line, timeout=30)
        assert refused is not None
        assert "expected one of" in refused
        seen = len(daemon.lines)
        assert daemon.wait_for_line(lambda line: "INFO tick" in line, after=seen), "still ticking on the old config"
        example_config.write_text(good.replace("某局机关党委", "某局机关党委（新）", 1), encoding="utf-8")
        daemon.signal(signal.SIGHUP)
        assert daemon.wait_for_line(lambda line: "config reloaded from" in line, timeout=30)
        seen = len(daemon.lines)
        assert daemon.wait_for_line(lambda line: "INFO tick" in line, after=seen), "ticking on the new config"
        daemon.signal(signal.SIGINT)
        assert daemon.wait(timeout=30) == 0, daemon.output
    finally:
        daemon.kill()


def test_json_logs_carry_no_secret(example_config: Path) -> None:
    secret = "Pa55-word-never-logged"
    edit_config(
        example_config,
        r'(tick_interval = "5m".*?\n)',
        f'\\1\n[notify]\nemail_channel = "mail"\n\n[channels.mail]\nurl = "mailto://zhibu:{secret}@127.0.0.1:1?from=zhibu@example.org"\n',
    )
    daemon = DaemonProcess(
        example_config,
        "--interval",
        "1m",
        "--log-format",
        "json",
        env=simulated(example_config.parent, "2026-03-02T08:31+08:00"),
    )
    try:
        assert daemon.wait_for_line(lambda line: line.startswith("{") and "3 to retry" in line, timeout=60), (
            daemon.output
        )
        daemon.signal(signal.SIGTERM)
        daemon.wait(timeout=30)
    finally:
        daemon.kill()
    records = [json.loads(line) for line in daemon.lines if line.startswith("{")]
    assert records, daemon.output
    assert {"ts", "level", "msg"} <= set(records[0])
    assert secret not in daemon.output


def test_status_exit_code_tells_a_monitor_whether_the_daemon_ticks(example_config: Path) -> None:
    env = simulated(example_config.parent, "2026-03-02T08:00+08:00")
    daemon = DaemonProcess(example_config, "--interval", "1m", env=env)
    try:
        assert daemon.wait_for_line(lambda line: "INFO tick" in line)
        import os

        status = subprocess.run(
            [zhibu_executable(), "--config", str(example_config), "status"],
            capture_output=True,
            text=True,
            env={**os.environ, **env},
            timeout=60,
            check=False,
        )
        assert status.returncode == 0, status.stdout + status.stderr
    finally:
        daemon.kill()
    stale = subprocess.run(
        [zhibu_executable(), "--config", str(example_config), "status", "--now", "2026-03-02T09:00"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert stale.returncode == 1


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_unit_verifies(tmp_path: Path) -> None:
    unit = (REPO / "deploy" / "zhibu.service").read_text(encoding="utf-8")
    local = tmp_path / "zhibu.service"
    local.write_text(unit.replace("/opt/zhibu/bin/zhibu", zhibu_executable()), encoding="utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", str(local)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr
    for directive in (
        "Type=notify",
        "WatchdogSec=",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "NoNewPrivileges=yes",
        "PrivateTmp=yes",
        "RestrictAddressFamilies=",
        "MemoryDenyWriteExecute=yes",
        "Restart=on-failure",
        "EnvironmentFile=",
        "ExecReload=",
        "StateDirectory=zhibu",
        "RuntimeDirectory=zhibu",
        "User=zhibu",
    ):
        assert directive in unit


def test_ten_days_of_downtime_end_in_one_catch_up_digest_each(tmp_path: Path) -> None:
    from collections import Counter

    from sqlalchemy import select

    from bench.orgs import synthetic_config, with_email_channel
    from scheduler.app import open_app
    from scheduler.store.models import OutboxRow, TaskRow

    with SmtpServer() as smtp:
        config = tmp_path / "zhibu.toml"
        config.write_text(
            with_email_channel(synthetic_config(4, 6), f"mailto://127.0.0.1:{smtp.port}?from=zhibu@example.org"),
            encoding="utf-8",
        )
        first = DaemonProcess(config, "--interval", "5m", env=simulated(tmp_path, "2026-03-02T08:40+08:00"))
        try:
            assert first.wait_for_line(lambda line: "INFO tick 2026-03-02" in line), first.output
            first.signal(signal.SIGTERM)
            assert first.wait(timeout=30) == 0
        finally:
            first.kill()
        monday = len(smtp.received)
        # ten days later (Thursday 12 March), the service starts again
        second = DaemonProcess(config, "--interval", "5m", env=simulated(tmp_path, "2026-03-12T08:40+08:00"))
        try:
            assert second.wait_for_line(lambda line: "INFO tick 2026-03-12" in line and "sent" in line), second.output
            second.signal(signal.SIGTERM)
            assert second.wait(timeout=30) == 0
        finally:
            second.kill()
        catch_up = smtp.received[monday:]
    app = open_app(config)
    with app.store.reading() as session:
        theme_days = dict(
            session.execute(
                select(TaskRow.key, TaskRow.state).where(
                    TaskRow.rule_id == "theme_day", TaskRow.period_key == "2026-03"
                )
            ).all()
        )
        digests = Counter(
            r.recipient for r in session.scalars(select(OutboxRow).where(OutboxRow.day == date(2026, 3, 12)))
        )
    assert monday > 0
    assert Counter(m.recipients[0] for m in catch_up) == Counter(
        {f"{r.removeprefix('person:')}@example.org": 1 for r in digests}
    )
    assert set(digests.values()) == {1}
    assert set(theme_days.values()) == {"due_soon"}  # due Friday 13 March: within seven days


def test_a_stepped_clock_moves_only_when_its_file_is_written(example_config: Path, tmp_path: Path) -> None:
    """``ZHIBU_CLOCK=file:…``: the daemon's time is what a driver wrote, so a simulation can step it
    one day at a time and wait for each tick (how the benchmark runs a year)."""
    instant = tmp_path / "now"
    instant.write_text("2026-03-02T08:00+08:00", encoding="utf-8")
    daemon = DaemonProcess(example_config, "--interval", "1d", env={"ZHIBU_CLOCK": f"file:{instant}"})
    try:
        assert daemon.wait_for_line(lambda line: "INFO tick 2026-03-02 08:00" in line), daemon.output
        # it keeps ticking at the same instant until the file moves; each finds nothing new
        mark = len(daemon.lines)
        assert daemon.wait_for_line(lambda line: "INFO tick 2026-03-02 08:00: 0 created" in line, after=mark)
        instant.write_text("2026-04-01T08:00+08:00", encoding="utf-8")
        line = daemon.wait_for_line(lambda line: "INFO tick 2026-04-01 08:00" in line)
        assert line is not None, daemon.output
        assert " 0 created" not in line  # April's and the next quarter's periods entered the window
        assert "tick 2026-03-1" not in daemon.output  # no day in between was ever seen
        daemon.signal(signal.SIGTERM)
        assert daemon.wait(timeout=30) == 0
    finally:
        daemon.kill()


def test_the_store_password_never_stands_on_the_service_command_line(example_config: Path, tmp_path: Path) -> None:
    """``--db`` may carry a password: once the service has replaced ``zhibu run``, its command line
    (readable by anyone on the host) does not hold it, yet its ticks get the URL. (SQLite takes no
    password, so the tick refuses this URL: its error shows that it got it, redacted.)"""
    secret = "Pa55-word-never-shown"
    log = tmp_path / "stderr.txt"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [
                *(zhibu_executable(), "--config", str(example_config)),
                *("--db", f"sqlite://zhibu:{secret}@/{tmp_path}/zhibu.db", "run", "--interval", "1m"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env=dict(os.environ),  # the real time: a moved clock would be checked against the store first
        )
        try:
            assert wait_until(lambda: "cannot open the store sqlite://zhibu:***@" in log.read_text(), timeout=60), (
                log.read_text()
            )
            command_line = Path(f"/proc/{process.pid}/cmdline").read_bytes()
            assert b"scheduler.service.daemon" in command_line
            assert secret.encode() not in command_line
        finally:
            process.kill()
            process.wait(timeout=30)
    assert secret not in log.read_text()


def test_ticks_reuse_the_parsed_config_until_a_file_it_reads_changes(realistic_config: Path, tmp_path: Path) -> None:
    """The warm worker parses the config and its roster once; an unchanged file (even touched) is
    reused; a roster edited under the running service is read at the next tick."""
    clock = SteppedClock(tmp_path, "2026-03-02T09:00+08:00")
    daemon = DaemonProcess(realistic_config, "--interval", "5m", env=clock.env)
    roster = realistic_config.parent / "examples" / "roster.csv"
    try:
        first = daemon.wait_for_line(lambda line: "INFO tick 2026-03-02 09:00" in line, timeout=120)
        assert first is not None, daemon.output
        assert "config read" in first
        clock.set("2026-03-02T09:05+08:00")
        second = daemon.wait_for_line(lambda line: "INFO tick 2026-03-02 09:05" in line, timeout=60)
        assert second is not None, daemon.output
        assert "config reused" in second
        # a forked tick's own memory is what it added to the worker's: less than its resident peak,
        # which counts the worker's pages it maps (the parsed config among them)
        memory = re.search(r"peak (\d+) MB, own (\d+) MB", second)
        assert memory is not None, second
        assert 0 < int(memory[2]) < int(memory[1])
        os.utime(roster)  # touched, the same bytes
        clock.set("2026-03-02T09:10+08:00")
        third = daemon.wait_for_line(lambda line: "INFO tick 2026-03-02 09:10" in line, timeout=60)
        assert third is not None, daemon.output
        assert "config reused" in third
        with roster.open("a", encoding="utf-8") as handle:
            handle.write("P9001,新党员,办公室党支部,正式党员,,2025-07-01,,,,8000,,p9001@example.org,否,否\n")
        clock.set("2026-03-02T09:15+08:00")
        fourth = daemon.wait_for_line(lambda line: "INFO tick 2026-03-02 09:15" in line, timeout=60)
        assert fourth is not None, daemon.output
        assert "config read" in fourth
        assert re.search(r"tick 2026-03-02 09:15: [1-9]\d* created", fourth), fourth  # the newcomer's tasks
        daemon.signal(signal.SIGTERM)
        assert daemon.wait(timeout=60) == 0, daemon.output
    finally:
        daemon.kill()


def test_a_dead_warm_worker_costs_one_cold_tick_and_is_started_again(example_config: Path, tmp_path: Path) -> None:
    clock = SteppedClock(tmp_path, "2026-03-02T09:00+08:00")
    daemon = DaemonProcess(example_config, "--interval", "5m", env=clock.env)
    try:
        assert daemon.wait_for_line(lambda line: "INFO tick 2026-03-02 09:00" in line, timeout=120), daemon.output
        worker = next(
            p for p in children_of(daemon.proc.pid) if b"service.warm" in Path(f"/proc/{p}/cmdline").read_bytes()
        )
        os.kill(worker, signal.SIGKILL)
        assert wait_until(lambda: not alive(worker), timeout=10)
        clock.set("2026-03-02T09:05+08:00")
        cold = daemon.wait_for_line(lambda line: "INFO tick 2026-03-02 09:05" in line, timeout=60)
        assert cold is not None, daemon.output
        assert "config read" in cold  # a freshly started ticker parsed it
        assert daemon.wait_for_line(lambda line: "warm worker was not available" in line, timeout=30), daemon.output
        clock.set("2026-03-02T09:10+08:00")
        assert daemon.wait_for_line(lambda line: "INFO tick 2026-03-02 09:10" in line, timeout=60), daemon.output
        clock.set("2026-03-02T09:15+08:00")
        warm = daemon.wait_for_line(lambda line: "INFO tick 2026-03-02 09:15" in line, timeout=60)
        assert warm is not None, daemon.output
        assert "config reused" in warm  # the new worker keeps it again
        daemon.signal(signal.SIGTERM)
        assert daemon.wait(timeout=60) == 0, daemon.output
    finally:
        daemon.kill()
