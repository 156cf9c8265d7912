"""Delivery under faults, with real servers on loopback: a webhook that drips a byte every two
seconds, an SMTP server that accepts and never answers, one that refuses, one slow but working.
Mail to everyone else still arrives; nothing is dropped or received twice; the stuck channel is
paused and shown by ``status``; a tick past its budget is killed and the next one runs."""

from __future__ import annotations

import signal
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from scheduler.app import open_app
from scheduler.engine.tick import tick
from scheduler.store.models import OutboxRow
from tests.conftest import CliRun, beijing, edit_config
from tests.daemon_process import DaemonProcess, SteppedClock
from tests.receivers import BlackHole, SmtpServer, free_port

FAST = 'send_timeout = "2s"\ndelivery_budget = "60s"\n'


def channels(config: Path, mail: str, extra: dict[str, str], notify: str = FAST) -> None:
    lines = "".join(f'[channels.{name}]\nurl = "{url}"\n\n' for name, url in extra.items())
    edit_config(
        config,
        r'(tick_interval = "5m".*?\n)',
        f'\\1\n[notify]\nemail_channel = "mail"\n{notify}\n[channels.mail]\nurl = "{mail}"\n\n{lines}',
    )


def give(config: Path, person: str, names: list[str]) -> None:
    edit_config(config, rf'(id = "{person}"\n)', f"\\1channels = {names!r}\n".replace("'", '"'))


def rows(config: Path) -> list[OutboxRow]:
    app = open_app(config)
    with app.store.reading() as session:
        found = list(session.scalars(select(OutboxRow)))
    app.store.close()
    return found


def test_a_stuck_webhook_and_a_silent_smtp_server_delay_nobody_else(example_config: Path, zhibu: CliRun) -> None:
    with SmtpServer() as smtp, BlackHole() as silent, BlackHole(drip=2.0) as drip:
        smtp.handler.delay = 0.2  # slow but working
        channels(
            example_config,
            f"mailto://127.0.0.1:{smtp.port}?from=zhibu@example.org",
            {
                "hole": f"mailto://127.0.0.1:{silent.port}?from=zhibu@example.org&to=guoqing@example.org",
                "drip": f"json://127.0.0.1:{drip.port}/hook",
                "refused": f"mailto://127.0.0.1:{free_port()}?from=zhibu@example.org&to=lina@example.org",
            },
        )
        give(example_config, "guoqing", ["hole"])  # three who get a digest that morning
        give(example_config, "zhangwei", ["drip"])
        give(example_config, "lina", ["refused"])
        app = open_app(example_config)
        report = tick(app, beijing("2026-03-02 08:31"))
        app.store.close()
        received = Counter((m.recipients[0], m.subject) for m in smtp.received)

    outbox = rows(example_config)
    by_channel = Counter(r.channel for r in outbox)
    assert by_channel["mail"] >= 3
    assert by_channel["hole"] == 1
    assert by_channel["drip"] == 1
    # every email through the working server arrived, once
    sent_mail = [r for r in outbox if r.channel == "mail"]
    assert {r.status for r in sent_mail} == {"sent"}
    assert received == Counter((r.address, r.title) for r in sent_mail)
    # the stuck ones are not lost: queued for another try, with the reason
    stuck = [r for r in outbox if r.channel in ("hole", "drip")]
    assert {r.status for r in stuck} == {"queued"}
    assert all(r.last_error for r in stuck), [r.last_error for r in stuck]  # why, kept for status
    refused = [r for r in outbox if r.channel == "refused"]
    assert {r.status for r in refused} == {"queued"}
    assert refused[0].last_error
    assert report.delivery.sent == len(sent_mail)
    assert report.delivery.paused == []  # one timeout each: not enough to pause a channel


def test_a_channel_that_keeps_timing_out_is_paused_for_the_tick(example_config: Path, zhibu: CliRun) -> None:
    with SmtpServer() as smtp, BlackHole() as silent:
        channels(
            example_config,
            f"mailto://127.0.0.1:{smtp.port}?from=zhibu@example.org",
            {"hole": f"mailto://127.0.0.1:{silent.port}?from=zhibu@example.org"},
            notify='send_timeout = "1s"\ndelivery_budget = "60s"\nsenders_per_channel = 1\n',
        )
        for person in ("wangjg", "liuhm", "zhangwei", "lina", "zhengyu", "fengjing", "guoqing", "luoyun"):
            give(example_config, person, ["hole"])
        app = open_app(example_config)
        report = tick(app, beijing("2026-03-02 08:31"))
        app.store.close()
    assert report.delivery.paused == ["hole"]
    hole = [r for r in rows(example_config) if r.channel == "hole"]
    assert len(hole) >= 3
    assert {r.status for r in hole} == {"queued"}  # two abandoned, the rest never tried: all kept
    assert sum(r.attempts for r in hole) == 2  # the ones never sent took no attempt
    assert "hole" in zhibu("status", "--now", "2026-03-02T08:40").output


def test_a_tick_past_its_budget_is_killed_and_the_next_one_runs(example_config: Path, tmp_path: Path) -> None:
    with BlackHole() as silent:
        channels(
            example_config,
            f"mailto://127.0.0.1:{silent.port}?from=zhibu@example.org",
            {},
            notify='send_timeout = "1h"\ndelivery_budget = "1h"\n',
        )
        edit_config(example_config, r'(tick_interval = "5m")', '\\1\ntick_budget = "5s"')
        clock = SteppedClock(tmp_path, "2026-03-02T08:31+08:00")
        daemon = DaemonProcess(example_config, "--interval", "1m", env=clock.env)
        try:
            killed = daemon.wait_for_line(lambda line: "ran past its budget" in line, timeout=120)
            assert killed is not None, daemon.output
            mark = daemon.lines.index(killed)
            clock.set("2026-03-02T22:00+08:00")  # quiet hours: nothing to send, the tick finishes
            assert daemon.wait_for_line(lambda line: "INFO tick 2026-03-02 22:00" in line, after=mark), daemon.output
            daemon.signal(signal.SIGTERM)
            assert daemon.wait(timeout=60) == 0
        finally:
            daemon.kill()


def queue_many(config: Path, count: int, domain: str) -> None:
    """``count`` more digests in the outbox, queued by the engine as a morning would."""
    from notifiers.channels import Message
    from notifiers.routing import Target
    from scheduler.engine.digests import queue_message

    app = open_app(config)
    now = beijing("2026-03-02 08:31")
    with app.store.writing() as session:
        for n in range(count):
            message = Message(f"党务提醒 {n}", f"第 {n} 封", f"<p>第 {n} 封</p>", f"第 {n} 封")
            target = Target("mail", f"member{n}@{domain}")
            queue_message(
                session, app, key=f"bulk/{n}", kind="digest", recipient=f"m{n}", targets=[target],
                day=now.date(), message=message, items=1, now=now, lang="zh",
            )  # fmt: skip
    app.store.close()


def test_a_large_delivery_is_sent_by_helper_processes_each_message_once(example_config: Path) -> None:
    with SmtpServer() as smtp:
        channels(example_config, f"mailto://127.0.0.1:{smtp.port}?from=zhibu@example.org", {})
        queue_many(example_config, 400, "example.org")
        app = open_app(example_config)
        report = tick(app, beijing("2026-03-02 08:31"))
        app.store.close()
        received = Counter((m.recipients[0], m.subject) for m in smtp.received)
    outbox = [r for r in rows(example_config) if r.channel == "mail"]
    assert len(outbox) >= 400
    assert report.delivery.helpers == 2  # the default [notify] mail_processes
    assert {r.status for r in outbox} == {"sent"}
    assert received == Counter((r.address, r.title) for r in outbox)  # every one, once
    assert report.delivery.sent == len(outbox)


def test_a_large_delivery_to_a_refusing_server_loses_nothing(example_config: Path) -> None:
    channels(example_config, f"mailto://127.0.0.1:{free_port()}?from=zhibu@example.org", {})
    queue_many(example_config, 320, "example.org")
    app = open_app(example_config)
    report = tick(app, beijing("2026-03-02 08:31"))
    app.store.close()
    outbox = [r for r in rows(example_config) if r.channel == "mail"]
    assert report.delivery.helpers == 2
    assert report.delivery.sent == 0
    assert {r.status for r in outbox} == {"queued"}  # each waits for its retry, with the reason
    assert all("refused" in (r.last_error or "").lower() for r in outbox), {r.last_error for r in outbox}
