"""Records an inspector can trust: the operator is who the kernel says, each may write only where
their role reaches, a production store keeps the real time, and history cannot be rewritten
unseen. The identity tests use real throwaway OS users (created here as root; skipped otherwise)."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from scheduler.store.urls import SIMULATE_ENV
from tests.conftest import EXAMPLE, ME, REPO, SHANGHAI, CliRun, edit_config, with_login
from tests.daemon_process import DaemonProcess

RUNUSER = shutil.which("runuser")


@dataclass
class People:
    """Two throwaway OS users in a throwaway group: a secretary of 第一党支部 and one of 第二党支部."""

    group: str
    first: str  # 张伟, secretary of zb1
    second: str  # 郑宇, secretary of zb2


def _traversable(paths: list[Path]) -> Iterator[tuple[Path, int]]:
    """Every folder on the way to ``paths`` that others cannot enter, with its mode before."""
    seen: set[Path] = set()
    for path in paths:
        for folder in [path, *path.parents]:
            if folder in seen or not folder.is_dir():
                continue
            seen.add(folder)
            mode = folder.stat().st_mode
            if not mode & stat.S_IXOTH:
                yield folder, mode


@pytest.fixture(scope="module")
def people() -> Iterator[People]:
    if os.geteuid() != 0 or RUNUSER is None:
        pytest.skip("creating OS users needs root and runuser (CI runs as root)")
    tag = uuid.uuid4().hex[:6]
    found = People(group=f"zbt{tag}", first=f"zbt{tag}a", second=f"zbt{tag}b")
    subprocess.run(["groupadd", found.group], check=True)
    for user in (found.first, found.second):
        subprocess.run(["useradd", "--no-create-home", "--groups", found.group, user], check=True)
    # the other users run this interpreter and this checkout: let them walk the folders to them
    opened = list(_traversable([Path(sys.prefix), Path(sys.executable).resolve().parent, REPO]))
    for folder, mode in opened:
        folder.chmod(mode | stat.S_IXOTH)
    try:
        yield found
    finally:
        for folder, mode in opened:
            folder.chmod(mode)
        for user in (found.first, found.second):
            subprocess.run(["userdel", user], check=False)
        subprocess.run(["groupdel", found.group], check=False)


def as_user(user: str, *args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``zhibu ARGS`` run by ``user``, with whatever environment they like to claim."""
    assert RUNUSER is not None
    base = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(REPO), "LANG": "C.UTF-8"}
    command = [RUNUSER, "-u", user, "--", "env", *(f"{k}={v}" for k, v in {**base, **(env or {})}.items())]
    return subprocess.run(
        [*command, sys.executable, "-m", "scheduler.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def completions(database: Path) -> list[tuple[str, str, str | None]]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT t.key, c.recorded_by, c.on_behalf_of FROM completion c JOIN task t ON t.id = c.task_id ORDER BY c.id"
        )
        return list(rows)


def this_month() -> str:
    return f"{datetime.now(SHANGHAI):%Y-%m}"


@pytest.fixture
def deployment(people: People) -> Iterator[tuple[Path, Path, Path]]:
    """A service as a deployment runs it: config and store private to it (0700 folder, 0600
    files), a socket folder others may enter, the socket 0660 for the group. Yields the private
    folder, the store and the socket."""
    top = Path(tempfile.mkdtemp(prefix="zhibu-trust-"))
    top.chmod(0o711)
    private, sockets = top / "service", top / "run"
    private.mkdir(mode=0o700)
    sockets.mkdir(mode=0o711)
    text = with_login(
        with_login(EXAMPLE.read_text(encoding="utf-8"), "zhangwei", people.first), "zhengyu", people.second
    )
    text = text.replace(
        "[daemon]\n", f'[daemon]\nsocket = "{sockets / "zhibu.sock"}"\nsocket_group = "{people.group}"\n', 1
    )
    config = private / "zhibu.toml"
    config.write_text(text, encoding="utf-8")
    config.chmod(0o600)
    env = {key: value for key, value in os.environ.items() if key != SIMULATE_ENV}  # a production store
    service = DaemonProcess(config, "--interval", "1h", env=env, replace_env=True)
    try:
        assert service.wait_for_line(lambda line: "listening on" in line), service.output
        assert service.wait_for_line(lambda line: "INFO tick" in line), service.output
        yield private, private / "zhibu.db", sockets / "zhibu.sock"
    finally:
        service.signal(15)
        service.wait(timeout=60)
        service.kill()
        shutil.rmtree(top, ignore_errors=True)


def test_through_the_socket_each_records_as_themselves_and_only_in_their_branch(
    people: People, deployment: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    private, database, sock = deployment
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE(sock.stat().st_mode) == 0o660
    claims = {"ZHIBU_SOCKET": str(sock), "ZHIBU_USER": "王建国", "LOGNAME": "wangjg", "USER": "wangjg"}
    work = Path(tempfile.mkdtemp(prefix="zhibu-user-"))
    work.chmod(0o777)
    minutes = work / "minutes.txt"
    minutes.write_text("支委会记录", encoding="utf-8")
    minutes.chmod(0o644)
    key = f"zb1/支委会/{this_month()}"
    try:
        done = as_user(
            people.first, "done", key, "--present", "张伟,李娜", "--attach", str(minutes), cwd=work, env=claims
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"已登记 {key}" in done.stdout
        on_behalf = as_user(people.first, "ack", f"zb1/主题党日/{this_month()}", "--by", "王建国", cwd=work, env=claims)
        assert on_behalf.returncode == 0, on_behalf.stderr

        before = completions(database)
        other = f"zb2/支委会/{this_month()}"
        refused = as_user(people.first, "done", other, cwd=work, env=claims)
        assert refused.returncode == 4, refused.stdout + refused.stderr
        assert "郑宇" in refused.stderr  # names who may act
        assert as_user(people.second, "waive", key, "--reason", "试图改写", cwd=work, env=claims).returncode == 4
        assert completions(database) == before  # nothing written by either refusal
        assert as_user(people.second, "done", other, cwd=work, env={"ZHIBU_SOCKET": str(sock)}).returncode == 0
    finally:
        shutil.rmtree(work, ignore_errors=True)

    recorded = completions(database)
    assert recorded[0] == (key, people.first, None)  # not 王建国, whatever the environment said
    assert recorded[-1] == (other, people.second, None)
    with sqlite3.connect(database) as connection:
        [(actor, behalf)] = connection.execute(
            "SELECT actor, on_behalf_of FROM audit WHERE action = 'ack' ORDER BY id DESC LIMIT 1"
        ).fetchall()
    assert (actor, behalf) == (people.first, "王建国")  # --by is 代录, beside the operator
    shown = subprocess.run(
        [sys.executable, "-m", "scheduler.cli", "--config", str(private / "zhibu.toml"), "show", key],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"张伟（{people.first}）" in shown
    assert "minutes.txt  sha256:" in shown  # the file travelled with the request and was kept


def test_directly_a_user_records_as_themselves_and_only_in_their_branch(people: People) -> None:
    """Without a service (a laptop): the CLI writes the store itself, as the kernel's login."""
    home = Path(tempfile.mkdtemp(prefix="zhibu-own-"))
    try:
        text = with_login(EXAMPLE.read_text(encoding="utf-8"), "zhangwei", people.first)
        (home / "zhibu.toml").write_text(text, encoding="utf-8")
        subprocess.run(["chown", "-R", f"{people.first}:{people.first}", str(home)], check=True)
        claims = {"ZHIBU_USER": "郑宇", "LOGNAME": people.second, "USER": people.second, "ZHIBU_SOCKET": "/nonexistent"}
        assert as_user(people.first, "sync", cwd=home, env=claims).returncode == 0
        key, other = f"zb1/支委会/{this_month()}", f"zb2/支委会/{this_month()}"
        assert as_user(people.first, "done", key, cwd=home, env=claims).returncode == 0
        refused = as_user(people.first, "done", other, cwd=home, env=claims)
        assert refused.returncode == 4, refused.stderr
        assert completions(home / "zhibu.db") == [(key, people.first, None)]
        assert stat.S_IMODE((home / "zhibu.db").stat().st_mode) == 0o600
    finally:
        shutil.rmtree(home, ignore_errors=True)


def test_the_environment_never_changes_the_operator(
    zhibu: CliRun, example_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in (("ZHIBU_USER", "郭斌志"), ("LOGNAME", "guobz"), ("USER", "guobz")):
        monkeypatch.setenv(name, value)
    assert zhibu("sync", "--now", "2026-03-02T09:00").exit_code == 0
    done = zhibu("done", "zb2/支委会/2026-03", "--by", "郭斌志", "--now", "2026-03-02T10:00")
    assert done.exit_code == 0, done.output
    assert completions(example_config.parent / "zhibu.db") == [("zb2/支委会/2026-03", ME, "郭斌志")]


def test_a_login_nobody_has_may_not_record(zhibu: CliRun, example_config: Path) -> None:
    example_config.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")  # no login for anyone
    assert zhibu("sync", "--now", "2026-03-02T09:00").exit_code == 0
    refused = zhibu("done", "zb1/支委会/2026-03", "--now", "2026-03-02T10:00")
    assert refused.exit_code == 4
    assert f'login = "{ME}"' in refused.output
    assert completions(example_config.parent / "zhibu.db") == []


def test_now_moves_time_only_on_a_simulation_store(
    zhibu: CliRun, example_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SIMULATE_ENV)
    assert zhibu("sync").exit_code == 0  # a production store, on the real date
    for args in (
        ("tick", "--now", "2029-01-01T09:00"),
        ("list", "--now", "2026-03-12"),
        ("sync", "--now", "2026-03-02"),
    ):
        refused = zhibu(*args)
        assert refused.exit_code == 2, args
        assert "正式库" in refused.output
    monkeypatch.setenv("ZHIBU_CLOCK", "2029-01-01T09:00+08:00@0x1")
    assert zhibu("tick").exit_code == 2
    monkeypatch.delenv("ZHIBU_CLOCK")
    assert "正式库" in zhibu("status").output

    simulated = example_config.parent / "sim.db"
    assert zhibu("--simulate", "--db", f"sqlite:///{simulated}", "tick", "--now", "2026-03-02T09:00").exit_code == 0
    assert (
        zhibu("--db", f"sqlite:///{simulated}", "done", "zb1/支委会/2026-03", "--now", "2026-03-05T10:00").exit_code
        == 0
    )
    late = zhibu(
        "--db",
        f"sqlite:///{simulated}",
        "done",
        "zb2/支委会/2026-03",
        "--on",
        "2026-03-02",
        "--now",
        "2026-03-05T10:00",
    )
    assert late.exit_code == 0
    shown = zhibu("--db", f"sqlite:///{simulated}", "show", "zb2/支委会/2026-03").output
    assert "补录：2026-03-02 的事，2026-03-05 登记" in shown


def test_history_cannot_be_rewritten_unseen(zhibu: CliRun, example_config: Path) -> None:
    assert zhibu("sync", "--now", "2026-03-02T09:00").exit_code == 0
    assert zhibu("done", "zb1/支委会/2026-03", "--now", "2026-03-02T10:00").exit_code == 0
    database = example_config.parent / "zhibu.db"
    verified = zhibu("audit", "verify")
    assert verified.exit_code == 0
    head = re.search(r"completion .*?([0-9a-f]{64})", verified.output)
    assert head, verified.output
    with sqlite3.connect(database) as connection:
        for statement in (
            "UPDATE audit SET actor = '郭斌志' WHERE id = 1",
            "UPDATE completion SET recorded_by = '郭斌志', happened_on = '2026-02-01'",
            "DELETE FROM audit WHERE id = 2",
        ):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                connection.execute(statement)
        for table in ("audit", "completion"):  # someone with the file drops the guard and edits
            connection.execute(f"DROP TRIGGER {table}_no_update")
        connection.execute("UPDATE completion SET recorded_by = '郭斌志'")
        connection.commit()
    broken = zhibu("audit", "verify")
    assert broken.exit_code == 1
    assert "completion 链在第 1 行断开" in broken.output
    assert zhibu("audit", "verify", "--head", head.group(1)[:16]).exit_code == 1  # the chain is broken all the same


def test_evidence_is_kept_by_hash_and_checked(zhibu: CliRun, example_config: Path, tmp_path: Path) -> None:
    assert zhibu("sync", "--now", "2026-03-02T09:00").exit_code == 0
    for bad in ("file:///etc/passwd", str(tmp_path / "missing.pdf")):
        refused = zhibu("done", "zb1/支委会/2026-03", "--attach", bad, "--now", "2026-03-02T10:00")
        assert refused.exit_code == 2, bad
    minutes = tmp_path / "minutes.txt"
    minutes.write_text("原始记录", encoding="utf-8")
    assert zhibu("done", "zb1/支委会/2026-03", "--attach", str(minutes), "--now", "2026-03-02T10:00").exit_code == 0
    minutes.write_text("事后改过的记录", encoding="utf-8")  # the original changes; the evidence does not
    kept = list((tmp_path / "evidence").iterdir())
    assert len(kept) == 1
    assert kept[0].read_text(encoding="utf-8") == "原始记录"
    assert stat.S_IMODE(kept[0].stat().st_mode) == 0o600
    assert zhibu("audit", "verify").exit_code == 0
    kept[0].write_text("被替换", encoding="utf-8")
    changed = zhibu("audit", "verify")
    assert changed.exit_code == 1
    assert "内容已被改动" in changed.output


def test_exports_are_private(zhibu: CliRun, example_config: Path, tmp_path: Path) -> None:
    assert zhibu("tick", "--now", "2026-03-02T09:00", "-q").exit_code == 0
    for name in ("ledger.xlsx", "tasks.csv"):
        assert (
            zhibu("report", "--period", "2026Q1", "-o", str(tmp_path / name), "--now", "2026-03-02T10:00").exit_code
            == 0
        )
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    assert stat.S_IMODE((example_config.parent / "zhibu.db").stat().st_mode) == 0o600
    table = zhibu("report", "--period", "2026Q1", "--now", "2026-03-02T10:00").output
    assert "记录链头：audit " in table


def test_check_warns_of_a_secret_others_can_read(zhibu: CliRun, example_config: Path) -> None:
    edit_config(
        example_config,
        r'(tick_interval = "5m".*?\n)',
        '\\1\n[channels.mail]\nurl = "mailto://zhibu:Literal-Secret-9@127.0.0.1:2525?from=zhibu@example.org"\n',
    )
    example_config.chmod(0o644)
    warned = zhibu("check")
    assert warned.exit_code == 0
    assert "chmod 600" in warned.output
    assert "Literal-Secret-9" not in warned.output
    example_config.chmod(0o600)
    assert "chmod 600" not in zhibu("check").output
    example_config.chmod(0o666)
    assert "chmod go-w" in zhibu("check").output


def test_a_reason_may_not_be_empty(zhibu: CliRun) -> None:
    assert zhibu("sync", "--now", "2026-03-02T09:00").exit_code == 0
    for reason in ("", "   ", "\r"):
        assert zhibu("waive", "zb1/党课/2026Q1", "--reason", reason, "--now", "2026-03-03T10:00").exit_code == 2
