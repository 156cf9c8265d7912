"""Every human write — done, undo, waive, ack, snooze, sendback, confirm, event, roster import —
taking the operator, the time and the request, and returning a result the caller presents."""
