"""People as records show them: the name behind an operator's login."""

from __future__ import annotations

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from scheduler.store.models import PersonRow


def login_names(session: Session) -> dict[str, str]:
    """login → the person's name, for every person with a login (a few, not the roster)."""
    query = select(PersonRow.name, PersonRow.logins).where(cast(PersonRow.logins, String) != "[]")
    return {login: name for name, logins in session.execute(query) for login in logins or ()}
