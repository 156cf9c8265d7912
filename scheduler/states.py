"""A task's states, by name (kept apart from the sweep so light commands need no database layer)."""

from __future__ import annotations

UPCOMING, OPEN, DUE_SOON, OVERDUE = "upcoming", "open", "due_soon", "overdue"
DONE, WAIVED, RETIRED = "done", "waived", "retired"
ACTIVE_STATES = (UPCOMING, OPEN, DUE_SOON, OVERDUE)
ALL_STATES = (*ACTIVE_STATES, DONE, WAIVED, RETIRED)
