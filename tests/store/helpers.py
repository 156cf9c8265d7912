"""Helpers for store tests: snapshots of every table, task states by key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from scheduler.app import App, open_app
from scheduler.store.engine import Store
from scheduler.store.models import Base, TaskRow


def dump(target: App | Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to prove a refused command changed nothing."""
    store = target.store if isinstance(target, App) else target
    with store.engine.connect() as connection:
        return {
            name: [tuple(row) for row in connection.execute(text(f'SELECT * FROM "{name}" ORDER BY 1'))]
            for name in Base.metadata.tables
        }


def states(app: App) -> dict[str, str]:
    """Task key → state."""
    with app.store.reading() as session:
        return dict(session.execute(select(TaskRow.key, TaskRow.state)).all())


def keys_in(app: App, state: str) -> set[str]:
    """Keys of tasks in ``state``."""
    return {key for key, value in states(app).items() if value == state}


def on_postgres(config: Path, pg_url: str) -> App:
    """The org of ``config`` (its store the SQLite file ``zhibu.db``) opened on the PostgreSQL
    database ``pg_url`` instead; the config file says so from then on."""
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('url = "sqlite:///zhibu.db"', f'url = "{pg_url}"'), encoding="utf-8")
    return open_app(config)


def on_each_store(config: Path, pg_url: str) -> Iterator[tuple[str, App]]:
    """The org of ``config`` opened on its SQLite file ("sqlite"), then on the PostgreSQL database
    ``pg_url`` ("postgresql"); each closed after its turn."""
    for name in ("sqlite", "postgresql"):
        app = open_app(config) if name == "sqlite" else on_postgres(config, pg_url)
        try:
            yield name, app
        finally:
            app.store.close()
