"""The installed ``zhibu`` executable in real subprocesses (the README's walk-through: test_readme)."""

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
    env = dict(os.environ)
    env.pop("ZHIBU_CONFIG", None)
    return subprocess.run(
        [executable(), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


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
