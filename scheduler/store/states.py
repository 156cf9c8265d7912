"""A task's states and a completion's kinds, by name (kept apart from the sweep so light commands need
no database layer)."""

from __future__ import annotations

UPCOMING, OPEN, DUE_SOON, OVERDUE = "upcoming", "open", "due_soon", "overdue"
DONE, WAIVED, RETIRED = "done", "waived", "retired"
ACTIVE_STATES = (UPCOMING, OPEN, DUE_SOON, OVERDUE)
ALL_STATES = (*ACTIVE_STATES, DONE, WAIVED, RETIRED)

# The kinds of a completion row: a record that the work was done, a waiver (免除), and a reversal
# of an earlier one (undo appends; nothing is deleted).
DONE_KIND, WAIVE_KIND, REVERSAL_KIND = "done", "waive", "reversal"
