"""Shared fixtures: the example config, a real SQLite store in a temp dir, and a CLI runner."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result

from scheduler import clock
from scheduler.actions.operator import login_of_uid
from scheduler.app import App, open_app
from scheduler.cli import main
from scheduler.store.urls import SIMULATE_ENV
from tests.postgres import PostgresServer, binaries

# Every store the tests create is a simulation store, where --now and ZHIBU_CLOCK move time; the
# tests of production stores take this away for themselves (tests/e2e/test_trust.py).
os.environ[SIMULATE_ENV] = "1"

REPO = Path(__file__).resolve().parent.parent
ME = login_of_uid(os.getuid())  # the login the tests run as: the office operator of their configs
EXAMPLE = REPO / "tests" / "fixtures" / "small_org.toml"  # the small org most tests are built on
REALISTIC = REPO / "config.example.toml"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def beijing(text: str) -> datetime:
    """An aware instant from a Beijing wall-clock time like ``2026-03-31 09:00``."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _release_clock() -> Iterator[None]:
    """No test leaks a pinned clock into the next."""
    yield
    clock.set_now(None)


def with_login(text: str, person_id: str, login: str = ME) -> str:
    """Config text in which the person ``person_id`` is reached by the OS login ``login``."""
    new, count = re.subn(rf'(?m)^(id = "{re.escape(person_id)}"\n)', rf'\1login = "{login}"\n', text)
    assert count == 1, f"no person {person_id} in the config"
    return new


@pytest.fixture
def example_config(tmp_path: Path) -> Path:
    """A copy of the small example org whose store is a SQLite file in the test's temp dir; the
    login running the tests is its 党务专干 (刘慧敏), who may record anywhere."""
    text = with_login(EXAMPLE.read_text(encoding="utf-8"), "liuhm")
    path = tmp_path / "zhibu.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def realistic_config(tmp_path: Path) -> Path:
    """A copy of config.example.toml (the realistic 局机关党委) with its roster file beside it."""
    (tmp_path / "examples").mkdir()
    shutil.copy(REPO / "examples" / "roster.csv", tmp_path / "examples" / "roster.csv")
    path = tmp_path / "zhibu.toml"
    path.write_text(with_login(REALISTIC.read_text(encoding="utf-8"), "liuhm"), encoding="utf-8")
    return path


def edit_config(path: Path, pattern: str, replacement: str) -> None:
    """Change the config file in place (the pattern must match)."""
    text = path.read_text(encoding="utf-8")
    new, count = re.subn(pattern, replacement, text, flags=re.MULTILINE | re.DOTALL)
    assert count, f"pattern {pattern!r} not found in {path}"
    path.write_text(new, encoding="utf-8")


@pytest.fixture
def app(example_config: Path) -> Iterator[App]:
    """The example org on a real SQLite file."""
    application = open_app(example_config)
    yield application
    application.store.close()


CliRun = Callable[..., Result]


@pytest.fixture
def zhibu(example_config: Path) -> CliRun:
    """Run ``zhibu --config <example copy> ARGS`` in-process; returns click's Result."""
    runner = CliRunner()

    def run(*args: str, config: Path | None = None) -> Result:
        clock.set_now(None)
        return runner.invoke(main, ["--config", str(config or example_config), *args], catch_exceptions=False)

    return run


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the session; CI installs it, elsewhere it is skipped if absent."""
    if binaries() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed; .ci/run installs it")
        pytest.skip("PostgreSQL is not installed")
    server = PostgresServer(tmp_path_factory.mktemp("postgres"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def pg_url(postgres: PostgresServer) -> str:
    """A fresh, empty PostgreSQL database."""
    return postgres.database()
