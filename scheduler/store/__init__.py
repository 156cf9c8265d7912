"""The store: SQLAlchemy models, sessions and migrations (``engine``, ``models``, ``migrations``),
and a driver-level read path for light commands (``readonly``)."""
