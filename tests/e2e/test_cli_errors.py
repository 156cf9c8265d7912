"""Bad input through the CLI: a clear message in the chosen language, the right exit code,
no traceback, and the store unchanged."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scheduler.store.engine import connect_store
from tests.conftest import CliRun, edit_config
from tests.store.helpers import dump


@pytest.fixture
def synced(zhibu: CliRun, example_config: Path) -> Path:
    result = zhibu("tick", "--now", "2026-02-10T09:00")
    assert result.exit_code == 0, result.output
    return example_config


def store_rows(config: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the store next to ``config``, read without loading the config."""
    store = connect_store(f"sqlite:///{config.parent / 'zhibu.db'}")
    try:
        return dump(store)
    finally:
        store.close()


def test_invalid_toml_exits_2_and_writes_nothing(zhibu: CliRun, example_config: Path) -> None:
    edit_config(example_config, r'name = "某局机关党委"\n', 'name = "某局机关党委\n')
    result = zhibu("--lang", "en", "tick", "--now", "2026-02-10T09:00")
    assert result.exit_code == 2
    assert "is not valid TOML" in result.output
    assert "Traceback" not in result.output
    assert not (example_config.parent / "zhibu.db").exists()


def test_config_errors_are_listed_together_in_chinese(zhibu: CliRun, example_config: Path) -> None:
    edit_config(example_config, r'every = "month"\ndue_day = 15', 'evrey = "month"\ndue_day = 15')
    edit_config(
        example_config,
        r'kind = "group"\nparent = "zb1"\n\n\[\[units\]\]\nid = "zb1-g2"',
        'kind = "group"\nparent = "zb9"\n\n[[units]]\nid = "zb1-g2"',
    )
    edit_config(example_config, r'owner = "role:书记"\nsource = "党建', 'owner = "role:主任"\nsource = "党建')
    result = zhibu("check")
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[0].endswith("有 3 处错误：")
    assert any("units[2].parent: 未定义的组织 'zb9'，是否应为 'zb" in line for line in lines)
    assert any("rules.theme_day.evrey: 未知的键 'evrey'，是否应为 'every'？" in line for line in lines)
    # theme_day is a built-in obligation: a misspelt key cannot leave `every` missing
    assert any("rules.theme_day.owner: 未知的职务 '主任'" in line for line in lines)
    assert all(line.startswith("  第 ") for line in lines[1:])


def test_invalid_config_never_touches_an_existing_store(zhibu: CliRun, synced: Path) -> None:
    before = store_rows(synced)
    edit_config(synced, r"horizon = 1", "horizon = 99")
    for args in (("tick", "--now", "2026-03-10T09:00"), ("done", "zb1/党课/2026Q1"), ("sync",)):
        result = zhibu(*args)
        assert result.exit_code == 2
        assert "sync.horizon: 应不大于 12" in result.output
    assert store_rows(synced) == before


def test_unknown_task_key_exits_1_with_near_matches(zhibu: CliRun, synced: Path) -> None:
    result = zhibu("--lang", "en", "done", "zb1/支委会/2026-2")
    assert result.exit_code == 1
    assert "no task 'zb1/支委会/2026-2'." in result.output
    assert "Did you mean:\n  zb1/支委会/2026-02" in result.output


def test_malformed_date_exits_2(zhibu: CliRun, synced: Path) -> None:
    before = store_rows(synced)
    result = zhibu("--lang", "en", "done", "zb1/党课/2026Q1", "--on", "2026-02-30")
    assert result.exit_code == 2
    assert "bad date '2026-02-30'; write 2026-03-31" in result.output
    result = zhibu("--lang", "en", "tick", "--now", "next tuesday")
    assert result.exit_code == 2
    assert "bad time 'next tuesday'" in result.output
    assert store_rows(synced) == before


def test_done_on_a_waived_task_exits_1_and_changes_nothing(zhibu: CliRun, synced: Path) -> None:
    result = zhibu("waive", "zb3/党课/2026Q1", "--reason", "并入机关党委集中党课", "--now", "2026-02-10T10:00")
    assert result.exit_code == 0, result.output
    before = store_rows(synced)
    result = zhibu("done", "zb3/党课/2026Q1", "--now", "2026-02-10T10:00")
    assert result.exit_code == 1
    assert "已于 2026-02-10 免除（并入机关党委集中党课），不能再登记完成" in result.output
    assert store_rows(synced) == before


def test_unopenable_store_exits_3_without_traceback(zhibu: CliRun, tmp_path: Path) -> None:
    result = zhibu("--db", f"sqlite:///{tmp_path}/no/such/dir/zhibu.db", "list")
    assert result.exit_code == 3
    assert "无法打开数据库" in result.output
    assert "unable to open database file" in result.output
    assert "Traceback" not in result.output


def test_store_password_never_appears_in_errors(zhibu: CliRun) -> None:
    result = zhibu("--lang", "en", "--db", "postgresql+psycopg://zhibu:s3cret-pw@127.0.0.1:1/zhibu", "list")
    assert result.exit_code == 3
    assert "cannot open the store postgresql+psycopg://zhibu:***@127.0.0.1:1/zhibu" in result.output
    assert "s3cret-pw" not in result.output


def test_read_only_store_exits_3_and_keeps_its_rows(zhibu: CliRun, synced: Path) -> None:
    before = store_rows(synced)
    database = synced.parent / "zhibu.db"
    read_only = f"sqlite:///file:{database}?mode=ro&uri=true"
    listed = zhibu("--db", read_only, "list", "--unit", "zb1")
    assert listed.exit_code == 0, listed.output  # reading still works
    result = zhibu("--db", read_only, "done", "zb1/党课/2026Q1", "--now", "2026-02-10T10:00")
    assert result.exit_code == 3
    assert "是只读的，未做任何修改" in result.output
    assert store_rows(synced) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through file permissions")
def test_read_only_database_file_exits_3(zhibu: CliRun, synced: Path) -> None:
    database = synced.parent / "zhibu.db"
    for path in synced.parent.glob("zhibu.db*"):
        path.chmod(0o444)
    synced.parent.chmod(0o555)
    try:
        result = zhibu("done", "zb1/党课/2026Q1", "--now", "2026-02-10T10:00")
    finally:
        synced.parent.chmod(0o755)
        database.chmod(0o644)
    assert result.exit_code == 3
