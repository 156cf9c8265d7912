"""The store: SQLAlchemy models, sessions and migrations."""

from scheduler.store.engine import Store, StoreError, open_store, resolve_url, upgrade_schema

__all__ = ["Store", "StoreError", "open_store", "resolve_url", "upgrade_schema"]
