"""The installed ``zhibu`` executable in real subprocesses: the README's walk-through."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def executable() -> str:
    beside = Path(sys.executable).parent / "zhibu"
    found = str(beside) if beside.exists() else shutil.which("zhibu")
    if not found:
        pytest.fail("the zhibu executable is not installed: pip install -e '.[test]'")
    return found


def zhibu(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ZHIBU_USER": "张伟"}
    env.pop("ZHIBU_CONFIG", None)
    return subprocess.run(
        [executable(), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_walkthrough_init_sync_list_done_list(tmp_path: Path) -> None:
    init = zhibu(tmp_path, "init")
    assert init.returncode == 0, init.stderr
    assert "已写入配置文件 zhibu.toml" in init.stdout
    assert (tmp_path / "zhibu.db").exists()
    again = zhibu(tmp_path, "init")
    assert again.returncode == 2
    assert "已存在，未覆盖" in again.stderr

    check = zhibu(tmp_path, "check")
    assert (check.returncode, check.stdout.strip(), check.stderr) == (0, "配置正确：3 个组织，3 名人员，6 条规则。", "")

    synced = zhibu(tmp_path, "sync", "--now", "2026-03-02T09:00")
    assert synced.stdout.strip() == "同步完成：新建 16 项任务，停用 0 项"

    before = json.loads(zhibu(tmp_path, "list", "--json", "--now", "2026-03-02T09:00").stdout)
    assert "zb1/支委会/2026-03" in {t["key"] for t in before}

    done = zhibu(
        tmp_path, "done", "【zb1／支委会／2026-03】", "--present", "支部书记,组织委员", "--now", "2026-03-02T10:00"
    )
    assert done.returncode == 0, done.stderr
    assert "已登记 zb1/支委会/2026-03：2026-03-02（1/1）" in done.stdout
    assert "法定人数：应到 2，实到 2，已超过半数" in done.stdout

    after = json.loads(zhibu(tmp_path, "list", "--json", "--now", "2026-03-02T11:00").stdout)
    assert {t["key"] for t in before} - {t["key"] for t in after} == {"zb1/支委会/2026-03"}

    english = zhibu(tmp_path, "--lang", "en", "show", "zb1/支委会/2026-03")
    assert "state: done" in english.stdout
    assert "张伟" in english.stdout


def test_example_config_checks_and_ticks(tmp_path: Path) -> None:
    config = Path(__file__).resolve().parents[2] / "config.example.toml"
    db = f"sqlite:///{tmp_path / 'example.db'}"
    check = zhibu(tmp_path, "--config", str(config), "check")
    assert check.returncode == 0, check.stderr
    assert check.stdout.strip() == "配置正确：15 个组织，209 名人员，32 条规则。"
    ticked = zhibu(tmp_path, "--config", str(config), "--db", db, "tick", "--now", "2026-03-25T09:00")
    assert ticked.returncode == 0, ticked.stderr
    assert "新建" in ticked.stdout
    due_soon = json.loads(
        zhibu(tmp_path, "--config", str(config), "--db", db, "list", "--status", "due-soon", "--json").stdout
    )
    assert {t["key"] for t in due_soon} >= {"zb1/党员大会/2026Q1", "zb2/支委会/2026-03"}
    missing = zhibu(tmp_path, "--config", str(config), "--db", db, "done", "zb9/支委会/2026-03")
    assert missing.returncode == 1
    assert "Traceback" not in missing.stderr
