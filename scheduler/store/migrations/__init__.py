"""Alembic migrations of the store, run programmatically by ``zhibu db upgrade``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Connection

# The newest revision in versions/; a test checks it against alembic's own view of the head,
# so opening the store need not import alembic on every command.
SCHEMA_HEAD = "0006"


def alembic_config(connection: Connection) -> Config:
    """An alembic config that runs this package's migrations on ``connection``."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent))
    config.attributes["connection"] = connection
    return config
