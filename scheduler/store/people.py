"""People as records show them: the name behind an operator's login."""

from __future__ import annotations

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from scheduler.store.models import PersonRow


def login_names(session: Session) -> dict[str, str]:
    """login → the person's name, for every person with a login (a few, not the roster)."""
    query = select(PersonRow.name, PersonRow.logins).where(cast(PersonRow.logins, String) != "[]")
    return {login: name for name, logins in session.execute(query) for login in logins or ()}


LINK = "link:"  # the operator of a write made through a signed link: link:PERSON_ID


def operator_names(session: Session, operators: set[str]) -> dict[str, str]:
    """Operator → the person's name, for OS logins and for signed links (``link:ID``)."""
    names = login_names(session)
    linked = [op.removeprefix(LINK) for op in operators if op.startswith(LINK)]
    if linked:
        rows = session.execute(select(PersonRow.id, PersonRow.name).where(PersonRow.id.in_(linked)))
        names.update({LINK + ident: name for ident, name in rows})
    return names
